"""Events in the browser: a coordinator plans an information evening in a room (desktop,
English); a visitor registers on a phone in German and confirms the address; the next visitor, in
English, finds it full and joins the waiting list. axe checks every page; the README's
screenshots come from here."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from centres.scoping import all_centres_scope
from events.models import Registration
from meetings.models import Room
from tests.browser.conftest import check_page
from tests.browser.test_journeys import CENTRE, link_in_mail, staff_login
from tests.factories import every

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_390 = {"width": 390, "height": 844}
TITLE = "Informationsabend: Selbsthilfe kennenlernen"


@pytest.fixture
def demo():
    call_command("seed_demo", force=True, verbosity=0)


def next_weekday(days: int):
    day = timezone.localdate() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def plan_event(page) -> None:
    with all_centres_scope():
        room = every(Room).get(location__centre__slug=CENTRE, name="Raum Ahorn")
    staff_login(page)
    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Events").click()
    page.get_by_role("link", name="Plan an event").click()
    page.get_by_label("Kind").select_option(label="Information evening")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("What happens").fill("Wie arbeiten Selbsthilfegruppen? Fragen sind willkommen.")
    page.get_by_label("Places").fill("1")
    page.get_by_label("Date").fill(next_weekday(7).isoformat())
    page.get_by_label("Start time").fill("10:00")
    page.get_by_role("combobox", name="Room").select_option(value=str(room.pk))
    page.get_by_role("button", name="Plan the event").click()
    expect(page.get_by_text(f"{TITLE} is planned and open for registration.")).to_be_visible()
    expect(page.get_by_text("0 of 1 places taken")).to_be_visible()
    check_page(page, "event-workspace")


def test_people_register_for_an_event_in_two_languages(page, demo):
    plan_event(page)
    # A visitor on a phone, in German.
    page.context.clear_cookies()
    page.set_viewport_size(PHONE_390)
    page.goto(f"/centres/{CENTRE}/events/?lang=de")
    expect(page.get_by_role("heading", name="Veranstaltungen", level=1)).to_be_visible()
    check_page(page)
    page.get_by_role("link", name=TITLE).click()
    page.get_by_label("Ihr Name oder ein Pseudonym").fill("Rosa")
    page.get_by_label("E-Mail-Adresse").fill("rosa@example.net")
    page.get_by_role("checkbox").check()
    check_page(page, "event-page")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sehen Sie in Ihr E-Mail-Postfach")
    confirm = urlsplit(link_in_mail(r"https?://\S+/events/confirm/\S+/", "rosa@example.net")).path
    page.goto(confirm)
    page.get_by_role("button", name="Anmeldung bestätigen").click()
    expect(page.get_by_text("Sie haben einen Platz. Wir erinnern Sie am Tag davor.")).to_be_visible()
    check_page(page)
    # The next visitor, in English on a desktop: the evening is full.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 860})
    page.goto(f"/centres/{CENTRE}/events/?lang=en")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_text("All places are taken.")).to_be_visible()
    page.get_by_label("Your name or a pseudonym").fill("Ben")
    page.get_by_label("E-mail address").fill("ben@example.net")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Join the waiting list").click()
    confirm = urlsplit(link_in_mail(r"https?://\S+/events/confirm/\S+/", "ben@example.net")).path
    page.goto(confirm)
    page.get_by_role("button", name="Confirm my registration").click()
    expect(page.get_by_text("You are number 1 on the waiting list.")).to_be_visible()
    with all_centres_scope():
        statuses = dict(every(Registration).filter(event__title=TITLE).values_list("name", "status"))
    assert statuses == {"Rosa": "confirmed", "Ben": "waiting"}
    # Rosa cannot come after all: she cancels from her mail, and Ben moves up.
    own = urlsplit(link_in_mail(r"https?://\S+/events/registration/\S+/", "rosa@example.net")).path
    page.goto(own)
    page.get_by_role("link", name="I can't come: cancel my registration").click()
    page.get_by_role("button", name="Yes, cancel my registration").click()
    expect(page.get_by_text("Your registration is cancelled.")).to_be_visible()
    with all_centres_scope():
        assert every(Registration).get(event__title=TITLE, name="Ben").status == "confirmed"
