"""settings.ANYMAIL from the environment: every ANYMAIL_* variable without its prefix, typed as
anymail expects it. Environment values are text; anymail hands REQUESTS_TIMEOUT to requests as
it is (text there is an error at the first send) and reads its switches as booleans."""

import json
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

NUMBERS = {"REQUESTS_TIMEOUT"}
SWITCHES = {"IGNORE_RECIPIENT_STATUS", "IGNORE_UNSUPPORTED_FEATURES", "DEBUG_API_REQUESTS", "SEND_DEFAULTS_OFF"}
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def anymail_from_environ(environ: Mapping[str, str]) -> dict[str, Any]:
    """Each ANYMAIL_* variable: a number for NUMBERS, a boolean for SWITCHES, a dict for a value
    written as a JSON object (AMAZON_SES_CLIENT_PARAMS), else the text. A value that cannot be
    read is refused with the variable's name."""
    options: dict[str, Any] = {}
    for variable, value in environ.items():
        if not variable.startswith("ANYMAIL_"):
            continue
        key = variable.removeprefix("ANYMAIL_")
        options[key] = _typed(variable, key, value)
    return options


def _typed(variable: str, key: str, value: str) -> Any:
    if key in NUMBERS:
        try:
            return float(value)
        except ValueError:
            raise ImproperlyConfigured(f"{variable} must be a number of seconds, not {value!r}.") from None
    if key in SWITCHES:
        if value.strip().lower() not in TRUE | FALSE:
            raise ImproperlyConfigured(f"{variable} must be true or false, not {value!r}.")
        return value.strip().lower() in TRUE
    if value.lstrip().startswith("{"):
        try:
            return json.loads(value)
        except ValueError as error:
            raise ImproperlyConfigured(f"{variable} looks like a JSON object but is not one: {error}") from None
    return value
