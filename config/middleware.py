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
    """`?lang=de` shows a page in that language for this request only (no cookie is set): every
    public page has one address per language, which search engines index and `hreflang` names.
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
            response.headers.setdefault("Content-Language", code)
            response["Content-Language"] = code
        return response
