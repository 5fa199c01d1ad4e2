"""Journeys through the site in a real browser (Chromium), on the demo data: each step as a person
would take it, every page checked with axe-core (no serious or critical violations), key pages
saved as screenshots at desktop and phone width."""

import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from centres.demo import DEMO_PASSWORD
from centres.models import StaffRole
from centres.scoping import all_centres_scope
from meetings.member_links import member_url
from meetings.models import Group, Meeting, Membership
from notifications import tasks
from notifications.models import IssueChunk, NewsletterIssue, NewsletterIssueText, NewsletterList, Subscription
from notifications.selectors import issue_figures
from notifications.services.newsletter_issues import issue_schedule, issues_send_due
from tests.browser.conftest import check_page
from tests.factories import StaffRoleFactory, every
from volunteers.models import SessionLog, Volunteer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CENTRE = "hannover-linden"


@pytest.fixture
def demo():
    call_command("seed_demo", force=True, verbosity=0)


def staff_login(page, username: str = "anna", password: str = DEMO_PASSWORD) -> None:
    """Log in on the workspace's own page, as staff do; it opens the centre's dashboard."""
    page.goto("/workspace/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/workspace/")


def link_in_outbox(page, pattern: str, recipient: str) -> str:
    """What a coordinator sees in the centre's outbox: the newest mail to `recipient`, and the
    first link in it that matches `pattern`."""
    page.goto(f"/centres/{CENTRE}/outbox/")
    mail = page.locator("details.mail", has_text=recipient).first
    mail.locator("summary").click()
    text = mail.locator("pre").inner_text()
    return re.search(pattern, text)[0]


def outbox_shows(page, kind: str) -> str:
    """What a coordinator sees of the newest mail of this kind in the centre's outbox."""
    page.goto(f"/centres/{CENTRE}/outbox/")
    mail = page.locator("details.mail", has_text=kind).first
    mail.locator("summary").click()
    return mail.inner_text()


def link_in_mail(pattern: str, recipient: str) -> str:
    """What the recipient got: the first link matching `pattern` in their newest mail that has
    one. Staff never see these links (confirmations, logins, a subscriber's own links)."""
    from notifications.models import OutgoingMail

    with all_centres_scope():
        mails = every(OutgoingMail).select_related("content").filter(recipient=recipient).order_by("-pk")
        return next(found[0] for mail in mails if (found := re.search(pattern, mail.body_text)))


def test_the_public_pages_are_accessible(page, demo):
    with all_centres_scope():
        group = every(Group).filter(centre__slug=CENTRE, name="Dienstagsgruppe Lichtblick").get()
    pages = {
        "home": "/",
        "centre-home": f"/centres/{CENTRE}/",
        "group-finder": f"/centres/{CENTRE}/groups/",
        "group-page": f"/centres/{CENTRE}/groups/{group.public_id}/",
        "enquiry": f"/centres/{CENTRE}/enquiry/",
        "volunteer-signup": f"/centres/{CENTRE}/volunteer/",
        "newsletter-subscribe": f"/centres/{CENTRE}/newsletter/",
        "privacy": f"/centres/{CENTRE}/privacy/",
        "volunteer-login": "/volunteer/login/",
    }
    for name, path in pages.items():
        page.goto(path)
        check_page(page, name if name in {"centre-home", "group-finder", "group-page", "enquiry"} else None)
    # A form sent with mistakes: the errors are tied to their fields and announced.
    page.goto(f"/centres/{CENTRE}/enquiry/")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    check_page(page)


