"""The mail of a staff invitation (`centres.accounts`): through the outbox, with the link as secret
merge data that staff views of the outbox never show."""

from django.conf import settings
from django.dispatch import receiver
from django.urls import reverse
from django.utils import translation

from centres.accounts import staff_invitation_created
from notifications.models import OutgoingMail, merge_field
from notifications.services import mail_queue


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
        template="staff_invitation",
        context={
            "centre": centre,
            "role": role,
            "days": settings.STAFF_INVITATION_MAX_AGE_DAYS,
            "accept_url": merge_field("secret_accept_url"),
        },
        merge_data={"secret_accept_url": settings.SITE_URL.rstrip("/") + reverse("staff-invitation", args=[token])},
    )
