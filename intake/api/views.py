"""Intake endpoints under /api/v1/: the public enquiry, the coordinators' intake queue with
notes, conversation, matching, waiting and placement, the waiting lists with founding, and the
intake reports. Each write goes through a service."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from centres.api.auditing import AuditedListMixin
from centres.api.permissions import IsCentreStaff
from centres.models import AuditLogEntry, Centre
from centres.scoping import all_centres_scope, centre_scope
from centres.selectors import centre_list
from centres.services.audit import audit_record
from config.api import CentreScopedMixin, centre_for_new_object
from config.errors import DomainError
from config.exports import csv_response
from config.ratelimit import rate_limited
from intake import selectors
from intake.api import filters, serializers
from intake.models import Enquiry
from intake.services.founding import group_found
from intake.services.placement import enquiry_place
from intake.services.queue import enquiry_conversation_schedule, enquiry_note_add, enquiry_transition, enquiry_wait
from intake.services.submission import enquiry_submit
from meetings.models import Location, Topic

ENQUIRIES_PER_HOUR = 10


def _centre_ids() -> list[int]:
    """The centres in the request's scope: a coordinator's own, or all for the operator."""
    return list(centre_list().values_list("pk", flat=True))


class PublicEnquiryView(APIView):
    """Ask a centre for a group (no login). The answer is the same whatever is sent, once the
    input is valid; at most 10 enquiries an hour from one address."""

    permission_classes = [AllowAny]
    authentication_classes = []
    rate_limited = True  # documents the 429 (config.schema.document_errors)

    @extend_schema(request=serializers.PublicEnquirySerializer, responses={202: None}, auth=[])
    def post(self, request, slug: str):
        with all_centres_scope():
            centre = Centre.objects.filter(slug=slug).first()
        if centre is None:
            raise Http404
        if rate_limited(request, scope="enquiry", limit=ENQUIRIES_PER_HOUR, seconds=3600):
            message = _("Too many enquiries from your network in the last hour. Please try again later, or call us.")
            return Response(
                {"error": {"status": 429, "code": "throttled", "message": message}},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        params = serializers.PublicEnquirySerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = dict(params.validated_data)
        answer = {"detail": _("Your message has reached the contact point. We will get in touch with you soon.")}
        if data.pop("website"):  # the field people do not see and bots fill in
            return Response(answer, status=status.HTTP_202_ACCEPTED)
        with centre_scope(centre.pk):
            topics = list(Topic.objects.filter(centre=centre, is_offered=True, pk__in=data.pop("topics")))
            if len(topics) != len(set(params.validated_data["topics"])):
                raise DomainError(_("Choose topics this contact point offers."), field="topics")
            location_id = data.pop("location", None)
            location = Location.objects.filter(centre=centre, pk=location_id).first() if location_id else None
            if location_id and location is None:
                raise DomainError(_("Choose a place of this contact point."), field="location")
            enquiry_submit(actor=None, centre=centre, topics=topics, location=location, **data)
        return Response(answer, status=status.HTTP_202_ACCEPTED)


class EnquiryViewSet(
    AuditedListMixin,
    CentreScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The intake queue: new → contacted → conversation scheduled → conversation held → placed,
    waiting, referred, withdrawn or closed. Staff of the centre only; reading an enquiry with its
    notes is audited, and so is listing them."""

    permission_classes = [IsCentreStaff]
    serializer_class = serializers.EnquirySerializer
    filterset_class = filters.EnquiryFilter
    search_fields = ["person__display_name", "person__email", "person__phone"]
    ordering_fields = ["created_at", "status_changed_at"]

    def get_queryset(self):
        return selectors.enquiry_list()

    def get_serializer_class(self):
        if self.action == "create":
            return serializers.StaffEnquirySerializer
        if self.action == "retrieve":
            return serializers.EnquiryDetailSerializer
        return super().get_serializer_class()

    @extend_schema(request=serializers.StaffEnquirySerializer, responses={201: serializers.EnquirySerializer})
    def create(self, request, *args, **kwargs):
        """Record an enquiry that came by phone, mail or in person (with the consent given)."""
        params = serializers.StaffEnquirySerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = dict(params.validated_data)
        centre = centre_for_new_object(data.pop("centre", None), centre_list())
        enquiry = enquiry_submit(actor=request.user, centre=centre, **data)
        return Response(serializers.EnquirySerializer(self.get_queryset().get(pk=enquiry.pk)).data, status=201)

    def retrieve(self, request, *args, **kwargs):
        enquiry = self.get_object()
        audit_record(actor=request.user, centre=enquiry.centre, action=AuditLogEntry.Action.VIEW, obj=enquiry)
        return Response(serializers.EnquiryDetailSerializer(selectors.enquiry_with_notes(enquiry.pk)).data)

    def _answer(self, enquiry: Enquiry, code: int = 200) -> Response:
        return Response(serializers.EnquirySerializer(self.get_queryset().get(pk=enquiry.pk)).data, status=code)

    @extend_schema(request=serializers.EnquiryTransitionSerializer, responses=serializers.EnquirySerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Contacted, conversation held, referred (say where), withdrawn or closed."""
        params = serializers.EnquiryTransitionSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        return self._answer(enquiry_transition(actor=request.user, enquiry=self.get_object(), **params.validated_data))

    @extend_schema(request=serializers.EnquiryNoteCreateSerializer, responses={201: serializers.NoteSerializer})
    @action(detail=True, methods=["post"])
    def notes(self, request, pk=None):
        """Add a staff note; notes are shown to the centre's staff only."""
        params = serializers.EnquiryNoteCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        note = enquiry_note_add(actor=request.user, enquiry=self.get_object(), **params.validated_data)
        return Response(serializers.NoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.ConversationScheduleSerializer, responses=serializers.EnquirySerializer)
    @action(detail=True, methods=["post"], url_path="schedule-conversation")
    def schedule_conversation(self, request, pk=None):
        """Schedule or move the intake conversation: by phone, or in person in a room (booked, so
        a clash is a 409 naming it)."""
        params = serializers.ConversationScheduleSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        enquiry = enquiry_conversation_schedule(actor=request.user, enquiry=self.get_object(), **params.validated_data)
        return self._answer(enquiry)

    @extend_schema(responses=serializers.GroupSuggestionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def suggestions(self, request, pk=None):
        """The centre's groups ranked for this enquiry, each with the reasons for its score."""
        suggestions = selectors.group_suggestions(self.get_object())
        return Response(serializers.GroupSuggestionSerializer(suggestions, many=True).data)

    @extend_schema(request=serializers.PlacementSerializer, responses=serializers.EnquirySerializer)
    @action(detail=True, methods=["post"])
    def place(self, request, pk=None):
        """Place the person into a group (a full or closed group only with `override`)."""
        params = serializers.PlacementSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        enquiry = self.get_object()
        enquiry_place(actor=request.user, enquiry=enquiry, **params.validated_data)
        return self._answer(enquiry)

    @extend_schema(request=serializers.WaitingSerializer, responses=serializers.EnquirySerializer)
    @action(detail=True, methods=["post"])
    def wait(self, request, pk=None):
        """Put the person on the waiting list for a topic (their only topic if not given)."""
        params = serializers.WaitingSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        return self._answer(enquiry_wait(actor=request.user, enquiry=self.get_object(), **params.validated_data))


class WaitingListViewSet(CentreScopedMixin, viewsets.ViewSet):
    """The people waiting, counted per topic and language (never named here)."""

    permission_classes = [IsCentreStaff]

    @extend_schema(responses=serializers.WaitingListSerializer(many=True))
    def list(self, request):
        rows = selectors.waiting_lists(_centre_ids())
        return Response(serializers.WaitingListSerializer(rows, many=True).data)

    @extend_schema(request=serializers.FoundGroupSerializer, responses={201: None})
    @action(detail=False, methods=["post"], url_path="found-group")
    def found_group(self, request):
        """Found a group from a waiting list: it starts forming, the people waiting are placed and
        invited, and a recruitment need for its starters is raised."""
        params = serializers.FoundGroupSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = dict(params.validated_data)
        centre = centre_for_new_object(data.pop("centre", None), centre_list())
        group = group_found(actor=request.user, centre=centre, **data)
        return Response({"group": group.pk, "name": group.name, "status": group.status}, status=201)


class IntakeReportViewSet(CentreScopedMixin, viewsets.ViewSet):
    """Counts of enquiries and waiting times for the staff's centres (never a person)."""

    permission_classes = [IsCentreStaff]

    def _params(self, request) -> dict:
        params = serializers.IntakeReportQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return {"centre_ids": _centre_ids(), **params.validated_data}

    @extend_schema(
        parameters=[serializers.IntakeReportQuerySerializer], responses=serializers.MonthRowSerializer(many=True)
    )
    @action(detail=False, methods=["get"])
    def monthly(self, request):
        """Enquiries per month, channel, topic and outcome."""
        rows = selectors.enquiries_by_month(**self._params(request))
        return Response(serializers.MonthRowSerializer(rows, many=True).data)

    @extend_schema(parameters=[serializers.IntakeReportQuerySerializer], responses={(200, "text/csv"): str})
    @action(detail=False, methods=["get"], url_path="monthly-csv")
    def monthly_csv(self, request):
        """The same as `monthly`, as a CSV file."""
        columns = ["month", "centre", "channel", "topic", "outcome", "enquiries"]
        rows = selectors.enquiries_by_month(**self._params(request))
        return csv_response("enquiries.csv", columns, ([row[name] for name in columns] for row in rows))

    @extend_schema(parameters=[serializers.IntakeReportQuerySerializer], responses=serializers.WaitingTimesSerializer)
    @action(detail=False, methods=["get"], url_path="waiting-times")
    def waiting_times(self, request):
        """Days from enquiry to placement, and how long people wait now."""
        return Response(serializers.WaitingTimesSerializer(selectors.waiting_times(**self._params(request))).data)
