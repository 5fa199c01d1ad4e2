"""What can be imported, one kind per file: its columns (with the headings a spreadsheet may give
them in English, German, Danish or Dutch), its natural key (the same row again finds the same
record, so a second run changes nothing), and how a row is written: through the services the
workspace uses, so every rule and the audit log apply.

A row's function returns "created", "changed" or "unchanged", or raises `RowRefusedError` (or a service's
own DomainError) with the reason in words a coordinator can act on."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centres.models import Centre, ConsentRecord
from imports import values
from meetings.models import Group, Location, MeetingSeries, Room, Topic
from meetings.recurrence import normalise_rule
from meetings.services import places
from meetings.services.groups import group_create, group_update
from meetings.services.member_import import membership_import
from meetings.services.series import series_create
from notifications.models import NewsletterList
from notifications.services.newsletters import subscription_import


class RowRefusedError(ValueError):
    """The row cannot be written as it is; the message says why."""


@dataclass
class Column:
    key: str
    label: Any  # lazy text
    headings: set[str]
    required: bool = False


@dataclass
class Context:
    centre: Centre
    actor: AbstractBaseUser | None


@dataclass
class Kind:
    key: str
    label: Any
    columns: list[Column]
    write: Callable[[Context, dict[str, str]], str]
    describe: Callable[[dict[str, str]], str] = field(default=lambda row: "")

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)


def _changed(obj: Any, wanted: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in wanted.items() if getattr(obj, name) != value}


def _cell(row: dict[str, str], key: str, read: Callable[[str], Any], *, default: Any = None) -> Any:
    """A column's value read by `read`, or `default` when the cell is empty; a bad value names
    the column."""
    raw = row.get(key, "")
    if raw == "":
        return default
    try:
        return read(raw)
    except values.BadValueError as problem:
        raise RowRefusedError(f"{key}: {problem}") from problem


def _named(model: Any, centre: Centre, name: str, what: str, **more: Any) -> Any:
    found = model.objects.filter(centre=centre, name__iexact=name, **more).first()
    if found is None:
        raise RowRefusedError(
            _("%(what)s “%(name)s” is not known here; import it first.") % {"what": what, "name": name}
        )
    return found


# --- topics ---------------------------------------------------------------------------------------


def write_topic(context: Context, row: dict[str, str]) -> str:
    name = _cell(row, "name", lambda cell: values.text(cell, max_length=120))
    wanted = {"is_offered": _cell(row, "offered", values.yes_no, default=True)}
    topic = Topic.objects.filter(centre=context.centre, name__iexact=name).first()
    if topic is None:
        places.topic_create(actor=context.actor, centre=context.centre, name=name, **wanted)
        return "created"
    changes = _changed(topic, wanted)
    if changes:
        places.topic_update(actor=context.actor, topic=topic, **changes)
    return "changed" if changes else "unchanged"


# --- locations and rooms --------------------------------------------------------------------------


def write_room(context: Context, row: dict[str, str]) -> str:
    """One room per row; its location is made (or found) by name first."""
    location_name = _cell(row, "location", lambda cell: values.text(cell, max_length=120))
    address = {
        "street": _cell(row, "street", lambda cell: values.text(cell, max_length=200), default=""),
        "postal_code": _cell(row, "postal_code", lambda cell: values.text(cell, max_length=20), default=""),
        "city": _cell(row, "city", lambda cell: values.text(cell, max_length=100), default=""),
    }
    room_name = _cell(row, "room", lambda cell: values.text(cell, max_length=120))
    room_values = {
        "capacity": _cell(row, "capacity", lambda cell: values.whole_number(cell, low=1, high=1000)),
        "step_free_access": _cell(row, "step_free_access", values.yes_no, default=False),
        "hearing_loop": _cell(row, "hearing_loop", values.yes_no, default=False),
        "accessible_toilet": _cell(row, "accessible_toilet", values.yes_no, default=False),
    }
    outcomes = []
    location = Location.objects.filter(centre=context.centre, name__iexact=location_name).first()
    if location is None:
        location = places.location_create(actor=context.actor, centre=context.centre, name=location_name, **address)
        outcomes.append("created")
    elif changes := _changed(location, {key: value for key, value in address.items() if value}):
        places.location_update(actor=context.actor, location=location, **changes)
        outcomes.append("changed")
    room = Room.objects.filter(location=location, name__iexact=room_name).first()
    if room is None:
        places.room_create(actor=context.actor, location=location, name=room_name, **room_values)
        outcomes.append("created")
    elif changes := _changed(room, room_values):
        places.room_update(actor=context.actor, room=room, **changes)
        outcomes.append("changed")
    if "created" in outcomes:
        return "created"
    return "changed" if outcomes else "unchanged"


# --- groups ---------------------------------------------------------------------------------------

AGE_BANDS = {"": "", "any": "", "18-35": "18-35", "35-60": "35-60", "60+": "60+", "60 +": "60+"}
LANGUAGE_CODES = {
    "de": "de", "deutsch": "de", "german": "de", "tysk": "de", "duits": "de",
    "en": "en", "english": "en", "englisch": "en", "engelsk": "en", "engels": "en",
    "da": "da", "dansk": "da", "danish": "da", "dänisch": "da", "deens": "da",
    "nl": "nl", "nederlands": "nl", "dutch": "nl", "niederländisch": "nl", "hollandsk": "nl",
}  # fmt: skip


def _languages(cell: str) -> list[str]:
    found = [values.one_of(part, LANGUAGE_CODES, _("language")) for part in cell.replace(";", ",").split(",")]
    return sorted(set(found))


def write_group(context: Context, row: dict[str, str]) -> str:
    name = _cell(row, "name", lambda cell: values.text(cell, max_length=120))
    topic = _named(Topic, context.centre, row["topic"], _("The topic"))
    wanted: dict[str, Any] = {
        "topic": topic,
        "description": row.get("description", ""),
        "languages": _cell(row, "languages", _languages, default=[context.centre.default_language]),
        "age_band": _cell(row, "age_band", lambda cell: values.one_of(cell, AGE_BANDS, _("age band")), default=""),
        "accepts_newcomers": _cell(row, "accepts_newcomers", values.yes_no, default=True),
    }
    group = Group.objects.filter(centre=context.centre, name__iexact=name).first()
    if group is None:
        group_create(actor=context.actor, centre=context.centre, name=name, **wanted)
        return "created"
    changes = _changed(group, wanted)
    if changes:
        group_update(actor=context.actor, group=group, **changes)
    return "changed" if changes else "unchanged"


# --- series ---------------------------------------------------------------------------------------


def _weekday_of(rule: str) -> str:
    """The weekday of a series' rule ("TU" of BYDAY=TU or BYDAY=1TU)."""
    parts = dict(part.partition("=")[::2] for part in rule.split(";"))
    return parts.get("BYDAY", "").lstrip("+-0123456789")


