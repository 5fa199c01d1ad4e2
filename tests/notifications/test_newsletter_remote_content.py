"""Newsletter issues load nothing from other servers when opened: no remote image (a tracking
pixel tells the sender who opened the mail, when and where), however it is written in the
Markdown or raw HTML of the issue, and the privacy notice says so."""

import re

import pytest

from notifications import tasks
from notifications.models import (
    IssueChunk,
    NewsletterIssue,
    NewsletterIssueText,
    NewsletterList,
    OutgoingMail,
    Subscription,
)
from notifications.services.newsletter_issues import issue_render, issue_schedule, issue_test_send, issues_send_due
from notifications.services.sending import mails_send
from tests.factories import PersonFactory, every

# The tests call the outbox and newsletter services themselves, as set-up code would.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]

TRACKING = """# Neues

Ein Bild: ![Logo](https://tracker.example/logo.png)

<img src="https://tracker.example/p.gif" width="1" height="1" alt="">
<img srcset="https://tracker.example/s.gif 1x, https://tracker.example/s2.gif 2x">
<picture><source srcset="https://tracker.example/pic.webp"><img src="https://tracker.example/pic.gif"></picture>
<div style="background-image: url(https://tracker.example/bg.gif)" background="https://tracker.example/bg2.gif">Text</div>
<table background="https://tracker.example/t.gif"><tr><td background="https://tracker.example/td.gif">Zelle</td></tr></table>
<video poster="https://tracker.example/poster.gif"></video><audio src="https://tracker.example/a.mp3"></audio>
<link rel="stylesheet" href="https://tracker.example/style.css"><style>@import url(https://tracker.example/i.css);</style>
<svg><image href="https://tracker.example/svg.gif"/></svg>

Mehr auf [unserer Seite](https://kontaktstelle.example/neu).
"""


@pytest.fixture
def tracked_issue(centre_a):
    newsletter = every(NewsletterList).create(centre=centre_a, name="Rundbrief")
    reader = PersonFactory(centre=centre_a, email="leserin@example.net", language="de")
    every(Subscription).create(centre=centre_a, newsletter=newsletter, person=reader, status="confirmed")
    issue = every(NewsletterIssue).create(centre=centre_a, newsletter=newsletter, title="Dezember")
    NewsletterIssueText.objects.create(issue=issue, language="de", subject="Neues", body=TRACKING)
    return issue


def test_a_sent_issue_holds_no_remote_image_or_anything_else_that_loads(tracked_issue, fake_esp):
    issue_schedule(issue=tracked_issue)
    issues_send_due()
    for chunk_id in every(IssueChunk).values_list("pk", flat=True):
        tasks.queue_issue_chunk.run(chunk_id)
    mails_send(list(every(OutgoingMail).values_list("pk", flat=True)))

    [sent] = fake_esp.accepted
    html = sent["HtmlBody"]
    assert "tracker.example" not in html
    assert not re.search(r"<(img|picture|source|video|audio|link|style|svg|image)\b", html)
    written = html.split("<body", 1)[1].split(">", 1)[1].split("<hr>", 1)[0]  # the issue, without the footer
    assert not re.search(r"\b(srcset|background|poster|style)=", written)
    # What the coordinator wrote still arrives: the text and the ordinary link.
    assert re.findall(r"Zelle|Text\b", written) == ["Text", "Zelle"]
    assert 'href="https://kontaktstelle.example/neu"' in written


def test_the_preview_and_the_test_mail_show_what_subscribers_get(tracked_issue):
    text = tracked_issue.texts.get()
    assert "tracker.example" not in issue_render(tracked_issue, text).html
    test_mail = issue_test_send(issue=tracked_issue, email="koordination@example.net")
    assert "tracker.example" not in test_mail.content.body_html


def test_the_privacy_notice_says_newsletters_load_nothing_from_elsewhere(client, centre_a):
    page = client.get(f"/centres/{centre_a.slug}/privacy/").content.decode()
    assert "Our newsletters load no images or anything else from other servers" in page
