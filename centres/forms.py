"""Forms of the centres app."""

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from centres.models import StaffRole


class StaffPasswordResetForm(PasswordResetForm):
    """Password reset that also reaches staff invited by a centre admin, whose accounts start
    without a password: the reset link is how they set their first one."""

    def get_users(self, email):
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        invited = set(StaffRole.all_centres.filter(user__in=users).values_list("user_id", flat=True))
        return (
            user
            for user in users
            if (user.has_usable_password() or user.pk in invited) and user.email.casefold() == email.casefold()
        )

    def save(self, **kwargs) -> None:
        """Store the request for the worker instead of sending during the request, for a known
        address and an unknown one alike (with no one to write to): both answers then cost one
        lookup, one stored request and one queued task, so their timing does not tell whether an
        account exists. The request holds user ids, never the address; the worker makes the mail
        an outbox row (`password_reset_mails_queue`), so a lost task loses no mail."""
        from notifications.mail_requests import mail_request_store
        from notifications.models import MailRequest

        user_ids = [user.pk for user in self.get_users(self.cleaned_data["email"])]
        mail_request_store(
            kind=MailRequest.Kind.PASSWORD_RESET,
            centre=None,
            payload={"user_ids": user_ids, "language": get_language()},
        )


# The outbox never shows merge data (see OutgoingMail.shown_body_text), and this mail not at all.
RESET_URL = "secret_reset_url"


def password_reset_url(user) -> str:
    """The link of a reset mail, as Django's own form makes it."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL.rstrip("/") + reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})


def password_reset_mails_queue(centre: None, payload: dict) -> None:
    """The worker's half of a password reset (a `MailRequest` handler): one outbox row per user
    still active, a mail of the platform (an account need not belong to a centre), marked
    sensitive so that no staff view of the outbox shows its link. An unknown address has no
    users: nothing is written."""
    from notifications.models import OutgoingMail, merge_field
    from notifications.services import mail_queue

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
            template="password_reset",
            context={"site_name": site_name, "username": user.get_username(), "reset_url": merge_field(RESET_URL)},
            merge_data={RESET_URL: password_reset_url(user)},
            sensitive=True,
        )


class InvitationPasswordForm(forms.Form):
    """The password of the account an accepted invitation makes, checked by the project's
    password validators against the new account's address and name."""

    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, name: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email, self.name = email, name

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            candidate = get_user_model()(username=self.email, email=self.email, first_name=self.name)
            try:
                password_validation.validate_password(first, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned
