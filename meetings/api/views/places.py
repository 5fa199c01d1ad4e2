"""Endpoints for topics, locations and rooms (with opening hours and free rooms), under /api/v1/.
Each write goes through a service."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from centres.selectors import centre_list
from config.api import centre_for_new_object
from meetings import selectors
from meetings.api import filters
from meetings.api.serializers.places import (
    FreeRoomQuerySerializer,
    LocationSerializer,
    LocationUpdateSerializer,
    OpeningHoursInputSerializer,
    RoomSerializer,
    RoomUpdateSerializer,
    TopicSerializer,
    TopicUpdateSerializer,
)
from meetings.api.views.base import ListCreateRetrieveUpdate, StaffViewSet
from meetings.booking import check_within_planning_range
from meetings.services import places


class TopicViewSet(ListCreateRetrieveUpdate, StaffViewSet):
    """The centre's topic list; topics marked not offered are refused for new groups."""

    serializer_class = TopicSerializer
    update_serializer_class = TopicUpdateSerializer
    filterset_class = filters.TopicFilter
    search_fields = ["name"]

    def get_queryset(self):
        return selectors.topic_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        centre = centre_for_new_object(data.pop("centre", None), centre_list())
        serializer.instance = places.topic_create(actor=self.actor, centre=centre, **data)

    def perform_update(self, serializer):
        serializer.instance = places.topic_update(
            actor=self.actor, topic=serializer.instance, **serializer.validated_data
        )


class LocationViewSet(ListCreateRetrieveUpdate, StaffViewSet):
    serializer_class = LocationSerializer
    update_serializer_class = LocationUpdateSerializer
    filterset_class = filters.LocationFilter
    search_fields = ["name", "street", "city"]

    def get_queryset(self):
        return selectors.location_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        centre = centre_for_new_object(data.pop("centre", None), centre_list())
        serializer.instance = places.location_create(actor=self.actor, centre=centre, **data)

    def perform_update(self, serializer):
        serializer.instance = places.location_update(
            actor=self.actor, location=serializer.instance, **serializer.validated_data
        )


class RoomViewSet(ListCreateRetrieveUpdate, StaffViewSet):
    """Rooms with capacity, accessibility, equipment and weekly opening hours."""

    serializer_class = RoomSerializer
    update_serializer_class = RoomUpdateSerializer
    filterset_class = filters.RoomFilter
    search_fields = ["name", "location__name"]
    ordering_fields = ["name", "capacity"]

    def get_queryset(self):
        return selectors.room_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = places.room_create(actor=self.actor, location=data.pop("location"), **data)

    def perform_update(self, serializer):
        serializer.instance = places.room_update(
            actor=self.actor, room=serializer.instance, **serializer.validated_data
        )

    @extend_schema(request=OpeningHoursInputSerializer, responses=RoomSerializer)
    @action(detail=True, methods=["put"], url_path="opening-hours")
    def opening_hours(self, request, pk=None):
        """Replace the room's weekly opening hours (an empty list: open at all times)."""
        room = self.get_object()
        payload = OpeningHoursInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        hours = [(item["weekday"], item["opens"], item["closes"]) for item in payload.validated_data["hours"]]
        places.opening_hours_set(actor=self.actor, room=room, hours=hours)
        return Response(RoomSerializer(self.get_queryset().get(pk=room.pk)).data)

    @extend_schema(parameters=[FreeRoomQuerySerializer], responses=RoomSerializer(many=True))
    @action(detail=False, methods=["get"])
    def free(self, request):
        """Rooms free for one slot or for every occurrence of a planned series (within the horizon),
        open at that time, not closed, with the capacity and accessibility asked for."""
        query = FreeRoomQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        centre = centre_for_new_object(data.get("centre"), centre_list())
        if "starts_at" in data and "ends_at" in data:
            check_within_planning_range(data["starts_at"].date(), field="starts_at")
            slots = [(data["starts_at"], data["ends_at"])]
        else:
            slots = selectors.series_slots(
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
        return Response(RoomSerializer(rooms, many=True).data)
