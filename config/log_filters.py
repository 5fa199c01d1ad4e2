"""Log redaction: no log line of any process (Django, gunicorn, Celery) carries a secret token.

Signed links travel in the URL path (`/m/<token>/`, `/accounts/reset/<uidb64>/<token>/`, ...), and
paths reach logs everywhere: access lines, "Not Found" warnings, tracebacks, task results. The
routes that carry secrets are read from the URLconf once (`secret_routes`): every route parameter
named `token`, `*_token` or `uidb64` is one. A new token route is therefore covered by giving its
parameter such a name, with no new rule here. `mask_secrets` applies them to any text (and fails
closed while the URLconf cannot be read); `MaskSecretsFilter`, on every log handler, applies it to
every record.
"""

import logging
import re
from functools import lru_cache
from typing import Any

MASK = "***"
# Characters that end a path in a log line: a secret never contains them (tokens are URL-safe
# base64, hex or Django's signed values), so a token is masked even without the route's suffix
# ("/m/<token>" answered with a redirect, "/m/<token>/extra" with a 404).
_PATH_END = r"""/\s?#"'<>"""
_SECRET = rf"[^{_PATH_END}]+?"
_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def is_secret_parameter(name: str) -> bool:
    """A URL parameter holding a secret, by its name: the one convention new token routes follow."""
    return name in ("token", "uidb64") or name.endswith("_token")


_GROUP = "(?P<@>"  # a secret's group, named when the routes are joined into one regex


def _pattern_regex(pattern) -> tuple[str, int | None]:
    """One part of a route as a regex that finds it inside a log line, with its secret
    parameters as groups, and where the regex may end once its last secret is matched (None
    when the part holds no secret)."""
    from django.urls.resolvers import LocalePrefixPattern, RoutePattern

    if isinstance(pattern, LocalePrefixPattern):  # any language's prefix, not only the active one
        return r"(?:[\w-]+/)?", None
    if not isinstance(pattern, RoutePattern):  # a regex route: its own regex, unanchored
        regex = pattern.regex.pattern.removeprefix("^").removesuffix(r"\Z").removesuffix("$")
        secret = any(is_secret_parameter(name) for name in pattern.regex.groupindex)
        # Other named groups lose their names: each name may appear once in the joined regex.
        regex = re.sub(r"\(\?P<(\w+)>", lambda group: _GROUP if is_secret_parameter(group[1]) else "(?:", regex)
        return regex, len(regex) if secret else None
    route, regex, position, cut = str(pattern), "", 0, None
    for match in _PARAMETER.finditer(route):
        regex += re.escape(route[position : match.start()])
        name = match["name"]
        if is_secret_parameter(name):
            # Up to the route's next literal (".ics") or the end of the path.
            following = route[match.end() :].split("/", 1)[0].split("<", 1)[0]
            ahead = re.escape(following) + "|" if following else ""
            regex += rf"{_GROUP}{_SECRET})(?={ahead}[{_PATH_END}]|$)"
            cut = len(regex)
        else:
            regex += f"(?:{pattern.converters[name].regex})"
        position = match.end()
    return regex + re.escape(route[position:]), cut


def _route_regexes(patterns, prefix: str = "", prefix_cut: int | None = None) -> list[str]:
    """The regex of every route with a secret, each cut after its last secret: what follows
    need not be in the line for the secret to be masked."""
    found = []
    for entry in patterns:
        regex, cut = _pattern_regex(entry.pattern)
        full_cut = len(prefix) + cut if cut is not None else prefix_cut
        if hasattr(entry, "url_patterns"):
            found += _route_regexes(entry.url_patterns, prefix + regex, full_cut)
        elif full_cut is not None:
            found.append((prefix + regex)[:full_cut])
    return found


# Until the URLconf can be read (a process that has not loaded the project yet, or a URLconf
# that fails to import), every long opaque path segment is masked: fail closed.
_ANY_LONG_SEGMENT = re.compile(rf"(?<=/)[\w.:~-]{{16,}}(?=[{_PATH_END}]|$)")


