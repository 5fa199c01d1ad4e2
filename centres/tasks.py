"""Celery tasks of the centres app: thin wrappers that take ids and call a service."""

from celery import shared_task


@shared_task(name="centres.send_password_reset")
def send_password_reset(user_ids: list[int], language: str | None = None) -> None:
    """Only for tasks queued before reset mails went through the outbox (`MailRequest`), still
    in the broker at a deploy: their mails become outbox rows like any other."""
    from centres.forms import password_reset_mails_queue

    password_reset_mails_queue(None, {"user_ids": user_ids, "language": language})


@shared_task(name="centres.apply_retention")
def apply_retention() -> dict[str, int]:
    """Nightly: delete or anonymise personal data past its centre's retention periods
    (`centres.retention`). A second run finds nothing; two beats are harmless."""
    from dataclasses import asdict

    from centres.retention import retention_apply
    from centres.scoping import all_centres_scope

    with all_centres_scope():
        return asdict(retention_apply())
