"""Input and output shapes of the meetings endpoints. Types only; rules live in the services."""

from django.db import models
from django.utils.translation import gettext as _
from rest_framework import serializers

from centres.models import Centre, ConsentRecord, Person
from centres.selectors import person_withdrew
from config.api import BoundedDateTimeField
from meetings.booking import check_within_planning_range
from meetings.models import CalendarToken, Closure, Group, Location, Meeting, MeetingSeries, Membership, Room, Topic


class ModelSerializer(serializers.ModelSerializer):
    """Model serializers of this app: date-times that cannot overflow."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: BoundedDateTimeField,
    }


class TopicSerializer(ModelSerializer):
    centre = serializers.SlugRelatedField(slug_field="slug", queryset=Centre.objects, required=False)

    class Meta:
        model = Topic
        fields = ["id", "centre", "name", "is_offered", "refusal_message"]
        validators = []


class TopicUpdateSerializer(TopicSerializer):
    centre = serializers.SlugRelatedField(slug_field="slug", read_only=True)


class LocationSerializer(ModelSerializer):
    centre = serializers.SlugRelatedField(slug_field="slug", queryset=Centre.objects, required=False)

    class Meta:
        model = Location
        fields = ["id", "centre", "name", "street", "postal_code", "city", "directions", "address"]
        read_only_fields = ["address"]


class LocationUpdateSerializer(LocationSerializer):
    centre = serializers.SlugRelatedField(slug_field="slug", read_only=True)


class OpeningHoursSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6)
    opens = serializers.TimeField()
    closes = serializers.TimeField()


class RoomSerializer(ModelSerializer):
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects)
    centre = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    equipment = serializers.ListField(child=serializers.CharField(max_length=60), required=False, max_length=30)
    opening_hours = OpeningHoursSerializer(many=True, read_only=True)

    class Meta:
        model = Room
        fields = [
            "id",
            "centre",
            "location",
            "name",
            "capacity",
            "step_free_access",
            "accessible_toilet",
            "hearing_loop",
            "equipment",
            "is_active",
            "opening_hours",
        ]
        validators = []


class RoomUpdateSerializer(RoomSerializer):
    location = serializers.PrimaryKeyRelatedField(read_only=True)


class OpeningHoursInputSerializer(serializers.Serializer):
    hours = OpeningHoursSerializer(many=True, allow_empty=True)


class FreeRoomQuerySerializer(serializers.Serializer):
    """Either one slot (starts_at, ends_at) or a planned series (rule, starts_on, start_time,
    duration_minutes)."""

    centre = serializers.SlugRelatedField(slug_field="slug", queryset=Centre.objects, required=False)
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


class GroupSerializer(ModelSerializer):
    centre = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    topic = serializers.PrimaryKeyRelatedField(queryset=Topic.objects)
    topic_name = serializers.CharField(source="topic.name", read_only=True)
    languages = serializers.ListField(child=serializers.CharField(max_length=8), required=False, max_length=10)

    class Meta:
        model = Group
        fields = [
            "id",
            "public_id",
            "centre",
            "name",
            "topic",
            "topic_name",
            "description",
            "languages",
            "age_band",
            "relatives_welcome",
            "min_size",
            "max_size",
            "discreet",
            "publicly_listed",
            "accepts_newcomers",
            "status",
            "created_at",
        ]
        read_only_fields = ["id", "public_id", "status", "created_at"]


class GroupTransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Group.Status.choices)


class RemindersWithheld(serializers.Serializer):
    reminders_withheld = serializers.SerializerMethodField(
        help_text="The person withdrew their consent to group membership and reminders: no reminders or "
        "change notices are sent until a new consent is recorded."
    )

    def get_reminders_withheld(self, membership: Membership) -> bool:
        # Lists annotate it (meetings.selectors.membership_list); a new or changed row asks.
        if hasattr(membership, "reminders_withheld"):
            return membership.reminders_withheld
        return person_withdrew(membership.person_id, ConsentRecord.Purpose.GROUP_MEMBERSHIP)


MEMBERSHIP_FIELDS = [
    "id",
    "group",
    "person",
    "person_name",
    "role",
    "joined_on",
    "left_on",
    "reminder_minutes",
    "reminders_withheld",
]


class MembershipSerializer(RemindersWithheld, ModelSerializer):
    group = serializers.PrimaryKeyRelatedField(queryset=Group.objects)
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects)
    person_name = serializers.CharField(source="person.display_name", read_only=True)
    reminder_minutes = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=14 * 24 * 60)

    class Meta:
        model = Membership
        fields = MEMBERSHIP_FIELDS
        read_only_fields = ["id", "left_on"]
        validators = []


class MembershipUpdateSerializer(RemindersWithheld, ModelSerializer):
    reminder_minutes = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=14 * 24 * 60)
    person_name = serializers.CharField(source="person.display_name", read_only=True)

    class Meta:
        model = Membership
        fields = MEMBERSHIP_FIELDS
        read_only_fields = ["id", "group", "person", "joined_on", "left_on"]


class MembershipEndSerializer(serializers.Serializer):
    left_on = serializers.DateField(required=False)


class SeriesSerializer(ModelSerializer):
    group = serializers.PrimaryKeyRelatedField(queryset=Group.objects)
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects)
    centre = serializers.SlugRelatedField(slug_field="slug", read_only=True)

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
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects)
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
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects, required=False)

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
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects)
    group = serializers.PrimaryKeyRelatedField(queryset=Group.objects, required=False, allow_null=True)
    centre = serializers.SlugRelatedField(slug_field="slug", read_only=True)
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
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects, required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(_("Give a new starts_at, ends_at and/or room."))
        return attrs


class MeetingNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")


class ClosureSerializer(ModelSerializer):
    centre = serializers.SlugRelatedField(slug_field="slug", queryset=Centre.objects, required=False)
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects, required=False, allow_null=True)
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects, required=False, allow_null=True)
    cancelled_meetings = serializers.SerializerMethodField(
        help_text="How many meetings the new closure cancelled; only in the answer to creating it."
    )

    class Meta:
        model = Closure
        fields = ["id", "centre", "location", "room", "starts_on", "ends_on", "reason", "cancelled_meetings"]

    def get_cancelled_meetings(self, closure) -> int | None:
        return getattr(closure, "cancelled_meetings", None)


class CalendarLinkSerializer(ModelSerializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects)
    url = serializers.SerializerMethodField()

    class Meta:
        model = CalendarToken
        fields = ["id", "person", "url", "created_at", "revoked_at"]
        read_only_fields = ["id", "url", "created_at", "revoked_at"]

    def get_url(self, token) -> str | None:
        if token.revoked_at is not None:
            return None
        request = self.context.get("request")
        path = f"/calendar/people/{token.token}.ics"
        return request.build_absolute_uri(path) if request else path


class WeekQuerySerializer(serializers.Serializer):
    centre = serializers.SlugRelatedField(slug_field="slug", queryset=Centre.objects, required=False)
    week = serializers.DateField(required=False, help_text="Any day of the week; default: this week.")

    def validate_week(self, value):
        check_within_planning_range(value, field="week")
        return value


class SeriesEndSerializer(serializers.Serializer):
    last_day = serializers.DateField(required=False, help_text="Default: today.")
