"""The year's figures in the browser: a coordinator reads the centre's last twelve months (demo
data of a year), opens the list behind a figure and comes back, downloads the workbook, and reads
the report in German on a phone; the federation's admin reads the suppressed figures in German; a
member answers the anonymous evaluation from the link in their mail. axe checks every page."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from centres.demo import DEMO_PASSWORD
from centres.scoping import all_centres_scope
from meetings.models import EvaluationAnswer, Group
from meetings.services.evaluation import evaluation_round_open, evaluation_url
from tests.browser.conftest import SCREENSHOTS, check_page
from tests.browser.test_contact_person import switch_language
from tests.browser.test_journeys import CENTRE, staff_login
from tests.factories import every

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE_390 = {"width": 390, "height": 844}


@pytest.fixture
def demo():
    call_command("seed_demo", force=True, verbosity=0)


def last_twelve_months() -> str:
    today = timezone.localdate()
    return f"start={today - timedelta(days=364)}&end={today}"


def test_a_coordinator_reads_the_year_and_the_list_behind_a_figure(page, demo):
    staff_login(page)
    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Figures for the year", level=1)).to_be_visible()
    today = timezone.localdate()
    page.get_by_label("Or from").fill(str(today - timedelta(days=364)))
    page.get_by_label(re.compile(r"^To:?$")).fill(str(today))
    page.get_by_role("button", name="Show the period").click()
    received = page.locator(".report-figures div", has_text="Enquiries received").get_by_role("link")
    expect(received).to_have_text(re.compile(r"^\d{3}$"))
    count = int(received.inner_text())
    expect(page.get_by_role("img", name=re.compile("Enquiries per month, by channel"))).to_be_visible()
    check_page(page)
    page.screenshot(path=SCREENSHOTS / "year-report-desktop.png")
    page.get_by_role("heading", name="Meetings and rooms").scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "year-report-meetings-desktop.png")
    received.click()
    expect(page.get_by_role("heading", name="Behind a figure", level=1)).to_be_visible()
    expect(page.get_by_text(f"{count} rows behind this figure")).to_be_visible()
    expect(page.locator(".report-list li").first).to_contain_text("Enquiry #")
    check_page(page)
    page.get_by_role("link", name="Back to the figures").click()
    expect(page.locator(".report-figures div", has_text="Enquiries received")).to_contain_text(str(count))
    with page.expect_download() as download:
        page.get_by_role("link", name="Download every table (XLSX)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    # The chart's own figures, for whoever does not see it.
    page.get_by_text("The chart's figures").first.click()
    expect(page.locator(".chart-figures").first.get_by_role("table")).to_be_visible()


def test_the_year_in_german_on_a_phone(page, demo):
    page.set_viewport_size(PHONE_390)
    staff_login(page)
    switch_language(page, "Deutsch", "Change")
    page.goto(f"/centres/{CENTRE}/workspace/reports/?{last_twelve_months()}")
    expect(page.get_by_role("heading", name=GERMAN["Figures for the year"], level=1)).to_be_visible()
    expect(page.locator(".report-figures div", has_text=GERMAN["Enquiries received"])).to_be_visible()
    check_page(page)
    page.screenshot(path=SCREENSHOTS / "year-report-phone.png")


def test_the_federation_reads_suppressed_figures_in_german(page, demo):
    page.goto("/workspace/login/")
    page.get_by_label("Username").fill("verband")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/federation/")  # the federation's admin lands on the federation's page
    switch_language(page, "Deutsch", "Change")
    page.get_by_role("link", name=GERMAN["The federation's figures for the year"]).click()
    expect(page.get_by_role("heading", name=GERMAN["The federation's figures"], level=1)).to_be_visible()
    expect(page.locator(".legend")).to_contain_text("×")
    # No count from 1 to 4 is shown anywhere in the tables.
    shown = [text.strip() for text in page.locator("td.number").all_inner_texts()]
    assert shown, "the federation's tables are empty"
    assert not [value for value in shown if value.isdigit() and 1 <= int(value) <= 4]
    check_page(page, "federation-figures")


def test_a_member_answers_the_evaluation_without_a_name(page, demo):
    page.set_viewport_size(PHONE_390)
    with all_centres_scope():
        group = every(Group).get(name="Gesprächskreis Mut")
        round_ = evaluation_round_open(group=group, occasion="phase_out", today=timezone.localdate())
        path = urlsplit(evaluation_url(round_)).path
    page.goto(path)
    expect(page.get_by_role("heading", name="How is your group doing?", level=1)).to_be_visible()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("#error-summary")).to_contain_text("This field is required.")
    check_page(page)
    for question, answer in (
        ("I have felt cheerful and in good spirits", "Most of the time"),
        ("I have felt calm and relaxed", "More than half of the time"),
        ("I have felt active and vigorous", "Some of the time"),
        ("I woke up feeling fresh and rested", "Less than half of the time"),
        ("My daily life has been filled with things that interest me", "All of the time"),
        ("Would you recommend the group", "Yes"),
    ):
        page.get_by_role("group", name=re.compile(question)).get_by_label(answer, exact=True).check()
    check_page(page, "evaluation")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status")).to_contain_text("Your answers are in, without your name.")
    with all_centres_scope():
        answer = every(EvaluationAnswer).get(round=round_)
        assert (answer.cheerful, answer.calm, answer.active, answer.rested, answer.interested) == (4, 3, 1, 2, 5)
    page.goto(path)
    expect(page.get_by_role("status")).to_contain_text("You have answered already.")
    switch_language(page, "Deutsch", "Change")
    expect(page.get_by_role("status")).to_contain_text(GERMAN["You have answered already. Thank you!"])


# What the German pages say (locale/de), where the tests read them.
GERMAN = {
    "Figures for the year": "Zahlen des Jahres",
    "Enquiries received": "Eingegangene Anfragen",
    "The federation's figures": "Die Zahlen des Verbands",
    "The federation's figures for the year": "Die Zahlen des Verbands für das Jahr",
    "You have answered already. Thank you!": "Sie haben bereits geantwortet. Vielen Dank!",
}
