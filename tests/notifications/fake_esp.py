"""A fake ESP on 127.0.0.1 that speaks the send APIs of Postmark, Mailgun, SendGrid, Brevo,
Amazon SES (v2) and Mailjet (v3.1), for anymail's backends and Kontakt's batch paths (each ESP's
API URL setting points at it). It records what it accepted and can fail on purpose.

Whatever the ESP, it does what the real one does with a request: it enforces the ESP's batch
limit, puts each recipient's merge data into the ESP's merge syntax, and keeps each recipient's
resulting message in one shape (Postmark's field names: To, Subject, TextBody, HtmlBody, Headers,
Attachments, Metadata), so a test reads what a recipient would get, whichever ESP sent it.

It also answers Postmark's outbound message search by metadata (what the outbox asks about a
row in doubt). `python -m tests.notifications.fake_esp [answer_delay]` serves it in a process of
its own (the benchmarks and the worker fault tests): it prints its URL, and GET /stats gives its
counts."""

import base64
import email
import email.policy
import json
import mimetypes
import random
import re
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LIMITS = {"postmark": 500, "mailgun": 1000, "sendgrid": 1000, "brevo": 1000, "amazon_ses": 50, "mailjet": 50}
ESP_OF_PATH = [
    (re.compile(r"^/email(/batch)?$"), "postmark"),
    (re.compile(r"/v3/[^/]+/messages$"), "mailgun"),
    (re.compile(r"/v3/mail/send$"), "sendgrid"),
    (re.compile(r"/v3/smtp/email$"), "brevo"),
    (re.compile(r"/v2/email/(outbound-bulk-emails|outbound-emails|templates)$"), "amazon_ses"),
    (re.compile(r"/v3\.1/send$"), "mailjet"),
]
MAILGUN_FIELD = re.compile(r"%recipient\.([^%]+)%")
BREVO_FIELD = re.compile(r"\{\{\s*params\.([A-Za-z0-9_]+)\s*\}\}")
MAILJET_FIELD = re.compile(r"\{\{\s*var:([A-Za-z0-9_]+)\s*\}\}")
HANDLEBARS_FIELD = re.compile(r"\{\{\{?\s*([A-Za-z0-9_]+)\s*\}?\}\}")


class RefusedError(Exception):
    """The whole request is refused (status, payload)."""

    def __init__(self, status: int, payload, headers: dict | None = None) -> None:
        super().__init__(status)
        self.status, self.payload, self.headers = status, payload, headers or {}


def _fill(pattern: re.Pattern, text: str, values: dict) -> str:
    return pattern.sub(lambda match: str(values.get(match.group(1), "")), text or "")


