"""The coordinators' "tell by phone" list: members to call because their meeting was cancelled or
moved and they get neither mail nor texts. Ticking a line says they were told (with an undo)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from centres.selectors import staff_centre_or_404
from config.api import signed_in_user
from config.undo import offer_undo
from meetings.models import PhoneNotice
from meetings.selectors.phone_notices import phone_notices_open, phone_notices_told
from meetings.services.phone_notices import phone_notice_told

PER_PAGE = 30


@login_required
def workspace_phone_notices(request: HttpRequest, slug: str) -> HttpResponse:
    centre = staff_centre_or_404(user=request.user, slug=slug)
    page = Paginator(phone_notices_open(centre), PER_PAGE).get_page(request.GET.get("page"))
    context = {"centre": centre, "page": page, "told": list(phone_notices_told(centre)[:PER_PAGE])}
    return render(request, "meetings/workspace_phone_notices.html", context)


@login_required
@require_POST
def workspace_phone_notice_told(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Tick a line (`told=yes`) or take the tick back (`told=no`); back to the dashboard or the
    list, as `back` says."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    notice = PhoneNotice.objects.filter(centre=centre, pk=pk).select_related("membership__person").first()
    if notice is None:
        raise Http404
    back = (
        reverse("workspace", args=[slug])
        if request.POST.get("back") == "dashboard"
        else reverse("workspace-phone-notices", args=[slug])
    )
    told = request.POST.get("told")
    if told not in ("yes", "no"):
        messages.error(request, _("Say whether the member was told."))
        return redirect(back)
    phone_notice_told(actor=signed_in_user(request), notice=notice, told=told == "yes")
    name = notice.membership.person.display_name
    if told == "yes":
        messages.success(request, _("Ticked: %(name)s was told.") % {"name": name})
        offer_undo(
            request,
            url=reverse("workspace-phone-notice-told", args=[slug, pk]),
            label=_("Undo: not told yet"),
            fields={"told": "no", "back": request.POST.get("back", "")},
        )
    else:
        messages.success(request, _("%(name)s is back on the list to phone.") % {"name": name})
    return redirect(back)
