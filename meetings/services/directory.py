"""Builds the public directory the group finder searches (`GroupListing`), per centre: from its
publicly listed groups, their topics and the rooms of their next eight weeks of meetings.

A centre's listings are rebuilt when its calendar changed since the last build (the calendar
version of `meetings.caching`, which every change to groups, series, meetings, rooms and places
moves) and, for places and dates that move without a calendar change, when they are older than a
few minutes (beat). A search rebuilds the stale centres it reads first, so a coordinator who just
changed a group finds the change in the finder."""

import logging
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from centres.models import Centre, DiscreetListing
from centres.scoping import all_centres_scope, centre_scope
from config.texts import in_language
from meetings import geodata
from meetings.caching import calendar_version
from meetings.finder import PUBLIC_GROUP_STATUSES, PublicMeeting, times_shown_in_public
from meetings.models import (
    LANGUAGE_CODES,
    WITH_VIDEO,
    CalendarChange,
    DirectoryBuild,
    Group,
    GroupListing,
    Meeting,
    Membership,
    Room,
)
from meetings.models.directory import Daypart, slot_bit

# A meeting as the build reads it: (group id, starts at, mode, room id).
MeetingRow = tuple[int, datetime, str, int | None]

logger = logging.getLogger(__name__)

LISTED_WEEKS = 8
REBUILD_AFTER = timedelta(minutes=15)
LANGUAGE_BITS = {code: 1 << index for index, code in enumerate(LANGUAGE_CODES)}
# PostgreSQL's text search configuration for each of the platform's languages.
SEARCH_CONFIGS = {"en": "english", "de": "german", "da": "danish", "nl": "dutch"}
NEVER = datetime(2000, 1, 1, tzinfo=UTC)


def daypart(start: time) -> Daypart:
    if start.hour < 12:
        return Daypart.MORNING
    return Daypart.AFTERNOON if start.hour < 17 else Daypart.EVENING


def language_bits(codes: Iterable[str]) -> int:
    return sum(LANGUAGE_BITS.get(code, 0) for code in set(codes))


def _texts(group: Group) -> tuple[dict[str, str], str]:
    """The group's searchable words in each language, and its names in all of them."""
    topic, category = group.topic, group.topic.category
    texts, names = {}, {group.name}
    for code in LANGUAGE_CODES:
        topic_name = in_language(topic.name, topic.name_translations, code)
        category_name = in_language(category.name, category.name_translations, code) if category else ""
        description = in_language(group.description, group.description_translations, code)
        texts[code] = " ".join(part for part in (group.name, topic_name, category_name, description) if part)
        names.update(part for part in (topic_name, category_name) if part)
    return texts, " ".join(sorted(names))


def _listing(group: Group, meetings: list[MeetingRow], rooms: dict[int, Room], *, members: int, centre: Centre,
             centre_place: geodata.Place | None, zone: ZoneInfo) -> GroupListing:  # fmt: skip
    texts, document = _texts(group)
    listing = GroupListing(
        group=group,
        centre=centre,
        topic=group.topic,
        category=group.topic.category,
        name=group.name,
        languages=language_bits(group.languages),
        age_band=group.age_band,
        newcomers=group.accepts_newcomers,
        has_places=group.accepts_newcomers and members < group.max_size,
        document=document,
        texts=texts,
        town=centre.city,
    )
    point = centre_place.point if centre_place else None
    if not times_shown_in_public(group):
        listing.times_shown = False
    else:
        in_rooms = [rooms[room_id] for _group, _start, _mode, room_id in meetings if room_id in rooms]
        for _group, starts_at, _mode, _room in meetings:
            local = starts_at.astimezone(zone)
            listing.slots |= slot_bit(local.weekday(), daypart(local.time()))
        listing.online = any(mode in WITH_VIDEO for _group, _start, mode, _room in meetings)
        public = [PublicMeeting(start, rooms.get(room_id or 0), mode) for _group, start, mode, room_id in meetings]
        listing.step_free = bool(public) and all(meeting.step_free for meeting in public)
        listing.hearing_loop = (
            bool(in_rooms) and len(in_rooms) == len(meetings) and all(r.hearing_loop for r in in_rooms)
        )
        if in_rooms:
            location = Counter(room.location for room in in_rooms).most_common(1)[0][0]
            listing.location, listing.town = location, location.city or centre.city
            if location.latitude is not None and location.longitude is not None:
                point = geodata.Point(location.latitude, location.longitude)
    if point is not None:
        listing.latitude, listing.longitude = point.latitude, point.longitude
    return listing


