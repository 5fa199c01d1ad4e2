"""Input and output shapes of the groups and memberships endpoints. Types only; rules live in the
services."""

from typing import Any

from rest_framework import serializers

from centres.models import Centre, ConsentRecord, Person
from centres.selectors import person_withdrew
from meetings.api.serializers.base import ModelSerializer
from meetings.models import Group, Membership, Topic
from meetings.services.groups import GROUP_FIELDS


class GroupSerializer(ModelSerializer):
    centre: serializers.SlugRelatedField[Centre] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    topic: serializers.PrimaryKeyRelatedField[Topic] = serializers.PrimaryKeyRelatedField(queryset=Topic.objects)
    topic_name = serializers.CharField(source="topic.name", read_only=True)
    languages = serializers.ListField(child=serializers.CharField(max_length=8), required=False, max_length=10)

    class Meta:
        model = Group
        fields = [
            "id", "public_id", "centre", *GROUP_FIELDS, "topic_name", "status", "status_reason", "end_reason",
            "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "public_id", "status", "status_reason", "end_reason", "created_at"]


class GroupTransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Group.Status.choices)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    end_reason = serializers.ChoiceField(
        choices=[choice for choice in Group.EndReason.choices if choice[0]],
        required=False,
        help_text="Why a closing group ends; `other` when none is given.",
    )


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
    group: serializers.PrimaryKeyRelatedField[Group] = serializers.PrimaryKeyRelatedField(queryset=Group.objects)
    person: serializers.PrimaryKeyRelatedField[Person] = serializers.PrimaryKeyRelatedField(queryset=Person.objects)
    person_name = serializers.CharField(source="person.display_name", read_only=True)
    reminder_minutes = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=14 * 24 * 60)

    class Meta:
        model = Membership
        fields = MEMBERSHIP_FIELDS
        read_only_fields = ["id", "left_on"]
        validators: list[Any] = []


class MembershipUpdateSerializer(RemindersWithheld, ModelSerializer):
    reminder_minutes = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=14 * 24 * 60)
    person_name = serializers.CharField(source="person.display_name", read_only=True)

    class Meta:
        model = Membership
        fields = MEMBERSHIP_FIELDS
        read_only_fields = ["id", "group", "person", "joined_on", "left_on"]


class MembershipEndSerializer(serializers.Serializer):
    left_on = serializers.DateField(required=False)
