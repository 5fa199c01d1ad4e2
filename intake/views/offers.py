"""A freed place offered to who waits: the page the offer's mail links to (yes or no, no
password), and the coordinators' page of a group's free places, its open offer and the click that
offers a place to whoever has waited longest."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from centres.scoping import all_centres_scope, centre_scope
from centres.selectors import staff_centre_or_404
from config.api import signed_in_user
from config.errors import ConflictError
from config.signed_links import unsign
from intake.models import PlaceOffer
from intake.selectors import free_places
from intake.services.offers import longest_waiting, place_offer_answer, place_offer_next
from meetings import selectors as meeting_selectors
from meetings.selectors import group_next_meeting
from meetings.views.member import LINK_INVALID


@never_cache
def place_offer(request: HttpRequest, token: str) -> HttpResponse:
    """The offer: a GET shows it with its two buttons (mail scanners follow links), a POST
    answers it once."""
    payload = unsign("place.offer", token)
    offer_id = payload.get("o") if isinstance(payload, dict) else None
    if not isinstance(offer_id, int):
        return render(request, LINK_INVALID, status=404)
    with all_centres_scope():
        offer = PlaceOffer.objects.filter(pk=offer_id).select_related("group__centre").first()
    if offer is None:
        return render(request, LINK_INVALID, status=404)
    with centre_scope(offer.centre_id):
        context = {"centre": offer.group.centre, "offer": offer, "group": offer.group}
        if request.method == "POST":
            answer = request.POST.get("answer")
            if answer not in ("yes", "no"):
                return render(request, "intake/place_offer.html", {**context, "error": _("Say yes or no.")}, status=400)
            try:
                offer = place_offer_answer(offer=offer, accept=answer == "yes")
            except ConflictError as problem:
                return render(request, LINK_INVALID, {"message": problem.message}, status=409)
            return render(request, "intake/place_offer.html", {**context, "offer": offer, "answered": True})
        return render(request, "intake/place_offer.html", {**context, "first": group_next_meeting(offer.group)})


@login_required
def group_places(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A group's free places, the open offer, earlier offers and who would be offered next."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    group = meeting_selectors.workspace_group(centre, pk)
    if group is None:
        raise Http404
    offers = PlaceOffer.objects.filter(group=group).select_related("enquiry__person")[:20]
    next_enquiry = longest_waiting(group)
    context = {
        "centre": centre,
        "group": group,
        "free": free_places(group),
        "open_offer": next((offer for offer in offers if offer.status == PlaceOffer.Status.OPEN), None),
        "offers": offers,
        "next_enquiry": next_enquiry,
    }
    return render(request, "intake/group_places.html", context)


@login_required
@require_POST
def group_place_offer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Offer a free place to whoever has waited longest (the click, where the centre does not
    offer at once)."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    group = meeting_selectors.workspace_group(centre, pk)
    if group is None:
        raise Http404
    offer = place_offer_next(group_id=group.pk, actor=signed_in_user(request))
    if offer is None:
        messages.info(request, _("No offer went out: no place is free, an offer is open, or nobody waits."))
    else:
        messages.success(
            request,
            _("The place is offered to %(name)s by e-mail; they have seven days to say yes or no.")
            % {"name": offer.enquiry.person.display_name if offer.enquiry.person else ""},
        )
    return redirect(reverse("workspace-group-places", args=[slug, pk]))
