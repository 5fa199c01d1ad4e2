"""Endpoints for topics, locations, rooms, groups, memberships, series, meetings, closures, the
room planner and calendar links, under /api/v1/. Each write goes through a service."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from centres.api.auditing import AuditedListMixin
from centres.api.permissions import IsCentreStaff
from centres.selectors import centre_list
from config.api import CentreScopedMixin, centre_for_new_object
from meetings import caching, selectors
from meetings.api import filters
from meetings.api import serializers as s
from meetings.booking import check_within_planning_range
from meetings.services import calendar_links, closures, groups, places, series
from meetings.services import meetings as meeting_changes
from meetings.services.series import local_today


class StaffViewSet(CentreScopedMixin, viewsets.GenericViewSet):
    permission_classes = [IsCentreStaff]
    update_serializer_class = None

    def get_serializer_class(self):
        if self.action in ("update", "partial_update") and self.update_serializer_class is not None:
            return self.update_serializer_class
        return super().get_serializer_class()


class ListCreateRetrieveUpdate(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin
):
    pass


class TopicViewSet(ListCreateRetrieveUpdate, StaffViewSet):
    """The centre's topic list; topics marked not offered are refused for new groups."""

    serializer_class = s.TopicSerializer
    update_serializer_class = s.TopicUpdateSerializer
    filterset_class = filters.TopicFilter
    search_fields = ["name"]

    def get_queryset(self):
        return selectors.topic_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        centre = centre_for_new_object(data.pop("centre", None), centre_list())
        serializer.instance = places.topic_create(actor=self.request.user, centre=centre, **data)

    def perform_update(self, serializer):
        serializer.instance = places.topic_update(
            actor=self.request.user, topic=serializer.instance, **serializer.validated_data
        )


class LocationViewSet(ListCreateRetrieveUpdate, StaffViewSet):
    serializer_class = s.LocationSerializer
    update_serializer_class = s.LocationUpdateSerializer
    filterset_class = filters.LocationFilter
    search_fields = ["name", "street", "city"]

    def get_queryset(self):
        return selectors.location_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        centre = centre_for_new_object(data.pop("centre", None), centre_list())
        serializer.instance = places.location_create(actor=self.request.user, centre=centre, **data)

    def perform_update(self, serializer):
        serializer.instance = places.location_update(
            actor=self.request.user, location=serializer.instance, **serializer.validated_data
        )


class RoomViewSet(ListCreateRetrieveUpdate, StaffViewSet):
    """Rooms with capacity, accessibility, equipment and weekly opening hours."""

    serializer_class = s.RoomSerializer
    update_serializer_class = s.RoomUpdateSerializer
    filterset_class = filters.RoomFilter
    search_fields = ["name", "location__name"]
    ordering_fields = ["name", "capacity"]

    def get_queryset(self):
        return selectors.room_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = places.room_create(actor=self.request.user, location=data.pop("location"), **data)

    def perform_update(self, serializer):
        serializer.instance = places.room_update(
            actor=self.request.user, room=serializer.instance, **serializer.validated_data
        )

    @extend_schema(request=s.OpeningHoursInputSerializer, responses=s.RoomSerializer)
    @action(detail=True, methods=["put"], url_path="opening-hours")
    def opening_hours(self, request, pk=None):
        """Replace the room's weekly opening hours (an empty list: open at all times)."""
        room = self.get_object()
        payload = s.OpeningHoursInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        hours = [(item["weekday"], item["opens"], item["closes"]) for item in payload.validated_data["hours"]]
        places.opening_hours_set(actor=request.user, room=room, hours=hours)
        return Response(s.RoomSerializer(self.get_queryset().get(pk=room.pk)).data)

    @extend_schema(parameters=[s.FreeRoomQuerySerializer], responses=s.RoomSerializer(many=True))
    @action(detail=False, methods=["get"])
    def free(self, request):
        """Rooms free for one slot or for every occurrence of a planned series (within the horizon),
        open at that time, not closed, with the capacity and accessibility asked for."""
        query = s.FreeRoomQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        centre = centre_for_new_object(data.get("centre"), centre_list())
        if "starts_at" in data and "ends_at" in data:
            check_within_planning_range(data["starts_at"].date(), field="starts_at")
            slots = [(data["starts_at"], data["ends_at"])]
        else:
            slots = series.series_slots(
                centre=centre,
                rule=data["rule"],
                starts_on=data["starts_on"],
                start_time=data["start_time"],
                duration_minutes=data["duration_minutes"],
            )
        rooms = selectors.free_rooms(
            centre=centre,
            slots=slots,
            capacity=data["capacity"],
            step_free_access=data["step_free_access"],
            accessible_toilet=data["accessible_toilet"],
            hearing_loop=data["hearing_loop"],
        )
        return Response(s.RoomSerializer(rooms, many=True).data)


