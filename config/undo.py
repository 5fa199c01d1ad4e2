"""An "Undo" beside the message that says what was just done: the view that did something
reversible names the POST that reverses it (`offer_undo`), and the next page shows it once, as a
button in the message box (`undo` context processor, rendered by templates/base.html)."""

from typing import Any

from django.http import HttpRequest

SESSION_KEY = "undo"


def offer_undo(request: HttpRequest, *, url: str, label: str, fields: dict[str, str] | None = None) -> None:
    """Offer, on the next page, a button `label` that POSTs `fields` to `url` (a view that does
    the reverse through its service, with the usual checks)."""
    request.session[SESSION_KEY] = {"url": url, "label": str(label), "fields": fields or {}}


def undo(request: HttpRequest) -> dict[str, Any]:
    """The undo offered by the previous answer, once."""
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return {}
    return {"undo": session.pop(SESSION_KEY)}
