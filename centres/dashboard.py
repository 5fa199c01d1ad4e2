"""The workspace dashboard's registry: each app adds what needs attention today in a centre.

An app registers a function `(centre, day) -> dict` in its `AppConfig.ready` with
`dashboard_context_register`; the dashboard view (`centres.views.workspace`) merges the dicts, in
`order`, into its template's context. centres itself knows none of the apps that contribute.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from centres.models import Centre

Contributor = Callable[[Centre, date], dict[str, Any]]


@dataclass(frozen=True)
class _Entry:
    order: int
    contribute: Contributor


_registry: dict[str, _Entry] = {}


def dashboard_context_register(*, app: str, order: int, contribute: Contributor) -> None:
    """Called by an app's `AppConfig.ready`; the same `app` again replaces its function."""
    _registry[app] = _Entry(order=order, contribute=contribute)


def dashboard_context(centre: Centre, day: date) -> dict[str, Any]:
    """What every registered app adds for `centre` on `day`, in the centre's scope."""
    context: dict[str, Any] = {}
    for _app, entry in sorted(_registry.items(), key=lambda item: (item[1].order, item[0])):
        context.update(entry.contribute(centre, day))
    return context
