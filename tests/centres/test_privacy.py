"""A person's data for their right of access and to portability (GDPR Art. 15 and 20)."""

import json
from datetime import date

import pytest

from centres.models import AuditLogEntry, ConsentRecord
from intake.models import Enquiry
from meetings.models import CalendarToken, Membership
from notifications.models import NewsletterList, Subscription
from notifications.services.outbox import mail_queue
from tests.conftest import token_client
from tests.factories import GroupFactory, PersonFactory, UserFactory, every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


@pytest.fixture
def known_person(person_a, centre_a):
    every(Membership).create(centre=centre_a, group=GroupFactory(centre=centre_a), person=person_a,
                                  joined_on=date(2026, 1, 1))  # fmt: skip
    every(ConsentRecord).create(centre=centre_a, person=person_a, purpose="newsletter", text_version="v1",
                                     given_at="2026-01-01T10:00:00Z", source="web_form")  # fmt: skip
    every(Enquiry).create(centre=centre_a, person=person_a, channel="web", language="de",
                               message="Ich suche eine Gruppe.", created_at="2026-02-01T10:00:00Z",
                               status_changed_at="2026-02-01T10:00:00Z")  # fmt: skip
    newsletter = every(NewsletterList).create(centre=centre_a, name="Rundbrief")
    every(Subscription).create(centre=centre_a, newsletter=newsletter, person=person_a, status="confirmed")
    every(CalendarToken).create(centre=centre_a, person=person_a)
    mail = mail_queue(centre=centre_a, kind="system", obj="export-test", recipient=person_a.email, language="de",
                      template="intake/mail/enquiry_received", context={"centre": centre_a})  # fmt: skip
    mail.person = person_a
    mail.save(update_fields=["person"])
    return person_a


def test_the_export_holds_everything_about_the_person_and_is_audited(api_a, known_person, centre_a):
    from intake.models import EnquiryNote

    enquiry = every(Enquiry).get(person=known_person)
    every(EnquiryNote).create(centre=centre_a, enquiry=enquiry, text="Ihr Ehemann Bernd rief an.")
    answer = api_a.get(f"/api/v1/people/{known_person.pk}/export/")
    assert answer.status_code == 200
    assert answer["Content-Disposition"] == f'attachment; filename="person-{known_person.pk}.json"'
    data = json.loads(answer.content)
    assert data["person"]["email"] == "alma@example.net"
    records = data["records"]
    for label in ("meetings.Membership", "centres.ConsentRecord", "intake.Enquiry", "notifications.Subscription",
                  "meetings.CalendarToken", "notifications.OutgoingMail"):  # fmt: skip
        assert len(records[label]) == 1, label
    assert records["intake.Enquiry"][0]["message"] == "Ich suche eine Gruppe."
    assert records["meetings.CalendarToken"][0]["token"] == "(hidden)"  # a secret of the feed, not data
    # Staff notes may name others (Art. 15(4)): left out for a coordinator to review.
    assert "Bernd" not in answer.content.decode()
    assert data["left_out"] == ["intake.EnquiryNote"]
    assert every(AuditLogEntry).filter(centre=centre_a, action="export", object_id=str(known_person.pk)).exists()


def test_nobody_else_exports_a_person(known_person, centre_admin_b, anonymous_api):
    assert token_client(centre_admin_b).get(f"/api/v1/people/{known_person.pk}/export/").status_code == 404
    assert anonymous_api.get(f"/api/v1/people/{known_person.pk}/export/").status_code == 401
    assert not every(AuditLogEntry).filter(action="export").exists()


def queued_mail(centre, person, kind, obj):
    from notifications.models import MailContent, OutgoingMail

    content = every(MailContent).create(centre=centre, language="de", from_email="x@example.org", subject="S",
                                             body_text="T")  # fmt: skip
    return every(OutgoingMail).create(centre=centre, kind=kind, idempotency_key=f"{kind}:{obj}", person=person,
                                           recipient=person.email, language="de", content=content)  # fmt: skip


def test_withdrawing_newsletter_consent_ends_subscriptions_and_stops_queued_newsletters_at_once(
    api_a, known_person, centre_a
):
    from notifications.models import OutgoingMail

    newsletter_mail = queued_mail(centre_a, known_person, "newsletter", "issue-1")
    reminder = queued_mail(centre_a, known_person, "reminder", "meeting-1")
    consent = every(ConsentRecord).get(person=known_person, purpose="newsletter")
    assert api_a.post(f"/api/v1/consents/{consent.pk}/withdraw/").status_code == 200
    assert set(every(Subscription).filter(person=known_person).values_list("status", flat=True)) == {"unsubscribed"}
    assert every(OutgoingMail).get(pk=newsletter_mail.pk).status == "suppressed"
    assert every(OutgoingMail).get(pk=reminder.pk).status == "queued"  # another purpose: unchanged


