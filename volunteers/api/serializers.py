"""Shapes of the volunteers endpoints."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from centres.models import Centre
from config.api import BoundedDateTimeField
from config.dates import check_report_period
from config.errors import DomainError
from meetings.models import Group, Topic
from volunteers.models import (
    ChecklistItem,
    RecruitmentNeed,
    SessionLog,
    StarterAssignment,
    StarterRequest,
    TrainingRecord,
    Volunteer,
)


class TrainingRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrainingRecord
        fields = ["id", "course", "completed_on"]


class VolunteerSerializer(serializers.ModelSerializer):
    centre: serializers.SlugRelatedField[Centre] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    name = serializers.CharField(source="person.display_name", read_only=True)
    email = serializers.EmailField(source="person.email", read_only=True)
    topics: serializers.PrimaryKeyRelatedField[Topic] = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    trainings = TrainingRecordSerializer(many=True, read_only=True)
    open_assignments = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Volunteer
        fields = [
            "id",
            "centre",
            "name",
            "email",
            "status",
            "languages",
            "topics",
            "weekdays",
            "daytime",
            "evening",
            "motivation",
            "email_confirmed_at",
            "screened_on",
            "confidentiality_signed_on",
            "trainings",
            "open_assignments",
            "created_at",
        ]
        read_only_fields = fields


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Volunteer.Status.choices)
    screened_on = serializers.DateField(required=False)
    confidentiality_signed_on = serializers.DateField(required=False)


class TrainingCreateSerializer(serializers.Serializer):
    course = serializers.CharField(max_length=200)
    completed_on = serializers.DateField()


class AssignmentSerializer(serializers.ModelSerializer):
    group: serializers.PrimaryKeyRelatedField[Group] = serializers.PrimaryKeyRelatedField(queryset=Group.objects)
    volunteer: serializers.PrimaryKeyRelatedField[Volunteer] = serializers.PrimaryKeyRelatedField(
        queryset=Volunteer.objects
    )
    # Up to 52 at the start; extensions may take it to 104 (`assignment_extend`).
    planned_meetings = serializers.IntegerField(min_value=1, max_value=104, required=False)

    class Meta:
        model = StarterAssignment
        fields = ["id", "group", "volunteer", "starts_on", "planned_meetings", "status", "ended_on", "created_at"]
        read_only_fields = ["id", "status", "ended_on", "created_at"]

    def validate_planned_meetings(self, value: int) -> int:
        if value > 52:
            raise serializers.ValidationError(_("Plan 1 to 52 meetings; extend the assignment later if needed."))
        return value


class SuggestionSerializer(serializers.Serializer):
    volunteer = serializers.IntegerField(source="volunteer.pk")
    name = serializers.CharField(source="volunteer.person.display_name")
    score = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())


class SuggestionQuerySerializer(serializers.Serializer):
    group: serializers.PrimaryKeyRelatedField[Group] = serializers.PrimaryKeyRelatedField(queryset=Group.objects)


class PhaseOutStartSerializer(serializers.Serializer):
    group: serializers.PrimaryKeyRelatedField[Group] = serializers.PrimaryKeyRelatedField(queryset=Group.objects)
    plan = serializers.CharField(max_length=300)
    until = serializers.DateField()
    override = serializers.BooleanField(default=False, help_text="Phase out before a reason is there.")


class GroupRefSerializer(serializers.Serializer):
    group: serializers.PrimaryKeyRelatedField[Group] = serializers.PrimaryKeyRelatedField(queryset=Group.objects)


class ExtendSerializer(serializers.Serializer):
    meetings = serializers.IntegerField(min_value=1, max_value=52)


class PhaseOutDueSerializer(serializers.Serializer):
    group = serializers.IntegerField(source="group.pk")
    name = serializers.CharField(source="group.name")
    reasons = serializers.ListField(child=serializers.CharField())


class RequestStartersSerializer(serializers.Serializer):
    group: serializers.PrimaryKeyRelatedField[Group] = serializers.PrimaryKeyRelatedField(queryset=Group.objects)
    limit = serializers.IntegerField(min_value=1, max_value=50, default=5)


class StarterRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = StarterRequest
        fields = ["id", "group", "volunteer", "status", "created_at", "answered_at"]
        read_only_fields = fields


class HoursQuerySerializer(serializers.Serializer):
    start = serializers.DateField(help_text="First day, e.g. 2026-01-01.")
    end = serializers.DateField(help_text="Last day, inclusive.")

    def validate(self, data):
        try:
            check_report_period(data["start"], data["end"])
        except DomainError as problem:
            raise serializers.ValidationError({problem.field or "start": [problem.message]}) from problem
        return data


class HoursRowSerializer(serializers.Serializer):
    month = serializers.CharField()
    centre = serializers.CharField()
    volunteer = serializers.IntegerField()
    volunteer_name = serializers.CharField()
    group = serializers.IntegerField()
    group_name = serializers.CharField()
    sessions = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=8, decimal_places=2)


class SummarySerializer(serializers.Serializer):
    active_volunteers = serializers.IntegerField()
    active_starters = serializers.IntegerField()
    groups_waiting_for_starters = serializers.IntegerField()
    phase_outs_this_quarter = serializers.IntegerField()


# --- the volunteer portal -------------------------------------------------------------------------


class ChecklistStepSerializer(serializers.Serializer):
    item = serializers.IntegerField(source="item.pk")
    text = serializers.CharField(source="item.text")
    reached = serializers.BooleanField()


class PortalAssignmentSerializer(serializers.ModelSerializer):
    group = serializers.IntegerField(source="group.pk")
    group_name = serializers.CharField(source="group.name")
    centre = serializers.CharField(source="group.centre.name")
    checklist = serializers.SerializerMethodField()

    class Meta:
        model = StarterAssignment
        fields = [
            "id",
            "group",
            "group_name",
            "centre",
            "starts_on",
            "planned_meetings",
            "status",
            "phase_out_plan",
            "phase_out_until",
            "checklist",
        ]
        read_only_fields = fields

    @extend_schema_field(ChecklistStepSerializer(many=True))
    def get_checklist(self, assignment: StarterAssignment) -> list[dict[str, Any]]:
        """The group's self-run checklist, from the context's `checklists` (`my_checklists`)."""
        return [ChecklistStepSerializer(step).data for step in self.context["checklists"][assignment.group_id]]


class PortalMeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    group = serializers.IntegerField(source="group_id")
    group_name = serializers.CharField(source="group.name")
    starts_at = BoundedDateTimeField()
    ends_at = BoundedDateTimeField()
    status = serializers.CharField()
    note = serializers.CharField()
    assignment = serializers.IntegerField(source="assignment_id", required=False, default=None)


class SessionLogSerializer(serializers.ModelSerializer):
    """A session log as the starter and their coordinators see it; private notes included."""

    group = serializers.IntegerField(source="assignment.group_id", read_only=True)
    volunteer = serializers.IntegerField(source="assignment.volunteer_id", read_only=True)
    meeting_starts_at = serializers.DateTimeField(source="meeting.starts_at", read_only=True)
    checklist: serializers.PrimaryKeyRelatedField[ChecklistItem] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = SessionLog
        fields = [
            "id",
            "assignment",
            "group",
            "volunteer",
            "meeting",
            "meeting_starts_at",
            "hours",
            "checklist",
            "notes",
            "created_at",
        ]
        read_only_fields = fields


class SessionLogCreateSerializer(serializers.Serializer):
    assignment = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    meeting = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    hours = serializers.DecimalField(max_digits=4, decimal_places=2, min_value=Decimal("0.25"), max_value=12)
    checklist = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), max_length=50, default=list
    )
    notes = serializers.CharField(max_length=3000, allow_blank=True, default="")
    names_checked = serializers.BooleanField(
        default=False, help_text="The starter confirms that words flagged as members' names are not."
    )


class PortalHoursSerializer(serializers.Serializer):
    month = serializers.CharField()
    sessions = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=8, decimal_places=2)


class PortalRequestSerializer(serializers.ModelSerializer):
    group = serializers.IntegerField(source="group.pk")
    centre = serializers.CharField(source="group.centre.name")
    topic = serializers.SerializerMethodField()

    class Meta:
        model = StarterRequest
        fields = ["id", "group", "centre", "topic", "status", "created_at"]
        read_only_fields = fields

    def get_topic(self, request) -> str:
        return "" if request.group.discreet else request.group.topic.name


class RequestAnswerSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=[("accept", "accept"), ("decline", "decline")])


class RecruitmentNeedSerializer(serializers.ModelSerializer):
    centre: serializers.SlugRelatedField[Centre] = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = RecruitmentNeed
        fields = ["id", "centre", "kind", "group", "topic", "language", "raised_at", "resolved_at", "requests_sent_at"]
        read_only_fields = fields


class RecruitmentMailingSerializer(serializers.Serializer):
    centre: serializers.SlugRelatedField[Centre] = serializers.SlugRelatedField(
        slug_field="slug", queryset=Centre.objects, required=False, help_text="Needed if you work for several."
    )


class DraftIssueSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    newsletter = serializers.IntegerField(source="newsletter_id")
    title = serializers.CharField()
    status = serializers.CharField()
