"""Endpoints for single meetings (one-offs, cancel, reinstate, move, note), closures and calendar
links, under /api/v1/. Each write goes through a service."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from centres.selectors import centre_list
from config.api import centre_for_new_object
from meetings import caching, selectors
from meetings.api import filters
from meetings.api.serializers.meetings import (
    MEETING_ROW_COLUMNS,
    CalendarLinkSerializer,
    ClosureSerializer,
    MeetingMoveSerializer,
    MeetingNoteSerializer,
    MeetingSerializer,
    meeting_rows_data,
)
from meetings.api.views.base import StaffViewSet
from meetings.services import calendar_links, closures
from meetings.services import meetings as meeting_changes


class MeetingViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, StaffViewSet):
    """Meetings (filter by date range, room, group, status). POST creates a one-off meeting;
    cancel, reinstate, move and note change one meeting."""

    serializer_class = MeetingSerializer
    filterset_class = filters.MeetingFilter
    ordering_fields = ["starts_at"]

    def get_queryset(self):
        return selectors.meeting_list().order_by("starts_at", "id")

    def list(self, request, *args, **kwargs):
        """A page of meetings, from the calendar cache while the centres' calendars are unchanged
        (`meetings.caching`): a week's page is asked for again and again by the planners."""

        def respond() -> Response:
            rows = self.filter_queryset(self.get_queryset()).values(*MEETING_ROW_COLUMNS)
            page = self.paginate_queryset(rows)
            return self.get_paginated_response(meeting_rows_data(page))

        # The page links (next, previous) are absolute: the address asked is part of the key.
        asked = [request.build_absolute_uri(request.path), request.GET.urlencode()]
        return caching.cached_json(request, "meetings", caching.scope_centre_ids(), asked, respond)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        room = data.pop("room")
        serializer.instance = meeting_changes.one_off_create(
            actor=self.actor,
            centre=room.centre,
            room=room,
            title=data.get("title", ""),
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            group=data.get("group"),
            note=data.get("note", ""),
        )

    def _respond(self, meeting):
        return Response(MeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data)

    @extend_schema(request=MeetingNoteSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        payload = MeetingNoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._respond(
            meeting_changes.meeting_cancel(
                actor=self.actor, meeting=self.get_object(), note=payload.validated_data["note"]
            )
        )

    @extend_schema(request=None, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        return self._respond(meeting_changes.meeting_reinstate(actor=self.actor, meeting=self.get_object()))

    @extend_schema(request=MeetingMoveSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        payload = MeetingMoveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._respond(
            meeting_changes.meeting_move(actor=self.actor, meeting=self.get_object(), **payload.validated_data)
        )

    @extend_schema(request=MeetingNoteSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def note(self, request, pk=None):
        payload = MeetingNoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._respond(
            meeting_changes.meeting_annotate(
                actor=self.actor, meeting=self.get_object(), note=payload.validated_data["note"]
            )
        )


class ClosureViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, StaffViewSet
):
    """Closure periods. Creating one cancels the meetings it covers; deleting it restores them."""

    serializer_class = ClosureSerializer
    filterset_class = filters.ClosureFilter

    def get_queryset(self):
        return selectors.closure_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        place = data.get("room") or data.get("location")
        centre = place.centre if place is not None else centre_for_new_object(data.pop("centre", None), centre_list())
        data.pop("centre", None)
        closure, cancelled = closures.closure_create(actor=self.actor, centre=centre, **data)
        serializer.context["cancelled_meetings"] = {closure.pk: cancelled}
        serializer.instance = closure

    def perform_destroy(self, instance):
        closures.closure_delete(actor=self.actor, closure=instance)


class CalendarLinkViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, StaffViewSet):
    """A person's private calendar feed link. Creating a new one revokes the old; DELETE revokes."""

    serializer_class = CalendarLinkSerializer

    def get_queryset(self):
        return selectors.calendar_link_list()

    def perform_create(self, serializer):
        serializer.instance = calendar_links.calendar_link_issue(
            actor=self.actor, person=serializer.validated_data["person"]
        )

    def perform_destroy(self, instance):
        calendar_links.calendar_link_revoke(actor=self.actor, token=instance)
