"""Retention: each kind of personal data is kept only as long as its centre says, then deleted
or anonymised. Run nightly (`centres.apply_retention`); a second run the same night finds nothing.

- finished enquiries, after `enquiry_retention_months`: anonymised (by intake's job);
- sent, failed and stopped mail, after `mail_retention_months`: the address, links, error and
  text written for the recipient alone go, and so do the ESP's events about it;
- ended memberships (with their absences), ended subscriptions, and answered volunteer requests,
  after `former_member_retention_months`: deleted; then people the centre has nothing else for
  are erased;
- sign-ups never confirmed (newsletter subscriptions, volunteer applications), after
  UNCONFIRMED_KEPT: deleted, with the person if the centre has nothing else for them;
- retired volunteers, after `volunteer_retention_months`: erased (the hours they logged stay,
  anonymous);
- audit log entries, after `audit_retention_months`: deleted;
- event registrations, some weeks after the event: anonymised (by events' step);
- staff invitations whose link expired: deleted (no account was made for them);
- mail of no centre (password resets), after PLATFORM_MAIL_KEPT: anonymised like a centre's;
  public pages' mail requests never decided, after MAIL_REQUEST_KEPT: deleted.

centres runs the periods; each app registers what it keeps, in its `AppConfig.ready`, with
`retention_steps_register`: `bulk` steps run in the centre's one transaction (in `order`),
`erasures` afterwards (each erasure in its own transaction, `erase_one`), `platform` steps once
for what belongs to no centre.
"""

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from centres.models import AuditLogEntry, Centre, Person
from centres.services.accounts import staff_invitations_expire
from centres.services.privacy import person_erase, still_known
from config.dates import months_before

logger = logging.getLogger(__name__)

# Nobody proved that an unconfirmed address is theirs, and its link expired after a week: the
# centre has nothing to decide here, so one period serves every centre.
UNCONFIRMED_KEPT = timedelta(days=30)


@dataclass
class Removed:
    mails: int = 0
    memberships: int = 0
    absences: int = 0
    subscriptions: int = 0
    requests: int = 0
    people: int = 0
    volunteers: int = 0
    audit_entries: int = 0
    invitations: int = 0
    registrations: int = 0
    import_files: int = 0

    def add(self, other: "Removed") -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)


@dataclass
class RetentionRun:
    """One centre's run: what it removed, and the people whose last sign-up went (they are erased
    afterwards if the centre has nothing else for them)."""

    centre: Centre
    now: datetime
    removed: Removed = field(default_factory=Removed)
    people_to_check: set[int] = field(default_factory=set)

    def cutoff(self, months: int) -> datetime:
        return months_before(self.now, months)


Step = Callable[[RetentionRun], None]
PlatformStep = Callable[[datetime], int]


@dataclass(frozen=True)
class RetentionSteps:
    app: str
    order: int
    bulk: Step | None = None
    erasures: Step | None = None
    platform: PlatformStep | None = None


_registry: dict[str, RetentionSteps] = {}


def retention_steps_register(
    *,
    app: str,
    order: int,
    bulk: Step | None = None,
    erasures: Step | None = None,
    platform: PlatformStep | None = None,
) -> None:
    """Called by an app's `AppConfig.ready`; the same `app` again replaces its steps."""
    _registry[app] = RetentionSteps(app=app, order=order, bulk=bulk, erasures=erasures, platform=platform)


def _steps() -> list[RetentionSteps]:
    return sorted(_registry.values(), key=lambda steps: (steps.order, steps.app))


def retention_apply(*, now: datetime | None = None) -> Removed:
    """Apply every centre's retention periods. The bulk deletions of a centre run in one
    transaction, each erasure in its own; a centre or a person that fails is logged by id and
    the rest still run. Returns what was removed, summed over the centres. Runs across centres:
    its caller (the nightly task) opens `all_centres_scope`."""
    now = now or timezone.now()
    total = Removed()
    for centre in Centre.objects.order_by("pk"):
        try:
            removed = centre_retention_apply(centre, now=now)
        except Exception:
            logger.exception("retention failed centre=%s", centre.pk)
            continue
        if any(asdict(removed).values()):
            logger.info("retention centre=%s %s", centre.pk, " ".join(f"{k}={v}" for k, v in asdict(removed).items()))
        total.add(removed)
    total.mails += platform_retention_apply(now=now)
    return total


def platform_retention_apply(*, now: datetime) -> int:
    """What belongs to no centre (mail of no centre, mail requests): the apps' platform steps,
    in one transaction. Returns how many mails changed."""
    with transaction.atomic():
        return sum(steps.platform(now) for steps in _steps() if steps.platform is not None)


def centre_retention_apply(centre: Centre, *, now: datetime) -> Removed:
    run = RetentionRun(centre=centre, now=now)
    with transaction.atomic():
        for steps in _steps():
            if steps.bulk is not None:
                steps.bulk(run)
        audit_cutoff = run.cutoff(centre.audit_retention_months)
        run.removed.audit_entries = AuditLogEntry.objects.filter(centre=centre, at__lt=audit_cutoff).delete()[0]
        run.removed.invitations = staff_invitations_expire(centre=centre, now=now)
    for steps in _steps():
        if steps.erasures is not None:
            steps.erasures(run)
    for person_id in sorted(run.people_to_check):
        run.removed.people += erase_one(_lone_person_erase, person_id)

    # Someone the centre has nothing else for: no membership, subscription, volunteering or
    # enquiry, and untouched since the cutoff.
    left_cutoff = run.cutoff(centre.former_member_retention_months)
    alone = Person.objects.filter(centre=centre, created_at__lt=left_cutoff, updated_at__lt=left_cutoff).exclude(
        still_known()
    )
    for person_id in alone.values_list("pk", flat=True):
        run.removed.people += erase_one(_lone_person_erase, person_id)
    return run.removed


def erase_one(erase: Callable[[int], int], pk: int) -> int:
    """One erasure in its own transaction; 0 if it failed (logged by id) or another run (a
    second beat) did it first."""
    try:
        with transaction.atomic():
            return erase(pk)
    except Exception:
        logger.exception("retention failed for %s id=%s", erase.__name__, pk)
        return 0


def _lone_person_erase(person_id: int) -> int:
    person = Person.objects.filter(pk=person_id).exclude(still_known()).first()
    if person is None:
        return 0
    person_erase(actor=None, person=person)
    return 1
