"""Referral partners: a coordinator keeps them, each has a link and an A5 flyer with a QR code; an
enquiry made through the link records the partner; the year report counts referrals by kind;
the partner and the public learn nothing about the people referred."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from intake.models import Enquiry, ReferralPartner
from intake.services.partners import partner_create
from tests.factories import TopicFactory, every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]

FORM = {"name": "Rosa Rot", "email": "rosa@example.net", "language": "de", "consent": "on"}


@pytest.fixture
def praxis(centre_a):
    return partner_create(
        actor=None,
        centre=centre_a,
        name="Praxis am Markt",
        kind="practice",
        contact_name="Dr. Gisela Markt",
        contact_email="praxis@example.org",
    )


def test_the_link_leads_to_the_enquiry_form_and_the_enquiry_records_the_partner(client, centre_a, praxis):
    topic = TopicFactory(centre=centre_a, name="Trauer")
    answer = client.get(f"/r/{praxis.code.upper()}/?t={topic.pk}")  # typed from the flyer in capitals
    assert answer.status_code == 302
    assert answer["Location"] == f"/centres/{centre_a.slug}/enquiry/?ref={praxis.code}&topic={topic.pk}"
    form = client.get(answer["Location"]).content.decode()
    assert f'name="ref" value="{praxis.code}"' in form
    assert "Praxis am Markt" not in form  # the visitor's page does not name who sent them
    sent = client.post(f"/centres/{centre_a.slug}/enquiry/", {**FORM, "ref": praxis.code, "topics": [topic.pk]})
    assert sent.status_code == 200
    enquiry = Enquiry.objects.get(centre=centre_a)
    assert enquiry.referred_by == praxis
    assert list(enquiry.topics.all()) == [topic]


@pytest.mark.parametrize("code", ["unknown1", "", "x" * 40, "a'b", "%00"])
def test_an_unknown_or_broken_code_records_no_one_and_the_enquiry_still_goes_through(client, centre_a, praxis, code):
    sent = client.post(f"/centres/{centre_a.slug}/enquiry/", {**FORM, "ref": code})
    assert sent.status_code in (200, 400)
    if sent.status_code == 200:
        assert Enquiry.objects.get(centre=centre_a).referred_by is None
    else:
        assert "ref" in sent.content.decode()  # too long: the hidden field's error, nothing stored
        assert not Enquiry.objects.filter(centre=centre_a).exists()


def test_a_stopped_or_another_centres_partner_records_nothing(client, centre_a, centre_b, praxis):
    other = partner_create(actor=None, centre=centre_b, name="Klinik Nord", kind="clinic")
    client.post(f"/centres/{centre_a.slug}/enquiry/", {**FORM, "ref": other.code})
    assert Enquiry.objects.get(centre=centre_a).referred_by is None
    praxis.is_active = False
    praxis.save(update_fields=["is_active"])
    assert client.get(f"/r/{praxis.code}/").status_code == 404
    assert client.get("/r/nothing1/").status_code == 404
    for broken in ("%00", "a%27b", "x" * 40, "%C3%A4bc"):
        assert client.get(f"/r/{broken}/").status_code == 404, broken


def test_a_coordinator_adds_a_partner_and_gets_its_link_and_flyer(client, centre_a, coordinator_a, settings):
    settings.SITE_URL = "https://kontakt.example"  # flyers print the platform's public address
    topic = TopicFactory(centre=centre_a, name="Angehörige")
    client.force_login(coordinator_a)
    added = client.post(
        f"/centres/{centre_a.slug}/workspace/partners/",
        {"name": "Beratungsstelle Süd", "kind": "counselling", "is_active": "on"},
        follow=True,
    )
    page = added.content.decode()
    partner = ReferralPartner.objects.get(centre=centre_a)
    assert "Beratungsstelle Süd added; its link and flyers are ready below." in page
    assert f"https://kontakt.example/r/{partner.code}/" in page
    flyer = client.get(
        f"/centres/{centre_a.slug}/workspace/partners/{partner.pk}/flyer.pdf",
        {"about": f"t{topic.pk}", "language": "de"},
    )
    assert flyer["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(flyer.content)).pages)
    assert "Selbsthilfegruppe: Angehörige" in text
    assert f"https://kontakt.example/r/{partner.code}/?t={topic.pk}" in text
    assert "Beratungsstelle Süd" in text
    assert len(PdfReader(io.BytesIO(flyer.content)).pages[0].images) == 1  # the QR code
    assert PdfReader(io.BytesIO(flyer.content)).pages[0].mediabox.width == pytest.approx(419.53, abs=0.5)  # A5
    refused = client.get(f"/centres/{centre_a.slug}/workspace/partners/{partner.pk}/flyer.pdf", {"about": "t999"})
    assert refused.status_code == 302  # back to the page, with the message naming what to choose


def test_a_partner_of_the_same_name_is_refused_with_a_message(client, centre_a, coordinator_a, praxis):
    client.force_login(coordinator_a)
    answer = client.post(
        f"/centres/{centre_a.slug}/workspace/partners/", {"name": "Praxis am Markt", "kind": "practice"}
    )
    assert answer.status_code == 400
    assert "The centre already has a partner of that name." in answer.content.decode()
    assert ReferralPartner.objects.filter(centre=centre_a).count() == 1


def test_the_year_report_counts_referrals_by_partner_kind(client, centre_a, centre_admin_a, praxis):
    clinic = partner_create(actor=None, centre=centre_a, name="Klinikum", kind="clinic")
    for partner, email in (
        (praxis, "a@example.net"),
        (praxis, "b@example.net"),
        (clinic, "c@example.net"),
        (None, "d@example.net"),
    ):
        client.post(
            f"/centres/{centre_a.slug}/enquiry/", {**FORM, "email": email, "ref": partner.code if partner else ""}
        )
    assert every(Enquiry).filter(centre=centre_a).count() == 4
    client.force_login(centre_admin_a)
    today = timezone.localdate()
    period = {"start": today - timedelta(days=30), "end": today}
    page = client.get(f"/centres/{centre_a.slug}/workspace/reports/", period).content.decode()
    assert "Who referred them" in page
    listed = client.get(
        f"/centres/{centre_a.slug}/workspace/reports/list/", {**period, "figure": "enquiries", "referrer": "practice"}
    )
    assert listed.status_code == 200
    assert "2 rows behind this figure" in listed.content.decode()
    none = client.get(
        f"/centres/{centre_a.slug}/workspace/reports/list/", {**period, "figure": "enquiries", "referrer": "none"}
    )
    assert "1 row behind this figure" in none.content.decode()
    bad = client.get(
        f"/centres/{centre_a.slug}/workspace/reports/list/", {**period, "figure": "enquiries", "referrer": "pharmacy"}
    )
    assert bad.status_code == 400
