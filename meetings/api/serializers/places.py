"""Input and output shapes of the topics, locations and rooms endpoints (with opening hours and
the free-rooms query). Types only; rules live in the services."""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from centres.models import Centre
from config.api import BoundedDateTimeField, SlugField
from meetings.api.serializers.base import ModelSerializer
from meetings.models import Location, Room, Topic
from meetings.services.places import LOCATION_FIELDS, ROOM_FIELDS, TOPIC_FIELDS


class TopicSerializer(ModelSerializer):
    centre: serializers.SlugRelatedField[Centre] = SlugField(slug_field="slug", queryset=Centre.objects, required=False)

    class Meta:
        model = Topic
        fields = ["id", "centre", *TOPIC_FIELDS]
        validators: list[Any] = []


class TopicUpdateSerializer(TopicSerializer):
    centre: serializers.SlugRelatedField[Centre] = serializers.SlugRelatedField(slug_field="slug", read_only=True)


class LocationSerializer(ModelSerializer):
    centre: serializers.SlugRelatedField[Centre] = SlugField(slug_field="slug", queryset=Centre.objects, required=False)

    class Meta:
        model = Location
        fields = ["id", "centre", *LOCATION_FIELDS, "address"]
        read_only_fields = ["address"]


class LocationUpdateSerializer(LocationSerializer):
    centre: serializers.SlugRelatedField[Centre] = serializers.SlugRelatedField(slug_field="slug", read_only=True)


class OpeningHoursSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6)
    opens = serializers.TimeField()
    closes = serializers.TimeField()


class RoomSerializer(ModelSerializer):
    location: serializers.PrimaryKeyRelatedField[Location] = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects
    )
    centre: serializers.SlugRelatedField[Centre] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    equipment = serializers.ListField(child=serializers.CharField(max_length=60), required=False, max_length=30)
    opening_hours = OpeningHoursSerializer(many=True, read_only=True)

    class Meta:
        model = Room
        fields = ["id", "centre", "location", *ROOM_FIELDS, "opening_hours"]
        validators: list[Any] = []


class RoomUpdateSerializer(RoomSerializer):
    location: serializers.PrimaryKeyRelatedField[Location] = serializers.PrimaryKeyRelatedField(read_only=True)


class OpeningHoursInputSerializer(serializers.Serializer):
    hours = OpeningHoursSerializer(many=True, allow_empty=True)


class FreeRoomQuerySerializer(serializers.Serializer):
    """Either one slot (starts_at, ends_at) or a planned series (rule, starts_on, start_time,
    duration_minutes)."""

    centre: serializers.SlugRelatedField[Centre] = SlugField(slug_field="slug", queryset=Centre.objects, required=False)
    starts_at = BoundedDateTimeField(required=False)
    ends_at = BoundedDateTimeField(required=False)
    rule = serializers.CharField(required=False, max_length=300)
    starts_on = serializers.DateField(required=False)
    start_time = serializers.TimeField(required=False)
    duration_minutes = serializers.IntegerField(required=False, min_value=15, max_value=720)
    capacity = serializers.IntegerField(required=False, min_value=1, max_value=1000, default=1)
    step_free_access = serializers.BooleanField(required=False, default=False)
    accessible_toilet = serializers.BooleanField(required=False, default=False)
    hearing_loop = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        one_slot = {"starts_at", "ends_at"} <= attrs.keys()
        series = {"rule", "starts_on", "start_time", "duration_minutes"} <= attrs.keys()
        if not one_slot and not series:
            raise serializers.ValidationError(
                _(
                    "Give starts_at and ends_at for one meeting, or rule, starts_on, start_time and "
                    "duration_minutes for a series."
                )
            )
        if one_slot and attrs["ends_at"] <= attrs["starts_at"]:
            raise serializers.ValidationError({"ends_at": [_("A meeting must end after it starts.")]})
        return attrs