def test_withdrawing_membership_consent_stops_reminders_at_once(api_a, known_person, centre_a):
    from notifications.models import OutgoingMail

    consent = every(ConsentRecord).create(
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
    assert list(every(Membership).filter(person=known_person).values_list("reminder_minutes", flat=True)) == [None]
    assert every(OutgoingMail).get(pk=reminder.pk).status == "suppressed"
    assert every(OutgoingMail).get(pk=newsletter_mail.pk).status == "queued"


# --- erasure (GDPR Art. 17) ------------------------------------------------------------------


def everything_stored() -> str:
    """Every value of every row of every model, as one text to search."""
    from django.apps import apps

    values = []
    for model in apps.get_models(include_auto_created=True):
        manager = every(model)
        values.extend(repr(row) for row in manager.values_list())
    return "\n".join(values).casefold()


@pytest.fixture
def volunteer_too(known_person, centre_a):
    """The person also volunteers: a portal login, a training, a request, and a group started
    with a logged session (which the hours reports need)."""
    from django.contrib.auth import get_user_model

    from tests.config.test_query_budgets import assignment, meeting
    from volunteers.models import SessionLog, StarterAssignment, StarterRequest, TrainingRecord, Volunteer

    login = get_user_model().objects.create_user(username="alma-portal", email=known_person.email)
    volunteer = every(Volunteer).create(centre=centre_a, person=known_person, status="active", user=login,
                                             motivation="Nach meiner Scheidung half mir eine Gruppe.")  # fmt: skip
    started = assignment(centre_a)
    every(StarterAssignment).filter(pk=started.pk).update(volunteer=volunteer)
    every(SessionLog).create(centre=centre_a, assignment=started, meeting=meeting(centre_a, group=started.group),
                                  hours=2)  # fmt: skip
    every(TrainingRecord).create(centre=centre_a, volunteer=volunteer, course="Grundkurs",
                                      completed_on=date(2026, 1, 1))  # fmt: skip
    every(StarterRequest).create(centre=centre_a, group=GroupFactory(centre=centre_a), volunteer=volunteer)
    # Traces outside the centre's tables: the admin's change history, and a mistyped portal login.
    from axes.models import AccessAttempt
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.create(
        user=UserFactory(),  # a coordinator who changed the person in the admin
        content_type=ContentType.objects.get_for_model(known_person),
        action_flag=CHANGE,
        object_id=str(known_person.pk),
        object_repr=str(known_person),
    )
    AccessAttempt.objects.create(username=known_person.email, ip_address="10.0.0.9", failures_since_start=1)
    return volunteer


@pytest.fixture
def mail_history(known_person, centre_a):
    """A sent reminder shared with another member, a queued one, the ESP's events about the
    sent mail (one known only by the address), and a suppression of the address."""
    from notifications.models import OutgoingMail, SuppressedAddress
    from notifications.services.webhooks import webhook_event_record

    sent = queued_mail(centre_a, known_person, "reminder", "meeting-1")
    every(OutgoingMail).filter(pk=sent.pk).update(
        status="sent",
        esp_message_id="esp-1",
        merge_data={"manage_url": "https://x/m/secret"},
        last_error=f"450 mailbox of {known_person.email} busy",
    )
    shared = every(OutgoingMail).create(
        centre=centre_a,
        kind="reminder",
        idempotency_key="reminder:m1:bo@x.net",
        recipient="bo@example.net",
        language="de",
        content=sent.content,
    )
    queued = queued_mail(centre_a, known_person, "reminder", "meeting-2")
    webhook_event_record(esp="postmark", event_id="", event_type="delivered", message_id="esp-1",
                         recipient=known_person.email)  # fmt: skip
    # An ESP's own event id that holds the address:
    webhook_event_record(esp="postmark", event_id=f"esp-1:opened:{known_person.email}", event_type="opened",
                         message_id="esp-1", recipient=known_person.email)  # fmt: skip
    every(SuppressedAddress).create(centre=centre_a, email=known_person.email, reason="bounced")
    return {"sent": sent, "shared": shared, "queued": queued}


def test_erasure_leaves_nothing_of_the_person_anywhere_and_stops_their_mail(
    api_admin_a, known_person, volunteer_too, mail_history, centre_a
):
    from notifications.models import MailContent, OutgoingMail
    from volunteers.models import SessionLog, Volunteer

    secrets = [known_person.display_name, known_person.email, "alma-portal", "Scheidung", "Ich suche eine Gruppe",
               "mailbox of"]  # fmt: skip
    stored = everything_stored()
    assert all(secret.casefold() in stored for secret in secrets)  # the search finds them before

    answer = api_admin_a.delete(f"/api/v1/people/{known_person.pk}/")

    assert answer.status_code == 204
    stored = everything_stored()
    assert [secret for secret in secrets if secret.casefold() in stored] == []
    # Mail stopped: the queued reminder is suppressed; the history keeps kinds and states only.
    mails = {mail.pk: mail for mail in every(OutgoingMail).all()}
    assert mails[mail_history["queued"].pk].status == "suppressed"
    assert mails[mail_history["sent"].pk].status == "sent"
    assert mails[mail_history["sent"].pk].recipient == ""
    assert mails[mail_history["sent"].pk].merge_data == {}
    # The shared text and the other member's mail are untouched.
    assert mails[mail_history["shared"].pk].recipient == "bo@example.net"
    assert every(MailContent).get(pk=mail_history["sent"].content_id).subject == "S"
    # The volunteering record stays anonymous, so the hours still add up.
    volunteer = every(Volunteer).get(pk=volunteer_too.pk)
    assert (volunteer.status, volunteer.user, volunteer.person.display_name) == ("retired", None, "Gelöschte Person")
    assert every(SessionLog).filter(assignment__volunteer=volunteer).count() == 1
    # Their enquiry counts on, anonymised; the audit log says who erased whom, by id.
    assert every(Enquiry).get().anonymised_at is not None
    assert every(AuditLogEntry).filter(action="delete", object_type="centres.person",
                                            object_id=str(known_person.pk)).exists()  # fmt: skip


def test_erasing_someone_who_only_belonged_to_groups_removes_the_row(api_admin_a, known_person, mail_history):
    from centres.models import Person

    assert api_admin_a.delete(f"/api/v1/people/{known_person.pk}/").status_code == 204
    assert not every(Person).filter(pk=known_person.pk).exists()
    assert known_person.email not in everything_stored()


def test_a_replayed_event_is_still_refused_after_erasure(api_admin_a, known_person, mail_history):
    from notifications.services.webhooks import webhook_event_record

    api_admin_a.delete(f"/api/v1/people/{known_person.pk}/")
    for event_id in ("", f"esp-1:opened:{known_person.email}"):
        assert not webhook_event_record(esp="postmark", event_id=event_id, event_type="delivered" if not event_id
                                        else "opened", message_id="esp-1", recipient=known_person.email)  # fmt: skip


def test_a_late_bounce_after_erasure_does_not_bring_the_address_back(api_admin_a, known_person, mail_history):
    from notifications.models import SuppressedAddress
    from notifications.services.webhooks import webhook_event_record

    api_admin_a.delete(f"/api/v1/people/{known_person.pk}/")
    assert webhook_event_record(esp="postmark", event_id="late-bounce", event_type="bounced", message_id="esp-1",
                                recipient=known_person.email)  # fmt: skip
    assert not every(SuppressedAddress).exists()


@pytest.mark.usefixtures("fake_postmark")
def test_mail_in_flight_during_erasure_is_never_tried_again(api_admin_a, known_person, centre_a):
    from notifications.models import OutgoingMail
    from notifications.services.sending import mails_send, outbox_requeue_stuck

    in_flight = queued_mail(centre_a, known_person, "reminder", "meeting-3")
    every(OutgoingMail).filter(pk=in_flight.pk).update(status="sending", sending_since="2026-01-01T00:00:00Z")
    api_admin_a.delete(f"/api/v1/people/{known_person.pk}/")
    outbox_requeue_stuck()  # what the sweeper does to a worker's row that never came back
    mails_send([in_flight.pk])
    assert every(OutgoingMail).get(pk=in_flight.pk).status == "suppressed"
    assert every(OutgoingMail).get(pk=in_flight.pk).attempts == 0


def test_erasing_a_starter_ends_their_assignments_so_the_group_gets_another(api_admin_a, volunteer_too):
    from volunteers.models import StarterAssignment

    api_admin_a.delete(f"/api/v1/people/{volunteer_too.person_id}/")
    assert set(every(StarterAssignment).filter(volunteer=volunteer_too).values_list("status", flat=True)) == {"ended"}


def test_a_portal_login_another_centre_still_uses_survives_the_erasure(api_admin_a, volunteer_too, centre_b):
    """Asked in centre A's scope, the erasure still sees centre B's volunteer on the same login."""
    from volunteers.models import Volunteer

    login = volunteer_too.user
    theirs = every(Volunteer).create(centre=centre_b, person=PersonFactory(centre=centre_b), user=login)
    api_admin_a.delete(f"/api/v1/people/{volunteer_too.person_id}/")
    assert every(Volunteer).get(pk=theirs.pk).user == login


def test_events_stored_with_an_address_are_digested_by_the_migration(centre_a):
    import importlib

    from django.apps import apps

    from notifications.models import WebhookEvent
    from notifications.services.webhooks import webhook_event_record

    migration = importlib.import_module("notifications.migrations.0010_erasure_index_and_event_digests")
    WebhookEvent.objects.create(esp="postmark", event_id="m-1:opened:old@example.net", event_type="opened")
    migration.digest_event_ids(apps, None)
    assert "old@example.net" not in everything_stored()
    assert not webhook_event_record(esp="postmark", event_id="m-1:opened:old@example.net", event_type="opened",
                                    message_id="m-1", recipient="old@example.net")  # fmt: skip
