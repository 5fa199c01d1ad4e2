"""SMTP, the one path without a batch API: mails one by one over one connection per worker
process, kept open from one send task to the next (notifications.smtp_pool)."""

import logging
import socket
import time

import pytest
from aiosmtpd.controller import Controller

from notifications import smtp_pool
from notifications.models import OutgoingMail
from notifications.services.sending import mails_send
from tests.factories import every, queue_mail

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


class Recorder:
    """An SMTP server's handler: counts sessions (one EHLO each) and keeps what it took; answers
    451 (try later) or 550 (no such user) for the addresses named."""

    def __init__(self) -> None:
        self.sessions = 0
        self.delivered: list[tuple[str, bytes]] = []
        self.later: set[str] = set()
        self.refused: set[str] = set()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802 (aiosmtpd's name)
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.later:
            return "451 4.3.0 Try again later"
        if address in self.refused:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        for address in envelope.rcpt_tos:
            self.delivered.append((address, envelope.content))
        return "250 Message accepted"


@pytest.fixture
def smtp_server(settings, monkeypatch):
    # The test server's own log names the addresses it takes; Kontakt's lines are still checked.
    monkeypatch.setattr(logging.getLogger("mail.log"), "disabled", True)
    recorder = Recorder()
    with socket.socket() as probe:  # a free port (aiosmtpd 1.4 does not report one it picked)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_ESP = "smtp"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    smtp_pool.close()
    yield recorder
    smtp_pool.close()
    controller.stop()


def test_send_tasks_in_one_worker_share_one_smtp_connection(centre_a, smtp_server):
    mails = [queue_mail(centre_a, recipient=f"leser{n}@example.net", obj=f"o{n}") for n in range(3)]
    for mail in mails:  # three send tasks, one after the other, in one process
        assert mails_send([mail.pk]).sent == 1
    assert sorted(address for address, _content in smtp_server.delivered) == [
        "leser0@example.net",
        "leser1@example.net",
        "leser2@example.net",
    ]
    assert smtp_server.sessions == 1
    assert set(every(OutgoingMail).values_list("status", flat=True)) == {"sent"}


def test_a_connection_the_server_dropped_while_idle_is_opened_again(centre_a, smtp_server, monkeypatch):
    first, second = (queue_mail(centre_a, recipient=f"leser{n}@example.net", obj=f"o{n}") for n in range(2))
    assert mails_send([first.pk]).sent == 1
    smtp_pool._pooled.connection.sock.shutdown(socket.SHUT_RDWR)  # the line dropped while idle
    monkeypatch.setattr(smtp_pool, "_last_used", time.monotonic() - smtp_pool.CHECK_AFTER_IDLE_SECONDS - 1)
    assert mails_send([second.pk]).sent == 1
    assert smtp_server.sessions == 2
    assert len(smtp_server.delivered) == 2


def test_a_4xx_answer_is_tried_again_later_and_a_5xx_fails_with_the_servers_words(centre_a, smtp_server):
    smtp_server.later, smtp_server.refused = {"spaeter@example.net"}, {"nie@example.net"}
    later = queue_mail(centre_a, recipient="spaeter@example.net", obj="a")
    never = queue_mail(centre_a, recipient="nie@example.net", obj="b")
    fine = queue_mail(centre_a, recipient="gut@example.net", obj="c")
    result = mails_send([later.pk, never.pk, fine.pk])
    assert (result.sent, result.retry, result.failed) == (1, [later.pk], 1)
    rows = {row.recipient: row for row in every(OutgoingMail).all()}
    assert rows["spaeter@example.net"].status == "queued"
    assert rows["nie@example.net"].status == "failed"
    assert "No such user" in rows["nie@example.net"].last_error
    assert rows["nie@example.net"].last_error.startswith("The ESP refused the mail")
    assert [address for address, _content in smtp_server.delivered] == ["gut@example.net"]
