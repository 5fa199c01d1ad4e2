"""Shapes of the volunteers endpoints."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from meetings.models import Group
from volunteers.models import StarterAssignment, StarterRequest, TrainingRecord, Volunteer


class TrainingRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrainingRecord
        fields = ["id", "course", "completed_on"]


class VolunteerSerializer(serializers.ModelSerializer):
    centre = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    name = serializers.CharField(source="person.display_name", read_only=True)
    email = serializers.EmailField(source="person.email", read_only=True)
    topics = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
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
    group = serializers.PrimaryKeyRelatedField(queryset=Group.objects)
    volunteer = serializers.PrimaryKeyRelatedField(queryset=Volunteer.objects)
    planned_meetings = serializers.IntegerField(min_value=1, max_value=52, required=False)

    class Meta:
        model = StarterAssignment
        fields = ["id", "group", "volunteer", "starts_on", "planned_meetings", "status", "ended_on", "created_at"]
        read_only_fields = ["id", "status", "ended_on", "created_at"]


class SuggestionSerializer(serializers.Serializer):
    volunteer = serializers.IntegerField(source="volunteer.pk")
    name = serializers.CharField(source="volunteer.person.display_name")
    score = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())


class SuggestionQuerySerializer(serializers.Serializer):
    group = serializers.PrimaryKeyRelatedField(queryset=Group.objects)


class PhaseOutStartSerializer(serializers.Serializer):
    group = serializers.PrimaryKeyRelatedField(queryset=Group.objects)
    plan = serializers.CharField(max_length=300)
    until = serializers.DateField()
    override = serializers.BooleanField(default=False, help_text="Phase out before a reason is there.")


class GroupRefSerializer(serializers.Serializer):
    group = serializers.PrimaryKeyRelatedField(queryset=Group.objects)


class ExtendSerializer(serializers.Serializer):
    meetings = serializers.IntegerField(min_value=1, max_value=52)


class PhaseOutDueSerializer(serializers.Serializer):
    group = serializers.IntegerField(source="group.pk")
    name = serializers.CharField(source="group.name")
    reasons = serializers.ListField(child=serializers.CharField())


class RequestStartersSerializer(serializers.Serializer):
    group = serializers.PrimaryKeyRelatedField(queryset=Group.objects)
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
        if data["end"] < data["start"]:
            raise serializers.ValidationError({"end": _("The end comes before the start.")})
        if (data["end"] - data["start"]).days > 3 * 366:
            raise serializers.ValidationError({"end": _("Ask for at most three years at a time.")})
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
