"""volunteers' part of the workspace dashboard: groups still looking for starters, phase-outs due."""

from datetime import date
from typing import Any

from centres.dashboard import dashboard_context_register
from centres.models import Centre
from volunteers.models import RecruitmentNeed
from volunteers.selectors import phase_outs_due


def starters_attention(centre: Centre, day: date) -> dict[str, Any]:
    needs = RecruitmentNeed.objects.filter(
        centre=centre, kind=RecruitmentNeed.Kind.GROUP, resolved_at__isnull=True
    ).select_related("group")
    return {"groups_needing_starters": needs, "phase_outs": phase_outs_due([centre.pk])}


def register() -> None:
    dashboard_context_register(
        app="volunteers", order=30, contribute=starters_attention, template="volunteers/dashboard_cards.html"
    )
