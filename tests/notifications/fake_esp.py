"""A fake ESP on 127.0.0.1 that speaks Postmark's send API, for anymail's Postmark backend
(ANYMAIL POSTMARK_API_URL points at it). It records what it accepted and can fail on purpose.

It also answers Postmark's outbound message search by metadata (what the outbox asks about a
row in doubt). `python -m tests.notifications.fake_esp` serves it in a process of its own (the
benchmarks and the worker fault tests): it prints its URL, and GET /stats gives its counts."""

import json
import random
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakePostmark:
    def __init__(self, *, keep_messages: bool = True) -> None:
        self.keep_messages = keep_messages
        self.accepted_count = 0
        self.accepted_by_recipient: dict[str, int] = {}
        self.by_metadata: dict[str, str] = {}  # outbox row id -> message id
        self.answer_delay = 0.0  # seconds after accepting, before answering (a worker killed meanwhile)
        self.accepted: list[dict] = []
        self.requests = 0
        self.fail_next = 0  # answer this many requests with 500
        self.fail_rate = 0.0  # and this share of the others
        self.delay = 0.0  # seconds before answering (for timeouts)
        self.reject_recipients: set[str] = set()  # answered with Postmark's 406 "inactive recipient"
        self.lock = threading.Lock()
        self.random = random.Random(7)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                return

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.answer(self, body)

            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path.rstrip("/").endswith("/stats"):
                    fake.respond(self, 200, fake.stats())
                elif url.path.rstrip("/").endswith("/messages/outbound"):
                    fake.search(self, query)
                else:
                    fake.respond(self, 404, {"ErrorCode": 404, "Message": "Not found"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, handler: BaseHTTPRequestHandler, body) -> None:
        time.sleep(self.delay)
        with self.lock:
            self.requests += 1
            failing = self.fail_next > 0 or self.random.random() < self.fail_rate
            if self.fail_next > 0:
                self.fail_next -= 1
        if failing:
            self.respond(handler, 500, {"ErrorCode": 500, "Message": "Internal server error"})
            return
        messages = body if isinstance(body, list) else [body]
        results = []
        for message in messages:
            if message["To"] in self.reject_recipients:
                results.append(
                    {
                        "ErrorCode": 406,
                        "Message": "You tried to send to a recipient that has been marked as inactive.\n "
                        f"Found inactive addresses: {message['To']}.\n Inactive recipients are ones that have "
                        "generated a hard bounce or a spam complaint. ",
                    }
                )
                continue
            message_id = str(uuid.uuid4())
            with self.lock:
                self.accepted_count += 1
                self.accepted_by_recipient[message["To"]] = self.accepted_by_recipient.get(message["To"], 0) + 1
                for value in (message.get("Metadata") or {}).values():
                    self.by_metadata[value] = message_id
                if self.keep_messages:
                    self.accepted.append({**message, "MessageID": message_id})
            results.append({"ErrorCode": 0, "Message": "OK", "MessageID": message_id, "To": message["To"]})
        time.sleep(self.answer_delay)
        if isinstance(body, list):
            self.respond(handler, 200, results)
        elif results[0]["ErrorCode"]:
            self.respond(handler, 422, results[0])
        else:
            self.respond(handler, 200, results[0])

    def search(self, handler: BaseHTTPRequestHandler, query: dict) -> None:
        """Postmark's outbound message search, by one metadata field."""
        with self.lock:
            self.requests += 1
        found = [
            {"MessageID": self.by_metadata[value]}
            for key, value in query.items()
            if key.startswith("metadata_") and value in self.by_metadata
        ]
        self.respond(handler, 200, {"TotalCount": len(found), "Messages": found[:1]})

    def stats(self) -> dict:
        with self.lock:
            return {
                "requests": self.requests,
                "accepted": self.accepted_count,
                "recipients": len(self.accepted_by_recipient),
                "duplicates": sum(count - 1 for count in self.accepted_by_recipient.values()),
            }

    @staticmethod
    def respond(handler: BaseHTTPRequestHandler, status: int, payload) -> None:
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def recipients(self) -> list[str]:
        return [message["To"] for message in self.accepted]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


if __name__ == "__main__":
    # python -m tests.notifications.fake_esp [answer_delay_seconds]
    fake = FakePostmark(keep_messages=False)
    fake.answer_delay = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0
    print(fake.url, flush=True)  # noqa: T201 (the URL for the process that started it)
    try:
        fake.thread.join()
    except KeyboardInterrupt:
        fake.stop()
