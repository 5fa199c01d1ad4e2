"""An enquiry on the public form with an address the centre already knows proves nothing about who
sent it (anyone can type anyone's address). It belongs to no one, and changes nothing the known
person consented to, until a click on the link mailed to that address confirms it. The public
answer is the same for known and unknown addresses."""

import re
import time
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from centres.models import ConsentRecord
from centres.scoping import all_centres_scope
from centres.services.privacy import person_export
from intake.models import Enquiry
from intake.selectors import enquiries_by_month
from intake.services.queue import enquiry_transition
from intake.services.retention import enquiries_unconfirmed_delete
from intake.services.submission import CONSENT_TEXT_VERSION
from notifications.models import OutgoingMail
from tests.factories import PersonFactory, TopicFactory, every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


@pytest.fixture
def addiction(centre_a):
    return TopicFactory(centre=centre_a, name="Sucht")


@pytest.fixture
def alma(centre_a):
    """Known to the centre (a newsletter reader, say), with no consent about her health."""
    return PersonFactory(centre=centre_a, display_name="Alma A.", email="alma@example.net", language="de")


def form(topic, **overrides) -> dict:
    return {
        "name": "Alma",
        "email": "alma@example.net",
        "language": "de",
        "topics": [str(topic.pk)],
        "message": "Ich trinke zu viel.",
        "consent": "on",
        **overrides,
    }


def without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def confirmation_path(enquiry: Enquiry) -> str:
    """The link in the mail that asked the known address to confirm `enquiry`."""
    mail = (
        every(OutgoingMail)
        .select_related("content")
        .get(idempotency_key__startswith=f"system:enquiry-confirm-{enquiry.pk}:")
    )
    return re.search(r"/enquiry/confirm/\S+/", mail.content.body_text).group(0)


def test_a_known_address_attaches_nothing_to_the_person_until_it_confirms(client, centre_a, addiction, alma):
    answer = client.post(f"/centres/{centre_a.slug}/enquiry/", form(addiction))

    assert "Your message has reached the contact point" in answer.content.decode()
    enquiry = every(Enquiry).get()
    assert (enquiry.person, enquiry.consent, enquiry.awaiting_confirmation) == (None, None, True)
    assert not every(ConsentRecord).filter(person=alma).exists()
    assert "intake.Enquiry" not in person_export(alma)["records"]
    # The address is asked to confirm; the mail names neither the topic nor what was written, and
    # its link is as secret as a login link: staff never see it.
    mail = every(OutgoingMail).select_related("content").get(recipient="alma@example.net")
    assert (mail.sensitive, mail.person_id) == (True, alma.pk)
    assert "/enquiry/confirm/" in mail.content.body_text
    assert "Sucht" not in mail.content.body_text + mail.content.subject
    assert "trinke" not in mail.content.body_text


def test_staff_see_the_unconfirmed_enquiry_but_not_whose_it_might_be(
    client, centre_a, addiction, alma, api_a, coordinator_a
):
    client.post(f"/centres/{centre_a.slug}/enquiry/", form(addiction))
    enquiry = every(Enquiry).get()

    detail = api_a.get(f"/api/v1/enquiries/{enquiry.pk}/").json()
    assert (detail["awaiting_confirmation"], detail["name"], detail["email"]) == (True, "", "")
    assert detail["message"] == "Ich trinke zu viel."
    refused = api_a.post(f"/api/v1/enquiries/{enquiry.pk}/transition/", {"to": "contacted"}, format="json")
    assert refused.status_code == 409
    assert "waits until that address confirms it" in refused.json()["error"]["message"]

    client.force_login(coordinator_a)
    queue = client.get(f"/centres/{centre_a.slug}/intake/").content.decode()
    assert "(address not confirmed yet)" in queue
    assert "alma@example.net" not in queue
    page = client.get(f"/centres/{centre_a.slug}/intake/{enquiry.pk}/").content.decode()
    assert "belongs to no one until that address confirms it" in page
    assert "alma@example.net" not in page
    assert 'value="transition"' not in page
    assert 'value="note"' not in page


def test_the_confirm_click_attaches_the_enquiry_and_records_the_consent(client, centre_a, addiction, alma):
    client.post(f"/centres/{centre_a.slug}/enquiry/", form(addiction))
    enquiry = every(Enquiry).get()
    path = confirmation_path(enquiry)

    asked = client.get(path)
    assert "Yes, I wrote this" in asked.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.awaiting_confirmation  # a mail scanner following the link confirms nothing

    done = client.post(path)
    assert "Your message has reached the contact point" in done.content.decode()
    enquiry.refresh_from_db()
    consent = every(ConsentRecord).get(person=alma, purpose="health_data")
    assert (enquiry.person, enquiry.consent, enquiry.awaiting_confirmation) == (alma, consent, False)
    assert (consent.source, consent.text_version) == ("confirmation_link", CONSENT_TEXT_VERSION)
    assert timezone.now() - consent.given_at < timedelta(minutes=1)  # it counts from the click
    assert (alma.display_name, enquiry.person_created) == ("Alma A.", False)  # not renamed

    assert client.post(path).status_code == 200  # a second click changes nothing
    assert every(ConsentRecord).filter(person=alma).count() == 1
    moved = enquiry_transition(actor=None, enquiry=enquiry, to=Enquiry.Status.CONTACTED)
    assert moved.status == "contacted"


