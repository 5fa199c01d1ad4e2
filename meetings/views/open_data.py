"""The directory's open data: its documentation page, the JSON document and the CSV. Both files
are made once per change of any centre's calendar (the platform's calendar version), kept in the
cache, and answer conditional requests (ETag, Last-Modified) with 304 when nothing changed."""

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from centres.scoping import all_centres_scope
from config.exports import csv_safe
from meetings import opendata
from meetings.caching import calendar_version
from meetings.services.directory import directory_refresh_stale

KEPT_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Published:
    json: bytes
    csv: bytes
    generated: datetime
    version: int


def _csv(document: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(opendata.CSV_HEADER)
    writer.writerows([[csv_safe(value) for value in row] for row in opendata.directory_rows(document)])
    return ("\ufeff" + out.getvalue()).encode()  # the mark lets spreadsheet programs read UTF-8


def published(request: HttpRequest) -> Published:
    """Both files for the platform's current calendar version, from the cache or made now."""
    directory_refresh_stale(None)
    with all_centres_scope():
        version = calendar_version(None)
        base = request.build_absolute_uri("/").rstrip("/")
        key = f"opendata:{opendata.FORMAT_VERSION}:{version}:{hashlib.sha256(base.encode()).hexdigest()[:16]}"
        store = caches["calendar-public"]
        found = store.get(key)
        if found is None:
            generated = timezone.now().replace(microsecond=0)
            document = opendata.directory_document(base, generated)
            body = json.dumps(document, ensure_ascii=False, indent=1).encode()
            found = Published(json=body, csv=_csv(document), generated=generated, version=version)
            store.set(key, found, KEPT_SECONDS)
    return found


def _file(request: HttpRequest, data: Published, kind: str, content_type: str, filename: str) -> HttpResponse:
    """One file of `data` (read once, so its body and its ETag are of the same version)."""
    body = data.json if kind == "json" else data.csv
    etag = f'"{opendata.FORMAT_VERSION}-{data.version}-{kind}"'
    modified = int(data.generated.timestamp())
    unchanged = get_conditional_response(request, etag=etag, last_modified=modified)
    response = unchanged or HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site's script may read it
    if unchanged is None:
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe
def open_data_json(request: HttpRequest) -> HttpResponse:
    return _file(request, published(request), "json", "application/ld+json; charset=utf-8", "kontakt-directory.json")


@require_safe
def open_data_csv(request: HttpRequest) -> HttpResponse:
    return _file(request, published(request), "csv", "text/csv; charset=utf-8", "kontakt-groups.csv")


@require_safe
def open_data_page(request: HttpRequest) -> HttpResponse:
    """What the open data holds, its fields, licence and how to harvest it."""
    context = {
        "licence": opendata.licence(),
        "version": opendata.FORMAT_VERSION,
        "columns": opendata.CSV_HEADER,
    }
    return render(request, "meetings/open_data.html", context)
