"""A centre admin's page for showing the centre's groups on other websites: the snippet to paste
into a partner's page, which websites may frame it (set in the centre's settings), and the open
data a directory can harvest."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from centres.models import frame_origin_list
from centres.selectors import admin_centre_or_403


@login_required
@require_safe
def workspace_embed(request: HttpRequest, slug: str) -> HttpResponse:
    centre = admin_centre_or_403(user=request.user, slug=slug)
    finder = request.build_absolute_uri(reverse("embed-finder", args=[centre.slug]))
    context = {
        "centre": centre,
        "finder_url": finder,
        "origins": frame_origin_list(centre.frame_origins),
    }
    return render(request, "meetings/workspace_embed.html", context)