class GroupViewSet(ListCreateRetrieveUpdate, StaffViewSet):
    """Groups of the user's centres, with their life cycle."""

    serializer_class = s.GroupSerializer
    filterset_class = filters.GroupFilter
    search_fields = ["name", "topic__name"]
    ordering_fields = ["name", "created_at", "status"]

    def get_queryset(self):
        return selectors.group_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        topic = data.pop("topic")
        serializer.instance = groups.group_create(
            actor=self.request.user, centre=topic.centre, name=data.pop("name"), topic=topic, **data
        )

    def perform_update(self, serializer):
        serializer.instance = groups.group_update(
            actor=self.request.user, group=serializer.instance, **serializer.validated_data
        )

    @extend_schema(request=s.GroupTransitionSerializer, responses=s.GroupSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the group along its life cycle: forming → starting → self_run → paused → closed."""
        payload = s.GroupTransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        group = groups.group_transition(
            actor=request.user, group=self.get_object(), status=payload.validated_data["status"]
        )
        return Response(s.GroupSerializer(group).data)


class MembershipViewSet(AuditedListMixin, ListCreateRetrieveUpdate, StaffViewSet):
    """Group rosters: for the centre's coordinators only. Listing them is audited."""

    serializer_class = s.MembershipSerializer
    update_serializer_class = s.MembershipUpdateSerializer
    filterset_class = filters.MembershipFilter
    ordering_fields = ["joined_on"]

    def get_queryset(self):
        return selectors.membership_list()

    def perform_create(self, serializer):
        serializer.instance = groups.membership_add(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = groups.membership_update(
            actor=self.request.user, membership=serializer.instance, **serializer.validated_data
        )

    @extend_schema(request=s.MembershipEndSerializer, responses=s.MembershipSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """The person leaves the group (today, or on `left_on`)."""
        payload = s.MembershipEndSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = groups.membership_end(
            actor=request.user, membership=self.get_object(), left_on=payload.validated_data.get("left_on")
        )
        return Response(s.MembershipSerializer(membership).data)


class SeriesViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, StaffViewSet):
    """Recurring meetings. Creating one materialises its meetings; changing it (POST change)
    applies to the whole series or to this and following meetings."""

    serializer_class = s.SeriesSerializer
    filterset_class = filters.SeriesFilter

    def get_queryset(self):
        return selectors.series_list()

    def perform_create(self, serializer):
        serializer.instance = series.series_create(actor=self.request.user, **serializer.validated_data)

    @extend_schema(request=s.SeriesPreviewSerializer, responses=s.PlannedOccurrenceSerializer(many=True))
    @action(detail=False, methods=["post"])
    def preview(self, request):
        """The occurrences a new series would have up to the horizon, each with what stands in
        its way (clashing meetings, a closure, opening hours). Saves nothing."""
        payload = s.SeriesPreviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        planned = series.series_preview(**payload.validated_data)
        return Response(s.PlannedOccurrenceSerializer(planned, many=True).data)

    @extend_schema(request=s.SeriesEndSerializer, responses=s.SeriesSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the series after `last_day` (default today): later meetings are cancelled."""
        payload = s.SeriesEndSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        instance = self.get_object()
        series.series_end(actor=request.user, series=instance, last_day=payload.validated_data.get("last_day"))
        return Response(s.SeriesSerializer(self.get_queryset().get(pk=instance.pk)).data)

    @extend_schema(request=s.SeriesChangeSerializer, responses=s.SeriesChangeReportSerializer)
    @action(detail=True, methods=["post"])
    def change(self, request, pk=None):
        """Change rule, time, duration or room of the whole series or of this and following."""
        payload = s.SeriesChangeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        scope = data.pop("scope")
        effective_from = data.pop("effective_from", None) if scope == "following" else None
        report = series.series_update(
            actor=request.user, series=self.get_object(), effective_from=effective_from, **data
        )
        return Response(s.SeriesChangeReportSerializer(report).data)


class MeetingViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, StaffViewSet):
    """Meetings (filter by date range, room, group, status). POST creates a one-off meeting;
    cancel, reinstate, move and note change one meeting."""

    serializer_class = s.MeetingSerializer
    filterset_class = filters.MeetingFilter
    ordering_fields = ["starts_at"]

    def get_queryset(self):
        return selectors.meeting_list().order_by("starts_at", "id")

    def list(self, request, *args, **kwargs):
        """A page of meetings, from the calendar cache while the centres' calendars are unchanged
        (`meetings.caching`): a week's page is asked for again and again by the planners."""

        def respond() -> Response:
            rows = self.filter_queryset(self.get_queryset()).values(*s.MEETING_ROW_COLUMNS)
            page = self.paginate_queryset(rows)
            return self.get_paginated_response(s.meeting_rows_data(page))

        # The page links (next, previous) are absolute: the address asked is part of the key.
        asked = [request.build_absolute_uri(request.path), request.GET.urlencode()]
        return caching.cached_json(request, "meetings", caching.scope_centre_ids(), asked, respond)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        room = data.pop("room")
        serializer.instance = meeting_changes.one_off_create(
            actor=self.request.user,
            centre=room.centre,
            room=room,
            title=data.get("title", ""),
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            group=data.get("group"),
            note=data.get("note", ""),
        )

    def _respond(self, meeting):
        return Response(s.MeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data)

    @extend_schema(request=s.MeetingNoteSerializer, responses=s.MeetingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        payload = s.MeetingNoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._respond(
            meeting_changes.meeting_cancel(
                actor=request.user, meeting=self.get_object(), note=payload.validated_data["note"]
            )
        )

    @extend_schema(request=None, responses=s.MeetingSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        return self._respond(meeting_changes.meeting_reinstate(actor=request.user, meeting=self.get_object()))

    @extend_schema(request=s.MeetingMoveSerializer, responses=s.MeetingSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        payload = s.MeetingMoveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._respond(
            meeting_changes.meeting_move(actor=request.user, meeting=self.get_object(), **payload.validated_data)
        )

    @extend_schema(request=s.MeetingNoteSerializer, responses=s.MeetingSerializer)
    @action(detail=True, methods=["post"])
    def note(self, request, pk=None):
        payload = s.MeetingNoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._respond(
            meeting_changes.meeting_annotate(
                actor=request.user, meeting=self.get_object(), note=payload.validated_data["note"]
            )
        )


class ClosureViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, StaffViewSet
):
    """Closure periods. Creating one cancels the meetings it covers; deleting it restores them."""

    serializer_class = s.ClosureSerializer
    filterset_class = filters.ClosureFilter

    def get_queryset(self):
        return selectors.closure_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        place = data.get("room") or data.get("location")
        centre = place.centre if place is not None else centre_for_new_object(data.pop("centre", None), centre_list())
        data.pop("centre", None)
        closure, cancelled = closures.closure_create(actor=self.request.user, centre=centre, **data)
        closure.cancelled_meetings = cancelled
        serializer.instance = closure

    def perform_destroy(self, instance):
        closures.closure_delete(actor=self.request.user, closure=instance)


class CalendarLinkViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, StaffViewSet):
    """A person's private calendar feed link. Creating a new one revokes the old; DELETE revokes."""

    serializer_class = s.CalendarLinkSerializer

    def get_queryset(self):
        return selectors.calendar_link_list()

    def perform_create(self, serializer):
        serializer.instance = calendar_links.calendar_link_issue(
            actor=self.request.user, person=serializer.validated_data["person"]
        )

    def perform_destroy(self, instance):
        calendar_links.calendar_link_revoke(actor=self.request.user, token=instance)


class PlannerView(CentreScopedMixin, viewsets.ViewSet):
    """One centre's week: every room × day with its meetings, closures and utilisation."""

    permission_classes = [IsCentreStaff]

    @extend_schema(parameters=[s.WeekQuerySerializer], responses=OpenApiTypes.OBJECT)
    def list(self, request):
        def respond() -> Response:
            query = s.WeekQuerySerializer(data=request.query_params)
            query.is_valid(raise_exception=True)
            centre = centre_for_new_object(query.validated_data.get("centre"), centre_list())
            day = query.validated_data.get("week") or local_today(centre.time_zone)
            return Response(week_plan_data(selectors.room_week_plan(centre=centre, monday=day)))

        # Keyed by the query as sent and the user's centres, so a repeated question skips even
        # its validation. Without a week it means "this week" in the centre's zone: the quarter
        # hour is part of the key, since every zone's offset is a whole number of quarter hours.
        now = timezone.now()
        this_week = "" if "week" in request.query_params else f"{now:%Y%m%d%H}{now.minute // 15}"
        return caching.cached_json(
            request, "planner", caching.scope_centre_ids(), [request.GET.urlencode(), this_week], respond
        )


def week_plan_data(plan: selectors.WeekPlan) -> dict:
    def meeting_data(meeting):
        return {
            "id": meeting.pk,
            "title": meeting.display_title,
            "starts_at": meeting.starts_at.isoformat(),
            "ends_at": meeting.ends_at.isoformat(),
            "status": meeting.status,
            "cancel_reason": meeting.cancel_reason,
            "group": meeting.group_id,
            "series": meeting.series_id,
        }

    return {
        "centre": plan.centre.slug,
        "week_starts_on": plan.monday.isoformat(),
        "days": [day.isoformat() for day in plan.days],
        "previous_week": plan.previous_monday.isoformat(),
        "next_week": plan.next_monday.isoformat(),
        "rooms": [
            {
                "id": room_week.room.pk,
                "name": room_week.room.name,
                "location": room_week.room.location.name,
                "capacity": room_week.room.capacity,
                "utilisation": room_week.utilisation,
                "booked_minutes": room_week.booked_minutes,
                "days": [
                    {
                        "date": cell.day.isoformat(),
                        "closure": cell.closure.reason if cell.closure else None,
                        "free": [[begin.strftime("%H:%M"), end.strftime("%H:%M")] for begin, end in cell.free],
                        "meetings": [meeting_data(meeting) for meeting in cell.meetings],
                    }
                    for cell in room_week.cells
                ],
            }
            for room_week in plan.rooms
        ],
    }