@lru_cache(maxsize=1)
def secret_routes() -> re.Pattern | None:
    """Every route with a secret parameter, as one regex whose groups named s<n> are secrets.
    Computed from the URLconf once; None while it cannot be read."""
    from django.apps import apps

    if not apps.ready:
        return None
    from django.urls import get_resolver

    try:
        regexes = _route_regexes(get_resolver().url_patterns)
    except Exception:  # a broken URLconf: the request that hit it is being logged right now
        return None
    # Longer routes first, so that /m/absent/<token>/ is not read as /m/<token>/ with "absent".
    regexes.sort(key=lambda regex: (-regex.count("/"), -len(regex)))
    combined = "|".join(f"(?:{regex})" for regex in regexes) or "(?!)"
    names = iter(range(combined.count(_GROUP)))
    combined = re.sub(re.escape(_GROUP), lambda _match: f"(?P<s{next(names)}>", combined)
    return re.compile(rf"(?<=/)(?:{combined})")


def _mask_match(match: re.Match) -> str:
    text, start = match.group(), match.start()
    spans = sorted(match.span(name) for name, value in match.groupdict().items() if value is not None)
    for group_start, group_end in reversed(spans):
        text = text[: group_start - start] + MASK + text[group_end - start :]
    return text


def mask_secrets(text: str) -> str:
    """`text` with the secret of every token link in it masked: "/m/***/",
    "/accounts/reset/***/***/", "/calendar/people/***.ics"."""
    if "/" not in text:
        return text
    routes = secret_routes()
    if routes is None:
        secret_routes.cache_clear()  # not cached: read again once the URLconf can be
        return _ANY_LONG_SEGMENT.sub(MASK, text)
    return routes.sub(_mask_match, text)


def _mask_value(value):
    if isinstance(value, str):
        return mask_secrets(value)
    if isinstance(value, dict):
        return {key: _mask_value(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return type(value)(_mask_value(item) for item in value)
    return value


_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({})))
_EXCEPTION_FORMATTER = logging.Formatter()


def mask_record(record: logging.LogRecord) -> None:
    """Mask a record in place: its message (formatted, since a path may be split between the
    message and its arguments), its traceback, its stack and the values passed in `extra`
    (Celery passes a task's arguments there)."""
    try:
        message = record.getMessage()
    except Exception:  # a malformed record: mask its parts, the handler reports the error
        record.msg, record.args = _mask_value(record.msg), _mask_value(record.args)
    else:
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
    if record.exc_info and not record.exc_text:
        record.exc_text = _EXCEPTION_FORMATTER.formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_secrets(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_secrets(record.stack_info)
    for name, value in list(vars(record).items()):
        if name not in _RECORD_ATTRIBUTES and isinstance(value, str | dict | tuple | list):
            setattr(record, name, _mask_value(value))


class MaskSecretsFilter(logging.Filter):
    """On every handler (Django's LOGGING, gunicorn's logger class, Celery's loggers): a record is
    masked before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


def json_formatter(**options: Any) -> logging.Formatter:
    """The JSON log formatter (python-json-logger) with the mask as its last step: a JSON line
    holds every attribute a record carries (Django's 404 line carries the request object, whose
    text names the path), so the finished line is masked as a whole, and the request object,
    which says nothing the path and status do not, is left out."""
    from pythonjsonlogger.json import JsonFormatter

    class MaskedJsonFormatter(JsonFormatter):
        def process_log_record(self, log_data: dict) -> dict:
            log_data.pop("request", None)
            return super().process_log_record(log_data)

        def format(self, record: logging.LogRecord) -> str:
            return mask_secrets(super().format(record))

    return MaskedJsonFormatter(**options)


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """settings.LOGGING: one handler, `plain` lines for a terminal or `json` objects (one per line)
    for a log collector, every line with its request id and passed through the mask last."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {
                "()": "config.log_filters.json_formatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        # The request id first, then the mask: every line, whatever it says, passes the mask last.
        "filters": {
            "request_id": {"()": "config.request_id.RequestIdFilter"},
            "mask_secrets": {"()": "config.log_filters.MaskSecretsFilter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id", "mask_secrets"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Replaces Django's default "django" handlers, which print unfiltered lines with DEBUG on.
            "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "django.db.backends": {"level": "WARNING"},
            "axes": {"level": "WARNING"},
            # The HTTP client logs each request's URL at DEBUG: an ESP lookup's URL names the
            # recipient's address (Mailgun's events search), so it stays out even with LOG_LEVEL=DEBUG.
            "urllib3": {"level": "WARNING"},
        },
    }
