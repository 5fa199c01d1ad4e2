"""The federation's group finder in the browser: a visitor searches by word, by place and with
the filters, on a desktop in English and on a phone in German, and opens a group's page; a
partner site frames the centre's finder and a site not on the centre's list is refused. axe
checks every page; the README's screenshots are taken here."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from centres.models import Centre
from tests.browser.conftest import SCREENSHOTS, check_page, fits_a_phone
from tests.factories import every

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE_390 = {"width": 390, "height": 844}
HANNOVER = ["Dienstagsgruppe Lichtblick", "Gesprächskreis Mut", "Trauercafé Linden"]
AARHUS = ["Onsdagsgruppen", "Pårørendegruppen"]


@pytest.fixture
def demo():
    call_command("seed_demo", force=True, verbosity=0)


def group_heading(page, name: str):
    return page.get_by_role("heading", name=name, level=2, exact=True)


def test_a_visitor_finds_a_group_by_word_place_and_filter(page, demo):
    page.goto("/groups/")
    expect(page.get_by_role("heading", name="Find a self-help group", level=1)).to_be_visible()
    for name in HANNOVER + AARHUS:
        expect(group_heading(page, name)).to_be_visible()
    check_page(page)
    page.get_by_label("Words").fill("Trauer")
    page.get_by_role("button", name="Show groups").click()
    expect(group_heading(page, "Trauercafé Linden")).to_be_visible()
    expect(group_heading(page, "Dienstagsgruppe Lichtblick")).to_have_count(0)
    expect(page.get_by_text("Ask: Selbsthilfe-Kontaktstelle Hannover-Linden").first).to_be_visible()
    page.get_by_label("Words").fill("")
    page.get_by_label("Postcode or town").fill("30451")
    page.get_by_label("Within").select_option(label="25 km")
    page.get_by_role("button", name="Show groups").click()
    for name in HANNOVER:
        expect(group_heading(page, name)).to_be_visible()
    for name in AARHUS:
        expect(group_heading(page, name)).to_have_count(0)
    expect(page.get_by_text(re.compile(r"(about \d+|less than 1) km away")).first).to_be_visible()
    page.get_by_text("More filters").click()
    page.get_by_label("Hearing loop").check()
    page.get_by_role("button", name="Show groups").click()
    expect(group_heading(page, "Gesprächskreis Mut")).to_be_visible()
    expect(group_heading(page, "Dienstagsgruppe Lichtblick")).to_have_count(0)
    expect(page.get_by_label("Hearing loop")).to_be_checked()  # the filters stay open and set
    check_page(page)
    page.screenshot(path=SCREENSHOTS / "finder-desktop.png", full_page=True)
    page.get_by_label("Postcode or town").fill("Atlantis")
    page.get_by_role("button", name="Show groups").click()
    expect(page.get_by_role("alert")).to_contain_text("We don't know the place “Atlantis”")
    group_heading(page, "Gesprächskreis Mut").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Gesprächskreis Mut", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Ask to join")).to_be_visible()
    check_page(page)


def test_a_visitor_searches_on_a_phone_in_german(page, demo):
    page.set_viewport_size(PHONE_390)
    page.goto("/groups/?lang=de")
    expect(page.get_by_role("heading", name="Finden Sie eine Selbsthilfegruppe", level=1)).to_be_visible()
    page.get_by_label("Suchbegriffe").fill("Sorg")
    page.get_by_label("Postleitzahl oder Ort").fill("Aarhus")
    page.get_by_role("button", name="Gruppen anzeigen").click()
    expect(group_heading(page, "Onsdagsgruppen")).to_be_visible()
    expect(page.get_by_text("Auskunft bei: Selvhjælpscenter Aarhus").first).to_be_visible()
    for name in HANNOVER:
        expect(group_heading(page, name)).to_have_count(0)
    assert page.evaluate("document.documentElement.lang") == "de"
    fits_a_phone(page)
    check_page(page)
    page.screenshot(path=SCREENSHOTS / "finder-phone.png", full_page=True)


def test_only_the_centres_own_websites_may_frame_its_finder(page, demo, live_server):
    """Chromium itself refuses the frame on a site the centre did not name. The partner sites and
    the platform's public address are answered through Playwright's routing (the platform's from
    the live server, headers and all), so no request leaves the machine and the browser sees
    three public sites, as in the world."""
    every(Centre).filter(slug="hannover-linden").update(frame_origins="https://partner.example")
    host = (
        '<!doctype html><html lang="en"><title>Partner</title>'
        '<iframe src="https://kontakt.example/embed/centres/hannover-linden/groups/" title="Groups"></iframe>'
    )

    def platform(route) -> None:
        answer = route.fetch(url=route.request.url.replace("https://kontakt.example", live_server.url))
        route.fulfill(response=answer)

    def serve(tab, site: str) -> None:
        tab.route(site, lambda route: route.fulfill(status=200, content_type="text/html", body=host))
        tab.route("https://kontakt.example/**", platform)

    serve(page, "https://partner.example/")
    page.goto("https://partner.example/")
    framed = page.frame_locator("iframe")
    expect(framed.get_by_role("heading", name="Dienstagsgruppe Lichtblick", level=2)).to_be_visible()
    # Another tab: Chromium reports the refusal on the console, which the `page` fixture would
    # count as a policy problem of the site's own pages.
    stranger = page.context.new_page()
    refusals: list[str] = []
    stranger.on("console", lambda message: refusals.append(message.text))
    serve(stranger, "https://stranger.example/")
    stranger.goto("https://stranger.example/")
    stranger.wait_for_timeout(1500)
    assert "Dienstagsgruppe" not in stranger.frames[-1].content()
    assert any("frame-ancestors" in text for text in refusals), refusals