def test_subscribe_confirm_receive_an_issue_and_unsubscribe_in_one_click(page, demo):
    page.goto(f"/centres/{CENTRE}/newsletter/")
    page.get_by_label("Your e-mail address").fill("leserin@example.net")
    page.get_by_label("Rundbrief der Kontaktstelle").check()
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", name="Please check your inbox")).to_be_visible()
    check_page(page)

    coordinator = page.context.browser.new_context(base_url=page.url.split("/centres/")[0]).new_page()
    staff_login(coordinator)
    assert "[hidden: this mail holds a personal link]" in outbox_shows(coordinator, "Newsletter confirmation")
    confirm = link_in_mail(r"https?://\S+/newsletter/confirm/\S+/", "leserin@example.net")
    page.goto(confirm)
    check_page(page)
    page.get_by_role("button", name="Yes, subscribe me").click()
    expect(page.get_by_role("heading", name="Thank you – you are subscribed")).to_be_visible()

    # The coordinator sends an issue; the workers make and send its mails.
    with all_centres_scope():
        newsletter = every(NewsletterList).get(centre__slug=CENTRE, name="Rundbrief der Kontaktstelle")
        issue = every(NewsletterIssue).create(centre=newsletter.centre, newsletter=newsletter, title="Dezember")
        NewsletterIssueText.objects.create(issue=issue, language="de", subject="Neues im Dezember", body="Hallo!")
        issue_schedule(issue=issue)
        issues_send_due()
        for chunk in every(IssueChunk).filter(issue=issue).values_list("pk", flat=True):
            tasks.queue_issue_chunk.run(chunk)
    preferences = link_in_mail(r"https?://\S+/newsletter/preferences/\S+/", "leserin@example.net")
    page.goto(preferences)
    check_page(page)
    unsubscribe = link_in_mail(r"https?://\S+/newsletter/unsubscribe/\S+/", "leserin@example.net")
    page.goto(unsubscribe)
    check_page(page)
    page.get_by_role("button", name="Yes, unsubscribe me").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    check_page(page)
    with all_centres_scope():
        assert every(Subscription).get(person__email="leserin@example.net").status == "unsubscribed"


def test_a_member_opens_their_meetings_and_calendar_link(page, demo):
    with all_centres_scope():
        membership = every(Membership).filter(group__centre__slug=CENTRE, person__display_name="Thomas").first()
        url = member_url(purpose="manage", membership_id=membership.pk)
    page.goto(urlsplit(url).path)
    check_page(page, "member-page")
    expect(page.get_by_text(membership.group.name).first).to_be_visible()
    page.get_by_role("link", name="I can't come this time").first.click()
    check_page(page)
    page.goto(urlsplit(url).path + "?leave=1")
    check_page(page)


