"""The open data of the public directory: every centre and its publicly listed groups, as a
versioned JSON document in schema.org's vocabulary and as one CSV row per group, for national
directories and city portals to harvest.

Only the fields in `PUBLIC_FIELDS` may give a value to it (a test fills every other field of
every model with a marked value and finds none of them in the export). A discreet group that its
centre lists without times shows its rhythm (weekly, monthly) but no day, time or building."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from centres.models import Centre
from meetings import geodata
from meetings.finder import shown_in_public
from meetings.models import GroupListing, Meeting, MeetingSeries

FORMAT_VERSION = "1"
# (app label, model) → the fields whose values the open data may carry. Everything else is private.
PUBLIC_FIELDS: dict[str, set[str]] = {
    "centres.Centre": {
        "name",
        "slug",
        "street",
        "postal_code",
        "city",
        "country",
        "phone",
        "email",
        "website",
        "default_language",
    },
    "meetings.Group": {
        "name",
        "description",
        "description_translations",
        "languages",
        "age_band",
        "public_id",
        "relatives_welcome",
        "accepts_newcomers",
    },
    "meetings.Topic": {"name", "name_translations"},
    "meetings.TopicCategory": {"code", "name", "name_translations"},
    "meetings.Location": {"city", "postal_code"},
    "meetings.Room": {"step_free_access", "hearing_loop"},
    "meetings.MeetingSeries": {"rule", "start_time", "duration_minutes"},
}
DAYS = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
FREQUENCIES = {"DAILY": "D", "WEEKLY": "W", "MONTHLY": "M", "YEARLY": "Y"}


def licence() -> dict[str, str]:
    return {"name": settings.OPEN_DATA_LICENCE_NAME, "url": settings.OPEN_DATA_LICENCE_URL}


def schedule(series: MeetingSeries, *, times: bool) -> dict[str, Any]:
    """A series' rhythm as a schema.org Schedule; without day and time when `times` is False."""
    parts = dict(part.split("=", 1) for part in series.rule.split(";") if "=" in part)
    found: dict[str, Any] = {"@type": "Schedule"}
    frequency = FREQUENCIES.get(parts.get("FREQ", ""), "")
    if frequency:
        found["repeatFrequency"] = f"P{parts.get('INTERVAL', '1')}{frequency}"
    if not times:
        return found
    days = [day.lstrip("+-0123456789") for day in parts.get("BYDAY", "").split(",") if day]
    weeks = sorted(
        {
            int(day[: -len(day.lstrip("+-0123456789"))])
            for day in parts.get("BYDAY", "").split(",")
            if day and day[0] in "+-0123456789"
        }
    )
    found["byDay"] = [f"https://schema.org/{DAYS[day]}" for day in days if day in DAYS]
    if weeks:
        found["byMonthWeek"] = weeks
    found["startTime"] = series.start_time.strftime("%H:%M")
    found["duration"] = f"PT{series.duration_minutes}M"
    found["scheduleTimezone"] = series.time_zone
    return found


def rhythm_text(shapes: list[dict[str, Any]]) -> str:
    """The CSV's short form of the schedules: "P1W TU 19:00" or, without times, "P1W"."""
    texts = []
    for shape in shapes:
        days = " ".join(day.rsplit("/", 1)[1][:2].upper() for day in shape.get("byDay", []))
        text = " ".join(part for part in (shape.get("repeatFrequency", ""), days, shape.get("startTime", "")) if part)
        texts.append(text)
    return "; ".join(texts)


def _series_by_group(group_ids: list[int]) -> dict[int, list[MeetingSeries]]:
    """The series that still hold meetings to come, per group."""
    live = Meeting.objects.filter(
        group_id__in=group_ids, starts_at__gte=timezone.now(), status=Meeting.Status.SCHEDULED
    ).values("series_id")
    found: dict[int, list[MeetingSeries]] = {}
    for series in (
        MeetingSeries.objects.filter(pk__in=live)
        .only("group_id", "rule", "start_time", "duration_minutes", "time_zone")
        .order_by("pk")
    ):
        found.setdefault(series.group_id, []).append(series)
    return found


def _centre(centre: Centre, base: str) -> dict[str, Any]:
    place = geodata.locate(postcode=centre.postal_code, town=centre.city, country=centre.country)
    found: dict[str, Any] = {
        "@type": "Organization",
        "@id": base + reverse("centre-home", args=[centre.slug]),
        "identifier": centre.slug,
        "name": centre.name,
        "url": base + reverse("centre-home", args=[centre.slug]),
        "address": {
            "@type": "PostalAddress",
            "streetAddress": centre.street,
            "postalCode": centre.postal_code,
            "addressLocality": centre.city,
            "addressCountry": centre.country,
        },
        "telephone": centre.phone,
        "email": centre.email,
        "sameAs": [centre.website] if centre.website else [],
    }
    if place is not None:
        found["geo"] = {"@type": "GeoCoordinates", "latitude": place.point.latitude, "longitude": place.point.longitude}
    return found


