"""Coordinators' side of self-run groups: record the contact person a group chose, send them a
fresh link to their group's page, let them step down, and answer what groups ask for (another
room, a new series, a new public description) from one queue. Staff of the centre only."""

from datetime import date
from typing import Literal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from centres.models import Centre
from centres.selectors import staff_centre_or_404
from config.api import signed_in_user
from config.errors import DomainError
from meetings import selectors
from meetings.models import ContactPerson, Group, GroupRequest, Membership
from meetings.selectors import contacts as contact_selectors
from meetings.services import contacts
from meetings.views.held import held_page, held_pdf, held_year

REQUESTS_PER_PAGE = 30


def _group(request: HttpRequest, slug: str, pk: int) -> tuple[Centre, Group]:
    centre = staff_centre_or_404(user=request.user, slug=slug)
    group = selectors.workspace_group(centre, pk)
    if group is None:
        raise Http404
    return centre, group


def _to_group(group: Group) -> HttpResponse:
    return redirect(reverse("workspace-group", args=[group.centre.slug, group.pk]) + "#contacts-heading")


@login_required
@require_POST
def workspace_contact_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Record the member the group chose as its contact person; they get their page's link."""
    _centre, group = _group(request, slug, pk)
    membership_id = request.POST.get("membership", "")
    membership = (
        Membership.objects.filter(group=group, left_on__isnull=True, pk=membership_id).select_related("person").first()
        if membership_id.isascii() and membership_id.isdigit()
        else None
    )
    if membership is None:
        messages.error(request, _("Choose one of the group's members."))
        return _to_group(group)
    chosen_on = _day(request.POST.get("chosen_on", ""))
    if chosen_on is False:
        messages.error(request, _("Give the day the group chose them as a date, like 2026-03-01."))
        return _to_group(group)
    try:
        contacts.contact_person_record(actor=signed_in_user(request), membership=membership, chosen_on=chosen_on)
    except DomainError as problem:
        messages.error(request, str(problem))
        return _to_group(group)
    name = membership.person.display_name
    if membership.person.email:
        messages.success(
            request,
            _("%(name)s is now a contact person of the group; the link to the group's page went to their e-mail.")
            % {"name": name},
        )
    else:
        messages.warning(
            request,
            _("%(name)s is now a contact person, but has no e-mail address: add one, then send them the link.")
            % {"name": name},
        )
    return _to_group(group)


def _day(text: str) -> date | Literal[False] | None:
    """The day typed, None when none was (today), False when it is not a date."""
    if not text.strip():
        return None
    try:
        return parse_date(text.strip()) or False
    except ValueError:
        return False


def _contact(group: Group, contact_pk: int) -> ContactPerson:
    contact = (
        ContactPerson.objects.filter(group=group, pk=contact_pk, ended_at__isnull=True)
        .select_related("membership__person", "group__centre")
        .first()
    )
    if contact is None:
        raise Http404
    return contact


@login_required
@require_POST
def workspace_contact_link(request: HttpRequest, slug: str, pk: int, contact_pk: int) -> HttpResponse:
    """Mail a contact person a freshly signed link to their group's page."""
    _centre, group = _group(request, slug, pk)
    contact = _contact(group, contact_pk)
    try:
        contacts.contact_link_send(actor=signed_in_user(request), contact=contact)
    except DomainError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(
            request,
            _("A new link to the group's page is on its way to %(name)s.")
            % {"name": contact.membership.person.display_name},
        )
    return _to_group(group)


@login_required
def workspace_contact_step_down(request: HttpRequest, slug: str, pk: int, contact_pk: int) -> HttpResponse:
    """A contact person steps down: the page asks first; their link stops working at once."""
    centre, group = _group(request, slug, pk)
    contact = _contact(group, contact_pk)
    if request.method == "POST":
        try:
            contacts.contact_person_step_down(actor=signed_in_user(request), contact=contact)
        except DomainError as problem:
            messages.error(request, str(problem))
            return _to_group(group)
        messages.success(
            request,
            _("%(name)s is no longer a contact person of the group; their link no longer works.")
            % {"name": contact.membership.person.display_name},
        )
        return _to_group(group)
    return render(
        request, "meetings/workspace_contact_step_down.html", {"centre": centre, "group": group, "contact": contact}
    )


@login_required
def workspace_group_requests(request: HttpRequest, slug: str) -> HttpResponse:
    """The queue of what self-run groups asked for, oldest first, each with its answer buttons."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    page = Paginator(contact_selectors.open_group_requests(centre), REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "meetings/workspace_group_requests.html", {"centre": centre, "page": page})


@login_required
@require_POST
def workspace_group_request_answer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Mark a group's request done (a description is then published) or decline it."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    item = GroupRequest.objects.filter(centre=centre, pk=pk).select_related("group").first()
    if item is None:
        raise Http404
    outcome = request.POST.get("outcome")
    if outcome not in ("done", "declined"):
        messages.error(request, _("Choose whether the request is done or declined."))
        return redirect(reverse("workspace-group-requests", args=[slug]))
    try:
        contacts.group_request_answer(
            actor=signed_in_user(request), request=item, done=outcome == "done", answer=request.POST.get("answer", "")
        )
    except DomainError as problem:
        messages.error(request, str(problem))
    else:
        if outcome == "done" and item.kind == GroupRequest.Kind.DESCRIPTION:
            text = _("The new description of “%(group)s” is public now.")
        elif outcome == "done":
            text = _("The request of “%(group)s” is marked done; the contact person sees it on their page.")
        else:
            text = _("The request of “%(group)s” is declined; the contact person sees your answer on their page.")
        messages.success(request, text % {"group": item.group.name})
    return redirect(reverse("workspace-group-requests", args=[slug]))


@login_required
def workspace_group_held(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The meetings the group held in a year, with the PDF statement and its sign-off."""
    _centre, group = _group(request, slug, pk)
    year = held_year(group, request.GET.get("year"))
    if year is None:
        raise Http404
    return held_page(
        request,
        group,
        year,
        back_url=reverse("workspace-group", args=[slug, pk]),
        pdf_url=reverse("workspace-group-held-pdf", args=[slug, pk, year]),
        sign_off_url=reverse("workspace-group-held-sign-off", args=[slug, pk]),
    )


@login_required
@require_POST
def workspace_group_held_sign_off(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Sign off the year's statement of meetings held: the PDF then says the centre confirms it."""
    _centre, group = _group(request, slug, pk)
    year = held_year(group, request.POST.get("year"))
    if year is None:
        messages.error(request, _("Choose one of the years offered."))
        return redirect(reverse("workspace-group-held", args=[slug, pk]))
    statement = contacts.held_statement_sign_off(actor=signed_in_user(request), group=group, year=year)
    messages.success(
        request,
        _("Signed off: %(count)d meetings held in %(year)d. The PDF statement now says so.")
        % {"count": statement.meetings_held, "year": year},
    )
    return redirect(reverse("workspace-group-held", args=[slug, pk]) + f"?year={year}")


@login_required
def workspace_group_held_pdf(request: HttpRequest, slug: str, pk: int, year: int) -> HttpResponse:
    """The statement of meetings held as a PDF."""
    _centre, group = _group(request, slug, pk)
    if held_year(group, year) is None:
        raise Http404
    return held_pdf(group, year)
