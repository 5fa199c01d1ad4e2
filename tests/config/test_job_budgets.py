"""Periodic jobs do a bounded number of queries per batch: the same for one item of work as for
several (rows are read, written and queued in bulk). Jobs that work per item on purpose are
listed in docs/performance.md."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.models import Enquiry
from intake.selectors import founding_suggestions
from meetings.models import Group, Meeting
from meetings.services.reminders import reminders_queue_due
from notifications.models import OutgoingMail
from notifications.services.outbox import mail_queue, outbox_flush
from notifications.services.sending import outbox_requeue_stuck
from tests.factories import GroupFactory, MembershipFactory, PersonFactory, RoomFactory, TopicFactory, every, queue_mail
from volunteers.models import StarterAssignment, Volunteer
from volunteers.selectors import phase_outs_due
from volunteers.services.phase_out import phase_out_notify_due

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def queries(job) -> int:
    with CaptureQueriesContext(connection) as captured:
        job()
    return len(captured)


def meeting_with_members(centre, members: int) -> Meeting:
    group = GroupFactory(centre=centre, topic=TopicFactory(centre=centre))
    start = NOW + timedelta(hours=20)
    meeting = every(Meeting).create(
        centre=centre,
        group=group,
        room=RoomFactory(location__centre=centre),
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        uid=f"budget-{group.pk}@kontakt",
    )
    for _ in range(members):
        MembershipFactory(group=group, person=PersonFactory(centre=centre), reminder_minutes=24 * 60)
    return meeting


def test_the_reminder_job_costs_the_same_for_one_reminder_and_many(centre_a, centre_b, frozen_now):
    frozen_now(NOW)
    meeting_with_members(centre_a, 1)
    one = queries(lambda: reminders_queue_due(now=NOW))
    assert every(OutgoingMail).filter(kind="reminder").count() == 1
    every(OutgoingMail).all().delete()
    meeting_with_members(centre_a, 4)
    meeting_with_members(centre_b, 3)
    many = queries(lambda: reminders_queue_due(now=NOW))
    assert every(OutgoingMail).filter(kind="reminder").count() == 8
    # Contents are made per meeting and language (bulk); rows per chunk of 1,000.
    assert many <= one + 2


def stuck_rows(centre, count: int) -> None:
    for number in range(count):
        mail = mail_queue(
            centre=centre,
            kind="system",
            obj=f"stuck-{number}-{every(OutgoingMail).count()}",
            recipient=f"s{number}@example.net",
            language="de",
            template="intake/mail/enquiry_received",
            context={"centre": centre},
        )
        every(OutgoingMail).filter(pk=mail.pk).update(status="sending", sending_since=NOW - timedelta(hours=1))


def test_the_outbox_sweepers_cost_the_same_for_one_row_and_many(centre_a, frozen_now):
    frozen_now(NOW)
    stuck_rows(centre_a, 1)
    one = queries(lambda: (outbox_requeue_stuck(now=NOW), outbox_flush(older_than=timedelta(0))))
    every(OutgoingMail).update(status="sent")
    stuck_rows(centre_a, 6)
    many = queries(lambda: (outbox_requeue_stuck(now=NOW), outbox_flush(older_than=timedelta(0))))
    assert many == one


def due_group(centre) -> None:
    group = GroupFactory(centre=centre, topic=TopicFactory(centre=centre), status=Group.Status.STARTING)
    volunteer = every(Volunteer).create(centre=centre, person=PersonFactory(centre=centre), status="active")
    every(StarterAssignment).create(
        centre=centre, volunteer=volunteer, group=group, starts_on=date(2026, 1, 1), planned_meetings=1
    )
    every(Meeting).create(
        centre=centre,
        group=group,
        room=RoomFactory(location__centre=centre),
        starts_at=NOW - timedelta(days=7),
        ends_at=NOW - timedelta(days=7) + timedelta(hours=1),
        uid=f"held-{group.pk}@kontakt",
    )


def test_the_phase_out_job_costs_the_same_for_one_due_group_and_many(centre_a, coordinator_a, frozen_now):
    frozen_now(NOW)
    due_group(centre_a)
    one = queries(lambda: phase_outs_due())
    for _ in range(4):
        due_group(centre_a)
    assert len(phase_outs_due()) == 5
    assert queries(lambda: phase_outs_due()) == one
    # The mail: one per coordinator and day, whatever the number of groups.
    assert phase_out_notify_due(today=NOW.date()) == 1


def test_the_founding_suggestion_job_costs_the_same_for_one_list_and_many(centre_a, coordinator_a, frozen_now):
    frozen_now(NOW)

    def waiting_list() -> None:
        topic = TopicFactory(centre=centre_a)
        for _ in range(4):
            enquiry = every(Enquiry).create(
                centre=centre_a,
                person=PersonFactory(centre=centre_a),
                channel="web",
                language="de",
                status="waiting",
                waiting_topic=topic,
                waiting_since=date(2026, 11, 1),
                created_at=NOW,
                status_changed_at=NOW,
            )
            assert enquiry.pk

    waiting_list()
    one = queries(lambda: founding_suggestions([centre_a.pk]))
    waiting_list()
    waiting_list()
    assert len(founding_suggestions([centre_a.pk])) == 3
    assert queries(lambda: founding_suggestions([centre_a.pk])) == one == 1


def test_the_retention_job_costs_the_same_for_one_old_mail_and_many(centre_a, frozen_now):
    """Mail past its period is anonymised in bulk. (People and volunteers are erased one by one,
    each in full: see docs/performance.md.)"""
    from centres.services.retention import retention_apply

    made = iter(range(100))

    def old_mails(count: int) -> None:
        for _ in range(count):
            n = next(made)
            mail = queue_mail(centre_a, f"r{n}@example.net", f"old-{n}")
            every(OutgoingMail).filter(pk=mail.pk).update(status="sent", created_at=NOW - timedelta(days=400))

    old_mails(1)
    one = queries(lambda: retention_apply(now=NOW))
    old_mails(5)
    many = queries(lambda: retention_apply(now=NOW))
    assert every(OutgoingMail).filter(recipient="").count() == 6
    assert many == one
