"""Forms of the centres app."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import get_language

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
        """Queue the reset mail instead of sending it during the request, for a known address and
        an unknown one alike (with no one to write to): both answers then cost one lookup and one
        queued task, so their timing does not tell whether an account exists. The task takes ids,
        never the address."""
        from centres.tasks import send_password_reset

        user_ids = [user.pk for user in self.get_users(self.cleaned_data["email"])]
        language = get_language()
        transaction.on_commit(lambda: send_password_reset.delay(user_ids, language))

    def send_reset(self, user) -> None:
        """The reset mail for one user, as Django's own form writes it (in the worker)."""
        parts = urlsplit(settings.SITE_URL)
        context = {
            "email": user.email,
            "domain": parts.netloc,
            "site_name": parts.netloc,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "user": user,
            "token": default_token_generator.make_token(user),
            "protocol": parts.scheme or "https",
        }
        self.send_mail(
            "registration/password_reset_subject.txt",
            "registration/password_reset_email.html",
            context,
            None,
            user.email,
        )
