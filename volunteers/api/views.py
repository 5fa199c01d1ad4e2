"""Endpoints for coordinators under /api/v1/: volunteers and their pipeline, training records,
starter assignments and suggestions. Each write goes through a service."""

from typing import cast

from django.contrib.auth.models import User
from django.db.models import Count, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from centres.api.permissions import IsCentreStaff
from centres.models import Centre
from centres.selectors import centre_list, staff_centre_ids
from config.api import CentreScopedMixin, centre_for_new_object
from config.exports import csv_response
from volunteers.api import filters, serializers
from volunteers.models import RecruitmentNeed, SessionLog, StarterAssignment, Volunteer
from volunteers.reports import hours_by_month, volunteering_summary
from volunteers.selectors import phase_outs_due, starter_suggestions
from volunteers.services.assignments import assignment_create, assignment_end, assignment_extend
from volunteers.services.phase_out import phase_out_complete, phase_out_start
from volunteers.services.pipeline import training_record_add, volunteer_transition
from volunteers.services.recruitment import recruitment_mailing_draft
from volunteers.services.requests import starter_requests_send


class VolunteerViewSet(CentreScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The centre's volunteers, from applicant to retired. Sign-up is public (the volunteer page);
    here coordinators move volunteers along the pipeline and record their training."""

    permission_classes = [IsCentreStaff]
    serializer_class = serializers.VolunteerSerializer
    filterset_class = filters.VolunteerFilter
    search_fields = ["person__display_name", "person__email"]
    ordering_fields = ["created_at", "status"]

    def get_queryset(self):
        return (
            Volunteer.objects.select_related("centre", "person")
            .prefetch_related("topics", "trainings")
            .annotate(open_assignments=Count("assignments", filter=~Q(assignments__status="ended")))
            .order_by("-created_at", "-id")
        )

    @extend_schema(request=serializers.TransitionSerializer, responses=serializers.VolunteerSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the volunteer along applicant → screened → trained → active ⇄ paused, → retired."""
        params = serializers.TransitionSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        volunteer_transition(actor=request.user, volunteer=self.get_object(), **params.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request=serializers.TrainingCreateSerializer, responses={201: serializers.TrainingRecordSerializer})
    @action(detail=True, methods=["post"])
    def trainings(self, request, pk=None):
        """Record a course the volunteer completed."""
        params = serializers.TrainingCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        record = training_record_add(actor=request.user, volunteer=self.get_object(), **params.validated_data)
        return Response(serializers.TrainingRecordSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[serializers.SuggestionQuerySerializer], responses=serializers.SuggestionSerializer(many=True)
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def suggestions(self, request):
        """Active volunteers ranked for a group (?group=id), each with the reasons."""
        params = serializers.SuggestionQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        ranked = starter_suggestions(params.validated_data["group"])
        return Response(serializers.SuggestionSerializer(ranked, many=True).data)


class AssignmentViewSet(
    CentreScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Starters of groups: at most two per group, never to overlapping meetings."""

    permission_classes = [IsCentreStaff]
    serializer_class = serializers.AssignmentSerializer
    filterset_class = filters.AssignmentFilter
    ordering_fields = ["starts_on", "created_at"]

    def get_queryset(self):
        return StarterAssignment.objects.select_related("centre", "group", "volunteer").order_by("-starts_on", "-id")

    def perform_create(self, serializer):
        serializer.instance = assignment_create(actor=cast(User, self.request.user), **serializer.validated_data)

    @extend_schema(request=None, responses=serializers.AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the assignment; the volunteer is free again."""
        assignment = assignment_end(actor=request.user, assignment=self.get_object())
        return Response(self.get_serializer(assignment).data)

    @extend_schema(request=serializers.ExtendSerializer, responses=serializers.AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        """Give the starter more meetings with the group (a phase-out begun is called off)."""
        params = serializers.ExtendSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        assignment = assignment_extend(
            actor=request.user, assignment=self.get_object(), meetings=params.validated_data["meetings"]
        )
        return Response(self.get_serializer(assignment).data)

    @extend_schema(responses=serializers.PhaseOutDueSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="phase-outs-due", pagination_class=None)
    def phase_outs_due(self, request):
        """Groups whose starters may phase out now, with the reasons."""
        due = phase_outs_due(centre_ids=staff_centre_ids(user=request.user))
        return Response(serializers.PhaseOutDueSerializer(due, many=True).data)

    @extend_schema(request=serializers.PhaseOutStartSerializer, responses=serializers.AssignmentSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="phase-out")
    def phase_out(self, request):
        """Begin phasing out a group's starters with a plan."""
        params = serializers.PhaseOutStartSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        assignments = phase_out_start(actor=request.user, **params.validated_data)
        return Response(self.get_serializer(assignments, many=True).data)

    @extend_schema(request=serializers.GroupRefSerializer, responses=serializers.AssignmentSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="phase-out-complete")
    def phase_out_complete(self, request):
        """End the group's assignments: the group runs itself, the starters are free again."""
        params = serializers.GroupRefSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        group = params.validated_data["group"]
        phase_out_complete(actor=request.user, group=group)
        return Response(self.get_serializer(self.get_queryset().filter(group=group), many=True).data)

    @extend_schema(
        request=serializers.RequestStartersSerializer, responses={201: serializers.StarterRequestSerializer(many=True)}
    )
    @action(detail=False, methods=["post"], url_path="request-starters")
    def request_starters(self, request):
        """Ask the best-suited active volunteers by mail to start the group; the first to
        accept gets the place."""
        params = serializers.RequestStartersSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        asked = starter_requests_send(actor=request.user, **params.validated_data)
        return Response(serializers.StarterRequestSerializer(asked, many=True).data, status=status.HTTP_201_CREATED)


class SessionLogViewSet(CentreScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Starters' session logs with their private notes, for the coordinators of the centre.
    Starters write them in the portal (/api/v1/portal/session-logs/)."""

    permission_classes = [IsCentreStaff]
    serializer_class = serializers.SessionLogSerializer
    filterset_class = filters.SessionLogFilter
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return (
            SessionLog.objects.select_related("assignment", "meeting")
            .prefetch_related("checklist")
            .order_by("-meeting__starts_at", "-id")
        )


class RecruitmentNeedViewSet(CentreScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Where the centre lacks starters: groups waiting for one, offered topics and languages no
    active volunteer covers. The daily job raises and resolves them and asks volunteers directly
    for waiting groups."""

    permission_classes = [IsCentreStaff]
    serializer_class = serializers.RecruitmentNeedSerializer
    filterset_class = filters.RecruitmentNeedFilter

    def get_queryset(self):
        return RecruitmentNeed.objects.select_related("centre").order_by("-raised_at", "-id")

    @extend_schema(request=serializers.RecruitmentMailingSerializer, responses={201: serializers.DraftIssueSerializer})
    @action(detail=False, methods=["post"])
    def mailing(self, request):
        """Draft a recruitment mailing to the centre's volunteering news from the open needs, in
        every language; then edit, preview, test-send and schedule it under /api/v1/newsletter-issues/."""
        params = serializers.RecruitmentMailingSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        centre = cast(Centre, centre_for_new_object(params.validated_data.get("centre"), centre_list()))
        issue = recruitment_mailing_draft(actor=request.user, centre=centre)
        return Response(serializers.DraftIssueSerializer(issue).data, status=status.HTTP_201_CREATED)


class VolunteerReportViewSet(CentreScopedMixin, viewsets.ViewSet):
    """Hours per volunteer, group and month (JSON or CSV), and counts, for the user's centres."""

    permission_classes = [IsCentreStaff]

    def _hours(self, request) -> list[dict]:
        params = serializers.HoursQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return hours_by_month(centre_ids=staff_centre_ids(user=request.user), **params.validated_data)

    @extend_schema(parameters=[serializers.HoursQuerySerializer], responses=serializers.HoursRowSerializer(many=True))
    @action(detail=False, methods=["get"])
    def hours(self, request):
        return Response(serializers.HoursRowSerializer(self._hours(request), many=True).data)

    @extend_schema(parameters=[serializers.HoursQuerySerializer], responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=False, methods=["get"], url_path="hours-csv")
    def hours_csv(self, request):
        """The same as `hours`, as a CSV file (for funders)."""
        columns = ["month", "centre", "volunteer", "volunteer_name", "group", "group_name", "sessions", "hours"]
        rows = self._hours(request)
        return csv_response("volunteer-hours.csv", columns, ([row[name] for name in columns] for row in rows))

    @extend_schema(responses=serializers.SummarySerializer)
    @action(detail=False, methods=["get"])
    def summary(self, request):
        return Response(
            serializers.SummarySerializer(volunteering_summary(centre_ids=staff_centre_ids(user=request.user))).data
        )
