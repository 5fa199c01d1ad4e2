"""A centre's own details."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from centres.models import AuditLogEntry, Centre
from centres.services.audit import audit_record, fields_apply

CENTRE_EDITABLE_FIELDS = (
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
    "discreet_groups_listed",
    "frame_origins",
    "brand_colour",
    "starters_needed",
    "founding_group_size",
    "enquiry_retention_months",
    "mail_retention_months",
    "former_member_retention_months",
    "volunteer_retention_months",
    "audit_retention_months",
)


@transaction.atomic
def centre_update(*, actor: AbstractBaseUser | None, centre: Centre, **changes: Any) -> Centre:
    """Change a centre's details (not its slug, which appears in public links)."""
    changed = fields_apply(centre, changes, allowed=CENTRE_EDITABLE_FIELDS)
    if changed:
        centre.full_clean()
        centre.save()
        audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.UPDATE, obj=centre, changed_fields=changed)
    return centre
