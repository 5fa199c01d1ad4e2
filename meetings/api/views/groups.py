"""Endpoints for groups (with their life cycle) and memberships (rosters, audited when listed),
under /api/v1/. Each write goes through a service."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from centres.api.auditing import AuditedListMixin
from meetings import selectors
from meetings.api import filters
from meetings.api.serializers.groups import (
    GroupSerializer,
    GroupTransitionSerializer,
    MembershipEndSerializer,
    MembershipSerializer,
    MembershipUpdateSerializer,
)
from meetings.api.views.base import ListCreateRetrieveUpdate, StaffViewSet
from meetings.services import groups


class GroupViewSet(ListCreateRetrieveUpdate, StaffViewSet):
    """Groups of the user's centres, with their life cycle."""

    serializer_class = GroupSerializer
    filterset_class = filters.GroupFilter
    search_fields = ["name", "topic__name"]
    ordering_fields = ["name", "created_at", "status"]

    def get_queryset(self):
        return selectors.group_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        topic = data.pop("topic")
        serializer.instance = groups.group_create(
            actor=self.actor, centre=topic.centre, name=data.pop("name"), topic=topic, **data
        )

    def perform_update(self, serializer):
        serializer.instance = groups.group_update(
            actor=self.actor, group=serializer.instance, **serializer.validated_data
        )

    @extend_schema(request=GroupTransitionSerializer, responses=GroupSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the group along its life cycle: forming → starting → self_run → paused → closed."""
        payload = GroupTransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        group = groups.group_transition(actor=self.actor, group=self.get_object(), **payload.validated_data)
        return Response(GroupSerializer(group).data)


class MembershipViewSet(AuditedListMixin, ListCreateRetrieveUpdate, StaffViewSet):
    """Group rosters: for the centre's coordinators only. Listing them is audited."""

    serializer_class = MembershipSerializer
    update_serializer_class = MembershipUpdateSerializer
    filterset_class = filters.MembershipFilter
    ordering_fields = ["joined_on"]

    def get_queryset(self):
        return selectors.membership_list()

    def perform_create(self, serializer):
        serializer.instance = groups.membership_add(actor=self.actor, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = groups.membership_update(
            actor=self.actor, membership=serializer.instance, **serializer.validated_data
        )

    @extend_schema(request=MembershipEndSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """The person leaves the group (today, or on `left_on`)."""
        payload = MembershipEndSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = groups.membership_end(
            actor=self.actor, membership=self.get_object(), left_on=payload.validated_data.get("left_on")
        )
        return Response(MembershipSerializer(membership).data)