class FakeEsp:
    def __init__(self, *, keep_messages: bool = True) -> None:
        self.keep_messages = keep_messages
        self.accepted_count = 0
        self.accepted_by_recipient: dict[str, int] = {}
        self.by_metadata: dict[str, str] = {}  # outbox row id -> message id
        self.answer_delay = 0.0  # seconds after accepting, before answering (a worker killed meanwhile)
        self.accepted: list[dict] = []
        self.batch_sizes: list[int] = []  # recipients of each send request that was answered
        self.templates: dict[str, dict] = {}  # Amazon SES templates by name
        self.template_created: dict[str, float] = {}  # and when each was made (epoch seconds)
        self.requests = 0
        self.fail_next = 0  # answer this many requests with 500
        self.fail_rate = 0.0  # and this share of the others
        self.delay = 0.0  # seconds before answering (for timeouts)
        self.reject_recipients: set[str] = set()  # refused the way each ESP refuses an address
        self.activity_api = True  # SendGrid's Email Activity API (an add-on of the account)
        self.lock = threading.Lock()
        self.random = random.Random(7)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fake.answer(self, urllib.parse.urlsplit(self.path).path.rstrip("/"), body)

            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path.rstrip("/").endswith("/stats"):
                    fake.respond(self, 200, fake.stats())
                elif url.path.rstrip("/").endswith("/messages/outbound"):
                    fake.search(self, query)
                elif re.fullmatch(r"/v3/[^/]+/events", url.path.rstrip("/")):
                    fake.mailgun_events(self, query)
                elif url.path.rstrip("/") == "/v3/messages":
                    fake.sendgrid_activity(self, query)
                elif url.path.rstrip("/") == "/v2/email/templates":
                    fake.respond(self, 200, {"TemplatesMetadata": fake.ses_templates_metadata()})
                else:
                    fake.respond(self, 404, {"ErrorCode": 404, "Message": "Not found"})

            def do_DELETE(self) -> None:
                name = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path.rsplit("/", 1)[-1])
                with fake.lock:
                    found = fake.templates.pop(name, None)
                    fake.template_created.pop(name, None)
                if found is None:
                    fake.respond(self, 404, {"message": "not found"}, {"x-amzn-ErrorType": "NotFoundException"})
                else:
                    fake.respond(self, 200, {})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    # --- the request -----------------------------------------------------------------------------

    def answer(self, handler: BaseHTTPRequestHandler, path: str, body: bytes) -> None:
        esp = next((name for pattern, name in ESP_OF_PATH if pattern.search(path)), None)
        if esp is None:
            self.respond(handler, 404, {"message": "Not found"})
            return
        if esp == "amazon_ses" and path.endswith("/templates"):
            self.ses_template(handler, json.loads(body))
            return
        time.sleep(self.delay)
        with self.lock:
            self.requests += 1
            failing = self.fail_next > 0 or self.random.random() < self.fail_rate
            if self.fail_next > 0:
                self.fail_next -= 1
        if failing:
            self.respond(handler, 500, {"ErrorCode": 500, "Message": "Internal server error", "message": "error"})
            return
        try:
            messages, reply, *ids = getattr(self, f"read_{esp}")(handler, path, body)
            message_ids = ids[0] if ids else lambda message: str(uuid.uuid4())
            if len(messages) > LIMITS[esp]:
                raise RefusedError(400, {"message": f"at most {LIMITS[esp]} recipients in one request"})
            results = [self.accept(message, message_ids(message)) for message in messages]
        except RefusedError as refused:
            self.respond(handler, refused.status, refused.payload, refused.headers)
            return
        with self.lock:
            self.batch_sizes.append(len(messages))
        time.sleep(self.answer_delay)
        status, payload, headers = reply(messages, results)
        self.respond(handler, status, payload, headers)

    def merge(self, pattern: re.Pattern, text: str, values: dict) -> str:
        """What the ESP puts in for its merge fields (the benchmarks, keeping no messages, skip it:
        a real ESP's work is not done on the machine measured)."""
        return _fill(pattern, text, values) if self.keep_messages else (text or "")

    def accept(self, message: dict, message_id: str) -> str | None:
        """`message_id` for an accepted message; None for a refused recipient."""
        if message["To"] in self.reject_recipients:
            return None
        with self.lock:
            self.accepted_count += 1
            self.accepted_by_recipient[message["To"]] = self.accepted_by_recipient.get(message["To"], 0) + 1
            for value in (message.get("Metadata") or {}).values():
                self.by_metadata[str(value)] = message_id
            if self.keep_messages:
                self.accepted.append({**message, "MessageID": message_id})
        return message_id

    def refuse_any_rejected(self, messages: list[dict], status: int, payload) -> None:
        """ESPs that check every address before taking any refuse the whole request for one."""
        if any(message["To"] in self.reject_recipients for message in messages):
            raise RefusedError(status, payload)

    # --- Postmark: complete messages, one result each --------------------------------------------

    def read_postmark(self, handler, path, body):
        data = json.loads(body)
        messages = [
            {**message, "Headers": message.get("Headers") or []}
            for message in (data if isinstance(data, list) else [data])
        ]

        def reply(messages, results):
            answers = [
                {"ErrorCode": 0, "Message": "OK", "MessageID": message_id, "To": message["To"]}
                if message_id
                else {
                    "ErrorCode": 406,
                    # anymail reads the refused addresses out of this text
                    "Message": "You tried to send to a recipient that has been marked as inactive.\n "
                    f"Found inactive addresses: {message['To']}.\n Inactive recipients are ones that have "
                    "generated a hard bounce or a spam complaint. ",
                }
                for message, message_id in zip(messages, results, strict=True)
            ]
            if isinstance(data, list):
                return 200, answers, {}
            return (422 if answers[0]["ErrorCode"] else 200), answers[0], {}

        return messages, reply

    # --- Mailgun: one body, recipient-variables --------------------------------------------------

    def read_mailgun(self, handler, path, body):
        fields, attachments = _form(handler.headers["Content-Type"], body)
        variables = json.loads(fields.get("recipient-variables", ["{}"])[0])
        messages = []
        for to in fields.get("to", []):
            values = {key: str(value) for key, value in variables.get(to, {}).items()}
            fill = lambda text, values=values: self.merge(MAILGUN_FIELD, text, values)  # noqa: E731
            messages.append(
                {
                    "To": to,
                    "From": fields["from"][0],
                    "Subject": fill(fields.get("subject", [""])[0]),
                    "TextBody": fill(fields.get("text", [""])[0]),
                    "HtmlBody": fill(fields.get("html", [""])[0]),
                    "Headers": [
                        {"Name": key[2:], "Value": fill(value[0])}
                        for key, value in fields.items()
                        if key.startswith("h:")
                    ],
                    "Metadata": {key[2:]: fill(value[0]) for key, value in fields.items() if key.startswith("v:")},
                    "Attachments": attachments,
                    "TrackOpens": fields.get("o:tracking-opens", ["yes"])[0] != "no",
                    "TrackLinks": "None" if fields.get("o:tracking-clicks", ["yes"])[0] == "no" else "HtmlAndText",
                }
            )
        if not messages:
            raise RefusedError(400, {"message": "'to' parameter is missing"})
        self.refuse_any_rejected(messages, 400, {"message": "'to' parameter is not a valid address."})

        request_id = f"<{uuid.uuid4().hex}@fake.mailgun>"  # one id for every recipient of the request

        def reply(messages, results):
            return 200, {"id": request_id, "message": "Queued. Thank you."}, {}

        return messages, reply, lambda message: request_id

    # --- SendGrid: personalizations with substitutions -------------------------------------------

    def read_sendgrid(self, handler, path, body):
        data = json.loads(body)
        content = {part["type"]: part["value"] for part in data.get("content", [])}
        messages = []
        for personalization in data["personalizations"]:
            substitutions = personalization.get("substitutions") or {}

            def fill(text, substitutions=substitutions if self.keep_messages else {}):
                for key, value in substitutions.items():
                    text = text.replace(key, value)
                return text

            headers = {**data.get("headers", {}), **personalization.get("headers", {})}
            messages.append(
                {
                    "To": personalization["to"][0]["email"],
                    "From": data["from"]["email"],
                    "Subject": fill(personalization.get("subject") or data.get("subject", "")),
                    "TextBody": fill(content.get("text/plain", "")),
                    "HtmlBody": fill(content.get("text/html", "")),
                    "Headers": [{"Name": key, "Value": fill(value)} for key, value in headers.items()],
                    "Metadata": {**data.get("custom_args", {}), **personalization.get("custom_args", {})},
                    "Attachments": [
                        {"Name": item["filename"], "ContentType": item.get("type", ""), "Content": item["content"]}
                        for item in data.get("attachments", [])
                    ],
                    "TrackOpens": data.get("tracking_settings", {}).get("open_tracking", {}).get("enable", True),
                    "TrackLinks": "HtmlAndText"
                    if data.get("tracking_settings", {}).get("click_tracking", {}).get("enable", True)
                    else "None",
                }
            )
        bad = [index for index, message in enumerate(messages) if message["To"] in self.reject_recipients]
        if bad:
            raise RefusedError(
                400,
                {
                    "errors": [
                        {
                            "field": f"personalizations.{index}.to.0.email",
                            "message": "Does not contain a valid address.",
                        }
                        for index in bad
                    ]
                },
            )

        def reply(messages, results):
            return 202, None, {"X-Message-Id": uuid.uuid4().hex[:22]}

        # anymail gives each personalization an id of its own in custom_args, and reports it.
        return messages, reply, lambda message: message["Metadata"].get("anymail_id") or str(uuid.uuid4())

    # --- Brevo: messageVersions with params ------------------------------------------------------

    def read_brevo(self, handler, path, body):
        data = json.loads(body)
        versions = data.get("messageVersions") or [{"to": data["to"], "params": data.get("params")}]
        messages = []
        for version in versions:
            params = {key: str(value) for key, value in (version.get("params") or data.get("params") or {}).items()}
            headers = {**data.get("headers", {}), **version.get("headers", {})}
            for to in version["to"]:
                messages.append(
                    {
                        "To": to["email"],
                        "From": data["sender"]["email"],
                        "Subject": self.merge(BREVO_FIELD, version.get("subject") or data.get("subject", ""), params),
                        "TextBody": self.merge(BREVO_FIELD, data.get("textContent", ""), params),
                        "HtmlBody": self.merge(BREVO_FIELD, data.get("htmlContent", ""), params),
                        "Headers": [
                            {"Name": key, "Value": self.merge(BREVO_FIELD, value, params)}
                            for key, value in headers.items()
                        ],
                        "Metadata": json.loads(headers.get("X-Mailin-custom", "{}")),
                        "Attachments": [
                            {
                                "Name": item["name"],
                                "ContentType": mimetypes.guess_type(item["name"])[0],
                                "Content": item["content"],
                            }
                            for item in data.get("attachment", [])
                        ],
                    }
                )
        self.refuse_any_rejected(messages, 400, {"code": "invalid_parameter", "message": "email is not valid in to"})

        def reply(messages, results):
            return 201, {"messageIds": results}, {}

        return messages, reply, lambda message: f"<{uuid.uuid4()}@smtp-relay.fake>"

    # --- Amazon SES v2: templates, SendBulkEmail, SendEmail (raw) --------------------------------

    def ses_template(self, handler, data) -> None:
        with self.lock:
            if data["TemplateName"] in self.templates:
                self.respond(
                    handler, 400, {"message": "Template already exists"}, {"x-amzn-ErrorType": "AlreadyExistsException"}
                )
                return
            self.templates[data["TemplateName"]] = data["TemplateContent"]
            self.template_created[data["TemplateName"]] = time.time()
        self.respond(handler, 200, {})

    def ses_templates_metadata(self) -> list[dict]:
        with self.lock:
            return [
                {"TemplateName": name, "CreatedTimestamp": self.template_created.get(name, time.time())}
                for name in self.templates
            ]

    def read_amazon_ses(self, handler, path, body):
        data = json.loads(body)
        if path.endswith("outbound-emails"):
            return self.read_ses_raw(data)
        template = self.templates.get(data["DefaultContent"]["Template"]["TemplateName"])
        if template is None:
            raise RefusedError(404, {"message": "Template does not exist"}, {"x-amzn-ErrorType": "NotFoundException"})
        messages = []
        for entry in data["BulkEmailEntries"]:
            values = json.loads(entry["ReplacementEmailContent"]["ReplacementTemplate"]["ReplacementTemplateData"])
            headers = {header["Name"]: header["Value"] for header in entry.get("ReplacementHeaders", [])}
            messages.append(
                {
                    "To": entry["Destination"]["ToAddresses"][0],
                    "From": data.get("FromEmailAddress", ""),
                    "Subject": self.merge(HANDLEBARS_FIELD, template["Subject"], values),
                    "TextBody": self.merge(HANDLEBARS_FIELD, template.get("Text", ""), values),
                    "HtmlBody": self.merge(HANDLEBARS_FIELD, template.get("Html", ""), values),
                    "Headers": [{"Name": key, "Value": value} for key, value in headers.items()],
                    "Metadata": json.loads(headers.get("X-Metadata", "{}")),
                    "Attachments": [],
                }
            )

        def reply(messages, results):
            return (
                200,
                {
                    "BulkEmailEntryResults": [
                        {"Status": "SUCCESS", "MessageId": message_id}
                        if message_id
                        else {"Status": "MESSAGE_REJECTED", "Error": "Address is on the suppression list"}
                        for message_id in results
                    ]
                },
                {},
            )

        return messages, reply

    def read_ses_raw(self, data):
        mime = email.message_from_bytes(base64.b64decode(data["Content"]["Raw"]["Data"]), policy=email.policy.default)
        message = _from_mime(mime)
        if message["To"] in self.reject_recipients:
            raise RefusedError(400, {"message": "Address blacklisted."}, {"x-amzn-ErrorType": "MessageRejected"})

        def reply(messages, results):
            return 200, {"MessageId": results[0]}, {}

        return [message], reply

    # --- Mailjet v3.1: the Messages array, with Globals ------------------------------------------

    def read_mailjet(self, handler, path, body):
        data = json.loads(body)
        shared = data.get("Globals", {})
        messages = []
        for item in data["Messages"]:
            # A message's own fields win over Globals; Headers and Variables are merged key by key.
            item = {
                **shared,
                **item,
                "Headers": {**shared.get("Headers", {}), **item.get("Headers", {})},
                "Variables": {**shared.get("Variables", {}), **item.get("Variables", {})},
            }
            values = {key: str(value) for key, value in (item.get("Variables") or {}).items()}
            templated = bool(item.get("TemplateLanguage"))

            def fill(text, values=values, templated=templated):
                return self.merge(MAILJET_FIELD, text, values) if templated else text

            messages.append(
                {
                    "To": item["To"][0]["Email"],
                    "From": item["From"]["Email"],
                    "Subject": fill(item.get("Subject", "")),
                    "TextBody": fill(item.get("TextPart", "")),
                    "HtmlBody": fill(item.get("HTMLPart", "")),
                    "Headers": [
                        {"Name": key, "Value": fill(value)} for key, value in (item.get("Headers") or {}).items()
                    ],
                    "Metadata": json.loads(item.get("EventPayload") or "{}"),
                    "Attachments": [
                        {"Name": att["Filename"], "ContentType": att["ContentType"], "Content": att["Base64Content"]}
                        for att in item.get("Attachments", [])
                    ],
                    "TrackOpens": item.get("TrackOpens", "enabled") != "disabled",
                    "TrackLinks": "None" if item.get("TrackClicks") == "disabled" else "HtmlAndText",
                }
            )

        def reply(messages, results):
            answers = [
                {
                    "Status": "success",
                    "To": [{"Email": message["To"], "MessageUUID": str(uuid.uuid4()), "MessageID": int(message_id)}],
                }
                if message_id
                else {
                    "Status": "error",
                    "Errors": [{"ErrorCode": "mj-0013", "StatusCode": 400, "ErrorMessage": "invalid email address."}],
                }
                for message, message_id in zip(messages, results, strict=True)
            ]
            return (200 if all(results) else 400), {"Messages": answers}, {}

        return messages, reply, lambda message: str(self.random.randrange(10**15, 10**16))

    # --- the rest ----------------------------------------------------------------------------------

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

    def mailgun_events(self, handler: BaseHTTPRequestHandler, query: dict) -> None:
        """Mailgun's events API: the `accepted` events of one recipient, with user-variables."""
        with self.lock:
            self.requests += 1
            items = [
                {
                    "event": "accepted",
                    "recipient": message["To"],
                    "user-variables": message.get("Metadata") or {},
                    "message": {"headers": {"message-id": message["MessageID"].strip("<>")}},
                }
                for message in self.accepted
                if message["To"] == query.get("recipient") and query.get("event") == "accepted"
            ]
        self.respond(handler, 200, {"items": items, "paging": {}})

    def sendgrid_activity(self, handler: BaseHTTPRequestHandler, query: dict) -> None:
        """SendGrid's Email Activity API, queried by one custom arg."""
        with self.lock:
            self.requests += 1
        if not self.activity_api:
            self.respond(handler, 403, {"errors": [{"field": None, "message": "access forbidden"}]})
            return
        found = re.fullmatch(r"unique_args\['([^']+)'\]=\"([^\"]*)\"", query.get("query", ""))
        message_id = self.by_metadata.get(found.group(2)) if found else None
        self.respond(handler, 200, {"messages": [{"msg_id": message_id}] if message_id else []})

    def stats(self) -> dict:
        with self.lock:
            return {
                "requests": self.requests,
                "accepted": self.accepted_count,
                "recipients": len(self.accepted_by_recipient),
                "duplicates": sum(count - 1 for count in self.accepted_by_recipient.values()),
            }

    @staticmethod
    def respond(handler: BaseHTTPRequestHandler, status: int, payload, headers: dict | None = None) -> None:
        data = b"" if payload is None else json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def recipients(self) -> list[str]:
        return [message["To"] for message in self.accepted]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _form(content_type: str, body: bytes) -> tuple[dict[str, list[str]], list[dict]]:
    """A form's fields (each name's values) and its files, urlencoded or multipart."""
    fields: dict[str, list[str]] = {}
    attachments = []
    if content_type.startswith("application/x-www-form-urlencoded"):
        for name, value in urllib.parse.parse_qsl(body.decode(), keep_blank_values=True):
            fields.setdefault(name, []).append(value)
        return fields, attachments
    form = email.message_from_bytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body, policy=email.policy.HTTP)
    for part in form.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name == "attachment":
            attachments.append(
                {
                    "Name": part.get_filename(),
                    "ContentType": part.get_content_type(),
                    "Content": base64.b64encode(part.get_payload(decode=True)).decode(),
                }
            )
        else:
            fields.setdefault(name, []).append(part.get_payload(decode=True).decode())
    return fields, attachments


