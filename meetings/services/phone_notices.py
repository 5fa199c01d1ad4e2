"""The "tell by phone" list: members with neither an e-mail address nor texts, listed by
`change_notices_queue` when their meeting is cancelled or moved. A coordinator ticks one when
the member was told, or takes the tick back."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from centres.models import AuditLogEntry
from centres.services.audit import audit_record
from meetings.models import PhoneNotice


@transaction.atomic
def phone_notice_told(*, actor: AbstractBaseUser | None, notice: PhoneNotice, told: bool) -> PhoneNotice:
    """Tick (or untick) that the member was told. Ticking twice keeps the first tick. Writes
    the notice and an audit entry."""
    notice = PhoneNotice.objects.select_for_update().get(pk=notice.pk)
    if told == (notice.told_at is not None):
        return notice
    notice.told_at = timezone.now() if told else None
    notice.told_by = actor if told and actor is not None and actor.is_authenticated else None  # type: ignore[assignment]
    notice.save(update_fields=["told_at", "told_by"])
    audit_record(
        actor=actor, centre=notice.centre, action=AuditLogEntry.Action.UPDATE, obj=notice, changed_fields=["told_at"]
    )
    return notice
