"""Property test of the outbox: whatever mix of single mails, bulk rows, claimed chunks and
sending runs, however often the same mail is queued and in whatever letter case its address is
written, the outbox holds exactly one row per idempotency key, and each is handed to the ESP
at most once.

Hypothesis runs the body many times inside one test transaction; each example starts by
deleting the rows the previous one made.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifications.models import MailContent, OutgoingMail
from notifications.services.outbox import (
    NewMail,
    RenderedMail,
    idempotency_key,
    mail_content_create,
    mails_queue_bulk,
    mails_store_claimed,
)
from notifications.services.sending import mails_send
from tests.factories import every, queue_mail

# The tests call the outbox and newsletter services themselves, as set-up code would.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]

ADDRESSES = ["alma@example.net", "bodil@example.net", "carl@example.org"]
OBJECTS = ["meeting-1", "meeting-2", "issue-7"]

# An address as someone might type it again: the same mailbox in other letter cases or spaces.
address = st.builds(
    lambda base, upper, padded: (f" {base.upper()} " if padded else base.upper()) if upper else base,
    st.sampled_from(ADDRESSES),
    st.booleans(),
    st.booleans(),
)
single = st.tuples(st.just("single"), st.sampled_from(OBJECTS), address)
bulk = st.tuples(st.just("bulk"), st.lists(st.tuples(st.sampled_from(OBJECTS), address), max_size=6))
claimed = st.tuples(st.just("claimed"), st.lists(st.tuples(st.sampled_from(OBJECTS), address), max_size=6))
send = st.tuples(st.just("send"))


def mailbox_key(kind: str, obj: str, recipient: str) -> str:
    """What makes two mails the same, written out here on purpose rather than taken from the
    code under test: the kind, the object and the mailbox, whatever its case or spaces."""
    return f"{kind}:{obj}:{recipient.strip().lower()}"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None)
@given(steps=st.lists(st.one_of(single, bulk, claimed, send), min_size=1, max_size=12))
def test_the_outbox_never_holds_two_rows_for_one_key(centre_a, fake_postmark, steps):
    every(OutgoingMail).all().delete()
    every(MailContent).all().delete()
    fake_postmark.accepted.clear()
    content = mail_content_create(
        centre=centre_a, language="de", rendered=RenderedMail(subject="Erinnerung", text="Text", html="")
    )

    def new_mail(obj: str, recipient: str) -> NewMail:
        return NewMail(
            centre_id=centre_a.pk,
            kind=OutgoingMail.Kind.REMINDER,
            key=idempotency_key("reminder", obj, recipient),
            recipient=recipient.strip(),
            language="de",
            content_id=content.pk,
        )

    wanted = set()
    for step in steps:
        if step[0] == "single":
            _kind, obj, recipient = step
            queue_mail(centre_a, recipient.strip(), obj)
            wanted.add(mailbox_key(OutgoingMail.Kind.SYSTEM, obj, recipient))
        elif step[0] in ("bulk", "claimed"):
            rows = [new_mail(obj, recipient) for obj, recipient in step[1]]
            store = mails_queue_bulk if step[0] == "bulk" else mails_store_claimed
            store(rows)
            wanted.update(mailbox_key("reminder", obj, recipient) for obj, recipient in step[1])
        else:
            mails_send(list(every(OutgoingMail).filter(status="queued").values_list("pk", flat=True)))

    keys = list(every(OutgoingMail).values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys))
    assert set(keys) == wanted
    handed_over = [message["To"] for message in fake_postmark.accepted]
    sent = every(OutgoingMail).filter(status="sent").count()
    assert len(handed_over) == sent  # nothing handed to the ESP twice, nothing sent unrecorded