def _group(listing: GroupListing, series: list[MeetingSeries], base: str) -> dict[str, Any]:
    """A group as the open data shows it. A discreet group never with its day, time, building or
    access, whatever its centre shows on its own pages: harvested data is copied and kept."""
    group, topic = listing.group, listing.topic
    times = listing.times_shown and not group.discreet
    shapes = [schedule(one, times=times) for one in series]
    town, postcode = (
        (listing.town, listing.location.postal_code if listing.location else "")
        if times
        else (listing.centre.city, listing.centre.postal_code)
    )
    return {
        "@type": "Organization",
        "@id": base + reverse("group-page", args=[listing.centre.slug, group.public_id]),
        "identifier": str(group.public_id),
        "name": group.name,
        "description": group.description,
        "descriptionTranslations": group.description_translations,
        "url": base + reverse("group-page", args=[listing.centre.slug, group.public_id]),
        "parentOrganization": base + reverse("centre-home", args=[listing.centre.slug]),
        "knowsAbout": {"name": topic.name, "translations": topic.name_translations},
        "category": listing.category.code if listing.category else "",
        "knowsLanguage": group.languages,
        "ageBand": group.age_band,
        "relativesWelcome": group.relatives_welcome,
        "openToNewcomers": group.accepts_newcomers,
        "meetingSchedule": shapes,
        "timesOnRequest": not times,
        "areaServed": {
            "@type": "Place",
            "address": {"@type": "PostalAddress", "addressLocality": town, "postalCode": postcode},
        },
        "accessibility": {
            "stepFree": times and listing.step_free,
            "hearingLoop": times and listing.hearing_loop,
            "online": times and listing.online,
        },
    }


def directory_document(base: str, generated: datetime) -> dict[str, Any]:
    """The whole directory as one JSON-LD document. `base`: the site's address, for links."""
    centres = list(Centre.objects.order_by("name", "pk"))
    listings = [
        listing
        for listing in GroupListing.objects.select_related(
            "centre", "group__centre", "topic", "category", "location"
        ).order_by("centre__name", "name", "pk")
        if shown_in_public(listing.group)  # as the group and its centre are now, not only as built
    ]
    series = _series_by_group([listing.pk for listing in listings])
    return {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": "Kontakt: self-help groups and contact points",
        "version": FORMAT_VERSION,
        "dateModified": generated.isoformat(timespec="seconds"),
        "license": licence()["url"],
        "licence": licence(),
        "documentation": base + reverse("open-data"),
        "centres": [_centre(centre, base) for centre in centres],
        "groups": [_group(listing, series.get(listing.pk, []), base) for listing in listings],
    }


CSV_HEADER = [
    "group_id",
    "group_name",
    "topic",
    "category",
    "languages",
    "age_band",
    "relatives_welcome",
    "open_to_newcomers",
    "description",
    "rhythm",
    "times_on_request",
    "town",
    "postal_code",
    "step_free",
    "hearing_loop",
    "online",
    "group_url",
    "centre_id",
    "centre_name",
    "centre_phone",
    "centre_email",
    "centre_url",
    "licence",
]


def directory_rows(document: dict[str, Any]) -> list[list[Any]]:
    """The CSV's rows, one per group, from the JSON document (so both always say the same)."""
    centres = {centre["@id"]: centre for centre in document["centres"]}
    rows = []
    for group in document["groups"]:
        centre = centres[group["parentOrganization"]]
        address = group["areaServed"]["address"]
        access = group["accessibility"]
        rows.append(
            [
                group["identifier"],
                group["name"],
                group["knowsAbout"]["name"],
                group["category"],
                " ".join(group["knowsLanguage"]),
                group["ageBand"],
                group["relativesWelcome"],
                group["openToNewcomers"],
                group["description"],
                rhythm_text(group["meetingSchedule"]),
                group["timesOnRequest"],
                address["addressLocality"],
                address["postalCode"],
                access["stepFree"],
                access["hearingLoop"],
                access["online"],
                group["url"],
                centre["identifier"],
                centre["name"],
                centre["telephone"],
                centre["email"],
                centre["url"],
                document["licence"]["url"],
            ]
        )
    return rows
