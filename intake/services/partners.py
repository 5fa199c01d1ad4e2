"""Referral partners: the practices, clinics and services that send people to the centre, each
with a link and flyers that record, on the enquiry, who referred. Partners see nothing back."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from centres.models import AuditLogEntry, Centre
from centres.services.audit import audit_record, fields_apply
from config.errors import DomainError
from intake.models import ReferralPartner

PARTNER_FIELDS = ("name", "kind", "contact_name", "contact_email", "contact_phone", "is_active")


def _save(partner: ReferralPartner, *, actor: AbstractBaseUser | None, created: bool, changed: list[str]) -> None:
    partner.full_clean(exclude=["centre", "code"])
    try:
        with transaction.atomic():
            partner.save()
    except IntegrityError as error:
        raise DomainError(_("The centre already has a partner of that name."), field="name") from error
    action = AuditLogEntry.Action.CREATE if created else AuditLogEntry.Action.UPDATE
    audit_record(actor=actor, centre=partner.centre, action=action, obj=partner, changed_fields=changed)


@transaction.atomic
def partner_create(*, actor: AbstractBaseUser | None, centre: Centre, **values: Any) -> ReferralPartner:
    """Adds a partner with a new referral code. Writes the partner and an audit entry."""
    partner = ReferralPartner(centre=centre)
    fields_apply(partner, values, allowed=PARTNER_FIELDS)
    _save(partner, actor=actor, created=True, changed=[])
    return partner


@transaction.atomic
def partner_update(*, actor: AbstractBaseUser | None, partner: ReferralPartner, **changes: Any) -> ReferralPartner:
    """Changes a partner (a deactivated one's link and flyers stop recording it). Audited."""
    changed = fields_apply(partner, changes, allowed=PARTNER_FIELDS)
    if changed:
        _save(partner, actor=actor, created=False, changed=changed)
    return partner


def partner_by_code(*, centre: Centre, code: str) -> ReferralPartner | None:
    """The centre's active partner with this code; None for any other text (a visitor's typo or a
    retired flyer records no one, and the enquiry still goes through)."""
    code = (code or "").lower()
    if not code or len(code) > 16 or not (code.isascii() and code.isalnum()):
        return None
    return ReferralPartner.objects.filter(centre=centre, code=code, is_active=True).first()
