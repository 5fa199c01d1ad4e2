from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentresConfig(AppConfig):
    """centres is the lowest domain app: it imports no other app. Apps above it act on its
    changes through its signals (`centres.signals`) and registries (privacy, retention, the
    workspace dashboard), connected in their own `ready`."""

    name = "centres"
    verbose_name = _("Centres and people")

    def ready(self) -> None:
        from celery import signals

        from centres.observability import job_succeeded

        # Every scheduled job's last success, for /readyz/ and the metrics.
        signals.task_success.connect(job_succeeded, dispatch_uid="centres.job_succeeded")
        from centres.services import accounts  # noqa: F401 - ends sessions and tokens when a password changes
