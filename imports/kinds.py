"""What can be imported, one kind per file: its columns (with the headings a spreadsheet may give
them in English, German, Danish or Dutch) and its writer (`imports.writers`), which finds a row's
record again by its natural key, so a second run changes nothing."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy

from imports import writers


@dataclass
class Column:
    key: str
    label: Any  # lazy text
    headings: set[str]
    required: bool = False


@dataclass
class Kind:
    key: str
    label: Any
    columns: list[Column]
    write: Callable[[writers.Context, dict[str, str]], str]
    describe: Callable[[dict[str, str]], str] = field(default=lambda row: "")


def _heading(*names: str) -> set[str]:
    return {name.lower() for name in names}


# Columns several kinds share, headed alike in the four languages.
PHONE = Column("phone", gettext_lazy("Phone"), _heading("phone", "telefon", "telefoon", "mobil", "mobile"))
LANGUAGE = Column("language", gettext_lazy("Language"), _heading("language", "sprache", "sprog", "taal"))
EMAIL_HEADINGS = _heading("email", "e-mail", "e-mail-adresse", "e-mailadresse", "mail")
EMAIL_NEEDED = Column("email", gettext_lazy("E-mail address"), EMAIL_HEADINGS, True)
CONSENT_COLUMNS = [
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
]


KINDS: dict[str, Kind] = {
    "topics": Kind(
        "topics",
        gettext_lazy("Topics"),
        [
            Column("name", gettext_lazy("Name"), _heading("name", "topic", "thema", "emne", "onderwerp"), True),
            Column("offered", gettext_lazy("Offered"), _heading("offered", "angeboten", "tilbydes", "aangeboden")),
        ],
        writers.write_topic,
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
            Column(
                "opening_hours",
                gettext_lazy("Opening hours"),
                _heading("opening hours", "öffnungszeiten", "åbningstider", "openingstijden"),
            ),
        ],
        writers.write_room,
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
        writers.write_group,
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
        writers.write_series,
        lambda row: f"{row.get('group', '')} · {row.get('weekday', '')} {row.get('start_time', '')}",
    ),
    "members": Kind(
        "members",
        gettext_lazy("Members"),
        [
            Column("name", gettext_lazy("Name"), _heading("name", "navn", "naam"), True),
            Column("email", gettext_lazy("E-mail address"), EMAIL_HEADINGS),
            PHONE,
            LANGUAGE,
            Column("group", gettext_lazy("Group"), _heading("group", "gruppe", "groep"), True),
            Column(
                "joined_on",
                gettext_lazy("Member since"),
                _heading("member since", "joined", "dabei seit", "mitglied seit", "medlem siden", "lid sinds"),
            ),
            *CONSENT_COLUMNS,
        ],
        writers.write_member,
        lambda row: f"{row.get('name', '')} · {row.get('group', '')}",
    ),
    "volunteers": Kind(
        "volunteers",
        gettext_lazy("Volunteers"),
        [
            Column("name", gettext_lazy("Name"), _heading("name", "navn", "naam"), True),
            EMAIL_NEEDED,
            PHONE,
            LANGUAGE,
            Column(
                "languages", gettext_lazy("Languages"), _heading("languages", "sprachen", "talen", "sprogkundskaber")
            ),
            Column("status", gettext_lazy("Status"), _heading("status")),
            Column(
                "screened_on",
                gettext_lazy("Screening conversation on"),
                _heading("screened on", "vorgespräch am", "samtale den", "intakegesprek op"),
            ),
            Column(
                "confidentiality_signed_on",
                gettext_lazy("Confidentiality signed on"),
                _heading(
                    "confidentiality signed on",
                    "schweigepflicht unterschrieben am",
                    "tavshedspligt underskrevet den",
                    "geheimhouding ondertekend op",
                ),
            ),
            Column(
                "course",
                gettext_lazy("Course"),
                _heading("course", "schulung", "kurs", "kursus", "cursus", "opleiding"),
            ),
            Column(
                "completed_on",
                gettext_lazy("Course completed on"),
                _heading(
                    "course completed on", "schulung abgeschlossen am", "kursus afsluttet den", "cursus afgerond op"
                ),
            ),
            *CONSENT_COLUMNS,
        ],
        writers.write_volunteer,
        lambda row: row.get("name", ""),
    ),
    "subscribers": Kind(
        "subscribers",
        gettext_lazy("Newsletter subscribers"),
        [
            EMAIL_NEEDED,
            Column(
                "newsletter",
                gettext_lazy("Newsletter"),
                _heading("newsletter", "liste", "list", "nyhedsbrev", "nieuwsbrief"),
                True,
            ),
            LANGUAGE,
            *CONSENT_COLUMNS,
        ],
        writers.write_subscriber,
        lambda row: row.get("email", ""),
    ),
}
