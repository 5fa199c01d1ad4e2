"""Celery tasks of the centres app: thin wrappers that take ids and call a service."""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import translation


@shared_task(name="centres.send_password_reset", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_password_reset(user_ids: list[int], language: str | None = None) -> int:
    """Send the password reset mail to these users (none for an unknown address), in the
    language the request was made in. Retried when the mail server cannot be reached. Returns
    how many were sent."""
    from centres.forms import StaffPasswordResetForm

    form = StaffPasswordResetForm()
    users = list(get_user_model()._default_manager.filter(pk__in=user_ids, is_active=True))
    with translation.override(language):
        for user in users:
            form.send_reset(user)
    return len(users)


@shared_task(name="centres.apply_retention")
def apply_retention() -> dict[str, int]:
    """Nightly: delete or anonymise personal data past its centre's retention periods
    (`centres.retention`). A second run finds nothing; two beats are harmless."""
    from dataclasses import asdict

    from centres.retention import retention_apply
    from centres.scoping import all_centres_scope

    with all_centres_scope():
        return asdict(retention_apply())