def test_a_volunteer_signs_up_confirms_is_activated_and_logs_a_session(page, demo):
    page.goto(f"/centres/{CENTRE}/volunteer/")
    page.get_by_label("Your name").fill("Vera Neu")
    page.get_by_label("Your e-mail address").fill("vera.neu@example.net")
    page.get_by_label("English").first.check()
    page.get_by_label("Tuesday").check()
    page.get_by_label("I am free in the evening").check()
    page.get_by_label("The contact point may store these details").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Please check your inbox")).to_be_visible()

    coordinator = page.context.browser.new_context(base_url=page.url.split("/centres/")[0]).new_page()
    staff_login(coordinator)
    confirm = link_in_mail(r"https?://\S+/volunteer/confirm/\S+/", "vera.neu@example.net")
    page.goto(confirm)
    check_page(page)
    page.get_by_role("button").filter(has_text="onfirm").click()
    check_page(page)

    # The coordinator takes her through screening, training and the agreement to active.
    coordinator.goto(f"/centres/{CENTRE}/volunteers/")
    check_page(coordinator, "workspace-volunteers")
    row = coordinator.locator("tr", has_text="Vera Neu")
    row.get_by_role("link", name="Vera Neu").click()
    check_page(coordinator)
    coordinator.get_by_label("Screening conversation on").fill(timezone.localdate().isoformat())
    coordinator.get_by_role("button", name="Screened").click()
    coordinator.get_by_label("Course").fill("Starter-Grundkurs")
    coordinator.get_by_label("Completed on").fill(timezone.localdate().isoformat())
    coordinator.get_by_role("button", name="Add the training").click()
    coordinator.get_by_role("button", name="Trained").click()
    coordinator.get_by_label("Confidentiality agreement signed on").fill(timezone.localdate().isoformat())
    coordinator.get_by_role("button", name="Active").click()
    expect(coordinator.get_by_text("Status: Active")).to_be_visible()
    with all_centres_scope():
        vera = every(Volunteer).get(person__email="vera.neu@example.net")
        assert vera.status == "active"
        # She starts the group that is phasing out (its meetings have taken place).
        from volunteers.services.assignments import assignment_create

        group = every(Group).get(centre__slug=CENTRE, name="Gesprächskreis Neubeginn")
        past = every(Meeting).filter(group=group, starts_at__lt=timezone.now()).order_by("starts_at")
        assignment = assignment_create(actor=None, group=group, volunteer=vera, starts_on=past.first().starts_at.date())

    page.goto("/volunteer/login/")
    page.get_by_label("Your e-mail address").first.fill("vera.neu@example.net")
    page.get_by_role("button", name="Send me a link").click()
    shown = outbox_shows(coordinator, "System message")
    assert "[hidden: this mail holds a personal link]" in shown  # staff never see the link itself
    assert "/volunteer/login/" not in shown
    link = link_in_mail(r"https?://\S+/volunteer/login/\S+/", "vera.neu@example.net")
    page.goto(link)
    check_page(page)
    page.get_by_role("button", name="Log in now").click()
    check_page(page, "volunteer-portal")
    page.get_by_role("link", name="Log a session").first.click()
    check_page(page, "volunteer-log")
    page.get_by_label("Hours, including travel").fill("2.5")
    page.get_by_role("button", name="Save the log").click()
    expect(page.get_by_text("Thank you: the session is logged.")).to_be_visible()
    page.goto("/volunteer/")
    expect(page.get_by_role("heading", name="My hours per month")).to_be_visible()
    check_page(page)  # now with the hours table, which must not widen the page on a phone
    page.get_by_role("link", name="Set a password").click()
    check_page(page)
    with all_centres_scope():
        assert every(SessionLog).get(assignment=assignment).hours == Decimal("2.50")


def test_an_enquiry_goes_through_intake_to_a_place_and_the_member_opens_their_page(page, demo):
    page.goto(f"/centres/{CENTRE}/groups/")
    page.get_by_role("link", name="Dienstagsgruppe Lichtblick").click()
    page.get_by_role("link", name="Ask to join").click()
    assert page.get_by_label("Depression").is_checked()  # the group's topic, ticked
    page.get_by_label("Your name or a pseudonym").fill("Clara")
    page.get_by_label("E-mail address").fill("clara@example.net")
    page.get_by_label("Tuesday").check()
    page.get_by_label("Evenings suit me").check()
    page.get_by_label("The contact point may store and use these details").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    check_page(page)

    coordinator = page.context.browser.new_context(base_url=page.url.split("/centres/")[0]).new_page()
    staff_login(coordinator)
    coordinator.goto(f"/centres/{CENTRE}/intake/")
    check_page(coordinator, "workspace-intake")
    coordinator.get_by_role("link", name="Clara").click()
    coordinator.get_by_role("button", name="Mark as contacted").click()
    coordinator.get_by_label("By phone").check()
    coordinator.get_by_label("When:", exact=True).fill(
        (timezone.localtime() + timezone.timedelta(days=1)).strftime("%Y-%m-%dT10:00")
    )
    coordinator.get_by_role("button", name="Schedule the conversation").click()
    expect(coordinator.get_by_text("Status: Intake conversation scheduled")).to_be_visible()
    coordinator.get_by_role("button", name="Mark the conversation as held").click()
    check_page(coordinator, "workspace-enquiry")
    coordinator.get_by_role("button", name="Place in Dienstagsgruppe Lichtblick").click()
    assert "clara@example.net" in coordinator.locator("#result").inner_text()  # who gets the welcome
    coordinator.get_by_role("button", name="Yes, place them").click()
    expect(coordinator.get_by_text("Status: Placed in a group")).to_be_visible()
    expect(coordinator.get_by_text("the welcome e-mail with their links is on its way")).to_be_visible()

    # The welcome mail brings Clara her page and her calendar link.
    member_link = link_in_outbox(coordinator, r"https?://\S+/m/\S+/", "clara@example.net")
    page.goto(urlsplit(member_link).path)
    expect(page.get_by_role("heading", name="Dienstagsgruppe Lichtblick")).to_be_visible()
    check_page(page)
    feed = page.request.get(page.get_by_role("link", name="My calendar link").get_attribute("href"))
    assert feed.status == 200
    assert "BEGIN:VCALENDAR" in feed.text()
    assert "Dienstagsgruppe Lichtblick" in feed.text()


