"""Optional error reports to Sentry (`SENTRY_DSN`), scrubbed before they leave: no request body,
cookies, headers, query string or user, every token link masked, every e-mail address and phone
number replaced, in every string of the event (messages, exception values, breadcrumbs); a
traceback's local variables are not sent."""

import re
from typing import Any

from config.log_filters import mask_secrets

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"\+?\d[\d ()/-]{6,}\d")
DROPPED_REQUEST_PARTS = ("data", "cookies", "headers", "query_string", "env")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return PHONE.sub("[phone]", EMAIL.sub("[email]", mask_secrets(value)))
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    return value


def scrub(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Sentry's `before_send` (and `before_send_transaction`): the event without personal data."""
    event.pop("user", None)
    request = event.get("request")
    if isinstance(request, dict):
        for part in DROPPED_REQUEST_PARTS:
            request.pop(part, None)
    return _clean(event)


def sentry_init(dsn: str, environment: str) -> None:
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        # A traceback's local variables would carry what a request or an import held (names,
        # groups): the scrubber masks addresses and numbers, not those.
        include_local_variables=False,
        before_send=scrub,  # type: ignore[arg-type]
        before_breadcrumb=lambda crumb, hint: _clean(crumb),
        traces_sample_rate=0.0,
    )