def write_series(context: Context, row: dict[str, str]) -> str:
    """A group's regular meeting: found again by group, weekday and start time. A series that is
    there with other details is left alone (a change to a running series takes effect from a
    date the planner asks for)."""
    group = _named(Group, context.centre, row["group"], _("The group"))
    location = _named(Location, context.centre, row["location"], _("The location"))
    room = _named(Room, context.centre, row["room"], _("The room"), location=location)
    on = _cell(row, "weekday", values.weekday)
    start: time = _cell(row, "start_time", values.clock_time)
    end: time = _cell(row, "end_time", values.clock_time)
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    if minutes <= 0:
        raise RowRefusedError("end_time: " + _("the meeting must end after it starts."))
    every = _cell(row, "rhythm", values.rhythm, default="weekly")
    week = _cell(row, "week_of_month", lambda cell: values.whole_number(cell, low=-1, high=4), default=None)
    today = datetime.now(ZoneInfo(context.centre.time_zone)).date()
    starts_on: date = max(_cell(row, "starts_on", values.day, default=None) or today, today)
    rule = normalise_rule(values.rule_for(every, on, week), starts_on)
    existing = [
        series
        for series in MeetingSeries.objects.filter(group=group, start_time=start).exclude(rule__contains="UNTIL")
        if _weekday_of(series.rule) == values.BYDAY[on]
    ]
    if existing:
        same = existing[0].room_id == room.pk and existing[0].duration_minutes == minutes and existing[0].rule == rule
        if not same:
            raise RowRefusedError(_("This group already meets then with other details; change it in the planner."))
        return "unchanged"
    series_create(
        actor=context.actor,
        group=group,
        room=room,
        rule=rule,
        starts_on=starts_on,
        start_time=start,
        duration_minutes=minutes,
    )
    return "created"


