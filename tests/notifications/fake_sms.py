"""A fake SMS gateway on 127.0.0.1 that speaks the part of Infobip's API Kontakt uses: sending
(POST /sms/2/text/advanced) and the message logs (GET /sms/1/logs?messageId=...), where a text
in doubt is looked up. It records what it accepted and can fail on purpose, as the fake ESP does."""

import json
import random
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeInfobip:
    def __init__(self) -> None:
        self.accepted: list[dict] = []  # {"from", "to", "text", "messageId"}
        self.accepted_by_number: dict[str, int] = {}
        self.requests = 0
        self.fail_next = 0  # answer this many requests with 500
        self.fail_rate = 0.0  # and this share of the others
        self.delay = 0.0  # seconds before doing anything (the request times out, nothing taken)
        self.answer_delay = 0.0  # seconds after taking the text, before answering
        self.logs_down = False  # the logs answer 503: the gateway cannot tell
        self.reject_numbers: set[str] = set()  # answered REJECTED_DESTINATION
        self.api_keys: list[str] = []
        self.lock = threading.Lock()
        self.random = random.Random(11)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                return

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.api_keys.append(self.headers.get("Authorization", ""))
                fake.send(self, body)

            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                if url.path.rstrip("/").endswith("/sms/1/logs"):
                    fake.logs(self, dict(urllib.parse.parse_qsl(url.query)))
                else:
                    fake.respond(self, 404, {})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def send(self, handler: BaseHTTPRequestHandler, body: dict) -> None:
        time.sleep(self.delay)
        with self.lock:
            self.requests += 1
            failing = self.fail_next > 0 or self.random.random() < self.fail_rate
            if self.fail_next > 0:
                self.fail_next -= 1
        if failing:
            self.respond(handler, 500, {"requestError": {"serviceException": {"messageId": "GENERAL_ERROR"}}})
            return
        answers = []
        for message in body["messages"]:
            for destination in message["destinations"]:
                number = destination["to"]
                if number in self.reject_numbers:
                    status = {"groupId": 5, "groupName": "REJECTED", "id": 51, "name": "REJECTED_DESTINATION"}
                else:
                    with self.lock:
                        self.accepted.append(
                            {"from": message["from"], "to": number, "text": message["text"], **destination}
                        )
                        self.accepted_by_number[number] = self.accepted_by_number.get(number, 0) + 1
                    status = {"groupId": 1, "groupName": "PENDING", "id": 26, "name": "PENDING_ACCEPTED"}
                answers.append({"to": number, "status": status, "messageId": destination["messageId"]})
        time.sleep(self.answer_delay)
        self.respond(handler, 200, {"bulkId": "fake-bulk", "messages": answers})

    def logs(self, handler: BaseHTTPRequestHandler, query: dict) -> None:
        if self.logs_down:
            self.respond(handler, 503, {})
            return
        with self.lock:
            found = [sms for sms in self.accepted if sms["messageId"] == query.get("messageId")]
        self.respond(handler, 200, {"results": [{"messageId": sms["messageId"], "to": sms["to"]} for sms in found]})

    @staticmethod
    def respond(handler: BaseHTTPRequestHandler, status: int, payload) -> None:
        data = json.dumps(payload).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout, a killed worker)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
