"""Celery tasks of the centres app: thin wrappers that take ids and call a service."""

from celery import shared_task


@shared_task(name="centres.apply_retention")
def apply_retention() -> dict[str, int]:
    """Nightly: delete or anonymise personal data past its centre's retention periods
    (`centres.services.retention`). A second run finds nothing; two beats are harmless."""
    from dataclasses import asdict

    from centres.scoping import all_centres_scope
    from centres.services.retention import retention_apply

    with all_centres_scope():
        return asdict(retention_apply())


@shared_task(name="centres.heartbeat")
def heartbeat() -> str:
    """Every minute from beat: its recorded success (`centres.observability`) is how /readyz/
    and the metrics know that beat and a worker are alive."""
    return "ok"
