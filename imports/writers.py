"""How a row of each kind is written: through the services the workspace uses, so every rule and
the audit log apply. Each returns "created", "changed" or "unchanged", or raises RowRefusedError
(or a service's own DomainError) with the reason in words a coordinator can act on."""

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from centres.models import ConsentRecord
from imports import values
from imports.rows import Context, RowRefusedError, cell, changed, given, named, one
from meetings.models import Group, Location, MeetingSeries, Room, Topic
from meetings.recurrence import normalise_rule
from meetings.services import places
from meetings.services.groups import group_create, group_update
from meetings.services.member_import import membership_import
from meetings.services.series import series_create
from notifications.models import NewsletterList
from notifications.services.newsletters import subscription_import
from volunteers.services.volunteer_import import VolunteerRow, volunteer_import

# --- topics ---------------------------------------------------------------------------------------


def write_topic(context: Context, row: dict[str, str]) -> str:
    name = cell(row, "name", lambda cell: values.text(cell, max_length=120))
    wanted = given({"is_offered": cell(row, "offered", values.yes_no)})
    topic = Topic.objects.filter(centre=context.centre, name__iexact=name).first()
    if topic is None:
        places.topic_create(actor=context.actor, centre=context.centre, name=name, **wanted)
        return "created"
    changes = changed(topic, wanted)
    if changes:
        places.topic_update(actor=context.actor, topic=topic, **changes)
    return "changed" if changes else "unchanged"


# --- locations and rooms --------------------------------------------------------------------------


def write_room(context: Context, row: dict[str, str]) -> str:
    """One room per row; its location is made (or found) by name first. Empty cells change
    nothing of a location or room that is there already."""
    location_name = cell(row, "location", lambda cell: values.text(cell, max_length=120))
    address = given(
        {
            "street": cell(row, "street", lambda cell: values.text(cell, max_length=200)),
            "postal_code": cell(row, "postal_code", lambda cell: values.text(cell, max_length=20)),
            "city": cell(row, "city", lambda cell: values.text(cell, max_length=100)),
        }
    )
    room_name = cell(row, "room", lambda cell: values.text(cell, max_length=120))
    room_values = given(
        {
            "capacity": cell(row, "capacity", lambda cell: values.whole_number(cell, low=1, high=1000)),
            "step_free_access": cell(row, "step_free_access", values.yes_no),
            "hearing_loop": cell(row, "hearing_loop", values.yes_no),
            "accessible_toilet": cell(row, "accessible_toilet", values.yes_no),
        }
    )
    hours = cell(row, "opening_hours", values.opening_hours)
    outcomes = []
    location = one(
        Location.objects.filter(centre=context.centre, name__iexact=location_name), location_name, _("locations")
    )
    if location is None:
        location = places.location_create(actor=context.actor, centre=context.centre, name=location_name, **address)
        outcomes.append("created")
    elif changes := changed(location, address):
        places.location_update(actor=context.actor, location=location, **changes)
        outcomes.append("changed")
    room = Room.objects.filter(location=location, name__iexact=room_name).first()
    if room is None:
        room = places.room_create(actor=context.actor, location=location, name=room_name, **room_values)
        outcomes.append("created")
    elif changes := changed(room, room_values):
        places.room_update(actor=context.actor, room=room, **changes)
        outcomes.append("changed")
    if hours is not None and set(room.opening_hours.values_list("weekday", "opens", "closes")) != set(hours):
        places.opening_hours_set(actor=context.actor, room=room, hours=hours)
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
    """A group, found again by name; empty cells change nothing of a group that is there."""
    name = cell(row, "name", lambda cell: values.text(cell, max_length=120))
    wanted: dict[str, Any] = given(
        {
            "topic": named(Topic, context.centre, row["topic"], _("The topic")),
            "description": row.get("description") or None,
            "languages": cell(row, "languages", _languages),
            "age_band": cell(row, "age_band", lambda cell: values.one_of(cell, AGE_BANDS, _("age band"))),
            "accepts_newcomers": cell(row, "accepts_newcomers", values.yes_no),
        }
    )
    group = one(Group.objects.filter(centre=context.centre, name__iexact=name), name, _("groups"))
    if group is None:
        wanted.setdefault("languages", [context.centre.default_language])
        group_create(actor=context.actor, centre=context.centre, name=name, **wanted)
        return "created"
    changes = changed(group, wanted)
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
    group = named(Group, context.centre, row["group"], _("The group"))
    location = named(Location, context.centre, row["location"], _("The location"))
    room = named(Room, context.centre, row["room"], _("The room"), location=location)
    on = cell(row, "weekday", values.weekday)
    start: time = cell(row, "start_time", values.clock_time)
    end: time = cell(row, "end_time", values.clock_time)
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    if minutes <= 0:
        raise RowRefusedError("end_time: " + _("the meeting must end after it starts."))
    every = cell(row, "rhythm", values.rhythm, default="weekly")
    week = cell(row, "week_of_month", lambda cell: values.whole_number(cell, low=-1, high=4), default=None)
    today = datetime.now(ZoneInfo(context.centre.time_zone)).date()
    starts_on: date = max(cell(row, "starts_on", values.day, default=None) or today, today)
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
    given_on: date = cell(row, "consent_date", values.day)
    if given_on > datetime.now(ZoneInfo(context.centre.time_zone)).date():
        raise RowRefusedError("consent_date: " + _("a consent cannot be given in the future."))
    source = cell(row, "consent_source", lambda cell: values.one_of(cell, CONSENT_SOURCES, _("consent source")))
    text = cell(row, "consent_text", lambda cell: values.text(cell, max_length=50))
    return datetime.combine(given_on, time(12), tzinfo=ZoneInfo(context.centre.time_zone)), source, text


