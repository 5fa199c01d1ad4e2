"""Coordinators' newsletter and outbox endpoints under /api/v1/."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from centres.api.permissions import IsCentreStaff
from centres.selectors import centre_list
from config.api import CentreScopedMixin, centre_for_new_object
from config.errors import ConflictError
from notifications.api import serializers
from notifications.models import NewsletterIssue, NewsletterList
from notifications.selectors import issue_figures, newsletter_lists, outbox_list
from notifications.services.newsletter_issues import (
    issue_create,
    issue_pause,
    issue_render,
    issue_resume,
    issue_schedule,
    issue_test_send,
)


class NewsletterListViewSet(
    CentreScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = serializers.NewsletterListSerializer
    permission_classes = [IsCentreStaff]

    def get_queryset(self):
        return newsletter_lists()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        centre = centre_for_new_object(data.pop("centre", None), centre_list())
        serializer.instance = NewsletterList.objects.create(centre=centre, **data)


class IssueViewSet(
    CentreScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Issues: write per language, preview, test-send, schedule, pause, resume, figures."""

    serializer_class = serializers.IssueSerializer
    permission_classes = [IsCentreStaff]

    def get_queryset(self):
        return NewsletterIssue.objects.select_related("newsletter", "centre").prefetch_related("texts")

    def perform_create(self, serializer):
        issue = issue_create(**serializer.validated_data)
        serializer.instance = NewsletterIssue.objects.prefetch_related("texts").get(pk=issue.pk)

    @extend_schema(request=None, responses=serializers.PreviewSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def preview(self, request, pk=None):
        issue = self.get_object()
        rendered = [(text.language, issue_render(issue, text)) for text in issue.texts.all()]
        return Response(
            [
                {"language": language, "subject": mail.subject, "html": mail.html, "text": mail.text}
                for language, mail in rendered
            ]
        )

    @extend_schema(request=serializers.TestSendSerializer, responses=serializers.IssueSerializer)
    @action(detail=True, methods=["post"], url_path="test-send")
    def test_send(self, request, pk=None):
        payload = serializers.TestSendSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        email = payload.validated_data.get("email") or request.user.email
        if not email:
            raise ConflictError(_("Your account has no e-mail address; give one."))
        issue_test_send(issue=self.get_object(), email=email, language=payload.validated_data.get("language"))
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=serializers.ScheduleSerializer, responses=serializers.IssueSerializer)
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        payload = serializers.ScheduleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        issue_schedule(issue=self.get_object(), at=payload.validated_data.get("at"))
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request=None, responses=serializers.IssueSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        issue_pause(issue=self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request=None, responses=serializers.IssueSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        issue_resume(issue=self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request=None, responses=serializers.FiguresSerializer)
    @action(detail=True, methods=["get"])
    def figures(self, request, pk=None):
        return Response(issue_figures(self.get_object()))


class OutboxViewSet(CentreScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The centre's outgoing mail: status, attempts, error."""

    serializer_class = serializers.OutgoingMailSerializer
    permission_classes = [IsCentreStaff]
    filterset_fields = ["status", "kind", "delivery"]

    def get_queryset(self):
        return outbox_list()
