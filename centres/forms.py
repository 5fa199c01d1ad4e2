"""Forms of the centres app."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from centres.models import StaffRole
from centres.scoping import all_centres_scope
from centres.signals import password_reset_requested
from config.signed_links import absolute_url


class StaffPasswordResetForm(PasswordResetForm):
    """Password reset that also reaches staff invited by a centre admin, whose accounts start
    without a password: the reset link is how they set their first one."""

    def get_users(self, email):
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        with all_centres_scope():  # an account is the platform's, its roles at any centre
            invited = set(StaffRole.objects.filter(user__in=users).values_list("user_id", flat=True))
        return (
            user
            for user in users
            if (user.has_usable_password() or user.pk in invited) and user.email.casefold() == email.casefold()
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Hand the request on (`password_reset_requested`) instead of sending during the
        request, for a known address and an unknown one alike (with no one to write to), so that
        the answer's timing does not tell whether an account exists. Only user ids travel,
        never the address."""
        user_ids = [user.pk for user in self.get_users(self.cleaned_data["email"])]
        password_reset_requested.send(sender=type(self), user_ids=user_ids, language=get_language())


# The outbox never shows merge data (see OutgoingMail.shown_body_text), and this mail not at all.
RESET_URL = "secret_reset_url"


def password_reset_url(user) -> str:
    """The link of a reset mail, as Django's own form makes it."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute_url("password_reset_confirm", uid, token)


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
        super().clean()
        cleaned = self.cleaned_data
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
