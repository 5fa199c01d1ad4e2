"""intake's part of the workspace dashboard: the enquiries waiting in the centre's queue."""

from datetime import date
from typing import Any

from centres.dashboard import dashboard_context_register
from centres.models import Centre
from intake.selectors import open_enquiry_counts


def enquiries_waiting(centre: Centre, day: date) -> dict[str, Any]:
    return open_enquiry_counts(centre)


def register() -> None:
    dashboard_context_register(
        app="intake", order=20, contribute=enquiries_waiting, template="intake/dashboard_cards.html"
    )
