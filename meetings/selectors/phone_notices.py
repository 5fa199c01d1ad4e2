"""Reads of the "tell by phone" list."""

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from centres.models import Centre
from meetings.models import PhoneNotice

# Ticked lines stay in view this long, so a tick given by mistake can be taken back.
TOLD_SHOWN_FOR = timedelta(days=14)


def _listed(centre: Centre) -> QuerySet[PhoneNotice]:
    return PhoneNotice.objects.filter(centre=centre).select_related(
        "membership__person", "membership__group", "meeting__room__location", "told_by"
    )


def phone_notices_open(centre: Centre) -> QuerySet[PhoneNotice]:
    """Members still to phone, oldest change first; a change already past is no longer news."""
    return _listed(centre).filter(told_at__isnull=True, until__gt=timezone.now()).order_by("created_at", "pk")


def phone_notices_told(centre: Centre) -> QuerySet[PhoneNotice]:
    """Lines ticked in the last two weeks, latest first."""
    return _listed(centre).filter(told_at__gte=timezone.now() - TOLD_SHOWN_FOR).order_by("-told_at", "-pk")
