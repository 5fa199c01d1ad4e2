"""Input and output shapes of the centre endpoints. Validation of types only: rules live in
`centres.services`."""

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer

from centres.models import LANGUAGE_CHOICES, AuditLogEntry, Centre, ConsentRecord, Person, StaffInvitation, StaffRole
from centres.services.consents import CONSENT_SOURCE_MESSAGE, STAFF_CONSENT_SOURCES
from config.api import BoundedDateTimeField, SlugField

# Far above any password a person types; a longer one would only make the hasher work.
PASSWORD_MAX_LENGTH = 4096


class CentreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Centre
        fields = [
            "id",
            "slug",
            "name",
            "time_zone",
            "default_language",
            "sender_name",
            "sender_email",
            "sms_sender",
            "email",
            "phone",
            "website",
            "street",
            "postal_code",
            "city",
            "country",
            "starter_planned_meetings",
            "crisis_starter_meetings",
            "offer_places_at_once",
            "evaluation_enabled",
            "starters_needed",
            "founding_group_size",
            "enquiry_retention_months",
            "mail_retention_months",
            "former_member_retention_months",
            "volunteer_retention_months",
            "audit_retention_months",
        ]
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer):
    # `Centre.objects` is scoped: a slug of a centre the user does not work for is "not found".
    centre: serializers.SlugRelatedField[Centre] = SlugField(slug_field="slug", queryset=Centre.objects, required=False)
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)

    class Meta:
        model = Person
        fields = ["id", "centre", "display_name", "full_name", "email", "phone", "language", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        # Uniqueness per centre is checked by the service, with a message naming the field.
        validators: list[Any] = []


class PersonUpdateSerializer(PersonSerializer):
    """A person stays with the centre that knows them."""

    centre: serializers.SlugRelatedField[Centre] = serializers.SlugRelatedField(slug_field="slug", read_only=True)


class ConsentSerializer(serializers.ModelSerializer):
    centre: serializers.SlugRelatedField[Centre] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    # `Person.objects` is scoped: a person of another centre cannot be referenced.
    person: serializers.PrimaryKeyRelatedField[Person] = serializers.PrimaryKeyRelatedField(queryset=Person.objects)
    given_at = BoundedDateTimeField(required=False)
    is_active = serializers.BooleanField(read_only=True)

    def validate_source(self, source: str) -> str:
        if source not in STAFF_CONSENT_SOURCES:
            raise serializers.ValidationError(str(CONSENT_SOURCE_MESSAGE))
        return source

    class Meta:
        model = ConsentRecord
        fields = [
            "id",
            "centre",
            "person",
            "purpose",
            "text_version",
            "source",
            "given_at",
            "withdrawn_at",
            "is_active",
        ]
        read_only_fields = ["id", "withdrawn_at"]


class StaffRoleSerializer(serializers.ModelSerializer):
    centre: serializers.SlugRelatedField[Centre] = SlugField(slug_field="slug", queryset=Centre.objects)
    email = serializers.EmailField(source="user.email")
    name = serializers.CharField(source="user.first_name", required=False, allow_blank=True, max_length=150)

    class Meta:
        model = StaffRole
        fields = ["id", "centre", "email", "name", "role", "created_at"]
        read_only_fields = ["id", "created_at"]


class StaffInvitationSerializer(serializers.ModelSerializer):
    """What a new staff role becomes first: an invitation to the address, whoever owns it."""

    centre: serializers.SlugRelatedField[Centre] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = StaffInvitation
        fields = ["id", "centre", "email", "name", "role", "status", "created_at", "expires_at"]
        read_only_fields = fields

    def get_status(self, invitation) -> str:
        return "invited"


class StaffSignOutSerializer(serializers.Serializer):
    ended = serializers.IntegerField(help_text="How many sessions and API tokens were ended.")


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = BoundedDateTimeField()


class StaffRoleUpdateSerializer(serializers.ModelSerializer):
    centre: serializers.SlugRelatedField[Centre] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.first_name", read_only=True)

    class Meta:
        model = StaffRole
        fields = ["id", "centre", "email", "name", "role", "created_at"]
        read_only_fields = ["id", "created_at"]


class AuditLogEntrySerializer(serializers.ModelSerializer):
    centre: serializers.SlugRelatedField[Centre] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    # None for what the public or a scheduled job did (a registration, a confirmation): no staff member acted.
    actor = serializers.CharField(source="actor.username", default=None, read_only=True, allow_null=True)

    class Meta:
        model = AuditLogEntry
        fields = [
            "id",
            "centre",
            "actor",
            "action",
            "object_type",
            "object_id",
            "changed_fields",
            "filters",
            "row_count",
            "at",
        ]
        read_only_fields = fields


class CentreTotalsSerializer(serializers.Serializer):
    centre = serializers.CharField()
    slug = serializers.CharField()
    people = serializers.IntegerField()
    staff = serializers.IntegerField()


class LoginSerializer(AuthTokenSerializer):
    """DRF's username-and-password input with lengths bounded: a username longer than any account
    can have is refused with a 400 naming the field, before anyone tries to log in with it."""

    username = serializers.CharField(
        label=_("Username"), write_only=True, max_length=get_user_model()._meta.get_field("username").max_length
    )
    password = serializers.CharField(
        label=_("Password"),
        style={"input_type": "password"},
        trim_whitespace=False,
        write_only=True,
        max_length=PASSWORD_MAX_LENGTH,
    )
