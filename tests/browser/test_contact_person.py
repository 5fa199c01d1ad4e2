"""A self-run group's contact person on a phone (390 px), in English and German: the page their
mail links to, a member's shared contact, cancelling and reinstating a meeting, a request and a
new description, which a coordinator then answers and publishes. axe checks every page."""

import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from centres.scoping import all_centres_scope
from meetings.member_links import member_url
from meetings.models import Group, Meeting, Membership
from tests.browser.conftest import check_page
from tests.browser.test_journeys import CENTRE, link_in_mail, staff_login
from tests.factories import every

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE_390 = {"width": 390, "height": 844}
GROUP = "Dienstagsgruppe Lichtblick"


@pytest.fixture
def demo():
    call_command("seed_demo", force=True, verbosity=0)


def switch_language(page, name: str, button: str) -> None:
    page.get_by_label(re.compile("Language|Sprache")).select_option(label=name)
    page.get_by_role("button", name=button).click()


def test_a_contact_person_runs_their_group_from_a_phone_in_two_languages(page, demo):
    page.set_viewport_size(PHONE_390)
    # Birgit, a member, chooses to share a first name and a phone number with her group.
    with all_centres_scope():
        birgit = every(Membership).get(group__name=GROUP, person__display_name="Birgit S.")
        member_path = urlsplit(member_url(purpose="manage", membership_id=birgit.pk)).path
    page.goto(member_path)
    page.get_by_label("First name").fill("Birgit")
    page.get_by_label("Phone number or e-mail address").fill("0511 555 0123")
    page.get_by_role("button", name="Share with my group").click()
    expect(page.get_by_text("your group's contact person now sees what you share")).to_be_visible()
    check_page(page)

    # Thomas opens the page his mail links to.
    contact_path = urlsplit(link_in_mail(r"https?://\S+/g/\S+/", "t.krueger@example.net")).path
    page.goto(contact_path)
    check_page(page, "contact-person-page")
    expect(page.get_by_role("heading", name=GROUP)).to_be_visible()
    expect(page.get_by_text("Birgit · 0511 555 0123")).to_be_visible()
    expect(page.get_by_text("Thomas")).to_have_count(0)  # never the roster

    # He cancels the next meeting, after the page says who is told, then takes it back.
    page.get_by_role("link", name="Cancel the meeting").first.click()
    with all_centres_scope():
        members = every(Membership).filter(group__name=GROUP, left_on__isnull=True).count()
    expect(page.get_by_text(f"The group's {members} members are told at once.")).to_be_visible()
    check_page(page)
    page.get_by_label("Note for the members").fill("Wir machen Pause.")
    page.get_by_role("button", name="Yes, cancel the meeting").click()
    expect(page.locator("#result")).to_contain_text("The meeting is cancelled")
    with all_centres_scope():
        # The next meeting: the demo's group has a year of meetings behind it.
        first = every(Meeting).filter(group__name=GROUP, ends_at__gt=timezone.now()).order_by("starts_at").first()
        assert first.status == "cancelled"
    page.get_by_role("button", name="It takes place after all").click()
    expect(page.locator("#result")).to_contain_text("The meeting takes place again")

    # A request for a bigger room, then the same page in German, with a new description.
    page.get_by_label("What do you ask for?").select_option(label="Another room")
    page.get_by_label("Your message").fill("Wir sind jetzt zehn: ein größerer Raum, bitte.")
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator("#result")).to_contain_text("Your request is with the contact point")
    switch_language(page, "Deutsch", "Change")
    expect(page.get_by_role("heading", name="Nächste Treffen")).to_be_visible()
    check_page(page)
    page.get_by_role("textbox", name="Öffentliche Beschreibung").fill("Ein offener Gesprächskreis, dienstags am Abend.")
    page.get_by_role("button", name="Neue Beschreibung senden").click()
    expect(page.locator("#result")).to_be_visible()
    check_page(page)

    # The coordinator publishes the description from the requests queue.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 860})
    staff_login(page)
    page.goto(f"/centres/{CENTRE}/workspace/group-requests/")
    check_page(page)
    expect(page.get_by_text("Wir sind jetzt zehn")).to_be_visible()
    page.get_by_role("button", name="Publish the description").click()
    expect(page.locator("#result")).to_contain_text("is public now")
    with all_centres_scope():
        assert every(Group).get(name=GROUP).description == "Ein offener Gesprächskreis, dienstags am Abend."