def test_a_coordinator_books_a_series_sees_a_clash_refused_cancels_one_and_the_member_sees_it(page, demo):
    with all_centres_scope():
        from centres.models import Centre, Person
        from meetings.services import groups as group_services

        centre = every(Centre).get(slug=CENTRE)
        group = group_services.group_create(
            actor=None,
            centre=centre,
            name="Mittwochskreis",
            topic=every(Group).filter(centre=centre).first().topic,
        )
        member = every(Person).get(centre=centre, display_name="Jörg")
        membership = group_services.membership_add(actor=None, group=group, person=member)
    today = timezone.localdate()
    wednesday = today + timezone.timedelta(days=(2 - today.weekday()) % 7 or 7)

    staff_login(page)
    page.goto(f"/centres/{CENTRE}/planner/")

    def book() -> None:
        form = page.get_by_role("region", name="Book meetings")
        form.get_by_label("Group:", exact=True).select_option(label="Mittwochskreis")
        form.get_by_label("Room:", exact=True).select_option(label="Haus der Selbsthilfe · Raum Linde")
        form.get_by_label("Wednesday").check()
        form.get_by_label("First date:", exact=True).fill(wednesday.isoformat())
        form.get_by_label("Start time").fill("18:00")
        form.get_by_label("Minutes:", exact=True).fill("90")
        page.get_by_role("button", name="Book", exact=True).click()

    book()
    expect(page.get_by_text("The series is booked.")).to_be_visible()
    check_page(page, "workspace-planner")
    book()  # the same slot again: the room is taken
    assert "already booked" in page.get_by_role("alert").inner_text()

    page.goto(f"/centres/{CENTRE}/planner/?week={wednesday}")
    page.get_by_role("link", name="Mittwochskreis").first.click()
    check_page(page)
    page.get_by_role("link", name="Cancel this meeting…").click()
    page.get_by_role("button", name="Yes, cancel the meeting").click()
    expect(page.get_by_role("status").get_by_text("Cancelled. 1 member is told.")).to_be_visible()

    with all_centres_scope():
        url = member_url(purpose="manage", membership_id=membership.pk)
        first = every(Meeting).filter(group=group).order_by("starts_at").first()
        assert first.status == "cancelled"
    member_page = page.context.browser.new_page(base_url=page.url.split("/centres/")[0])
    member_page.goto(urlsplit(url).path)
    assert member_page.locator("li.cancelled").first.inner_text().count("cancelled") == 1


