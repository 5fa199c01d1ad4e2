"""The workspace dashboard's registry: each app adds what needs attention today in a centre.

An app registers, in its `AppConfig.ready` with `dashboard_context_register`, a function
`(centre, day) -> dict` and the template of its cards. The dashboard view
(`centres.views.workspace`) merges the dicts, in `order`, into its context and includes the cards
in the same order. centres itself knows none of the apps that contribute, nor their pages.
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
    template: str


_registry: dict[str, _Entry] = {}


def dashboard_context_register(*, app: str, order: int, contribute: Contributor, template: str) -> None:
    """Called by an app's `AppConfig.ready`; the same `app` again replaces its entry. `template`
    renders the app's cards (`<li class="card">` each) from the dict `contribute` returns."""
    _registry[app] = _Entry(order=order, contribute=contribute, template=template)


def dashboard_context(centre: Centre, day: date) -> dict[str, Any]:
    """What every registered app adds for `centre` on `day`, in the centre's scope, and
    `dashboard_cards`: the apps' card templates, in order."""
    context: dict[str, Any] = {}
    cards = []
    for _app, entry in sorted(_registry.items(), key=lambda item: (item[1].order, item[0])):
        context.update(entry.contribute(centre, day))
        cards.append(entry.template)
    return {**context, "dashboard_cards": cards}
