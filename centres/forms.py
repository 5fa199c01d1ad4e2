"""Forms of the centres app."""

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm

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