def write_member(context: Context, row: dict[str, str]) -> str:
    """A person in a group. With proof of consent, reminders are on; without, the member is asked
    by mail (their own page, where turning reminders on is their consent)."""
    group = named(Group, context.centre, row["group"], _("The group"))
    person = {
        "display_name": cell(row, "name", lambda cell: values.text(cell, max_length=120)),
        "email": cell(row, "email", values.email, default=""),
        "phone": cell(row, "phone", lambda cell: values.text(cell, max_length=40), default=""),
        "language": cell(row, "language", lambda cell: values.one_of(cell, LANGUAGE_CODES, _("language")), default=""),
    }
    return membership_import(
        actor=context.actor,
        group=group,
        person_values=person,
        joined_on=cell(row, "joined_on", values.day, default=None),
        consent=_consent(context, row),
    )


# --- volunteers -----------------------------------------------------------------------------------

VOLUNTEER_STATUSES = {
    **dict.fromkeys(
        ("applicant", "bewerber", "bewerberin", "interessiert", "ansøger", "aanmelder", "kandidaat"), "applicant"
    ),
    **dict.fromkeys(
        ("screened", "vorgespräch", "vorgespräch geführt", "samtale holdt", "screenet", "intake gehad", "gescreend"),
        "screened",
    ),
    **dict.fromkeys(("trained", "geschult", "ausgebildet", "uddannet", "opgeleid", "getraind"), "trained"),
    **dict.fromkeys(("active", "aktiv", "actief"), "active"),
    **dict.fromkeys(("paused", "pausiert", "pause", "på pause", "gepauzeerd"), "paused"),
    **dict.fromkeys(("retired", "ausgeschieden", "beendet", "stoppet", "fratrådt", "gestopt"), "retired"),
}


def write_volunteer(context: Context, row: dict[str, str]) -> str:
    read = VolunteerRow(
        name=cell(row, "name", lambda cell: values.text(cell, max_length=120)),
        email=cell(row, "email", values.email),
        phone=cell(row, "phone", lambda cell: values.text(cell, max_length=40), default=""),
        language=cell(row, "language", lambda cell: values.one_of(cell, LANGUAGE_CODES, _("language")), default=""),
        languages=cell(row, "languages", _languages, default=[]),
        status=cell(
            row, "status", lambda cell: values.one_of(cell, VOLUNTEER_STATUSES, _("status")), default="applicant"
        ),
        screened_on=cell(row, "screened_on", values.day, default=None),
        confidentiality_signed_on=cell(row, "confidentiality_signed_on", values.day, default=None),
        course=cell(row, "course", lambda cell: values.text(cell, max_length=200), default=""),
        completed_on=cell(row, "completed_on", values.day, default=None),
        consent=_consent(context, row),
    )
    return volunteer_import(actor=context.actor, centre=context.centre, row=read)


# --- newsletter subscribers -----------------------------------------------------------------------

CONSENT_SOURCES = {
    # The ways staff may record a consent (centres.services.consents.STAFF_CONSENT_SOURCES): a
    # web form or a confirmation link is the person's own act, never a line in a spreadsheet.
    "e-mail": ConsentRecord.Source.EMAIL, "email": ConsentRecord.Source.EMAIL, "mail": ConsentRecord.Source.EMAIL,
    "phone": ConsentRecord.Source.PHONE, "telefon": ConsentRecord.Source.PHONE, "telefoon": ConsentRecord.Source.PHONE,
    "in person": ConsentRecord.Source.IN_PERSON, "persönlich": ConsentRecord.Source.IN_PERSON,
    "personligt": ConsentRecord.Source.IN_PERSON, "persoonlijk": ConsentRecord.Source.IN_PERSON,
    "paper": ConsentRecord.Source.PAPER, "papier": ConsentRecord.Source.PAPER, "papir": ConsentRecord.Source.PAPER,
}  # fmt: skip


def write_subscriber(context: Context, row: dict[str, str]) -> str:
    """A subscriber with proof of consent (its date, source and text) is subscribed; one without
    is asked by mail to confirm (double opt-in) and gets no newsletter until they do."""
    address = cell(row, "email", values.email)
    newsletter = named(NewsletterList, context.centre, row["newsletter"], _("The newsletter"))
    language = cell(row, "language", lambda cell: values.one_of(cell, LANGUAGE_CODES, _("language")), default=None) or (
        context.centre.default_language
    )
    return subscription_import(
        actor=context.actor,
        centre=context.centre,
        email=address,
        language=language,
        newsletter=newsletter,
        consent=_consent(context, row),
    )
