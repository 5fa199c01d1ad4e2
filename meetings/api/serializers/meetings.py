"""Input and output shapes of the meetings, closures, calendar links and planner endpoints, and the
fast path that shows the list of meetings from plain rows. Types only; rules live in the services."""

from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import serializers

from centres.models import Centre, Person
from config.api import BoundedDateTimeField, SlugField
from meetings.api.serializers.base import ModelSerializer
from meetings.booking import check_within_planning_range
from meetings.models import CalendarToken, Closure, Group, Location, Meeting, Room
from meetings.services.closures import CLOSURE_FIELDS

# The list of meetings reads plain rows with these columns and builds each item as
# MeetingSerializer would (`meeting_rows_data`): a centre's week is ~170 meetings, and model
# instances with three joined models, passed through the serializer's fields, cost most of it.
# Each shown field and the column it is read from, as stored; the three times are formatted and
# the display title derived (see Meeting.display_title).
_ROW_FIELDS = {
    "id": "id",
    "uid": "uid",
    "centre": "centre__slug",
    "series": "series_id",
    "group": "group_id",
    "room": "room_id",
    "room_name": "room__name",
    "location_name": "room__location__name",
    "title": "title",
    "status": "status",
    "cancel_reason": "cancel_reason",
    "note": "note",
    "is_changed": "is_changed",
    "sequence": "sequence",
}


_ROW_TIMES = ("starts_at", "ends_at", "original_starts_at")


MEETING_ROW_COLUMNS = (*_ROW_FIELDS.values(), *_ROW_TIMES, "group__name")


def meeting_rows_data(rows) -> list[dict]:
    """Plain rows (MEETING_ROW_COLUMNS) as MeetingSerializer shows them, in its field order; a
    test holds the two equal."""
    moment = serializers.DateTimeField().to_representation
    items = []
    for row in rows:
        item = {name: row[column] for name, column in _ROW_FIELDS.items()}
        item.update({name: moment(row[name]) if row[name] else None for name in _ROW_TIMES})
        item["display_title"] = row["title"] or (row["group__name"] if row["group_id"] else "")
        items.append({name: item[name] for name in MeetingSerializer.Meta.fields})
    return items


class MeetingSerializer(ModelSerializer):
    room: serializers.PrimaryKeyRelatedField[Room] = serializers.PrimaryKeyRelatedField(queryset=Room.objects)
    group: serializers.PrimaryKeyRelatedField[Group] = serializers.PrimaryKeyRelatedField(
        queryset=Group.objects, required=False, allow_null=True
    )
    centre: serializers.SlugRelatedField[Centre] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    room_name = serializers.CharField(source="room.name", read_only=True)
    location_name = serializers.CharField(source="room.location.name", read_only=True)
    display_title = serializers.CharField(read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "uid",
            "centre",
            "series",
            "group",
            "room",
            "room_name",
            "location_name",
            "title",
            "display_title",
            "starts_at",
            "ends_at",
            "original_starts_at",
            "status",
            "cancel_reason",
            "note",
            "is_changed",
            "sequence",
        ]
        read_only_fields = [
            "id",
            "uid",
            "series",
            "original_starts_at",
            "status",
            "cancel_reason",
            "is_changed",
            "sequence",
        ]


class MeetingMoveSerializer(serializers.Serializer):
    starts_at = BoundedDateTimeField(required=False)
    ends_at = BoundedDateTimeField(required=False)
    room: serializers.PrimaryKeyRelatedField[Room] = serializers.PrimaryKeyRelatedField(
        queryset=Room.objects, required=False
    )

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(_("Give a new starts_at, ends_at and/or room."))
        return attrs


class MeetingNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")


class ClosureSerializer(ModelSerializer):
    centre: serializers.SlugRelatedField[Centre] = SlugField(slug_field="slug", queryset=Centre.objects, required=False)
    location: serializers.PrimaryKeyRelatedField[Location] = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects, required=False, allow_null=True
    )
    room: serializers.PrimaryKeyRelatedField[Room] = serializers.PrimaryKeyRelatedField(
        queryset=Room.objects, required=False, allow_null=True
    )
    cancelled_meetings = serializers.SerializerMethodField(
        help_text="How many meetings the new closure cancelled; only in the answer to creating it."
    )

    class Meta:
        model = Closure
        fields = ["id", *CLOSURE_FIELDS, "cancelled_meetings"]

    def get_cancelled_meetings(self, closure: Closure) -> int | None:
        # The view that created the closure puts the count into the context.
        return self.context.get("cancelled_meetings", {}).get(closure.pk)


class CalendarLinkSerializer(ModelSerializer):
    person: serializers.PrimaryKeyRelatedField[Person] = serializers.PrimaryKeyRelatedField(queryset=Person.objects)
    url = serializers.SerializerMethodField()

    class Meta:
        model = CalendarToken
        fields = ["id", "person", "url", "created_at", "revoked_at"]
        read_only_fields = ["id", "url", "created_at", "revoked_at"]

    def get_url(self, token) -> str | None:
        if token.revoked_at is not None:
            return None
        request = self.context.get("request")
        path = reverse("person-feed", args=[token.token])
        return request.build_absolute_uri(path) if request else path


class WeekQuerySerializer(serializers.Serializer):
    centre: serializers.SlugRelatedField[Centre] = SlugField(slug_field="slug", queryset=Centre.objects, required=False)
    week = serializers.DateField(required=False, help_text="Any day of the week; default: this week.")

    def validate_week(self, value):
        check_within_planning_range(value, field="week")
        return value
