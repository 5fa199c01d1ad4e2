"""The volunteer portal's endpoints under /api/v1/portal/: a logged-in volunteer's own groups,
meetings, session logs, hours and requests. Nobody else's data is reachable from here."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from centres.scoping import all_centres_scope
from config.errors import DomainError
from volunteers import selectors
from volunteers.api import serializers
from volunteers.models import ChecklistItem, StarterRequest
from volunteers.selectors import is_portal_user
from volunteers.services.requests import starter_request_answer
from volunteers.services.sessions import session_log_create


class IsPortalVolunteer(BasePermission):
    """A portal login (never staff) of a confirmed, not retired volunteer."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and is_portal_user(user)):
            return False
        request.volunteer_ids = selectors.portal_volunteer_ids(user)
        return bool(request.volunteer_ids)


class PortalViewSet(viewsets.ViewSet):
    permission_classes = [IsPortalVolunteer]

    def dispatch(self, request, *args, **kwargs):
        # Every read below is filtered by the caller's own volunteer ids, across their centres.
        with all_centres_scope():
            return super().dispatch(request, *args, **kwargs)

    def _assignments(self, request):
        return selectors.my_assignments(request.volunteer_ids)

    @extend_schema(responses=serializers.PortalAssignmentSerializer(many=True))
    @action(detail=False, methods=["get"])
    def assignments(self, request):
        """My open starter assignments with each group's self-run checklist."""
        assignments = self._assignments(request)
        checklists = selectors.my_checklists(assignments)
        return Response(
            serializers.PortalAssignmentSerializer(assignments, many=True, context={"checklists": checklists}).data
        )

    @extend_schema(responses=serializers.PortalMeetingSerializer(many=True))
    @action(detail=False, methods=["get"])
    def meetings(self, request):
        """My groups' meetings in the next eight weeks, cancelled ones included."""
        meetings = selectors.my_upcoming_meetings(self._assignments(request))
        return Response(serializers.PortalMeetingSerializer(meetings, many=True).data)

    @extend_schema(responses=serializers.PortalMeetingSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="meetings-to-log")
    def meetings_to_log(self, request):
        """Meetings of the last 90 days I have not logged yet, each with its assignment."""
        meetings = selectors.meetings_to_log(self._assignments(request))
        return Response(serializers.PortalMeetingSerializer(meetings, many=True).data)

    @extend_schema(methods=["get"], responses=serializers.SessionLogSerializer(many=True))
    @extend_schema(
        methods=["post"],
        request=serializers.SessionLogCreateSerializer,
        responses={201: serializers.SessionLogSerializer},
    )
    @action(detail=False, methods=["get", "post"], url_path="session-logs")
    def session_logs(self, request):
        """My session logs (the latest 200), or log a session. A note naming a member of the
        group is refused (400, naming the words) until `names_checked` confirms they are not names."""
        if request.method == "GET":
            logs = selectors.my_session_logs(request.volunteer_ids)[:200]
            return Response(serializers.SessionLogSerializer(logs, many=True).data)
        params = serializers.SessionLogCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        assignment = next((a for a in self._assignments(request) if a.pk == data["assignment"]), None)
        if assignment is None:
            raise DomainError(_("This is not one of your open assignments."), field="assignment")
        meeting = next((m for m in selectors.meetings_to_log([assignment]) if m.pk == data["meeting"]), None)
        items = {item.pk: item for item in ChecklistItem.objects.filter(centre_id=assignment.centre_id, is_active=True)}
        if any(pk not in items for pk in data["checklist"]):
            raise DomainError(_("Unknown checklist item."), field="checklist")
        if meeting is None:
            raise DomainError(
                _("This meeting cannot be logged: not held in the last 90 days, cancelled, or logged already."),
                field="meeting",
            )
        log = session_log_create(
            actor=request.user,
            assignment=assignment,
            meeting=meeting,
            hours=data["hours"],
            checklist=[items[pk] for pk in data["checklist"]],
            notes=data["notes"],
            names_checked=data["names_checked"],
        )
        return Response(serializers.SessionLogSerializer(log).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=serializers.PortalHoursSerializer(many=True))
    @action(detail=False, methods=["get"])
    def hours(self, request):
        """My logged hours and sessions per month over the last twelve months."""
        return Response(
            serializers.PortalHoursSerializer(selectors.my_hours_by_month(request.volunteer_ids), many=True).data
        )

    @extend_schema(responses=serializers.PortalRequestSerializer(many=True))
    @action(detail=False, methods=["get"])
    def requests(self, request):
        """Requests to start a group that wait for my answer."""
        return Response(
            serializers.PortalRequestSerializer(selectors.my_open_requests(request.volunteer_ids), many=True).data
        )

    @extend_schema(request=serializers.RequestAnswerSerializer, responses=serializers.StarterRequestSerializer)
    @action(detail=False, methods=["post"], url_path=r"requests/(?P<request_id>\d{1,18})/answer")
    def answer(self, request, request_id=None):
        """Accept or decline a request: the first to accept a free place gets it."""
        starter_request = StarterRequest.objects.filter(pk=request_id, volunteer_id__in=request.volunteer_ids).first()
        if starter_request is None:
            raise Http404
        params = serializers.RequestAnswerSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        starter_request_answer(request=starter_request, accept=params.validated_data["answer"] == "accept")
        starter_request.refresh_from_db()
        return Response(serializers.StarterRequestSerializer(starter_request).data)
