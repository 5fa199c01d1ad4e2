"""Direct requests to start a group: the best-suited volunteers are asked by mail, the first to
accept a free place gets it, the others are told it is filled, and unanswered requests expire."""

from datetime import datetime, timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import AuditLogEntry
from centres.services.audit import audit_record
from config.errors import ConflictError, DomainError
from config.signed_links import link_url, sign
from meetings.models import Group, Meeting
from meetings.selectors import group_next_meeting
from notifications.models import OutgoingMail
from notifications.services.outbox import mail_queue
from volunteers.models import StarterRequest
from volunteers.selectors import REQUEST_MAX_AGE, open_starter_places, starter_request_candidates
from volunteers.services.assignments import assignment_create

Status = StarterRequest.Status


def starter_requests_send(
    *, actor: AbstractBaseUser | None, group: Group, limit: int = 5, matching_only: bool = False
) -> list[StarterRequest]:
    """Ask the best-suited active volunteers (`starter_suggestions`) to start `group`, each by
    mail with a link to accept or decline. Volunteers still thinking, or who declined or let this
    group's request expire, are not asked again; with `matching_only`, only volunteers who would
    start groups on its topic or speak one of its languages are asked. Writes the requests, their
    mails and an audit entry each."""
    if not 1 <= limit <= 50:
        raise DomainError(_("Ask between 1 and 50 volunteers at a time."), field="limit")
    with transaction.atomic():
        group = Group.objects.select_for_update(of=("self",)).select_related("centre", "topic").get(pk=group.pk)
        if group.status not in (Group.Status.FORMING, Group.Status.STARTING):
            raise ConflictError(_("Only a forming or starting group gets starters."))
        if not open_starter_places(group):
            raise ConflictError(_("This group has the starters it needs already."))
        requests = []
        first = group_next_meeting(group)
        for volunteer in starter_request_candidates(group, limit=limit, matching_only=matching_only):
            request = StarterRequest.objects.create(centre=group.centre, group=group, volunteer=volunteer)
            audit_record(actor=actor, centre=group.centre, action=AuditLogEntry.Action.CREATE, obj=request)
            _request_mail_queue(request, first_meeting=first)
            requests.append(request)
    return requests


def _request_mail_queue(request: StarterRequest, *, first_meeting: Meeting | None) -> None:
    """The mail asking the volunteer, with the link to answer."""
    group, person = request.group, request.volunteer.person
    mail_queue(
        centre=group.centre,
        kind=OutgoingMail.Kind.SYSTEM,
        obj=f"starter-request-{request.pk}",
        recipient=person.email,
        language=person.language or group.centre.default_language,
        template="volunteers/mail/starter_request",
        context={
            "centre": group.centre,
            "topic": "" if group.discreet else group.topic.name,
            "first": first_meeting,
            "answer_url": link_url("volunteer-request", sign("volunteer.request", {"r": request.pk})),
        },
        person=person,
    )


@transaction.atomic
def starter_request_answer(*, request: StarterRequest, accept: bool) -> str:
    """The volunteer's answer. The group row is locked, so when several accept the last place at
    once exactly one gets it; the others, and everyone still asked once the group is full, are
    told it is filled. Returns the request's new status (or its status if answered before)."""
    group = Group.objects.select_for_update(of=("self",)).select_related("centre").get(pk=request.group_id)
    request = StarterRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != StarterRequest.Status.PENDING:
        return request.status
    request.answered_at = timezone.now()
    too_late = request.created_at < request.answered_at - timedelta(seconds=REQUEST_MAX_AGE)
    if too_late or group.status not in (Group.Status.FORMING, Group.Status.STARTING):
        # Asked too long ago, or the group no longer takes starters: the request is void.
        request.status = StarterRequest.Status.EXPIRED
    elif not accept:
        request.status = StarterRequest.Status.DECLINED
    elif not open_starter_places(group):
        request.status = StarterRequest.Status.FILLED
    else:
        try:
            with transaction.atomic():
                assignment_create(actor=None, group=group, volunteer=request.volunteer, starts_on=timezone.localdate())
        except DomainError:
            # No longer possible for this volunteer (paused since, a clash with another group):
            # the place stays free for the others.
            request.status = StarterRequest.Status.DECLINED
        else:
            request.status = StarterRequest.Status.ACCEPTED
    request.save(update_fields=["status", "answered_at"])
    if request.status == StarterRequest.Status.ACCEPTED and not open_starter_places(group):
        _tell_the_others_it_is_filled(group)
    return request.status


def _tell_the_others_it_is_filled(group: Group) -> None:
    waiting = list(
        StarterRequest.objects.select_for_update()
        .filter(group=group, status=StarterRequest.Status.PENDING)
        .select_related("volunteer__person", "centre")
    )
    for request in waiting:
        request.status, request.answered_at = StarterRequest.Status.FILLED, timezone.now()
        request.save(update_fields=["status", "answered_at"])
        person = request.volunteer.person
        mail_queue(
            centre=request.centre,
            kind=OutgoingMail.Kind.SYSTEM,
            obj=f"starter-request-filled-{request.pk}",
            recipient=person.email,
            language=person.language or request.centre.default_language,
            template="volunteers/mail/starter_request_filled",
            context={"centre": request.centre},
            person=person,
        )


def starter_requests_expire(*, now: datetime | None = None) -> int:
    """Requests nobody answered while their link was valid expire, so the next round can ask others."""
    now = now or timezone.now()
    return StarterRequest.objects.filter(
        status=StarterRequest.Status.PENDING, created_at__lt=now - timedelta(seconds=REQUEST_MAX_AGE)
    ).update(status=StarterRequest.Status.EXPIRED)
