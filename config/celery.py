"""The Celery application. Workers and beat start with `celery -A config worker|beat`."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("kontakt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job of the platform, each idempotent so that a second beat or a re-run is
# harmless. The feature issues add their jobs here, one line and one comment each.
app.conf.beat_schedule = {
    # Materialise every series up to the rolling horizon (MEETING_HORIZON_WEEKS); a re-run adds nothing.
    "extend-meeting-horizon": {"task": "meetings.extend_horizon_all", "schedule": crontab(hour=2, minute=30)},
}


def _prepare_filesystem_broker() -> None:
    """The filesystem transport expects its folders to exist before the first message."""
    from django.conf import settings

    if app.conf.broker_url.startswith("filesystem://"):
        (settings.BROKER_FOLDER / "control").mkdir(parents=True, exist_ok=True)


@app.on_after_configure.connect
def _on_after_configure(sender: Celery, **kwargs: object) -> None:
    _prepare_filesystem_broker()
