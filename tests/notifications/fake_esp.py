"""A fake ESP on 127.0.0.1 that speaks Postmark's send API, for anymail's Postmark backend
(ANYMAIL POSTMARK_API_URL points at it). It records what it accepted and can fail on purpose."""

import json
import random
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakePostmark:
    def __init__(self) -> None:
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
                self.accepted.append({**message, "MessageID": message_id})
            results.append({"ErrorCode": 0, "Message": "OK", "MessageID": message_id, "To": message["To"]})
        if isinstance(body, list):
            self.respond(handler, 200, results)
        elif results[0]["ErrorCode"]:
            self.respond(handler, 422, results[0])
        else:
            self.respond(handler, 200, results[0])

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
