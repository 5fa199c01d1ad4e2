"""The group finder's search over the public directory (`GroupListing`): words in the visitor's
language (PostgreSQL full text, and trigram matching for typos; plain matching on SQLite), and
filters for topic, place and distance, day, time, language, age, access and places. Every row
of the directory is public; the caller opens the scope across the centres it searches."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import get_language

from meetings import geodata
from meetings.finder import PublicMeeting, shown_in_public, times_shown_in_public
from meetings.models import GroupListing, Meeting
from meetings.models.directory import slots_mask
from meetings.services.directory import LANGUAGE_BITS, LISTED_WEEKS, SEARCH_CONFIGS, language_bits

SHOWN_MEETINGS = 3
DEFAULT_RADIUS_KM = 25


@dataclass(frozen=True)
class FinderQuery:
    """What a visitor asks the finder. Empty fields ask nothing."""

    text: str = ""
    topic_id: int | None = None
    category_id: int | None = None
    place: geodata.Place | None = None
    radius_km: int = DEFAULT_RADIUS_KM
    weekday: int | None = None
    daypart: int | None = None
    language: str = ""
    age_band: str | None = None
    step_free: bool = False
    hearing_loop: bool = False
    online: bool = False
    newcomers: bool = False
    has_places: bool = False


@dataclass
class Found:
    """A group the finder shows: its listing, how far it is, and its next meetings (none for a
    discreet group the centre lists without times)."""

    listing: GroupListing
    distance_km: float | None = None
    next_meetings: list[PublicMeeting] = field(default_factory=list)


@dataclass
class FinderPage:
    found: list[Found]
    total: int
    number: int
    pages: int


def _bit(rows: QuerySet[GroupListing], name: str, bits: int) -> QuerySet[GroupListing]:
    return rows.annotate(**{f"{name}_hit": F(name).bitand(bits)}).filter(**{f"{name}_hit__gt": 0})


def _filtered(query: FinderQuery, centre_ids: list[int] | None) -> QuerySet[GroupListing]:
    rows: QuerySet[GroupListing] = GroupListing.objects.all()
    if centre_ids is not None:
        rows = rows.filter(centre_id__in=centre_ids)
    if query.topic_id:
        rows = rows.filter(topic_id=query.topic_id)
    if query.category_id:
        rows = rows.filter(category_id=query.category_id)
    if query.weekday is not None or query.daypart:
        rows = _bit(rows, "slots", slots_mask(query.weekday, query.daypart or None))
    if query.language in LANGUAGE_BITS:
        rows = _bit(rows, "languages", language_bits([query.language]))
    if query.age_band:
        rows = rows.filter(age_band__in=[query.age_band, ""])
    flags = {name: True for name in ("step_free", "hearing_loop", "online", "newcomers", "has_places")
             if getattr(query, name)}  # fmt: skip
    rows = rows.filter(**flags)
    if query.place is not None:
        south, north, west, east = geodata.bounding_box(query.place.point, query.radius_km)
        rows = rows.filter(latitude__range=(south, north), longitude__range=(west, east))
    return rows


# A listing that matched: (group id, relevance, latitude, longitude, name).
Match = tuple[int, float, float | None, float | None, str]


def _matching(rows: QuerySet[GroupListing], text: str) -> list[Match]:
    """(group id, relevance, latitude, longitude, name) of the rows that match the words."""
    if not text:
        return [
            (pk, 0.0, lat, lon, name) for pk, lat, lon, name in rows.values_list("pk", "latitude", "longitude", "name")
        ]
    if connection.vendor == "postgresql":
        config = SEARCH_CONFIGS.get((get_language() or "en").split("-")[0], "simple")
        terms = SearchQuery(text, config=config, search_type="websearch") | SearchQuery(
            text, config="simple", search_type="websearch"
        )
        ranked = (
            rows.filter(Q(search_vector=terms) | Q(document__trigram_word_similar=text))
            .annotate(rank=SearchRank(F("search_vector"), terms) + TrigramWordSimilarity(text, "document"))
            .values_list("pk", "rank", "latitude", "longitude", "name")
        )
        return [(pk, float(rank), lat, lon, name) for pk, rank, lat, lon, name in ranked]
    # SQLite, the small default: every word must be among the group's words in some language.
    wanted = [geodata.folded(word) for word in text.split() if word]
    found: list[Match] = []
    for pk, texts, document, lat, lon, name in rows.values_list(
        "pk", "texts", "document", "latitude", "longitude", "name"
    ):
        words = geodata.folded(" ".join([document, *texts.values()]))
        if all(word in words for word in wanted):
            found.append((pk, float(sum(word in geodata.folded(name) for word in wanted)), lat, lon, name))
    return found


def _next_meetings(group_ids: list[int]) -> dict[int, list[PublicMeeting]]:
    now = timezone.now()
    by_group: dict[int, list[PublicMeeting]] = {}
    meetings = (
        Meeting.objects.filter(
            group_id__in=group_ids, status=Meeting.Status.SCHEDULED, starts_at__gte=now,
            starts_at__lt=now + timedelta(weeks=LISTED_WEEKS),
        ).select_related("room__location").order_by("starts_at", "pk").only(
            "group_id", "starts_at", "mode", "meeting_point", "room__location__name", "room__step_free_access",
            "room__hearing_loop", "room__location_id",
        )
    )  # fmt: skip
    for meeting in meetings:
        shown = by_group.setdefault(meeting.group_id or 0, [])
        if len(shown) < SHOWN_MEETINGS:
            shown.append(PublicMeeting(meeting.starts_at, meeting.room, meeting.mode, meeting.meeting_point))
    return by_group


def directory_search(query: FinderQuery, *, centre_ids: list[int] | None = None, page: int = 1,
                     per_page: int = 20) -> FinderPage:  # fmt: skip
    """One page of the groups that match, best first: by relevance when words were given, else
    by distance when a place was, else by name. Three or four queries, whatever the federation's
    size."""
    rows = _filtered(query, centre_ids)
    if not query.text.strip() and query.place is None:
        # By name: the database sorts and pages, so a search for everything reads one page.
        total = rows.count()
        pages = max(1, -(-total // per_page))
        number = min(max(page, 1), pages)
        ids = list(
            rows.order_by(Lower("name"), "pk").values_list("pk", flat=True)[(number - 1) * per_page : number * per_page]
        )
        return FinderPage(found=_found(ids, {}), total=total, number=number, pages=pages)
    matches = _matching(rows, query.text.strip())
    distances: dict[int, float] = {}
    if query.place is not None:
        for pk, _rank, lat, lon, _name in matches:
            if lat is not None and lon is not None:
                distance = geodata.distance_km(query.place.point, geodata.Point(lat, lon))
                if distance <= query.radius_km:
                    distances[pk] = distance
        matches = [match for match in matches if match[0] in distances]
    if query.text.strip():
        matches.sort(key=lambda m: (-m[1], distances.get(m[0], 0.0), m[4].casefold(), m[0]))
    else:
        matches.sort(key=lambda m: (round(distances[m[0]], 1), m[4].casefold(), m[0]))
    pages = max(1, -(-len(matches) // per_page))
    number = min(max(page, 1), pages)
    ids = [m[0] for m in matches[(number - 1) * per_page : number * per_page]]
    return FinderPage(found=_found(ids, distances), total=len(matches), number=number, pages=pages)


def _found(ids: list[int], distances: dict[int, float]) -> list[Found]:
    """The page's groups in the order of `ids`, with their next meetings where times are shown.
    Discretion is decided again from the group and its centre as they are now, not only as the
    listing was built: a group made discreet a moment ago never shows its times."""
    listings = GroupListing.objects.filter(pk__in=ids).select_related("centre", "topic", "category", "group__centre")
    by_pk = {}
    for listing in listings:
        if not shown_in_public(listing.group):
            continue
        listing.times_shown = listing.times_shown and times_shown_in_public(listing.group)
        by_pk[listing.pk] = listing
    shown = [pk for pk in ids if pk in by_pk and by_pk[pk].times_shown]
    meetings = _next_meetings(shown) if shown else {}
    return [Found(by_pk[pk], distances.get(pk), meetings.get(pk, [])) for pk in ids if pk in by_pk]