def test_the_workspace_dashboard_groups_and_newsletter_composer(page, demo):
    with all_centres_scope():
        from centres.models import Person

        newsletter = every(NewsletterList).get(centre__slug=CENTRE, name="Rundbrief der Kontaktstelle")
        for person in every(Person).filter(centre__slug=CENTRE).exclude(email="")[:3]:
            every(Subscription).create(
                centre=newsletter.centre, newsletter=newsletter, person=person, status="confirmed"
            )
    staff_login(page)
    page.goto("/workspace/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    check_page(page, "workspace-dashboard")
    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Groups").click()
    page.get_by_role("link", name="Dienstagsgruppe Lichtblick").click()
    expect(page.get_by_role("heading", name="Members")).to_be_visible()
    check_page(page, "workspace-group")

    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Newsletters").click()
    page.get_by_label("Newsletter:", exact=True).select_option(label="Rundbrief der Kontaktstelle")
    page.get_by_label("Title (for staff only)").fill("Winter")
    page.get_by_label("Language of this text").select_option("de")
    page.get_by_label("Subject").fill("Neues im Winter")
    page.get_by_label("Text:", exact=True).fill("# Hallo\n\nEin **neuer** Gesprächskreis beginnt.")
    page.get_by_role("button", name="Save the draft").click()
    # The preview is the mail as subscribers get it, in a sandboxed frame.
    assert "<h1>Hallo</h1>" in page.locator("iframe.preview").first.get_attribute("srcdoc")
    check_page(page, "workspace-composer")
    page.get_by_role("button", name="Send a test to me").click()
    expect(page.get_by_text("The test is on its way to your own address.")).to_be_visible()
    page.get_by_role("button", name="Schedule for all subscribers").click()
    # The first click names how many it reaches; only the second sends, and sending starts at once.
    page.get_by_role("button", name=re.compile(r"^Yes, send to \d+ subscribers?$")).click()
    expect(page.locator("#result").get_by_text("Sending has started.")).to_be_visible()
    with all_centres_scope():
        issue = every(NewsletterIssue).get(title="Winter")
        issues_send_due()  # the sending job marks it sent once every chunk is done
        sent = issue_figures(issue)["sent"]
    assert sent > 0
    # The page's own script polls and updates the figures (the CSP allows no evaluated test code).
    expect(page.locator("#issue-progress")).to_contain_text(f"Sent: {sent} sent,", timeout=12_000)
    page.goto("about:blank")  # stop the page's polling before the server goes away


def test_a_coordinator_browses_the_api_with_its_styles_and_nothing_refused(page, centre_a, person_a):
    """DRF's own pages for the API (not checked with axe-core: their markup is DRF's)."""
    coordinator = StaffRoleFactory(centre=centre_a, role=StaffRole.Role.COORDINATOR).user
    staff_login(page, coordinator.username, "correct-horse-battery")  # tests.factories.UserFactory
    page.goto("/api/v1/people/")
    expect(page.get_by_role("heading", name="Person List")).to_be_visible()
    expect(page.get_by_text("Alma A.").first).to_be_visible()
    # The toolbar's inline style applies: the page's policy allows it, and the browser's refusals
    # of anything else fail the test (tests/browser/conftest.py).
    expect(page.get_by_role("button", name="Filters")).to_have_css("float", "right")


def test_a_coordinator_runs_groups_planner_closures_intake_and_reports_in_the_workspace_alone(page, demo):
    """Every step in the workspace (no admin, no API), at 1280 px in English; then the same pages
    at 390 px in German, each checked with axe-core and for reflow at 320 px."""
    staff_login(page)
    workspace = page.get_by_role("navigation", name="Workspace")
    # Found a group, add a new person to it, take it a step along its life cycle.
    workspace.get_by_role("link", name="Groups").click()
    page.get_by_role("link", name="Found a group").click()
    page.get_by_label("Public name:").fill("Abendrunde Neubeginn")
    page.get_by_label("Topic:").select_option(label="Trauer")
    page.get_by_role("checkbox", name="German", exact=True).check()
    page.get_by_role("button", name="Found the group").click()
    expect(page.locator("#result")).to_contain_text("Group “Abendrunde Neubeginn” founded; it is forming.")
    check_page(page)
    page.get_by_text("Add a new person").click()
    page.get_by_label("Name:", exact=True).fill("Paula Probe")
    page.get_by_label("E-mail:", exact=True).fill("paula@example.net")
    page.get_by_role("button", name="Add to the group").click()
    expect(page.locator("#result")).to_contain_text("Paula Probe is now in the group.")
    page.get_by_role("link", name="Send Paula Probe fresh links").click()
    page.get_by_role("button", name="Send the links").click()
    expect(page.locator("#result")).to_contain_text("Fresh links are on their way to Paula Probe")
    page.get_by_role("link", name="Change the status").click()
    page.get_by_label("Starting").check()
    page.get_by_label("Reason:").fill("Zwei Begleiterinnen gefunden")
    page.get_by_role("button", name="Change the status").click()
    expect(page.locator("#result")).to_contain_text("“Abendrunde Neubeginn” is now Starting.")
    check_page(page, "workspace-group")
    page.get_by_role("link", name="Starters: assign, ask, extend, phase out").click()
    page.get_by_role("button", name="See who would be asked").click()
    expect(page.locator("#result")).to_be_visible()  # names who would be asked, or that nobody would
    check_page(page)

    # Book its meetings: the first Thursday of each month, previewed first, then booked.
    workspace.get_by_role("link", name="Room planner").click()
    form = page.get_by_role("region", name="Book meetings")
    form.get_by_label("Group:", exact=True).select_option(label="Abendrunde Neubeginn")
    form.get_by_label("Room:", exact=True).select_option(label="Haus der Selbsthilfe · Raum Ahorn")
    first = timezone.localdate() + timezone.timedelta(days=7)
    form.get_by_label("First date:", exact=True).fill(first.isoformat())
    form.get_by_label("Start time:", exact=True).fill("10:00")
    form.get_by_label("Every few months, on the nth weekday").check()
    form.get_by_label("Weekday (monthly):").select_option(label="Thursday")
    form.get_by_label("A number of meetings").check()
    form.get_by_label("Number of meetings:").fill("6")
    form.get_by_role("button", name="Preview the dates").click()
    expect(page.locator(".preview-dates")).to_contain_text("The first 6 dates")
    check_page(page, "workspace-series-preview")
    page.get_by_role("region", name="Book meetings").get_by_role("button", name="Book", exact=True).click()
    expect(page.locator("#result")).to_contain_text("The series is booked. First meeting: Thursday")
    # Cancel its first meeting, then undo it from the message.
    workspace.get_by_role("link", name="Groups").click()
    page.get_by_role("link", name="Abendrunde Neubeginn").click()
    page.locator(".meeting-list a").first.click()
    page.get_by_role("link", name="Cancel this meeting…").click()
    page.get_by_role("button", name="Yes, cancel the meeting").click()
    expect(page.locator("#result")).to_contain_text("Cancelled. 1 member is told.")
    page.get_by_role("button", name="Undo: it takes place").click()
    expect(page.locator("#result")).to_contain_text("The meeting takes place again.")
    page.get_by_role("link", name="Day", exact=True).click()
    check_page(page, "workspace-planner-day")
    page.get_by_role("link", name="Month", exact=True).click()
    check_page(page)
    page.goto(page.url.split("?")[0])
    page.get_by_role("link", name="Print Raum Ahorn's week").click()
    assert "Paula" not in page.content()
    check_page(page, "workspace-planner-print")

    # A closure: what it cancels is shown before it is made.
    workspace.get_by_role("link", name="Closures").click()
    closed = timezone.localdate() + timezone.timedelta(days=60)
    page.get_by_label("First day:").fill(closed.isoformat())
    page.get_by_label("Last day:").fill(closed.isoformat())
    page.get_by_label("Reason:").fill("Betriebsversammlung")
    page.get_by_role("button", name="Check what it cancels").click()
    expect(page.locator("#result")).to_contain_text("Betriebsversammlung")
    page.get_by_role("button", name="Yes, close").click()
    expect(page.locator(".messages")).to_contain_text("Closed: Betriebsversammlung.")
    check_page(page)

    # A phone enquiry, recorded and found in the queue.
    workspace.get_by_role("link", name="Intake").click()
    page.get_by_role("link", name="Record an enquiry").click()
    page.get_by_label("Name or pseudonym:").fill("Rita Anruf")
    page.get_by_label("Phone:").fill("0511 123456")
    page.get_by_label("Trauer").check()
    page.get_by_label("They agreed that").check()
    page.get_by_role("button", name="Record the enquiry").click()
    expect(page.locator("#result")).to_contain_text("The enquiry is recorded and in the queue.")
    workspace.get_by_role("link", name="Intake").click()
    page.get_by_label("Name, e-mail or phone").fill("Rita")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("link", name="Rita Anruf")).to_be_visible()
    check_page(page, "workspace-intake-queue")

    # The reports of this year, and one as a file.
    workspace.get_by_role("link", name="Reports").click()
    check_page(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the enquiries (CSV)").click()
    assert download.value.suggested_filename.startswith("enquiries-")

    # Paula leaves the group (asked first).
    workspace.get_by_role("link", name="Groups").click()
    page.get_by_role("link", name="Abendrunde Neubeginn").click()
    page.get_by_role("link", name="End Paula Probe's membership").click()
    page.get_by_role("button", name="Yes, end the membership").click()
    expect(page.locator("#result")).to_contain_text("Paula Probe has left “Abendrunde Neubeginn”")

    # The same pages on a phone, in German.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_label("Language", exact=True).select_option("de")
    page.get_by_role("button", name="Change").click()
    assert page.locator("html").get_attribute("lang") == "de"
    page.goto(f"/centres/{CENTRE}/planner/")  # on a phone the planner opens on one day
    expect(page).to_have_url(re.compile(r"view=day"))
    with all_centres_scope():
        group = every(Group).get(name="Abendrunde Neubeginn")
    for path in (
        f"/centres/{CENTRE}/workspace/groups/{group.pk}/",
        f"/centres/{CENTRE}/workspace/groups/{group.pk}/starters/",
        f"/centres/{CENTRE}/workspace/groups/{group.pk}/status/",
        f"/centres/{CENTRE}/planner/?view=day",
        f"/centres/{CENTRE}/workspace/closures/",
        f"/centres/{CENTRE}/intake/",
        f"/centres/{CENTRE}/intake/new/",
        f"/centres/{CENTRE}/workspace/reports/",
        f"/centres/{CENTRE}/outbox/",
        f"/centres/{CENTRE}/planner/?view=month",
        f"/centres/{CENTRE}/workspace/search/?q=Pa",
        f"/centres/{CENTRE}/volunteers/",
        f"/centres/{CENTRE}/workspace/newsletters/",
    ):
        page.goto(path)
        workspace_de = page.get_by_role("navigation", name="Arbeitsbereich")
        expect(workspace_de.get_by_role("link", name="Raumplaner")).to_be_visible()
        check_page(page)
    page.get_by_role("button", name="Abmelden").click()
    expect(page.locator(".messages")).to_contain_text("Sie sind abgemeldet.")


def test_a_centre_admin_keeps_settings_staff_and_a_persons_rights_in_the_workspace(page, demo):
    """The centre admin's pages, in German at 390 px and in English at 1280 px: each checked with
    axe-core and for reflow; a setting saved says what changed."""
    staff_login(page, "leitung")
    with all_centres_scope():
        from centres.models import Person

        person = every(Person).filter(centre__slug=CENTRE).exclude(email="").order_by("pk").first()
    paths = (
        f"/centres/{CENTRE}/workspace/settings/",
        f"/centres/{CENTRE}/workspace/staff/",
        f"/centres/{CENTRE}/workspace/people/{person.pk}/",
        f"/centres/{CENTRE}/workspace/people/{person.pk}/erase/",
        f"/centres/{CENTRE}/workspace/rooms/",
        f"/centres/{CENTRE}/workspace/checklist/",
    )
    for path in paths:
        page.goto(path)
        check_page(page)
    page.goto(paths[0])
    page.get_by_label("Sender name:").fill("Kontaktstelle Linden")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.locator("#result")).to_contain_text("Saved: Sender name.")
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_label("Language", exact=True).select_option("de")
    page.get_by_role("button", name="Change").click()
    for path in paths:
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == "de"
        check_page(page)


def test_the_federation_admin_logs_in_and_sees_counts_only(page, demo):
    page.goto("/workspace/login/")
    page.get_by_label("Username").fill("verband")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/federation/")
    expect(page.get_by_role("heading", name="The federation's contact points")).to_be_visible()
    assert "@" not in page.locator("main").inner_text()  # no address, no person
    check_page(page)
    page.get_by_role("button", name="Log out").click()
    expect(page.locator(".messages")).to_contain_text("You are logged out.")
