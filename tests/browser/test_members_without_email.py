"""Members without e-mail, in the browser: a coordinator at 390 px, in English and German, finds
Martin (landline only) on the dashboard's "Tell by phone" card after the Christmas closure, ticks
him as told and takes the tick back; records a member's consent to texts on their page; and Heike
turns her texts off and on again on her own page. axe checks every page."""

import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from centres.models import ConsentRecord
from centres.scoping import all_centres_scope
from meetings.member_links import member_url
from meetings.models import Membership, PhoneNotice
from tests.browser.conftest import check_page
from tests.browser.test_contact_person import switch_language
from tests.browser.test_journeys import CENTRE, staff_login
from tests.factories import every

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE_390 = {"width": 390, "height": 844}


@pytest.fixture
def demo():
    call_command("seed_demo", force=True, verbosity=0)


def test_a_coordinator_phones_martin_and_records_texts_for_a_member_in_two_languages(page, demo):
    page.set_viewport_size(PHONE_390)
    staff_login(page)
    page.goto(f"/centres/{CENTRE}/workspace/")
    card = page.locator("li.card", has=page.get_by_role("heading", name="Tell by phone"))
    expect(card.get_by_text("+49 511 555 0177")).to_be_visible()
    check_page(page, "tell-by-phone")
    card.get_by_role("button", name="Told Martin W.").click()
    expect(page.get_by_role("status").get_by_text("Ticked: Martin W. was told.")).to_be_visible()
    with all_centres_scope():
        assert every(PhoneNotice).get(membership__person__display_name="Martin W.").told_at is not None
    page.get_by_role("button", name="Undo: not told yet").click()
    expect(page.get_by_role("status").get_by_text("Martin W. is back on the list to phone.")).to_be_visible()
    with all_centres_scope():
        assert every(PhoneNotice).get(membership__person__display_name="Martin W.").told_at is None

    # In German, the list page and a person's page: Jörg agrees on the phone to get texts.
    switch_language(page, "Deutsch", "Change")
    page.goto(f"/centres/{CENTRE}/workspace/tell-by-phone/")
    expect(page.get_by_role("heading", name="Telefonisch Bescheid geben", level=1)).to_be_visible()
    check_page(page)
    with all_centres_scope():
        joerg = every(Membership).filter(person__display_name="Jörg").first().person
    page.goto(f"/centres/{CENTRE}/workspace/people/{joerg.pk}/")
    page.get_by_label("Mobilnummer").fill("0511 555 0199")
    page.get_by_label(re.compile("einverstanden")).check()
    page.get_by_role("button", name="SMS starten").click()
    expect(page.get_by_role("alert")).to_contain_text("keine Mobilnummer")
    check_page(page)
    page.get_by_label("Mobilnummer").fill("+49 170 5550 1990")
    page.get_by_label(re.compile("einverstanden")).check()
    page.get_by_role("button", name="SMS starten").click()
    expect(page.get_by_role("status")).to_contain_text("SMS")
    check_page(page, "person-texts")
    with all_centres_scope():
        assert every(ConsentRecord).filter(person=joerg, purpose="sms", withdrawn_at__isnull=True).exists()


def test_a_member_turns_texts_off_and_on_on_their_own_page(page, demo):
    page.set_viewport_size(PHONE_390)
    with all_centres_scope():
        heike = every(Membership).get(person__display_name="Heike B.")
        path = urlsplit(member_url(purpose="manage", membership_id=heike.pk)).path
    page.goto(path)
    expect(page.get_by_text("number ending in 1420")).to_be_visible()
    page.get_by_role("button", name="Stop texts").click()
    expect(page.get_by_role("status").get_by_text("Saved: no more texts.")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Text me too").click()
    expect(page.get_by_role("status").get_by_text("Saved: you now also get texts.")).to_be_visible()
    with all_centres_scope():
        assert every(ConsentRecord).filter(person=heike.person, purpose="sms", withdrawn_at__isnull=True).count() == 1
