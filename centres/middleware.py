"""Activates the tenant scope for every request, from the logged-in user's staff roles."""

from collections.abc import Callable
from contextlib import AbstractContextManager

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest, HttpResponse

from centres.scoping import all_centres_scope, centre_scope
from centres.selectors import staff_centre_ids


def scope_for_user(user: User | AnonymousUser, centre_ids: list[int] | None = None) -> AbstractContextManager[None]:
    """Staff see the centres they work for, the platform's superusers see all, anyone else none.
    `centre_ids`: the user's centres when already read in this request."""
    if user.is_active and user.is_superuser:
        return all_centres_scope()
    return centre_scope(staff_centre_ids(user=user) if centre_ids is None else centre_ids)


class CentreScopeMiddleware:
    """Pages and the admin run in the session user's scope. API views scope again once DRF has
    authenticated the request, since a token user is only known then (`config.api`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with scope_for_user(request.user):
            return self.get_response(request)
