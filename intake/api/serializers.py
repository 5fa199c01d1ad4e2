"""Shapes of the intake endpoints. Types only; rules live in `intake.services`."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from centres.models import LANGUAGE_CHOICES, Centre
from config.api import BoundedDateTimeField, SlugField
from config.dates import check_report_period
from config.errors import DomainError
from config.validators import validate_single_line
from intake.models import Enquiry, EnquiryNote
from meetings.models import Group, Location, Room, Topic

AGE_BANDS = Group.AgeBand.choices


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_username", default="", read_only=True)

    class Meta:
        model = EnquiryNote
        fields = ["id", "author", "text", "created_at"]
        read_only_fields = fields


class EnquirySerializer(serializers.ModelSerializer):
    centre: serializers.SlugRelatedField[Centre] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    name = serializers.CharField(source="person.display_name", default="", read_only=True)
    email = serializers.CharField(source="person.email", default="", read_only=True)
    phone = serializers.CharField(source="person.phone", default="", read_only=True)
    topics: serializers.PrimaryKeyRelatedField[Topic] = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Enquiry
        fields = [
            "id",
            "centre",
            "status",
            "channel",
            "name",
            "email",
            "phone",
            "language",
            "topics",
            "age_band",
            "weekdays",
            "daytime",
            "evening",
            "location",
            "is_relative",
            "conversation_kind",
            "conversation_at",
            "conversation_meeting",
            "waiting_topic",
            "waiting_since",
            "placed_group",
            "created_at",
            "status_changed_at",
            "finished_at",
            "anonymised_at",
            "awaiting_confirmation",
        ]
        read_only_fields = fields


class EnquiryDetailSerializer(EnquirySerializer):
    """One enquiry with what the person wrote and the staff notes; reading it is audited."""

    notes = NoteSerializer(many=True, read_only=True)

    class Meta(EnquirySerializer.Meta):
        fields = [*EnquirySerializer.Meta.fields, "message", "referred_to", "notes"]
        read_only_fields = fields


class EnquiryInputSerializer(serializers.Serializer):
    """What someone asking for a group tells us (the public form and the API)."""

    name = serializers.CharField(max_length=120, help_text="A name or a pseudonym.", validators=[validate_single_line])
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES)
    age_band = serializers.ChoiceField(choices=AGE_BANDS, required=False, allow_blank=True, default="")
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), max_length=7, required=False, default=list
    )
    daytime = serializers.BooleanField(required=False, default=False)
    evening = serializers.BooleanField(required=False, default=False)
    is_relative = serializers.BooleanField(required=False, default=False)
    message = serializers.CharField(max_length=3000, required=False, allow_blank=True, default="")
    consent = serializers.BooleanField(help_text="Consent to process health-related data; must be true.")

    def validate(self, data):
        if not data.get("email") and not data.get("phone"):
            raise serializers.ValidationError(
                {"email": [_("Give an e-mail address or a phone number, so that we can reach you.")]}
            )
        return data


class PublicEnquirySerializer(EnquiryInputSerializer):
    website = serializers.CharField(required=False, allow_blank=True, default="", help_text="Leave empty.")
    topics = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), max_length=20, required=False, default=list
    )
    location = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, allow_null=True)


class StaffEnquirySerializer(EnquiryInputSerializer):
    """A phone, mail or walk-in enquiry a coordinator records."""

    centre: serializers.SlugRelatedField[Centre] = SlugField(slug_field="slug", queryset=Centre.objects, required=False)
    channel = serializers.ChoiceField(choices=Enquiry.Channel.choices)
    topics: serializers.PrimaryKeyRelatedField[Topic] = serializers.PrimaryKeyRelatedField(
        queryset=Topic.objects, many=True, required=False, default=list
    )
    location: serializers.PrimaryKeyRelatedField[Location] = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects, required=False, allow_null=True
    )


class EnquiryTransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Enquiry.Status.choices)
    referred_to = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class EnquiryNoteCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class ConversationScheduleSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Enquiry.ConversationKind.choices)
    starts_at = BoundedDateTimeField()
    minutes = serializers.IntegerField(min_value=15, max_value=180, default=45)
    room: serializers.PrimaryKeyRelatedField[Room] = serializers.PrimaryKeyRelatedField(
        queryset=Room.objects, required=False, allow_null=True
    )


class WaitingSerializer(serializers.Serializer):
    topic: serializers.PrimaryKeyRelatedField[Topic] = serializers.PrimaryKeyRelatedField(
        queryset=Topic.objects, required=False, allow_null=True
    )


class PlacementSerializer(serializers.Serializer):
    group: serializers.PrimaryKeyRelatedField[Group] = serializers.PrimaryKeyRelatedField(queryset=Group.objects)
    override = serializers.BooleanField(
        default=False, help_text="Place over the group's size or although it takes no newcomers (audited)."
    )


class GroupSuggestionSerializer(serializers.Serializer):
    group = serializers.IntegerField(source="group.pk")
    name = serializers.CharField(source="group.name")
    topic = serializers.CharField(source="group.topic.name")
    score = serializers.IntegerField()
    free_places = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())


class WaitingListSerializer(serializers.Serializer):
    centre = serializers.CharField(source="centre__slug")
    topic = serializers.IntegerField(source="waiting_topic_id")
    topic_name = serializers.CharField(source="waiting_topic__name")
    language = serializers.CharField()
    waiting = serializers.IntegerField()
    since = serializers.DateField()
    needed = serializers.IntegerField(help_text="How many must wait before founding is suggested.")
    ready_to_found = serializers.BooleanField()


class FoundGroupSerializer(serializers.Serializer):
    centre: serializers.SlugRelatedField[Centre] = SlugField(slug_field="slug", queryset=Centre.objects, required=False)
    topic: serializers.PrimaryKeyRelatedField[Topic] = serializers.PrimaryKeyRelatedField(queryset=Topic.objects)
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES)
    name = serializers.CharField(
        max_length=120, help_text="The new group's neutral public name.", validators=[validate_single_line]
    )
    enquiries: serializers.PrimaryKeyRelatedField[Enquiry] = serializers.PrimaryKeyRelatedField(
        queryset=Enquiry.objects, many=True, required=False, help_text="Default: everyone on the list."
    )


class IntakeReportQuerySerializer(serializers.Serializer):
    start = serializers.DateField(help_text="First day, e.g. 2026-01-01.")
    end = serializers.DateField(help_text="Last day, inclusive.")

    def validate(self, data):
        try:
            check_report_period(data["start"], data["end"])
        except DomainError as problem:
            raise serializers.ValidationError({problem.field or "start": [problem.message]}) from problem
        return data


class MonthRowSerializer(serializers.Serializer):
    month = serializers.CharField()
    centre = serializers.CharField()
    channel = serializers.CharField()
    topic = serializers.CharField()
    outcome = serializers.CharField()
    enquiries = serializers.IntegerField()


class WaitingTimesSerializer(serializers.Serializer):
    placed = serializers.IntegerField()
    days_to_placement_median = serializers.FloatField(allow_null=True)
    days_to_placement_mean = serializers.FloatField(allow_null=True)
    waiting_now = serializers.IntegerField()
    longest_wait_days = serializers.IntegerField(allow_null=True)
