"""The workspace's search, from its header: people, groups, enquiries and rooms of the staff
member's centre whose names contain the words asked for. Names only, each linked to the page
where the coordinator works with it; the people shown are an audited read, like a roster."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from centres.models import Person
from centres.selectors import people_named, staff_centre_or_404
from centres.services.audit import audit_list_read
from config.api import signed_in_user
from intake.models import Enquiry
from meetings.models import Group, Membership, Room

SHOWN = 20


@login_required
def workspace_search(request: HttpRequest, slug: str) -> HttpResponse:
    """Up to SHOWN of each kind for `q` (at least two characters)."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    query = request.GET.get("q", "").strip()[:100]
    context: dict = {"centre": centre, "query": query, "too_short": 0 < len(query) < 2}
    if len(query) < 2:
        return render(request, "intake/search.html", context)
    people = people_named(centre, query, limit=SHOWN)
    audit_list_read(
        actor=signed_in_user(request),
        model=Person,
        list_name="workspace-search",
        filters={},
        rows=people,
        centre_ids=[centre.pk],
    )
    ids = [person.pk for person in people]
    memberships = list(Membership.objects.filter(person_id__in=ids, left_on__isnull=True).select_related("group"))
    # An enquiry still waiting for its address to confirm it belongs to no one yet.
    enquiries = list(
        Enquiry.objects.filter(person_id__in=ids, anonymised_at__isnull=True, awaiting_confirmation=False).order_by(
            "-created_at"
        )
    )
    context.update(
        people=[
            (
                person,
                [membership.group for membership in memberships if membership.person_id == person.pk],
                [enquiry for enquiry in enquiries if enquiry.person_id == person.pk],
            )
            for person in people
        ],
        groups=list(
            Group.objects.filter(centre=centre)
            .filter(Q(name__icontains=query) | Q(topic__name__icontains=query))
            .select_related("topic")
            .order_by("name")[:SHOWN]
        ),
        rooms=list(
            Room.objects.filter(centre=centre, name__icontains=query)
            .select_related("location")
            .order_by("name")[:SHOWN]
        ),
    )
    context["found"] = any(context[kind] for kind in ("people", "groups", "rooms"))
    return render(request, "intake/search.html", context)
