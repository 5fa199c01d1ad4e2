"""notifications' part of the workspace dashboard: newsletter issues under way, failed mail."""

from datetime import date
from typing import Any

from centres.dashboard import dashboard_context_register
from centres.models import Centre
from notifications.models import NewsletterIssue, OutgoingMail
from notifications.selectors import issues_figures

UNDER_WAY = [NewsletterIssue.Status.SCHEDULED, NewsletterIssue.Status.SENDING, NewsletterIssue.Status.PAUSED]


def mail_attention(centre: Centre, day: date) -> dict[str, Any]:
    issues = list(NewsletterIssue.objects.filter(centre=centre, status__in=UNDER_WAY).select_related("newsletter")[:5])
    figures = issues_figures([issue.pk for issue in issues])
    for issue in issues:
        issue.figures = figures[issue.pk]  # type: ignore[attr-defined]
    failed = OutgoingMail.objects.filter(centre=centre, status=OutgoingMail.Status.FAILED).count()
    return {"issues": issues, "failed_mails": failed}


def register() -> None:
    dashboard_context_register(
        app="notifications", order=40, contribute=mail_attention, template="notifications/dashboard_cards.html"
    )
