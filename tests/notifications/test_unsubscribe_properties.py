"""Property test of leaving newsletters: whatever lists a person is on (pending, confirmed or left
before), whatever newsletter consents they gave (standing or withdrawn already), and however often
they click (the RFC 8058 one-click POST of their mail program, the button on the unsubscribe page,
unticking lists on the preferences page, or only looking), no click answers an error, every list
they left has no confirmed subscription afterwards, and the next issue of such a list makes no
mail for them.

Hypothesis runs the body many times inside one test transaction; each example makes its own
person and lists, so what earlier examples left behind is never looked at.
"""

import itertools
import re

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from centres.models import ConsentRecord
from centres.services.consents import consent_record
from notifications.models import IssueChunk, NewsletterIssue, NewsletterList, OutgoingMail, Subscription
from notifications.services.newsletter_issues import issue_chunk_queue, issue_queue, issue_schedule
from notifications.services.newsletters import preferences_url, unsubscribe_url
from tests.factories import PersonFactory, every

pytestmark = pytest.mark.django_db

LISTS = 3
STATES = [None, "pending", "confirmed", "unsubscribed"]  # None: never asked for this list
example_number = itertools.count()

subscriptions = st.lists(st.sampled_from(STATES), min_size=1, max_size=LISTS)
consents = st.lists(st.booleans(), max_size=3)  # one per consent given: True if withdrawn already
click = st.one_of(
    st.just(("one_click",)),
    st.just(("button",)),
    st.just(("look",)),
    st.tuples(st.just("preferences"), st.sets(st.integers(min_value=0, max_value=LISTS - 1))),
)


def path_of(url: str) -> str:
    return url[url.index("/newsletter/") :]


def preferences_untick(person, keep: set[int], lists: list[NewsletterList]):
    """The preferences page as a browser uses it: the page first (for its CSRF token), then the form
    with the lists still ticked."""
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    path = path_of(preferences_url(person))
    page = browser.get(path)
    if page.status_code != 200:
        return page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    data = {"keep": [str(lists[index].pk) for index in keep if index < len(lists)]}
    return browser.post(path, {**data, "csrfmiddlewaretoken": token[1] if token else ""})


def click_once(action, person, lists) -> tuple[object, set[int]]:
    """Do one click; returns the answer and the lists it means to leave (by index)."""
    path = path_of(unsubscribe_url(person))
    if action[0] == "one_click":
        mail_program = Client(enforce_csrf_checks=True, raise_request_exception=False)
        answer = mail_program.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
        return answer, set(range(len(lists)))
    if action[0] == "button":
        return Client(raise_request_exception=False).post(path), set(range(len(lists)))
    if action[0] == "look":
        return Client(raise_request_exception=False).get(path), set()
    keep = action[1]
    return preferences_untick(person, keep, lists), set(range(len(lists))) - keep


def issue_mails_to(newsletter: NewsletterList, email: str) -> int:
    """Send the list's next issue as the periodic job does; count the mails it made for `email`."""
    issue = every(NewsletterIssue).create(centre=newsletter.centre, newsletter=newsletter, title="Ausgabe")
    issue.texts.create(language="de", subject="Neues", body="Text")
    issue_schedule(issue=issue)
    issue_queue(issue=issue)
    for chunk in every(IssueChunk).filter(issue=issue):
        issue_chunk_queue(chunk.pk)
    return every(OutgoingMail).filter(newsletter_issue=issue, recipient=email).count()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None)
@given(states=subscriptions, given_consents=consents, clicks=st.lists(click, min_size=1, max_size=5))
def test_leaving_newsletters_never_fails_and_nothing_is_mailed_afterwards(
    centre_a, states, given_consents, clicks, unscoped
):
    number = next(example_number)
    person = PersonFactory(centre=centre_a, email=f"leser{number}@example.net", language="de")
    lists = [every(NewsletterList).create(centre=centre_a, name=f"Liste {number}-{i}") for i in range(len(states))]
    for newsletter, state in zip(lists, states, strict=True):
        if state is not None:
            every(Subscription).create(centre=centre_a, newsletter=newsletter, person=person, status=state)
    for withdrawn in given_consents:
        consent = consent_record(
            actor=None, person=person, purpose="newsletter", text_version="newsletter-test", source="web_form"
        )
        if withdrawn:
            every(ConsentRecord).filter(pk=consent.pk).update(withdrawn_at=consent.given_at)

    active = {i for i, state in enumerate(states) if state in ("pending", "confirmed")}
    left: set[int] = set()
    unsubscribed_from_all = False
    for action in clicks:
        answer, leaving = click_once(action, person, lists)
        assert answer.status_code == 200, (action, answer.status_code)
        left |= active & leaving
        active -= leaving
        if action[0] in ("one_click", "button"):
            assert "You are unsubscribed" in answer.content.decode()
        unsubscribed_from_all |= action[0] in ("one_click", "button") or bool(left and not active)

    confirmed = set(
        every(Subscription).filter(person=person, status="confirmed").values_list("newsletter_id", flat=True)
    )
    assert confirmed == {lists[i].pk for i in active if states[i] == "confirmed"}
    for i in left:
        assert issue_mails_to(lists[i], person.email) == 0
    if unsubscribed_from_all:
        # Nothing left to receive: no newsletter consent still stands.
        assert not every(ConsentRecord).filter(person=person, purpose="newsletter", withdrawn_at__isnull=True)


