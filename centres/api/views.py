"""Centre, people, consent, staff role, audit log and federation endpoints under /api/v1/."""

import json
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, parsers, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from centres import selectors
from centres.api.auditing import AuditedListMixin
from centres.api.filters import AuditLogFilter, ConsentFilter, PersonFilter, StaffRoleFilter
from centres.api.permissions import IsCentreStaff, IsFederationAdmin
from centres.api.serializers import (
    AuditLogEntrySerializer,
    CentreSerializer,
    CentreTotalsSerializer,
    ConsentSerializer,
    LoginSerializer,
    PersonSerializer,
    PersonUpdateSerializer,
    StaffInvitationSerializer,
    StaffRoleSerializer,
    StaffRoleUpdateSerializer,
    StaffSignOutSerializer,
    TokenSerializer,
)
from centres.models import AuditLogEntry, Centre, ConsentRecord, Person, StaffRole
from centres.selectors import user_is_centre_admin
from centres.services import accounts, privacy
from centres.services.audit import audit_record
from centres.services.consents import consent_record, consent_withdraw
from centres.services.people import person_create, person_delete, person_update
from centres.services.staff import staff_role_change, staff_role_revoke
from config.api import CentreScopedMixin, centre_for_new_object, signed_in_user
from config.parsers import JSONParser
from config.throttling import ClientScopedRateThrottle


class CentreViewSet(CentreScopedMixin, viewsets.ReadOnlyModelViewSet):
    """The centres the user works for."""

    serializer_class = CentreSerializer
    permission_classes = [IsCentreStaff]
    lookup_field = "slug"
    search_fields = ["name", "city"]
    ordering_fields = ["name"]

    def get_queryset(self) -> QuerySet[Centre]:
        return selectors.centre_list()


