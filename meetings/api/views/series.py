"""Endpoints for recurring series: create, preview, change, end, under /api/v1/. Each write goes
through a service."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from meetings import selectors
from meetings.api import filters
from meetings.api.serializers.series import (
    PlannedOccurrenceSerializer,
    SeriesChangeReportSerializer,
    SeriesChangeSerializer,
    SeriesEndSerializer,
    SeriesPreviewSerializer,
    SeriesSerializer,
)
from meetings.api.views.base import StaffViewSet
from meetings.services import series


class SeriesViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, StaffViewSet):
    """Recurring meetings. Creating one materialises its meetings; changing it (POST change)
    applies to the whole series or to this and following meetings."""

    serializer_class = SeriesSerializer
    filterset_class = filters.SeriesFilter

    def get_queryset(self):
        return selectors.series_list()

    def perform_create(self, serializer):
        serializer.instance = series.series_create(actor=self.actor, **serializer.validated_data)

    @extend_schema(request=SeriesPreviewSerializer, responses=PlannedOccurrenceSerializer(many=True))
    @action(detail=False, methods=["post"])
    def preview(self, request):
        """The occurrences a new series would have up to the horizon, each with what stands in
        its way (clashing meetings, a closure, opening hours). Saves nothing."""
        payload = SeriesPreviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        planned = selectors.series_preview(**payload.validated_data)
        return Response(PlannedOccurrenceSerializer(planned, many=True).data)

    @extend_schema(request=SeriesEndSerializer, responses=SeriesSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the series after `last_day` (default today): later meetings are cancelled."""
        payload = SeriesEndSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        instance = self.get_object()
        series.series_end(actor=self.actor, series=instance, last_day=payload.validated_data.get("last_day"))
        return Response(SeriesSerializer(self.get_queryset().get(pk=instance.pk)).data)

    @extend_schema(request=SeriesChangeSerializer, responses=SeriesChangeReportSerializer)
    @action(detail=True, methods=["post"])
    def change(self, request, pk=None):
        """Change rule, time, duration or room of the whole series or of this and following."""
        payload = SeriesChangeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        scope = data.pop("scope")
        effective_from = data.pop("effective_from", None) if scope == "following" else None
        report = series.series_update(actor=self.actor, series=self.get_object(), effective_from=effective_from, **data)
        return Response(SeriesChangeReportSerializer(report).data)
