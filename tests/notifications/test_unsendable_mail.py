"""A row that can never make a mail (a header with a line break, a defect in its stored content)
fails at once with a clear error, on every sending path; none is left in `sending`."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from centres.models import Centre
from notifications.models import MailContent, OutgoingMail
from notifications.services.sending import mails_send
from tests.factories import every, queue_mail

# The tests call the outbox and newsletter services themselves, as set-up code would.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]

LINE_BREAK_ERROR = (
    "The mail header From holds a line break, so no mail can be made of it (for From: correct the centre's "
    "sender name, then queue the mail again)."
)


def stored_before_the_rule(mail_row: OutgoingMail, **content) -> None:
    """Content as a row stored before names were single line (or by a defect) holds it."""
    every(MailContent).filter(pk=mail_row.content_id).update(**content)


def outcome(row: OutgoingMail) -> tuple:
    row.refresh_from_db()
    return row.status, row.last_error, row.sending_since, row.in_doubt


def test_a_line_break_in_the_sender_fails_the_row_with_a_clear_error(centre_a, fake_esp):
    row, other = queue_mail(centre_a), queue_mail(centre_a, recipient="bodil@example.net")
    stored_before_the_rule(row, from_email='"Kontaktstelle A\r\nBcc: spy@example.net" <a@example.org>')
    every(MailContent).filter(pk=other.content_id).update(from_email="a@example.org")
    result = mails_send([row.pk, other.pk])
    assert (result.sent, result.failed, result.retry) == (1, 1, [])
    assert outcome(row) == ("failed", LINE_BREAK_ERROR, None, False)
    assert fake_esp.recipients() == ["bodil@example.net"]  # the other row of the batch still goes


def test_a_line_break_fails_the_row_with_djangos_own_mail_backend(centre_a):
    row = queue_mail(centre_a)
    stored_before_the_rule(row, from_email='"Kontaktstelle A\nBcc: spy@example.net" <a@example.org>')
    mails_send([row.pk])
    assert outcome(row) == ("failed", LINE_BREAK_ERROR, None, False)
    assert mail.outbox == []


def test_content_that_cannot_be_built_fails_the_row_not_the_worker(centre_a, fake_esp):
    row = queue_mail(centre_a, merge_data={"manage_url": "https://kontakt.example.org/m/x/"})
    stored_before_the_rule(row, headers={"X-Count": 3})  # not text: merging the row's link into it raises
    mails_send([row.pk])
    status, error, sending_since, _in_doubt = outcome(row)
    assert (status, sending_since) == ("failed", None)
    assert error.startswith("This mail could not be built: AttributeError")
    assert fake_esp.accepted == []


def test_a_sender_name_stored_with_a_line_break_still_makes_one_header_line(centre_a, fake_esp):
    every(Centre).filter(pk=centre_a.pk).update(sender_name="Kontakt\r\nstelle A", sender_email="a@example.org")
    centre_a.refresh_from_db()
    row = queue_mail(centre_a)
    assert row.from_email == '"Kontakt stelle A" <a@example.org>'
    mails_send([row.pk])
    assert outcome(row)[0] == "sent"


def test_a_sender_name_must_be_one_line(centre_a, unscoped):
    centre_a.sender_name = "Kontaktstelle A\r\nBcc: spy@example.net"
    with pytest.raises(ValidationError) as refused:
        centre_a.full_clean()
    assert refused.value.message_dict["sender_name"] == [
        "Enter one line: line breaks and control characters are not allowed here."
    ]


def test_the_centre_admin_refuses_a_sender_name_with_a_line_break(centre_a):
    from django.contrib import admin
    from django.test import RequestFactory

    from tests.factories import UserFactory

    request = RequestFactory().get("/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    form_class = admin.site._registry[Centre].get_form(request, centre_a)
    data = {field: getattr(centre_a, field) for field in form_class.base_fields}
    form = form_class(data={**data, "sender_name": "Kontaktstelle A\nBcc: spy@example.net"}, instance=centre_a)
    assert not form.is_valid()
    assert form.errors["sender_name"] == ["Enter one line: line breaks and control characters are not allowed here."]
