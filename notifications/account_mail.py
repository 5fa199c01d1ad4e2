"""Account mail, sent through the outbox with its link as secret merge data that staff views of
the outbox never show: a staff invitation (`staff_invitation_created`) and a password reset
(`password_reset_requested`; stored as a `MailRequest` for the worker, whose handler queues one
mail per account). Both signals are centres'; this module connects to them."""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.dispatch import receiver
from django.utils import timezone, translation

from centres.forms import RESET_URL, password_reset_url
from centres.models import Centre
from centres.signals import password_reset_requested, staff_invitation_created
from config.signed_links import absolute_url
from notifications.models import MailRequest, OutgoingMail, merge_field
from notifications.services.mail_requests import mail_request_handler_register, mail_request_store
from notifications.services.outbox import mail_queue


@receiver(staff_invitation_created, dispatch_uid="kontakt-staff-invitation-mail")
def staff_invitation_mail_queue(sender, invitation, token: str, **kwargs) -> None:
    """Queue the invitation's mail, in the centre's language (the invitee is no one it knows)."""
    centre, language = invitation.centre, invitation.centre.default_language
    with translation.override(language):
        role = str(invitation.get_role_display())
    mail_queue(
        centre=centre,
        kind=OutgoingMail.Kind.SYSTEM,
        obj=f"staff-invitation-{invitation.pk}",
        recipient=invitation.email,
        language=language,
        template="centres/mail/staff_invitation",
        context={
            "centre": centre,
            "role": role,
            "days": settings.STAFF_INVITATION_MAX_AGE_DAYS,
            "accept_url": merge_field("secret_accept_url"),
        },
        merge_data={"secret_accept_url": absolute_url("staff-invitation", token)},
    )


@receiver(password_reset_requested, dispatch_uid="kontakt-password-reset-request")
def password_reset_request_store(sender: object, user_ids: list[int], language: str, **kwargs: object) -> None:
    """Store the request for the worker instead of sending during the request: a known and an
    unknown address then both cost one stored request and one queued task. The request holds
    user ids, never the address."""
    mail_request_store(
        kind=MailRequest.Kind.PASSWORD_RESET, centre=None, payload={"user_ids": user_ids, "language": language}
    )


def password_reset_mails_queue(centre: Centre | None, payload: dict[str, Any]) -> None:
    """The worker's half of a password reset (a `MailRequest` handler): one outbox row per user
    still active, a mail of the platform (an account need not belong to a centre), marked
    sensitive so that no staff view of the outbox shows its link. An unknown address has no
    users: nothing is written."""
    users = get_user_model()._default_manager.filter(pk__in=payload.get("user_ids", []), is_active=True)
    site_name = urlsplit(settings.SITE_URL).netloc
    language = payload.get("language") or settings.LANGUAGE_CODE
    for user in users.order_by("pk"):
        mail_queue(
            centre=None,
            kind=OutgoingMail.Kind.SYSTEM,
            obj=f"password-reset-{user.pk}-{timezone.now():%Y%m%d%H%M%S%f}",
            recipient=user.email,
            language=language,
            template="centres/mail/password_reset",
            context={"site_name": site_name, "username": user.get_username(), "reset_url": merge_field(RESET_URL)},
            merge_data={RESET_URL: password_reset_url(user)},
            sensitive=True,
        )


def register() -> None:
    mail_request_handler_register(kind=MailRequest.Kind.PASSWORD_RESET, handler=password_reset_mails_queue)
