"""The Prometheus metrics of the installation (`/metrics/`), for the operator's scraper only:
behind the bearer token METRICS_TOKEN, and a 404 when none is set."""

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

from centres.observability import COLLECTED


def _exposition() -> bytes:
    """The database's figures (read now) and the request timings: this process's, or with
    PROMETHEUS_MULTIPROC_DIR set (several gunicorn workers) those of all of them."""
    import os

    figures = CollectorRegistry()
    figures.register(COLLECTED)
    timings = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        timings = CollectorRegistry()
        multiprocess.MultiProcessCollector(timings)
    return generate_latest(figures) + generate_latest(timings)


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404
    sent = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not hmac.compare_digest(sent.encode(), token.encode()):
        return HttpResponse("A bearer token is needed.\n", status=401, content_type="text/plain")
    return HttpResponse(_exposition(), content_type=CONTENT_TYPE_LATEST)