class PersonViewSet(AuditedListMixin, CentreScopedMixin, viewsets.ModelViewSet):
    """People known to the user's centres. Every change, every read and every list is audit-logged."""

    permission_classes = [IsCentreStaff]
    filterset_class = PersonFilter
    search_fields = ["display_name", "full_name", "email", "phone"]
    ordering_fields = ["display_name", "created_at", "updated_at"]

    def get_queryset(self) -> QuerySet[Person]:
        return selectors.person_list()

    def get_serializer_class(self):
        return PersonUpdateSerializer if self.action in ("update", "partial_update") else PersonSerializer

    def retrieve(self, request, *args, **kwargs):
        person = self.get_object()
        audit_record(actor=signed_in_user(request), centre=person.centre, action=AuditLogEntry.Action.VIEW, obj=person)
        return Response(self.get_serializer(person).data)

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """Everything the centre holds about this person, as one JSON file for them (GDPR Art. 15
        and 20). Audited; links and tokens are shown as hidden."""
        person = self.get_object()
        audit_record(
            actor=signed_in_user(request), centre=person.centre, action=AuditLogEntry.Action.EXPORT, obj=person
        )
        response = HttpResponse(
            json.dumps(privacy.person_export(person), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.json"'
        return response

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        centre = centre_for_new_object(data.pop("centre", None), selectors.centre_list())
        serializer.instance = person_create(actor=signed_in_user(self.request), centre=centre, **data)

    def perform_update(self, serializer) -> None:
        serializer.instance = person_update(
            actor=signed_in_user(self.request), person=serializer.instance, **serializer.validated_data
        )

    @extend_schema(
        description="Erase the person (GDPR Art. 17): their mail is stopped and kept without their address, "
        "their memberships, consents and subscriptions go, their enquiries are anonymised; a volunteer who "
        "started groups keeps an anonymous record for the hours. Centre admins only; cannot be undone."
    )
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance: Person) -> None:
        # Erasing a person and their records is a centre admin's decision.
        if not user_is_centre_admin(user=self.request.user, centre_id=instance.centre_id):
            raise PermissionDenied(_("Only a centre admin can delete a person and their records."))
        person_delete(actor=signed_in_user(self.request), person=instance)


class ConsentViewSet(
    CentreScopedMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Consent records are evidence: they are created and withdrawn, never edited or deleted."""

    serializer_class = ConsentSerializer
    permission_classes = [IsCentreStaff]
    filterset_class = ConsentFilter
    ordering_fields = ["given_at"]

    def get_queryset(self) -> QuerySet[ConsentRecord]:
        return selectors.consent_list()

    def perform_create(self, serializer) -> None:
        serializer.instance = consent_record(actor=signed_in_user(self.request), **serializer.validated_data)

    @extend_schema(request=None, responses=ConsentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        consent = consent_withdraw(actor=signed_in_user(request), consent=self.get_object())
        return Response(self.get_serializer(consent).data)


class StaffRoleViewSet(CentreScopedMixin, viewsets.ModelViewSet):
    """Staff of the user's centres. Everyone sees their colleagues; centre admins change roles."""

    permission_classes = [IsCentreStaff]
    filterset_class = StaffRoleFilter
    search_fields = ["user__email", "user__first_name"]
    ordering_fields = ["created_at", "role"]

    def get_queryset(self) -> QuerySet[StaffRole]:
        return selectors.staff_role_list()

    def get_serializer_class(self):
        return StaffRoleUpdateSerializer if self.action in ("update", "partial_update") else StaffRoleSerializer

    def _require_centre_admin(self, centre: Centre) -> None:
        if not user_is_centre_admin(user=self.request.user, centre_id=centre.pk):
            raise PermissionDenied(_("Only a centre admin of this centre can change its staff."))

    @extend_schema(
        responses={202: StaffInvitationSerializer},
        description="Invite an address to a role: a link is mailed to it, and the role exists once the "
        "address's owner accepts (with their staff account, or a new one). The answer is the same whether "
        "or not the address has an account anywhere.",
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        self._require_centre_admin(data["centre"])
        invitation = accounts.staff_invite(
            actor=signed_in_user(request),
            centre=data["centre"],
            email=data["user"]["email"],
            name=data["user"].get("first_name", ""),
            role=data.get("role", StaffRole.Role.COORDINATOR),
        )
        return Response(StaffInvitationSerializer(invitation).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses=StaffSignOutSerializer)
    @action(detail=True, methods=["post"], url_path="sign-out")
    def sign_out(self, request, pk=None):
        """End every session and API token of this colleague (a lost laptop, a leaked token).
        Only for a centre admin of every centre the colleague works for; audited."""
        ended = accounts.staff_sign_out(actor=signed_in_user(request), staff_role=self.get_object())
        return Response({"ended": ended})

    def perform_update(self, serializer) -> None:
        self._require_centre_admin(serializer.instance.centre)
        role = serializer.validated_data.get("role", serializer.instance.role)
        serializer.instance = staff_role_change(
            actor=signed_in_user(self.request), staff_role=serializer.instance, role=role
        )

    def perform_destroy(self, instance: StaffRole) -> None:
        self._require_centre_admin(instance.centre)
        staff_role_revoke(actor=signed_in_user(self.request), staff_role=instance)


class AuditLogViewSet(CentreScopedMixin, viewsets.ReadOnlyModelViewSet):
    """The audit log of the centres where the user is a centre admin."""

    serializer_class = AuditLogEntrySerializer
    permission_classes = [IsCentreStaff]
    filterset_class = AuditLogFilter

    def get_queryset(self) -> QuerySet[AuditLogEntry]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user, no rows
            return AuditLogEntry.objects.none()
        return selectors.audit_log_list(user=signed_in_user(self.request))


class FederationTotalsView(APIView):
    """Counts per centre across the federation, for federation admins. No personal data."""

    permission_classes = [IsFederationAdmin]

    @extend_schema(responses=CentreTotalsSerializer(many=True))
    def get(self, request):
        return Response(CentreTotalsSerializer(selectors.federation_totals(), many=True).data)


class ThrottledObtainAuthToken(ObtainAuthToken):
    """Exchange username and password for a new API token, valid API_TOKEN_MAX_AGE_HOURS; the
    previous token ends. Throttled, and locked out by django-axes after repeated failures."""

    # DRF's own list for this view (forms too), with the JSON parser that survives deep nesting.
    parser_classes = [parsers.FormParser, parsers.MultiPartParser, JSONParser]
    serializer_class = LoginSerializer
    throttle_classes = [ClientScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(responses=TokenSerializer)
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = accounts.api_token_issue(user=serializer.validated_data["user"])
        expires_at = token.created + timedelta(hours=settings.API_TOKEN_MAX_AGE_HOURS)
        return Response(TokenSerializer({"token": token.key, "expires_at": expires_at}).data)
