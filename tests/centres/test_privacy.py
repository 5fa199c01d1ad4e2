"""A person's data for their right of access and to portability (GDPR Art. 15 and 20)."""

import json
from datetime import date

import pytest

from centres.models import AuditLogEntry, ConsentRecord
from meetings.intake.models import Enquiry
from meetings.models import CalendarToken, Membership
from notifications.models import NewsletterList, Subscription
from notifications.services import mail_queue
from tests.conftest import token_client
from tests.factories import GroupFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


@pytest.fixture
def known_person(person_a, centre_a):
    Membership.all_centres.create(centre=centre_a, group=GroupFactory(centre=centre_a), person=person_a,
                                  joined_on=date(2026, 1, 1))  # fmt: skip
    ConsentRecord.all_centres.create(centre=centre_a, person=person_a, purpose="newsletter", text_version="v1",
                                     given_at="2026-01-01T10:00:00Z", source="web_form")  # fmt: skip
    Enquiry.all_centres.create(centre=centre_a, person=person_a, channel="web", language="de",
                               message="Ich suche eine Gruppe.", created_at="2026-02-01T10:00:00Z",
                               status_changed_at="2026-02-01T10:00:00Z")  # fmt: skip
    newsletter = NewsletterList.all_centres.create(centre=centre_a, name="Rundbrief")
    Subscription.all_centres.create(centre=centre_a, newsletter=newsletter, person=person_a, status="confirmed")
    CalendarToken.all_centres.create(centre=centre_a, person=person_a)
    mail = mail_queue(centre=centre_a, kind="system", obj="export-test", recipient=person_a.email, language="de",
                      template="enquiry_received", context={"centre": centre_a})  # fmt: skip
    mail.person = person_a
    mail.save(update_fields=["person"])
    return person_a


def test_the_export_holds_everything_about_the_person_and_is_audited(api_a, known_person, centre_a):
    from meetings.intake.models import EnquiryNote

    enquiry = Enquiry.all_centres.get(person=known_person)
    EnquiryNote.all_centres.create(centre=centre_a, enquiry=enquiry, text="Ihr Ehemann Bernd rief an.")
    answer = api_a.get(f"/api/v1/people/{known_person.pk}/export/")
    assert answer.status_code == 200
    assert answer["Content-Disposition"] == f'attachment; filename="person-{known_person.pk}.json"'
    data = json.loads(answer.content)
    assert data["person"]["email"] == "alma@example.net"
    records = data["records"]
    for label in ("meetings.Membership", "centres.ConsentRecord", "meetings.Enquiry", "notifications.Subscription",
                  "meetings.CalendarToken", "notifications.OutgoingMail"):  # fmt: skip
        assert len(records[label]) == 1, label
    assert records["meetings.Enquiry"][0]["message"] == "Ich suche eine Gruppe."
    assert records["meetings.CalendarToken"][0]["token"] == "(hidden)"  # a secret of the feed, not data
    # Staff notes may name others (Art. 15(4)): left out for a coordinator to review.
    assert "Bernd" not in answer.content.decode()
    assert data["left_out"] == ["meetings.EnquiryNote"]
    assert AuditLogEntry.all_centres.filter(centre=centre_a, action="export", object_id=str(known_person.pk)).exists()


def test_nobody_else_exports_a_person(known_person, centre_admin_b, anonymous_api):
    assert token_client(centre_admin_b).get(f"/api/v1/people/{known_person.pk}/export/").status_code == 404
    assert anonymous_api.get(f"/api/v1/people/{known_person.pk}/export/").status_code == 401
    assert not AuditLogEntry.all_centres.filter(action="export").exists()


def queued_mail(centre, person, kind, obj):
    from notifications.models import MailContent, OutgoingMail

    content = MailContent.all_centres.create(centre=centre, language="de", from_email="x@example.org", subject="S",
                                             body_text="T")  # fmt: skip
    return OutgoingMail.all_centres.create(centre=centre, kind=kind, idempotency_key=f"{kind}:{obj}", person=person,
                                           recipient=person.email, language="de", content=content)  # fmt: skip


def test_withdrawing_newsletter_consent_ends_subscriptions_and_stops_queued_newsletters_at_once(
    api_a, known_person, centre_a
):
    from notifications.models import OutgoingMail

    newsletter_mail = queued_mail(centre_a, known_person, "newsletter", "issue-1")
    reminder = queued_mail(centre_a, known_person, "reminder", "meeting-1")
    consent = ConsentRecord.all_centres.get(person=known_person, purpose="newsletter")
    assert api_a.post(f"/api/v1/consents/{consent.pk}/withdraw/").status_code == 200
    assert set(Subscription.all_centres.filter(person=known_person).values_list("status", flat=True)) == {
        "unsubscribed"
    }
    assert OutgoingMail.all_centres.get(pk=newsletter_mail.pk).status == "suppressed"
    assert OutgoingMail.all_centres.get(pk=reminder.pk).status == "queued"  # another purpose: unchanged


def test_withdrawing_membership_consent_stops_reminders_at_once(api_a, known_person, centre_a):
    from notifications.models import OutgoingMail

    consent = ConsentRecord.all_centres.create(
        centre=centre_a,
        person=known_person,
        purpose="group_membership",
        text_version="v1",
        given_at="2026-01-01T10:00:00Z",
        source="email",
    )
    reminder = queued_mail(centre_a, known_person, "reminder", "meeting-2")
    newsletter_mail = queued_mail(centre_a, known_person, "newsletter", "issue-2")
    assert api_a.post(f"/api/v1/consents/{consent.pk}/withdraw/").status_code == 200
    assert list(Membership.all_centres.filter(person=known_person).values_list("reminder_minutes", flat=True)) == [None]
    assert OutgoingMail.all_centres.get(pk=reminder.pk).status == "suppressed"
    assert OutgoingMail.all_centres.get(pk=newsletter_mail.pk).status == "queued"