def _from_mime(mime) -> dict:
    """A MIME message (SES raw sends) in the fake's one shape."""
    text = mime.get_body(preferencelist=("plain",))
    html = mime.get_body(preferencelist=("html",))
    skip = {"to", "from", "subject", "mime-version", "content-type", "content-transfer-encoding", "date", "message-id"}
    return {
        "To": str(mime["To"]),
        "From": str(mime["From"]),
        "Subject": str(mime["Subject"]),
        "TextBody": text.get_content() if text else "",
        "HtmlBody": html.get_content() if html else "",
        "Headers": [{"Name": key, "Value": str(value)} for key, value in mime.items() if key.lower() not in skip],
        "Metadata": json.loads(str(mime.get("X-Metadata", "{}"))),
        "Attachments": [
            {
                "Name": part.get_filename(),
                "ContentType": part.get_content_type(),
                "Content": base64.b64encode(part.get_payload(decode=True)).decode(),
            }
            for part in mime.iter_attachments()
        ],
    }


FakePostmark = FakeEsp  # the name the older tests know it by


def anymail_options(esp: str, url: str, *, timeout: float = 2) -> dict:
    """settings.ANYMAIL that points `esp`'s anymail backend (and Kontakt's batch path) at the fake."""
    base = url.rstrip("/")
    return {
        "postmark": {"POSTMARK_SERVER_TOKEN": "test-token", "POSTMARK_API_URL": url},
        "mailgun": {"MAILGUN_API_KEY": "test-key", "MAILGUN_API_URL": f"{base}/v3"},
        "sendgrid": {"SENDGRID_API_KEY": "test-key", "SENDGRID_API_URL": f"{base}/v3/"},
        "brevo": {"BREVO_API_KEY": "test-key", "BREVO_API_URL": f"{base}/v3/"},
        "amazon_ses": {
            "AMAZON_SES_CLIENT_PARAMS": {
                "endpoint_url": base,
                "region_name": "eu-central-1",
                "aws_access_key_id": "test",
                "aws_secret_access_key": "test",
                # Kontakt retries a transient error itself, after a back-off, once per row.
                "config": {
                    "retries": {"total_max_attempts": 1, "mode": "standard"},
                    "read_timeout": timeout,
                    "connect_timeout": timeout,
                },
            }
        },
        "mailjet": {
            "MAILJET_API_KEY": "test-key",
            "MAILJET_SECRET_KEY": "test-secret",
            "MAILJET_API_URL": f"{base}/v3.1/",
        },
    }[esp] | {"REQUESTS_TIMEOUT": timeout}


def anymail_environ(esp: str, url: str, *, timeout: float = 2) -> dict[str, str]:
    """`anymail_options` as the ANYMAIL_* variables of a worker process (settings read them back)."""
    return {
        f"ANYMAIL_{key}": json.dumps(value) if isinstance(value, dict) else str(value)
        for key, value in anymail_options(esp, url, timeout=timeout).items()
    }


if __name__ == "__main__":
    # python -m tests.notifications.fake_esp [answer_delay_seconds]
    fake = FakeEsp(keep_messages=False)
    fake.answer_delay = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0
    print(fake.url, flush=True)  # noqa: T201 (the URL for the process that started it)
    try:
        fake.thread.join()
    except KeyboardInterrupt:
        fake.stop()
