"""Coordinators' newsletter and outbox endpoints under /api/v1/."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from centres.api.permissions import IsCentreStaff
from centres.selectors import centre_list
from config.api import CentreScopedMixin, centre_for_new_object
from config.errors import ConflictError
from notifications import issues
from notifications.api import serializers as s
from notifications.models import NewsletterIssue, NewsletterList, OutgoingMail, Subscription


class NewsletterListViewSet(
    CentreScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.NewsletterListSerializer
    permission_classes = [IsCentreStaff]

    def get_queryset(self):
        return (
            NewsletterList.objects.select_related("centre")
            .annotate(
                confirmed_subscribers=Count(
                    "subscriptions", filter=Q(subscriptions__status=Subscription.Status.CONFIRMED)
                )
            )
            .order_by("name", "pk")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        centre = centre_for_new_object(data.pop("centre", None), centre_list())
        serializer.instance = NewsletterList.all_centres.create(centre=centre, **data)


class IssueViewSet(
    CentreScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Issues: write per language, preview, test-send, schedule, pause, resume, figures."""

    serializer_class = s.IssueSerializer
    permission_classes = [IsCentreStaff]

    def get_queryset(self):
        return NewsletterIssue.objects.select_related("newsletter", "centre").prefetch_related("texts")

    def perform_create(self, serializer):
        issue = issues.issue_create(**serializer.validated_data)
        serializer.instance = NewsletterIssue.all_centres.prefetch_related("texts").get(pk=issue.pk)

    @extend_schema(request=None, responses=s.PreviewSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def preview(self, request, pk=None):
        issue = self.get_object()
        rendered = [(text.language, issues.issue_render(issue, text)) for text in issue.texts.all()]
        return Response(
            [{"language": lang, "subject": r.subject, "html": r.html, "text": r.text} for lang, r in rendered]
        )

    @extend_schema(request=s.TestSendSerializer, responses=s.IssueSerializer)
    @action(detail=True, methods=["post"], url_path="test-send")
    def test_send(self, request, pk=None):
        payload = s.TestSendSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        email = payload.validated_data.get("email") or request.user.email
        if not email:
            raise ConflictError(_("Your account has no e-mail address; give one."))
        issues.issue_test_send(issue=self.get_object(), email=email, language=payload.validated_data.get("language"))
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=s.ScheduleSerializer, responses=s.IssueSerializer)
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        payload = s.ScheduleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        issues.issue_schedule(issue=self.get_object(), at=payload.validated_data.get("at"))
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request=None, responses=s.IssueSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        issues.issue_pause(issue=self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request=None, responses=s.IssueSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        issues.issue_resume(issue=self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request=None, responses=s.FiguresSerializer)
    @action(detail=True, methods=["get"])
    def figures(self, request, pk=None):
        return Response(issues.issue_figures(self.get_object()))


class OutboxViewSet(CentreScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The centre's outgoing mail: status, attempts, error."""

    serializer_class = s.OutgoingMailSerializer
    permission_classes = [IsCentreStaff]
    filterset_fields = ["status", "kind", "delivery"]

    def get_queryset(self):
        return OutgoingMail.objects.select_related("content").order_by("-created_at", "-id")