def test_the_public_answer_is_the_same_for_known_and_unknown_addresses(
    client, anonymous_api, centre_a, addiction, alma
):
    known = client.post(f"/centres/{centre_a.slug}/enquiry/", form(addiction))
    unknown = client.post(f"/centres/{centre_a.slug}/enquiry/", form(addiction, email="neu@example.net"))
    assert known.status_code == unknown.status_code == 200
    assert without_csrf(known) == without_csrf(unknown)

    payload = {"name": "A.", "language": "de", "topics": [addiction.pk], "consent": True}
    url = f"/api/v1/centres/{centre_a.slug}/enquiries/"
    known_api = anonymous_api.post(url, {**payload, "email": "alma@example.net"}, format="json")
    unknown_api = anonymous_api.post(url, {**payload, "email": "anders@example.net"}, format="json")
    assert (known_api.status_code, known_api.json()) == (unknown_api.status_code, unknown_api.json())
    # Both addresses got one mail; the known one was asked, the new one thanked.
    assert every(OutgoingMail).filter(recipient="alma@example.net").count() == 2
    assert every(OutgoingMail).filter(recipient="anders@example.net").count() == 1
    assert list(every(Enquiry).order_by("pk").values_list("awaiting_confirmation", flat=True)) == [
        True,
        False,
        True,
        False,
    ]


def test_a_forged_or_expired_link_attaches_nothing(client, centre_a, addiction, alma, monkeypatch):
    other = PersonFactory(centre=centre_a, email="other@example.net")
    client.post(f"/centres/{centre_a.slug}/enquiry/", form(addiction))
    enquiry = every(Enquiry).get()
    path = confirmation_path(enquiry)
    # Someone who knows how the link is made cannot point it at another person without the key.
    forged = signing.dumps({"e": enquiry.pk, "p": other.pk}, salt="kontakt.enquiry.confirm", key="not-the-key")
    assert client.post(f"/enquiry/confirm/{forged}/").status_code == 404
    assert client.post(path.replace("/confirm/", "/confirm/x")).status_code == 404
    later = time.time() + 8 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404
    enquiry.refresh_from_db()
    assert (enquiry.person, enquiry.awaiting_confirmation) == (None, True)
    assert not every(ConsentRecord).exists()


def test_an_enquiry_never_confirmed_goes_after_30_days_with_its_mail(client, centre_a, addiction, alma):
    client.post(f"/centres/{centre_a.slug}/enquiry/", form(addiction))
    client.post(f"/centres/{centre_a.slug}/enquiry/", form(addiction, message="Noch eine Frage."))
    old, young = every(Enquiry).order_by("pk")
    every(Enquiry).filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    every(Enquiry).filter(pk=young.pk).update(created_at=timezone.now() - timedelta(days=29))

    assert enquiries_unconfirmed_delete() == 1

    assert list(every(Enquiry).values_list("pk", flat=True)) == [young.pk]
    assert not every(OutgoingMail).filter(idempotency_key__contains=f"enquiry-confirm-{old.pk}:").exists()
    assert every(OutgoingMail).filter(idempotency_key__contains=f"enquiry-confirm-{young.pk}:").exists()
    assert enquiries_unconfirmed_delete() == 0


def test_a_coordinator_recording_an_enquiry_for_a_known_address_needs_no_confirmation(api_a, addiction, alma):
    payload = {"name": "Alma", "email": "alma@example.net", "language": "de", "topics": [addiction.pk],
               "consent": True, "channel": "phone"}  # fmt: skip
    answer = api_a.post("/api/v1/enquiries/", payload, format="json")
    assert answer.status_code == 201
    with all_centres_scope():
        enquiry = every(Enquiry).get()
    assert (enquiry.person, enquiry.awaiting_confirmation) == (alma, False)
    assert every(ConsentRecord).get(person=alma).source == "phone"


def test_the_reports_count_an_enquiry_once_its_address_confirmed_it(client, centre_a, addiction, alma):
    client.post(f"/centres/{centre_a.slug}/enquiry/", form(addiction))
    today = timezone.localdate()

    def counted() -> int:
        rows = enquiries_by_month(centre_ids=[centre_a.pk], start=today, end=today)
        return sum(row["enquiries"] for row in rows)

    assert counted() == 0
    client.post(confirmation_path(every(Enquiry).get()))
    assert counted() == 1


def test_the_privacy_notice_says_a_known_address_confirms_first(client, centre_a):
    page = client.get(f"/centres/{centre_a.slug}/privacy/").content.decode()
    assert "we first ask that address to confirm your message" in page