# --- members --------------------------------------------------------------------------------------


def _consent(context: Context, row: dict[str, str]) -> tuple[Any, str, str] | None:
    """The consent a row proves (its date, source and text), or None; half a proof is refused."""
    proof = [row.get("consent_date", ""), row.get("consent_source", ""), row.get("consent_text", "")]
    if not any(proof):
        return None
    if not all(proof):
        raise RowRefusedError(_("Consent needs its date, source and text together, or none of them."))
    given_on: date = _cell(row, "consent_date", values.day)
    if given_on > datetime.now(ZoneInfo(context.centre.time_zone)).date():
        raise RowRefusedError("consent_date: " + _("a consent cannot be given in the future."))
    source = _cell(row, "consent_source", lambda cell: values.one_of(cell, CONSENT_SOURCES, _("consent source")))
    text = _cell(row, "consent_text", lambda cell: values.text(cell, max_length=50))
    return datetime.combine(given_on, time(12), tzinfo=ZoneInfo(context.centre.time_zone)), source, text


def write_member(context: Context, row: dict[str, str]) -> str:
    """A person in a group. With proof of consent, reminders are on; without, the member is asked
    by mail (their own page, where turning reminders on is their consent)."""
    group = _named(Group, context.centre, row["group"], _("The group"))
    person = {
        "display_name": _cell(row, "name", lambda cell: values.text(cell, max_length=120)),
        "email": _cell(row, "email", values.email, default=""),
        "phone": _cell(row, "phone", lambda cell: values.text(cell, max_length=40), default=""),
        "language": _cell(row, "language", lambda cell: values.one_of(cell, LANGUAGE_CODES, _("language")), default=""),
    }
    return membership_import(
        actor=context.actor,
        group=group,
        person_values=person,
        joined_on=_cell(row, "joined_on", values.day, default=None),
        consent=_consent(context, row),
    )


# --- newsletter subscribers -----------------------------------------------------------------------

CONSENT_SOURCES = {
    "web form": ConsentRecord.Source.WEB_FORM, "web": ConsentRecord.Source.WEB_FORM,
    "webformular": ConsentRecord.Source.WEB_FORM, "webformular ": ConsentRecord.Source.WEB_FORM,
    "webformulier": ConsentRecord.Source.WEB_FORM, "e-mail": ConsentRecord.Source.EMAIL,
    "email": ConsentRecord.Source.EMAIL, "phone": ConsentRecord.Source.PHONE, "telefon": ConsentRecord.Source.PHONE,
    "telefoon": ConsentRecord.Source.PHONE, "in person": ConsentRecord.Source.IN_PERSON,
    "persönlich": ConsentRecord.Source.IN_PERSON, "personligt": ConsentRecord.Source.IN_PERSON,
    "persoonlijk": ConsentRecord.Source.IN_PERSON, "paper": ConsentRecord.Source.PAPER,
    "papier": ConsentRecord.Source.PAPER, "papir": ConsentRecord.Source.PAPER,
}  # fmt: skip


