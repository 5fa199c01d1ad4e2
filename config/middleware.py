"""Middleware of the project as a whole."""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client import Histogram


class HealthCheckMiddleware:
    """Answers /healthz/ (alive: the process answers) and /readyz/ (ready: the database, Redis,
    the broker and beat, as `READINESS_CHECK` finds them; 503 when one fails) before host
    validation and the HTTPS redirect, so a load balancer or docker-compose can ask by address
    over plain HTTP. Neither says more than a word per dependency."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz/":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz/":
            from django.conf import settings
            from django.utils.module_loading import import_string

            ready, checks = import_string(settings.READINESS_CHECK)()
            return JsonResponse({"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503)
        return self.get_response(request)


REQUEST_SECONDS = Histogram(
    "kontakt_request_seconds",
    "Time to answer a request, by view (its URL name).",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


class RequestMetricsMiddleware:
    """Times every request by the name of its view (never its path, which may hold a token)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match is not None else "") or "unmatched"
        REQUEST_SECONDS.labels(view=view).observe(time.perf_counter() - started)
        return response


class LanguageParameterMiddleware:
    """`?lang=de` shows a page in that language: every public page has one address per language,
    which search engines index and `hreflang` names. A visitor who arrives by such an address
    keeps the language on the next pages (the language cookie is set, as the switcher sets it).
    Runs after LocaleMiddleware; an unknown code is ignored."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        code = request.GET.get("lang", "")
        if code not in {language for language, _name in settings.LANGUAGES}:
            return self.get_response(request)
        with translation.override(code):
            request.LANGUAGE_CODE = code
            response = self.get_response(request)
            response["Content-Language"] = code
        # Only on pages: a style sheet or a data file may sit in a shared cache, cookie and all.
        is_page = response.get("Content-Type", "").startswith("text/html")
        if is_page and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != code:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                code,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            )
        return response
