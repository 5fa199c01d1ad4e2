"""Pages of the notifications app: the coordinators' outbox."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from centres.models import Centre
from centres.selectors import user_is_centre_staff
from notifications.models import OutgoingMail


@login_required
def outbox(request: HttpRequest, slug: str) -> HttpResponse:
    """The centre's outgoing mail, newest first: rendered text, status and error."""
    if not user_is_centre_staff(user=request.user):
        raise Http404
    centre = Centre.objects.filter(slug=slug).first()
    if centre is None:
        raise Http404
    mails = OutgoingMail.objects.filter(centre=centre).order_by("-created_at", "-id")
    status = request.GET.get("status")
    if status in OutgoingMail.Status.values:
        mails = mails.filter(status=status)
    page = Paginator(mails, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/outbox.html",
        {"centre": centre, "page": page, "statuses": OutgoingMail.Status.choices, "status": status},
    )
