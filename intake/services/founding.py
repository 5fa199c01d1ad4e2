"""Founding a group from a waiting list, and the daily mail that tells coordinators which lists
are long enough (the centre's `founding_group_size`)."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import Centre, StaffRole
from config.errors import ConflictError, DomainError
from intake.models import Enquiry
from intake.selectors import founding_suggestions
from intake.services.placement import enquiry_place
from intake.services.queue import enquiry_status_set
from meetings.models import Group, Topic
from meetings.services.groups import group_create
from notifications.models import OutgoingMail
from notifications.services.outbox import mail_queue
from volunteers.services.recruitment import recruitment_needs_refresh

Status = Enquiry.Status


@transaction.atomic
def group_found(
    *,
    actor: AbstractBaseUser | None,
    centre: Centre,
    topic: Topic,
    language: str,
    name: str,
    enquiries: Sequence[Enquiry] | None = None,
) -> Group:
    """Found a new group from a waiting list: the group starts `forming` in that language, the
    people waiting (all, or the given ones) are placed into it and invited by mail, and a
    recruitment need for its starters is raised. Writes the group, memberships, enquiries, mails,
    audit entries and the need."""
    waiting_rows = Enquiry.objects.select_for_update(of=("self",)).filter(
        centre=centre, status=Status.WAITING, waiting_topic=topic, language=language
    )
    if enquiries is not None:
        waiting_rows = waiting_rows.filter(pk__in=[enquiry.pk for enquiry in enquiries])
    waiting = list(waiting_rows.order_by("waiting_since", "pk"))
    if enquiries is not None and len(waiting) != len(enquiries):
        raise DomainError(_("Only people on this waiting list can found its group."), field="enquiries")
    if len({enquiry.person_id for enquiry in waiting}) < 2:
        raise ConflictError(_("A group needs at least two people waiting."))
    group = group_create(
        actor=actor,
        centre=centre,
        name=name,
        topic=topic,
        languages=[language],
        max_size=max(12, len(waiting)),
    )
    placed_people = set()
    for enquiry in waiting:
        if enquiry.person_id in placed_people:
            # The same person enquired twice: one membership, both enquiries placed.
            enquiry.placed_group = group
            enquiry_status_set(enquiry, Status.PLACED, actor=actor, fields=["placed_group"])
            continue
        enquiry_place(actor=actor, enquiry=enquiry, group=group)
        placed_people.add(enquiry.person_id)
    recruitment_needs_refresh(centre=centre)
    return group


def founding_suggestions_notify(*, today: date | None = None) -> int:
    """Daily: tell each centre's coordinators which waiting lists could found a group, once a day
    each (idempotent). The mail names topics and counts, never people. Runs across the centres
    in the caller's scope. Returns mails queued."""
    today = today or timezone.localdate()
    by_centre: dict[int, list[dict[str, Any]]] = {}
    for row in founding_suggestions(list(Centre.objects.values_list("pk", flat=True))):
        by_centre.setdefault(row["centre_id"], []).append(row)
    queued = 0
    for centre in Centre.objects.filter(pk__in=by_centre):
        for role in StaffRole.objects.filter(centre=centre, user__is_active=True).select_related("user"):
            if not role.user.email:
                continue
            mail = mail_queue(
                centre=centre,
                kind=OutgoingMail.Kind.SYSTEM,
                obj=f"found-a-group-{centre.pk}-{today:%Y%m%d}",
                recipient=role.user.email,
                language=centre.default_language,
                template="intake/mail/found_a_group",
                context={"centre": centre, "lists": by_centre[centre.pk]},
            )
            queued += mail is not None
    return queued
