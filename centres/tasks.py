"""Celery tasks of the centres app: thin wrappers that take ids and call a service."""

from celery import shared_task
from django.contrib.auth import get_user_model


@shared_task(name="centres.send_password_reset")
def send_password_reset(user_ids: list[int]) -> int:
    """Send the password reset mail to these users (none for an unknown address). Returns how
    many were sent."""
    from centres.forms import StaffPasswordResetForm

    form = StaffPasswordResetForm()
    users = list(get_user_model()._default_manager.filter(pk__in=user_ids, is_active=True))
    for user in users:
        form.send_reset(user)
    return len(users)
