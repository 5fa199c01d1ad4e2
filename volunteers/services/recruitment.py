"""Recruitment of starters: the daily job raises a need where a centre lacks them, asks matching
active volunteers directly for groups that wait, and coordinators turn the open needs into a
recruitment mailing to the subscribers of their volunteering news."""

import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from centres.models import LANGUAGE_CHOICES, AuditLogEntry, Centre
from centres.services.audit import audit_record
from config.errors import ConflictError
from config.signed_links import absolute_url
from meetings.models import Group, Meeting, Topic
from notifications.models import NewsletterIssue, NewsletterIssueText, NewsletterList
from volunteers.models import RecruitmentNeed, StarterRequest, Volunteer
from volunteers.selectors import open_needs
from volunteers.services.requests import starter_requests_expire, starter_requests_send

logger = logging.getLogger(__name__)


# A group whose volunteers asked have all answered (or not in time) is asked again after this.
REQUEST_ROUND_DAYS = 3
REQUESTS_PER_ROUND = 5
# Language names inside a sentence, where some languages write them in lower case ("på dansk").
IN_SENTENCE = {
    "en": pgettext_lazy("language name inside a sentence", "English"),
    "de": pgettext_lazy("language name inside a sentence", "German"),
    "da": pgettext_lazy("language name inside a sentence", "Danish"),
    "nl": pgettext_lazy("language name inside a sentence", "Dutch"),
}


def _current_needs(centre: Centre) -> dict[str, dict[str, Any]]:
    """What the centre lacks now, by need key. Four queries, whatever the centre's size."""
    needs: dict[str, dict[str, Any]] = {}
    waiting = (
        Group.objects.filter(centre=centre, status__in=[Group.Status.FORMING, Group.Status.STARTING])
        .annotate(starters=Count("starter_assignments", filter=~Q(starter_assignments__status="ended")))
        .filter(starters__lt=centre.starters_needed)
        # A group whose starters are phasing out is on its way to running itself.
        .exclude(starter_assignments__status="phasing_out")
        .values_list("pk", flat=True)
    )
    for group_id in waiting:
        needs[f"group:{group_id}"] = {"kind": RecruitmentNeed.Kind.GROUP, "group_id": group_id}
    active = Volunteer.objects.filter(centre=centre, status=Volunteer.Status.ACTIVE)
    uncovered_topics = (
        Topic.objects.filter(centre=centre, is_offered=True)
        # Only real topic ids in the subquery: a NULL (a volunteer without topics) would make
        # NOT IN match nothing.
        .exclude(pk__in=active.filter(topics__isnull=False).values("topics"))
        .values_list("pk", flat=True)
    )
    for topic_id in uncovered_topics:
        needs[f"topic:{topic_id}"] = {"kind": RecruitmentNeed.Kind.TOPIC, "topic_id": topic_id}
    spoken = {language for languages in active.values_list("languages", flat=True) for language in languages}
    wanted = {centre.default_language}
    for languages in (
        Group.objects.filter(centre=centre).exclude(status=Group.Status.CLOSED).values_list("languages", flat=True)
    ):
        wanted.update(languages)
    for language in sorted(wanted - spoken):
        if language in IN_SENTENCE:
            needs[f"language:{language}"] = {"kind": RecruitmentNeed.Kind.LANGUAGE, "language": language}
    return needs


@transaction.atomic
def recruitment_needs_refresh(*, centre: Centre, now: datetime | None = None) -> tuple[int, int]:
    """Raise the centre's new needs and resolve those met since. Idempotent: the open need per
    key is unique in the database, so a second run at the same time raises nothing twice.
    Returns (raised, resolved)."""
    now = now or timezone.now()
    current = _current_needs(centre)
    open_keys = set(
        RecruitmentNeed.objects.filter(centre=centre, resolved_at__isnull=True).values_list("key", flat=True)
    )
    resolved = RecruitmentNeed.objects.filter(
        centre=centre, resolved_at__isnull=True, key__in=open_keys - set(current)
    ).update(resolved_at=now)
    RecruitmentNeed.objects.bulk_create(
        [
            RecruitmentNeed(centre=centre, key=key, raised_at=now, **fields)
            for key, fields in current.items()
            if key not in open_keys
        ],
        ignore_conflicts=True,
    )
    return len(set(current) - open_keys), resolved


def recruitment_requests_send(*, need: RecruitmentNeed, now: datetime | None = None) -> list[StarterRequest]:
    """One round of direct requests for a group that needs starters: only when nobody asked is
    still thinking and the last round is REQUEST_ROUND_DAYS old, and only to volunteers who match
    the group's topic or language. Two runs at once take turns on the need's row. Writes the
    requests and their mails (see `starter_requests_send`) and the round's time."""
    now = now or timezone.now()
    with transaction.atomic():
        need = RecruitmentNeed.objects.select_for_update(of=("self",)).select_related("group").get(pk=need.pk)
        if need.resolved_at or need.group is None:
            return []
        if need.requests_sent_at and need.requests_sent_at > now - timedelta(days=REQUEST_ROUND_DAYS):
            return []
        if StarterRequest.objects.filter(group=need.group, status=StarterRequest.Status.PENDING).exists():
            return []
        try:
            requests = starter_requests_send(actor=None, group=need.group, limit=REQUESTS_PER_ROUND, matching_only=True)
        except ConflictError:
            requests = []
        need.requests_sent_at = now
        need.save(update_fields=["requests_sent_at"])
    return requests


