"""Middleware of the project as a whole."""

from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse


class HealthCheckMiddleware:
    """Answers /healthz/ before host validation and the HTTPS redirect, so a load balancer or
    docker-compose can ask by address over plain HTTP. Says only whether the database answers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != "/healthz/":
            return self.get_response(request)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception:  # any database failure means "unhealthy", whatever its type
            return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
        return JsonResponse({"status": "ok", "database": "ok"})


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