def _search_vectors(centre_id: int) -> None:
    """PostgreSQL: each listing's search vector from its words, the name weighted highest."""
    if connection.vendor != "postgresql":
        return
    parts = ["setweight(to_tsvector('simple', name), 'A')"] + [
        f"setweight(to_tsvector('{config}', coalesce(texts->>'{code}', '')), 'B')"
        for code, config in SEARCH_CONFIGS.items()
    ]
    table = GroupListing._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET search_vector = {' || '.join(parts)} WHERE centre_id = %s", [centre_id])  # noqa: S608


def directory_refresh(centre_id: int) -> int | None:
    """Rebuild the centre's listings in one transaction: deletes its `GroupListing` rows, writes
    one per publicly listed group (discreet ones as the centre decides) and records the build.
    Returns how many, or None when another process is building them right now."""
    with centre_scope(centre_id):
        DirectoryBuild.objects.get_or_create(centre_id=centre_id, defaults={"built_at": NEVER})
    with transaction.atomic(), centre_scope(centre_id):
        build = DirectoryBuild.objects.select_for_update(skip_locked=True).filter(pk=centre_id).first()
        if build is None:
            return None
        version = calendar_version([centre_id])  # before the reads: a later change shows as newer
        centre = Centre.objects.get(pk=centre_id)
        listed = Group.objects.filter(centre=centre, publicly_listed=True, status__in=PUBLIC_GROUP_STATUSES)
        if centre.discreet_groups_listed == DiscreetListing.HIDDEN:
            listed = listed.exclude(discreet=True)
        groups = list(listed.select_related("topic__category"))
        now = timezone.now()
        meetings: dict[int, list[MeetingRow]] = {}
        for row in (
            Meeting.objects.filter(
                group__in=groups, status=Meeting.Status.SCHEDULED, starts_at__gte=now,
                starts_at__lt=now + timedelta(weeks=LISTED_WEEKS),
            ).order_by("starts_at", "pk").values_list("group_id", "starts_at", "mode", "room_id")
        ):  # fmt: skip
            meetings.setdefault(row[0], []).append(row)
        rooms = {room.pk: room for room in Room.objects.filter(centre=centre).select_related("location")}
        members = dict(
            Membership.objects.filter(group__in=groups, left_on__isnull=True)
            .values("group_id")
            .annotate(count=Count("pk"))
            .values_list("group_id", "count")
        )
        place = geodata.locate(postcode=centre.postal_code, town=centre.city, country=centre.country)
        zone = ZoneInfo(centre.time_zone)
        listings = [
            _listing(
                group,
                meetings.get(group.pk, []),
                rooms,
                members=members.get(group.pk, 0),
                centre=centre,
                centre_place=place,
                zone=zone,
            )
            for group in groups
        ]
        GroupListing.objects.filter(centre=centre).delete()
        GroupListing.objects.bulk_create(listings, batch_size=500)
        _search_vectors(centre_id)
        build.version, build.built_at = version, now
        build.save(update_fields=["version", "built_at"])
    return len(listings)


def directory_stale(centre_ids: Iterable[int] | None, *, older_than: timedelta | None = None) -> list[int]:
    """The centres (None: all) whose listings miss a calendar change, or were built longer ago
    than `older_than`. Two queries."""
    with all_centres_scope():
        wanted = Centre.objects.all() if centre_ids is None else Centre.objects.filter(pk__in=list(centre_ids))
        ids = list(wanted.values_list("pk", flat=True))
        versions = dict(
            CalendarChange.objects.filter(centre_id__in=ids)
            .values("centre_id")
            .annotate(newest=Max("id"))
            .values_list("centre_id", "newest")
        )
        builds = {build.centre_id: build for build in DirectoryBuild.objects.filter(centre_id__in=ids)}
    cutoff = timezone.now() - older_than if older_than is not None else None
    return [
        centre_id
        for centre_id in ids
        if centre_id not in builds
        or builds[centre_id].version != versions.get(centre_id, 0)
        or (cutoff is not None and builds[centre_id].built_at < cutoff)
    ]


def directory_refresh_stale(centre_ids: Iterable[int] | None = None, *, older_than: timedelta | None = None) -> int:
    """Rebuild the listings of the stale centres among `centre_ids` (None: all); returns how many
    centres were rebuilt."""
    rebuilt = 0
    for centre_id in directory_stale(centre_ids, older_than=older_than):
        try:
            if directory_refresh(centre_id) is not None:
                rebuilt += 1
        except Exception:  # one centre's bad data must not take the federation's finder down
            logger.exception("directory rebuild failed centre=%s", centre_id)
    return rebuilt
