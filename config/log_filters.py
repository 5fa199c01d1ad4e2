"""Logging filters: log lines must not carry secrets or personal data."""

import logging
import re

PRIVATE_FEED = re.compile(r"(/calendar/people/)[^/\s]+(\.ics)")


def mask_secrets(text: str) -> str:
    """Mask the token of private calendar feed URLs (the feed's only secret)."""
    return PRIVATE_FEED.sub(r"\1***\2", text)


class MaskSecretsFilter(logging.Filter):
    """Applied to every handler: Django logs the path of 404s and slow requests."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_secrets(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask_secrets(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True
