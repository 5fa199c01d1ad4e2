"""Input and output shapes of the series endpoints: a series, its preview, a change and its
report, ending it. Types only; rules live in the services."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from centres.models import Centre
from config.api import BoundedDateTimeField
from meetings.api.serializers.base import ModelSerializer
from meetings.models import Group, MeetingSeries, Room


class SeriesSerializer(ModelSerializer):
    group: serializers.PrimaryKeyRelatedField[Group] = serializers.PrimaryKeyRelatedField(queryset=Group.objects)
    room: serializers.PrimaryKeyRelatedField[Room] = serializers.PrimaryKeyRelatedField(queryset=Room.objects)
    centre: serializers.SlugRelatedField[Centre] = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = MeetingSeries
        fields = [
            "id",
            "centre",
            "group",
            "room",
            "rule",
            "starts_on",
            "start_time",
            "duration_minutes",
            "time_zone",
            "materialised_until",
        ]
        read_only_fields = ["id", "time_zone", "materialised_until"]


class SeriesPreviewSerializer(serializers.Serializer):
    room: serializers.PrimaryKeyRelatedField[Room] = serializers.PrimaryKeyRelatedField(queryset=Room.objects)
    rule = serializers.CharField(max_length=300)
    starts_on = serializers.DateField()
    start_time = serializers.TimeField()
    duration_minutes = serializers.IntegerField(min_value=15, max_value=720)


class SeriesChangeSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=[("all", "the whole series"), ("following", "this and following")])
    effective_from = serializers.DateField(required=False)
    rule = serializers.CharField(required=False, max_length=300)
    start_time = serializers.TimeField(required=False)
    duration_minutes = serializers.IntegerField(required=False, min_value=15, max_value=720)
    room: serializers.PrimaryKeyRelatedField[Room] = serializers.PrimaryKeyRelatedField(
        queryset=Room.objects, required=False
    )

    def validate(self, attrs):
        if attrs["scope"] == "following" and "effective_from" not in attrs:
            raise serializers.ValidationError({"effective_from": [_("Say from which date the change applies.")]})
        if attrs["scope"] == "all" and "effective_from" in attrs:
            message = _("A change of the whole series applies to all its meetings; leave out effective_from.")
            raise serializers.ValidationError({"effective_from": [message]})
        if not {"rule", "start_time", "duration_minutes", "room"} & attrs.keys():
            raise serializers.ValidationError(_("Nothing to change: give rule, start_time, duration_minutes or room."))
        return attrs


class SeriesChangeReportSerializer(serializers.Serializer):
    series_id = serializers.IntegerField()
    updated = serializers.IntegerField()
    created = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    kept_changes = serializers.ListField(child=serializers.IntegerField())
    dropped_changes = serializers.ListField(child=serializers.IntegerField())


class PlannedOccurrenceSerializer(serializers.Serializer):
    starts_at = BoundedDateTimeField()
    ends_at = BoundedDateTimeField()
    bookable = serializers.BooleanField()
    closure = serializers.CharField(source="closure.reason", default=None)
    outside_hours = serializers.CharField(allow_null=True)
    clashes = serializers.SerializerMethodField()

    def get_clashes(self, occurrence) -> list[dict]:
        return [
            {
                "id": meeting.pk,
                "title": meeting.display_title,
                "starts_at": meeting.starts_at,
                "ends_at": meeting.ends_at,
            }
            for meeting in occurrence.clashes
        ]


class SeriesEndSerializer(serializers.Serializer):
    last_day = serializers.DateField(required=False, help_text="Default: today.")