def recruitment_run(*, now: datetime | None = None) -> dict[str, int]:
    """The daily recruitment job: expire unanswered requests, refresh every centre's needs, and
    send a round of direct requests where a group waits. Safe to run twice. A centre or group
    that fails is logged (ids only) and counted, and the others still get their turn."""
    now = now or timezone.now()
    figures = {"expired": starter_requests_expire(now=now), "raised": 0, "resolved": 0, "requests": 0, "failed": 0}
    for centre in Centre.objects.order_by("pk"):
        try:
            raised, resolved = recruitment_needs_refresh(centre=centre, now=now)
        except Exception:
            logger.exception("Refreshing the recruitment needs of centre %s failed", centre.pk)
            figures["failed"] += 1
            continue
        figures["raised"] += raised
        figures["resolved"] += resolved
    for need in RecruitmentNeed.objects.filter(kind=RecruitmentNeed.Kind.GROUP, resolved_at__isnull=True):
        try:
            figures["requests"] += len(recruitment_requests_send(need=need, now=now))
        except Exception:
            logger.exception("Asking volunteers for recruitment need %s failed", need.pk)
            figures["failed"] += 1
    return figures


def _need_line(need: RecruitmentNeed, first_meetings: dict[int, datetime]) -> str:
    """One line of the mailing's list of needs, in the active language."""
    group, topic = need.group, need.topic
    if need.kind == RecruitmentNeed.Kind.GROUP and group is not None:
        subject = _("a new group") if group.discreet else _("a new group on “%(topic)s”") % {"topic": group.topic.name}
        first = first_meetings.get(group.pk)
        if first is None:
            return subject
        when = formats.date_format(timezone.localtime(first, ZoneInfo(need.centre.time_zone)), "l, H:i")
        return _("%(group)s, meeting on %(when)s") % {"group": subject, "when": when}
    if need.kind == RecruitmentNeed.Kind.TOPIC and topic is not None:
        return _("groups on “%(topic)s”") % {"topic": topic.name}
    return _("groups in %(language)s") % {"language": IN_SENTENCE[need.language]}


@transaction.atomic
def recruitment_mailing_draft(*, actor: AbstractBaseUser | None, centre: Centre) -> NewsletterIssue:
    """A draft recruitment mailing to the centre's volunteering news, in every language, listing
    the open needs and the sign-up link. The coordinator edits, previews, test-sends and
    schedules it like any issue; it goes only to confirmed subscribers, with the newsletter's
    unsubscribe link. Writes the issue, its texts and an audit entry."""
    newsletter = NewsletterList.objects.filter(centre=centre, volunteering_news=True).order_by("pk").first()
    if newsletter is None:
        raise ConflictError(_("This centre has no newsletter for volunteering news yet: mark one as such first."))
    needs = list(open_needs([centre.pk]))
    if not needs:
        raise ConflictError(_("There is no open recruitment need to write about."))
    signup_url = absolute_url("volunteer-signup", centre.slug)
    first_meetings = dict(
        Meeting.objects.filter(
            group_id__in=[need.group_id for need in needs if need.group_id],
            status=Meeting.Status.SCHEDULED,
            starts_at__gte=timezone.now(),
        )
        .values("group_id")
        .annotate(first=Min("starts_at"))
        .values_list("group_id", "first")
    )
    issue = NewsletterIssue.objects.create(
        centre=centre,
        newsletter=newsletter,
        title=_("Recruitment mailing of %(date)s") % {"date": timezone.localdate().isoformat()},
    )
    NewsletterIssueText.objects.bulk_create(
        [
            _mailing_text(issue, language, needs=needs, first_meetings=first_meetings, signup_url=signup_url)
            for language, _name in LANGUAGE_CHOICES
        ]
    )
    audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.CREATE, obj=issue)
    return issue


def _mailing_text(
    issue: NewsletterIssue,
    language: str,
    *,
    needs: list[RecruitmentNeed],
    first_meetings: dict[int, datetime],
    signup_url: str,
) -> NewsletterIssueText:
    """The recruitment mailing in one language (not saved)."""
    with translation.override(language):
        lines = "\n".join(f"- {_need_line(need, first_meetings)}" for need in needs)
        body = "\n\n".join(
            [
                _("New self-help groups need volunteers who help them through their first meetings."),
                _("We are looking for starters for:"),
                lines,
                _("We train you first, and you choose what suits you."),
                _("[Offer your help](%(url)s)") % {"url": signup_url},
            ]
        )
        return NewsletterIssueText(
            issue=issue,
            language=language,
            subject=_("Volunteers wanted: help new self-help groups start"),
            body=body,
        )