def test_a_subscriber_on_two_lists_is_unsubscribed_by_one_click(centre_a, unscoped):
    """The case found in the field: two lists confirmed, so two consents, and the first withdrawal
    ended both; the second then answered 500 and the whole unsubscribe rolled back."""
    person = PersonFactory(centre=centre_a, email="zwei@example.net", language="de")
    lists = [every(NewsletterList).create(centre=centre_a, name=name) for name in ("Rundbrief", "Ehrenamt")]
    for newsletter in lists:
        every(Subscription).create(centre=centre_a, newsletter=newsletter, person=person, status="confirmed")
        consent_record(actor=None, person=person, purpose="newsletter", text_version="v1", source="web_form")
    mail_program = Client(enforce_csrf_checks=True, raise_request_exception=False)
    answer = mail_program.post(
        path_of(unsubscribe_url(person)),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert (answer.status_code, "You are unsubscribed" in answer.content.decode()) == (200, True)
    assert set(every(Subscription).filter(person=person).values_list("status", flat=True)) == {"unsubscribed"}
    assert [issue_mails_to(newsletter, person.email) for newsletter in lists] == [0, 0]


def test_unticking_every_list_on_the_preferences_page_unsubscribes(centre_a, unscoped):
    person = PersonFactory(centre=centre_a, email="alle@example.net", language="de")
    lists = [every(NewsletterList).create(centre=centre_a, name=name) for name in ("Rundbrief", "Ehrenamt")]
    for newsletter in lists:
        every(Subscription).create(centre=centre_a, newsletter=newsletter, person=person, status="confirmed")
        consent_record(actor=None, person=person, purpose="newsletter", text_version="v1", source="web_form")
    answer = preferences_untick(person, set(), lists)
    assert answer.status_code == 200
    assert "You receive no newsletters from this contact point." in answer.content.decode()
    assert [issue_mails_to(newsletter, person.email) for newsletter in lists] == [0, 0]


def test_staff_withdrawing_a_persons_newsletter_consents_together_in_the_admin_succeeds(client, centre_a):
    """The admin action over a selection that holds two newsletter consents of one person: the
    first withdrawal ends the second, which must then be no error."""
    from tests.factories import StaffRoleFactory

    staff = StaffRoleFactory(centre=centre_a, role="coordinator").user
    client.force_login(staff)
    person = PersonFactory(centre=centre_a, email="admin@example.net")
    ids = [
        consent_record(actor=None, person=person, purpose="newsletter", text_version="v1", source="web_form").pk
        for _ in range(2)
    ]
    answer = client.post(
        "/admin/centres/consentrecord/",
        {"action": "withdraw_selected", "_selected_action": [str(pk) for pk in ids]},
        follow=True,
    )
    assert answer.status_code == 200
    assert "2 consents withdrawn." in answer.content.decode()
    assert not every(ConsentRecord).filter(pk__in=ids, withdrawn_at__isnull=True).exists()


def test_staff_withdrawing_a_consent_already_ended_by_its_sibling_in_the_api_get_a_clear_409(api_a, centre_a):
    """Staff asking for one record to be withdrawn is told it already is (a 409 naming it), never
    a 500; nothing changes."""
    person = PersonFactory(centre=centre_a, email="api@example.net")
    first, second = (
        consent_record(actor=None, person=person, purpose="newsletter", text_version="v1", source="web_form")
        for _ in range(2)
    )
    assert api_a.post(f"/api/v1/consents/{first.pk}/withdraw/").status_code == 200
    second.refresh_from_db()
    withdrawn_at = second.withdrawn_at
    answer = api_a.post(f"/api/v1/consents/{second.pk}/withdraw/")
    assert (answer.status_code, answer.json()["error"]["message"]) == (409, "This consent was already withdrawn.")
    second.refresh_from_db()
    assert second.withdrawn_at == withdrawn_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_mail_programs_one_click_and_the_persons_own_click_at_once_both_succeed(requires_postgres, centre_a):
    """Two unsubscribes at the same moment: the second waits for the first's lock, then finds
    every consent withdrawn already, which is no error."""
    import threading

    from django.db import connection

    person = PersonFactory(centre=centre_a, email="doppelt@example.net", language="de")
    for name in ("Rundbrief", "Ehrenamt", "Termine"):
        newsletter = every(NewsletterList).create(centre=centre_a, name=name)
        every(Subscription).create(centre=centre_a, newsletter=newsletter, person=person, status="confirmed")
        consent_record(actor=None, person=person, purpose="newsletter", text_version="v1", source="web_form")
    path = path_of(unsubscribe_url(person))
    barrier, answers = threading.Barrier(2), []

    def click(body: str) -> None:
        barrier.wait()
        try:
            browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
            answers.append(browser.post(path, body, content_type="application/x-www-form-urlencoded").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(body,)) for body in ("List-Unsubscribe=One-Click", "")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200, 200]
    assert set(every(Subscription).filter(person=person).values_list("status", flat=True)) == {"unsubscribed"}
    assert not every(ConsentRecord).filter(person=person, withdrawn_at__isnull=True).exists()
