"""A coordinator keeps the centre's referral partners in the browser: adds a practice from the
intake queue, copies its link, downloads its flyer; a patient scans the code and asks for a group,
and the enquiry names the practice. axe checks every page."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from centres.scoping import all_centres_scope
from intake.models import Enquiry, ReferralPartner
from tests.browser.conftest import SCREENSHOTS, check_page
from tests.browser.test_journeys import CENTRE, staff_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    call_command("seed_demo", force=True, verbosity=0)


def test_a_coordinator_adds_a_partner_whose_flyer_brings_an_enquiry(page, demo):
    staff_login(page)
    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Intake").click()
    page.get_by_role("link", name="Referral partners and flyers").click()
    expect(page.get_by_role("heading", name="Referral partners", level=1)).to_be_visible()
    page.get_by_label("Name").fill("Hausarztpraxis am Lindener Markt")
    page.get_by_label("Kind").select_option(label="Doctor's or therapist's practice")
    page.get_by_label("Contact person").fill("Dr. Weber")
    page.get_by_role("button", name="Add the partner").click()
    added = "Hausarztpraxis am Lindener Markt added; its link and flyers are ready below."
    expect(page.get_by_text(added)).to_be_visible()
    check_page(page)
    page.screenshot(path=SCREENSHOTS / "partners-desktop.png", full_page=True)
    card = page.locator(".card", has_text="Hausarztpraxis am Lindener Markt")
    card.get_by_label("The flyer is about").select_option(label="Trauer")
    with page.expect_download() as download:
        card.get_by_role("button", name="Download the A5 flyer (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    link = card.get_by_label("Referral link").input_value()
    # A patient scans the flyer's code and asks for a group.
    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.get_by_label("Your name or a pseudonym").fill("Rosa")
    page.get_by_label("E-mail address").fill("rosa@example.net")
    page.get_by_label("The contact point may store").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")
    with all_centres_scope():
        partner = ReferralPartner.objects.get(name="Hausarztpraxis am Lindener Markt")
        assert Enquiry.objects.filter(centre__slug=CENTRE, referred_by=partner).count() == 1