def write_subscriber(context: Context, row: dict[str, str]) -> str:
    """A subscriber with proof of consent (its date, source and text) is subscribed; one without
    is asked by mail to confirm (double opt-in) and gets no newsletter until they do."""
    address = _cell(row, "email", values.email)
    newsletter = _named(NewsletterList, context.centre, row["newsletter"], _("The newsletter"))
    language = _cell(
        row, "language", lambda cell: values.one_of(cell, LANGUAGE_CODES, _("language")), default=None
    ) or (context.centre.default_language)
    return subscription_import(
        actor=context.actor,
        centre=context.centre,
        email=address,
        language=language,
        newsletter=newsletter,
        consent=_consent(context, row),
    )


def _heading(*names: str) -> set[str]:
    return {name.lower() for name in names}


KINDS: dict[str, Kind] = {
    "topics": Kind(
        "topics",
        gettext_lazy("Topics"),
        [
            Column("name", gettext_lazy("Name"), _heading("name", "topic", "thema", "emne", "onderwerp"), True),
            Column("offered", gettext_lazy("Offered"), _heading("offered", "angeboten", "tilbydes", "aangeboden")),
        ],
        write_topic,
        lambda row: row.get("name", ""),
    ),
    "rooms": Kind(
        "rooms",
        gettext_lazy("Locations and rooms"),
        [
            Column(
                "location", gettext_lazy("Location"), _heading("location", "standort", "haus", "sted", "locatie"), True
            ),
            Column(
                "street", gettext_lazy("Street"), _heading("street", "straße", "strasse", "adresse", "vej", "straat")
            ),
            Column(
                "postal_code", gettext_lazy("Postal code"), _heading("postal code", "postcode", "plz", "postnummer")
            ),
            Column("city", gettext_lazy("City"), _heading("city", "ort", "stadt", "by", "plaats")),
            Column("room", gettext_lazy("Room"), _heading("room", "raum", "lokale", "rum", "ruimte", "zaal"), True),
            Column(
                "capacity", gettext_lazy("Seats"), _heading("capacity", "seats", "plätze", "pladser", "plaatsen"), True
            ),
            Column(
                "step_free_access",
                gettext_lazy("Step-free"),
                _heading("step-free", "barrierefrei", "trinfri", "drempelvrij"),
            ),
            Column(
                "hearing_loop",
                gettext_lazy("Hearing loop"),
                _heading("hearing loop", "induktionsschleife", "teleslynge", "ringleiding"),
            ),
            Column(
                "accessible_toilet",
                gettext_lazy("Accessible toilet"),
                _heading("accessible toilet", "behindertengerechtes wc", "handicaptoilet", "invalidentoilet"),
            ),
        ],
        write_room,
        lambda row: f"{row.get('location', '')} · {row.get('room', '')}",
    ),
    "groups": Kind(
        "groups",
        gettext_lazy("Groups"),
        [
            Column("name", gettext_lazy("Name"), _heading("name", "group", "gruppe", "navn", "groep", "naam"), True),
            Column("topic", gettext_lazy("Topic"), _heading("topic", "thema", "emne", "onderwerp"), True),
            Column(
                "description",
                gettext_lazy("Description"),
                _heading("description", "beschreibung", "beskrivelse", "beschrijving"),
            ),
            Column("languages", gettext_lazy("Languages"), _heading("languages", "sprachen", "sprog", "talen")),
            Column(
                "age_band", gettext_lazy("Age band"), _heading("age band", "alter", "altersgruppe", "alder", "leeftijd")
            ),
            Column(
                "accepts_newcomers",
                gettext_lazy("Open to newcomers"),
                _heading("open to newcomers", "offen für neue", "åben for nye", "open voor nieuwkomers"),
            ),
        ],
        write_group,
        lambda row: row.get("name", ""),
    ),
    "series": Kind(
        "series",
        gettext_lazy("Regular meetings"),
        [
            Column("group", gettext_lazy("Group"), _heading("group", "gruppe", "groep"), True),
            Column(
                "location", gettext_lazy("Location"), _heading("location", "standort", "haus", "sted", "locatie"), True
            ),
            Column("room", gettext_lazy("Room"), _heading("room", "raum", "lokale", "rum", "ruimte", "zaal"), True),
            Column(
                "weekday",
                gettext_lazy("Weekday"),
                _heading("weekday", "day", "wochentag", "tag", "ugedag", "dag", "weekdag"),
                True,
            ),
            Column(
                "start_time",
                gettext_lazy("From"),
                _heading("from", "start", "von", "beginn", "fra", "van", "begin"),
                True,
            ),
            Column("end_time", gettext_lazy("To"), _heading("to", "end", "bis", "ende", "til", "tot", "einde"), True),
            Column(
                "rhythm",
                gettext_lazy("Rhythm"),
                _heading("rhythm", "rhythmus", "turnus", "rytme", "hyppighed", "ritme", "frequentie"),
            ),
            Column(
                "week_of_month",
                gettext_lazy("Week of the month"),
                _heading("week of the month", "woche im monat", "uge i måneden", "week van de maand"),
            ),
            Column(
                "starts_on",
                gettext_lazy("Starts on"),
                _heading("starts on", "first", "ab", "erster termin", "fra dato", "første gang", "vanaf"),
            ),
        ],
        write_series,
        lambda row: f"{row.get('group', '')} · {row.get('weekday', '')} {row.get('start_time', '')}",
    ),
    "members": Kind(
        "members",
        gettext_lazy("Members"),
        [
            Column("name", gettext_lazy("Name"), _heading("name", "navn", "naam"), True),
            Column(
                "email",
                gettext_lazy("E-mail address"),
                _heading("email", "e-mail", "e-mail-adresse", "e-mailadresse", "mail"),
            ),
            Column("phone", gettext_lazy("Phone"), _heading("phone", "telefon", "telefoon", "mobil", "mobile")),
            Column("language", gettext_lazy("Language"), _heading("language", "sprache", "sprog", "taal")),
            Column("group", gettext_lazy("Group"), _heading("group", "gruppe", "groep"), True),
            Column(
                "joined_on",
                gettext_lazy("Member since"),
                _heading("member since", "joined", "dabei seit", "mitglied seit", "medlem siden", "lid sinds"),
            ),
            Column(
                "consent_date",
                gettext_lazy("Consent given on"),
                _heading("consent date", "einwilligung am", "samtykke dato", "toestemming datum"),
            ),
            Column(
                "consent_source",
                gettext_lazy("Consent given by"),
                _heading("consent source", "einwilligung durch", "samtykke via", "toestemming via"),
            ),
            Column(
                "consent_text",
                gettext_lazy("Consent text (version)"),
                _heading("consent text", "einwilligungstext", "samtykketekst", "toestemmingstekst"),
            ),
        ],
        write_member,
        lambda row: f"{row.get('name', '')} · {row.get('group', '')}",
    ),
    "subscribers": Kind(
        "subscribers",
        gettext_lazy("Newsletter subscribers"),
        [
            Column(
                "email",
                gettext_lazy("E-mail address"),
                _heading("email", "e-mail", "e-mail-adresse", "e-mailadresse", "mail"),
                True,
            ),
            Column(
                "newsletter",
                gettext_lazy("Newsletter"),
                _heading("newsletter", "liste", "list", "nyhedsbrev", "nieuwsbrief"),
                True,
            ),
            Column("language", gettext_lazy("Language"), _heading("language", "sprache", "sprog", "taal")),
            Column(
                "consent_date",
                gettext_lazy("Consent given on"),
                _heading("consent date", "einwilligung am", "samtykke dato", "toestemming datum"),
            ),
            Column(
                "consent_source",
                gettext_lazy("Consent given by"),
                _heading("consent source", "einwilligung durch", "samtykke via", "toestemming via"),
            ),
            Column(
                "consent_text",
                gettext_lazy("Consent text (version)"),
                _heading("consent text", "einwilligungstext", "samtykketekst", "toestemmingstekst"),
            ),
        ],
        write_subscriber,
        lambda row: row.get("email", ""),
    ),
}
