"""Retention: every kind of personal data goes when its centre's period ends, and not before;
each centre's own periods apply to its own data only."""

from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta

import pytest

from centres.models import AuditLogEntry, Person
from centres.services.retention import retention_apply
from meetings.models import Absence, Membership
from notifications.models import NewsletterList, OutgoingMail, Subscription, WebhookEvent
from notifications.services.webhooks import webhook_event_record
from tests.centres.test_privacy import everything_stored, queued_mail
from tests.config.test_query_budgets import meeting
from tests.factories import GroupFactory, PersonFactory, every
from volunteers.models import StarterRequest, Volunteer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]
NOW = datetime(2026, 11, 30, 3, 45, tzinfo=UTC)
THREE_MONTHS_AGO = NOW - timedelta(days=90)


def some_of_everything(centre, tag: str) -> dict:
    """Data of each kind, three months old (the audit entry: thirteen), and some that is current."""
    people = {
        role: PersonFactory(centre=centre, display_name=f"{role} {tag}", email=f"{role}.{tag}@example.net")
        for role in ("left", "unsubscribed", "pending", "retired", "active")
    }
    group = GroupFactory(centre=centre)
    left = every(Membership).create(centre=centre, group=group, person=people["left"],
                                         joined_on=date(2026, 1, 1), left_on=date(2026, 8, 31))  # fmt: skip
    every(Membership).create(centre=centre, group=group, person=people["active"], joined_on=date(2026, 1, 1))
    past = meeting(centre, group=group)
    every(Absence).create(centre=centre, meeting=past, membership=left)
    newsletter = every(NewsletterList).create(centre=centre, name=f"Rundbrief {tag}")
    every(Subscription).create(centre=centre, newsletter=newsletter, person=people["unsubscribed"],
                                    status="unsubscribed", unsubscribed_at=THREE_MONTHS_AGO)  # fmt: skip
    never = every(Subscription).create(centre=centre, newsletter=newsletter, person=people["pending"])
    every(Subscription).filter(pk=never.pk).update(requested_at=THREE_MONTHS_AGO)
    volunteer = every(Volunteer).create(
        centre=centre,
        person=people["retired"],
        status="retired",
        status_changed_at=THREE_MONTHS_AGO,
        motivation=f"Motivation {tag}",
    )
    declined = every(StarterRequest).create(centre=centre, group=group, volunteer=volunteer, status="declined")
    sent = queued_mail(centre, people["active"], "reminder", f"old-{tag}")
    every(OutgoingMail).filter(pk=sent.pk).update(status="sent", esp_message_id=f"esp-{tag}")
    webhook_event_record(esp="postmark", event_id=f"ev-{tag}", event_type="delivered", message_id=f"esp-{tag}",
                         recipient=people["active"].email)  # fmt: skip
    waiting = queued_mail(centre, people["active"], "reminder", f"waiting-{tag}")
    every(OutgoingMail).filter(pk__in=[sent.pk, waiting.pk]).update(created_at=THREE_MONTHS_AGO)
    every(StarterRequest).filter(pk=declined.pk).update(created_at=THREE_MONTHS_AGO)
    every(Person).filter(centre=centre).update(created_at=THREE_MONTHS_AGO, updated_at=THREE_MONTHS_AGO)
    audit = every(AuditLogEntry).create(centre=centre, action="view", object_type="centres.person",
                                             object_id=str(people["active"].pk))  # fmt: skip
    every(AuditLogEntry).filter(pk=audit.pk).update(at=NOW - timedelta(days=400))
    return {"people": people, "sent": sent, "waiting": waiting, "volunteer": volunteer, "audit": audit}


@pytest.fixture
def short_and_long(centre_a, centre_b):
    centre_a.mail_retention_months = centre_a.former_member_retention_months = 1
    centre_a.volunteer_retention_months, centre_a.audit_retention_months = 1, 12
    centre_a.save()
    return some_of_everything(centre_a, "a"), some_of_everything(centre_b, "b")


def test_each_kind_goes_after_its_centres_period_and_not_before(short_and_long, centre_a, centre_b):
    short, long = short_and_long

    removed = retention_apply(now=NOW)

    # Subscriptions and people: centre B's never confirmed subscriber goes too (after 30 days, whatever
    # the centre's own periods; tests/centres/test_retention_unconfirmed.py).
    assert asdict(removed) == {"mails": 1, "memberships": 1, "absences": 1, "subscriptions": 3, "requests": 1,
                               "people": 4, "volunteers": 1, "audit_entries": 1, "invitations": 0,
                               "registrations": 0, "import_files": 0}  # fmt: skip
    stored = everything_stored()
    # Centre A: the one who left, the one who unsubscribed, and the retired volunteer are gone
    # by name and address; the sent mail keeps no address; the queued one waits untouched.
    for role in ("left", "unsubscribed", "pending", "retired"):
        assert f"{role} a" not in stored
        assert f"{role}.a@example.net" not in stored
    assert "motivation a" not in stored
    assert every(OutgoingMail).get(pk=short["sent"].pk).recipient == ""
    assert not WebhookEvent.objects.filter(message_id="esp-a").exists()
    assert every(OutgoingMail).get(pk=short["waiting"].pk).recipient == "active.a@example.net"
    assert every(Person).filter(display_name="active a").exists()
    assert not every(AuditLogEntry).filter(pk=short["audit"].pk).exists()
    # Centre B keeps everything confirmed: its periods have not ended.
    for role in ("left", "unsubscribed", "retired", "active"):
        assert f"{role}.b@example.net" in stored
    assert "pending.b@example.net" not in stored
    assert every(OutgoingMail).get(pk=long["sent"].pk).recipient == "active.b@example.net"
    assert WebhookEvent.objects.filter(message_id="esp-b").exists()
    assert every(AuditLogEntry).filter(pk=long["audit"].pk).exists()
    assert every(Absence).filter(centre=centre_b).count() == 1


def test_a_second_run_finds_nothing(short_and_long):
    retention_apply(now=NOW)
    assert not any(asdict(retention_apply(now=NOW)).values())


def test_a_centre_that_fails_is_logged_and_the_others_run(short_and_long, centre_a, monkeypatch, caplog):
    from centres.services import retention

    real = retention.centre_retention_apply

    def failing_for_a(centre, *, now):
        if centre.pk == centre_a.pk:
            raise RuntimeError("broken")
        return real(centre, now=now)

    monkeypatch.setattr(retention, "centre_retention_apply", failing_for_a)
    retention_apply(now=NOW + timedelta(days=800))  # every period of centre B has ended too
    assert f"retention failed centre={centre_a.pk}" in caplog.text
    assert every(Person).filter(display_name="left a").exists()
    assert not every(Person).filter(display_name="left b").exists()


def test_a_retired_volunteer_who_is_still_a_member_loses_only_the_volunteering(short_and_long, centre_a):
    from volunteers.models import TrainingRecord

    short, _long = short_and_long
    member = short["people"]["retired"]
    every(Membership).create(centre=centre_a, group=GroupFactory(centre=centre_a), person=member,
                                  joined_on=date(2026, 1, 1))  # fmt: skip
    every(TrainingRecord).create(centre=centre_a, volunteer=short["volunteer"], course="Grundkurs",
                                      completed_on=date(2026, 1, 1))  # fmt: skip
    retention_apply(now=NOW)
    assert every(Membership).filter(person=member, left_on__isnull=True).exists()
    assert every(Person).get(pk=member.pk).email == "retired.a@example.net"
    assert not every(Volunteer).filter(person=member).exists()
    assert "motivation a" not in everything_stored()
