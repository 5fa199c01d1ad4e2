"""The finder and a group's page for partner websites to frame: compact, in the centre's colour,
and framed only by the websites the centre (or, for the finder over every centre, the platform)
names. Every other page of the site keeps refusing to be framed (`frame-ancestors 'none'`)."""

from collections.abc import Iterable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from centres.models import ORIGIN, Centre, frame_origin_list, validate_colour
from centres.scoping import all_centres_scope
from meetings import selectors
from meetings.views.finder import finder_page
from meetings.views.public import public_group_context

DEFAULT_COLOUR = "#0b5e44"


def framed_by(response: HttpResponse, origins: Iterable[str]) -> HttpResponse:
    """Let exactly these origins frame the response: the CSP's `frame-ancestors` names them
    (or 'none' when there are none); X-Frame-Options, which cannot name an origin, is left off."""
    allowed = sorted(set(origins))
    response._csp_replace = {"frame-ancestors": allowed or ["'none'"]}  # type: ignore[attr-defined]
    return response


def platform_origins() -> list[str]:
    """DIRECTORY_FRAME_ORIGINS, each held to the same form as a centre's (others are left out)."""
    return [origin for origin in frame_origin_list("\n".join(settings.DIRECTORY_FRAME_ORIGINS)) if ORIGIN.match(origin)]


def centre_origins(centre: Centre) -> list[str]:
    """A centre's own websites, and the platform's: a federation portal that frames the finder
    over every centre opens the groups' pages of each centre in the frame too."""
    return frame_origin_list(centre.frame_origins) + platform_origins()


def _public_centre(slug: str) -> Centre:
    with all_centres_scope():
        centre = selectors.public_centre(slug)
    if centre is None:
        raise Http404
    return centre


@xframe_options_exempt
@require_safe
def embed_directory(request: HttpRequest) -> HttpResponse:
    """The finder over every centre, for the websites the platform names."""
    return framed_by(finder_page(request, None, embed=True), platform_origins())


@xframe_options_exempt
@require_safe
def embed_finder(request: HttpRequest, slug: str) -> HttpResponse:
    """One centre's finder, for the websites the centre names."""
    centre = _public_centre(slug)
    return framed_by(finder_page(request, centre, embed=True), centre_origins(centre))


@xframe_options_exempt
@require_safe
def embed_group(request: HttpRequest, slug: str, public_id) -> HttpResponse:
    """A group's page in the frame: description, next meetings, how to ask."""
    context = {**public_group_context(request, slug, public_id), "embed": True}
    return framed_by(render(request, "meetings/embed_group.html", context), centre_origins(context["centre"]))


@require_safe
def embed_style(request: HttpRequest, slug: str) -> HttpResponse:
    """The embedded pages' colour, as a style sheet: the pages allow no inline style."""
    centre = _public_centre(slug)
    colour = centre.brand_colour or DEFAULT_COLOUR
    try:
        validate_colour(colour)
    except Exception:  # a colour stored before the rule: fall back rather than break the page
        colour = DEFAULT_COLOUR
    body = f":root {{ --accent: {colour}; }}\n"
    response = HttpResponse(body, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
