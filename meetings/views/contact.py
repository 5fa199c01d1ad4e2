"""A self-run group's page for its contact person, reached by the signed link mailed to them
(`meetings.member_links.contact_url`): the group's meetings (cancel, move into a free slot,
reinstate, a note for members), its size, what members chose to share, requests to the centre and
the public description. No password: the link is the key, and it works only while its holder is
the group's contact person. Each view reads the role across centres, then works in its centre's
scope; each change goes through the service staff use and is audited as the contact person's."""

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from centres.scoping import centre_scope
from config.errors import DomainError
from config.local_time import local_time_problem
from meetings.models import ContactPerson, Group, GroupRequest, Meeting, Room, StillMeetingCheck
from meetings.selectors import contacts as selectors
from meetings.services import contacts as services
from meetings.services import still_meeting
from meetings.views.held import held_page, held_pdf, held_year
from meetings.views.member import LINK_INVALID
from meetings.views.workspace import MoveForm

ContactView = Callable[..., HttpResponse]


def contact_link(view: ContactView) -> ContactView:
    """Resolve the link to a current contact role and run the view in its centre's scope; any
    other link gets the page every dead link gets (404), which says nothing of why."""

    @functools.wraps(view)
    @never_cache
    def wrapper(request: HttpRequest, token: str, **kwargs: Any) -> HttpResponse:
        contact = selectors.contact_for_token(token)
        if contact is None:
            return render(request, LINK_INVALID, status=404)
        with centre_scope(contact.centre_id):
            return view(request, token, contact, **kwargs)

    return wrapper


def _to_page(token: str) -> HttpResponse:
    return redirect(reverse("contact-page", args=[token]))


class RequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What do you ask for?"),
        choices=[(kind, label) for kind, label in GroupRequest.Kind.choices if kind != GroupRequest.Kind.DESCRIPTION],
    )
    message = forms.CharField(
        label=gettext_lazy("Your message"),
        help_text=gettext_lazy("For example: which day and time, how many people, what the room needs."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )


class DescriptionForm(forms.Form):
    description = forms.CharField(
        label=gettext_lazy("Public description"),
        help_text=gettext_lazy("Shown in the group finder once the contact point has read it. Never name members."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=2000,
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note for the members"),
        help_text=gettext_lazy("Shown with this meeting on the members' pages and in their reminders."),
        max_length=300,
        required=False,
    )


def _page(request: HttpRequest, token: str, contact: ContactPerson, **extra: Any) -> HttpResponse:
    group = contact.group
    context = {
        "centre": group.centre,
        "group": group,
        "token": token,
        "meetings": selectors.contact_meetings(contact),
        "member_count": selectors.group_member_count(group),
        "shares": selectors.group_shares(group),
        "requests": selectors.contact_requests(contact),
        "request_form": RequestForm(),
        "description_form": DescriptionForm(initial={"description": group.description}),
        "still_meeting_open": StillMeetingCheck.objects.filter(group=group, answered_at__isnull=True).exists(),
        **extra,
    }
    pending = context["pending_description"] = next(
        (
            request
            for request in context["requests"]
            if request.kind == GroupRequest.Kind.DESCRIPTION and request.status == GroupRequest.Status.OPEN
        ),
        None,
    )
    if pending is not None and "description_form" not in extra:
        context["description_form"] = DescriptionForm(initial={"description": pending.message})
    status = 400 if extra else 200
    return render(request, "meetings/contact/page.html", context, status=status)


@contact_link
def contact_page(request: HttpRequest, token: str, contact: ContactPerson) -> HttpResponse:
    """The group's page for its contact person."""
    return _page(request, token, contact)


@require_POST
@contact_link
def contact_request(request: HttpRequest, token: str, contact: ContactPerson) -> HttpResponse:
    """Ask the centre for another room, a new series or something else."""
    form = RequestForm(request.POST)
    if form.is_valid():
        try:
            services.group_request_create(contact=contact, **form.cleaned_data)
        except DomainError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, _("Your request is with the contact point; its answer will show here."))
            return _to_page(token)
    return _page(request, token, contact, request_form=form)


@require_POST
@contact_link
def contact_description(request: HttpRequest, token: str, contact: ContactPerson) -> HttpResponse:
    """Propose a new public description; it is public once a coordinator approves it."""
    form = DescriptionForm(request.POST)
    if form.is_valid():
        if form.cleaned_data["description"].strip() == contact.group.description.strip():
            messages.info(request, _("Nothing changed: this is the description shown now."))
            return _to_page(token)
        try:
            services.group_description_propose(contact=contact, description=form.cleaned_data["description"])
        except DomainError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, _("Thank you: the contact point reads the new description before it is shown."))
            return _to_page(token)
    return _page(request, token, contact, description_form=form)


def _meeting_page(
    request: HttpRequest, token: str, contact: ContactPerson, meeting: Meeting, *, action: str, **extra: Any
) -> HttpResponse:
    """The page of one change to one meeting: its form, or its error (status from the error)."""
    status = extra.pop("status", 200)
    context = {"centre": contact.group.centre, "group": contact.group, "token": token, "meeting": meeting}
    context.update(action=action, members=selectors.group_member_count(contact.group), **extra)
    return render(request, "meetings/contact/meeting.html", context, status=status)


def _meeting_or_invalid(request: HttpRequest, contact: ContactPerson, pk: int) -> Meeting | HttpResponse:
    meeting = selectors.contact_meeting(contact, pk)
    if meeting is None:
        return render(request, LINK_INVALID, {"message": _("This meeting is not on your group's page.")}, status=404)
    return meeting


@contact_link
def contact_meeting_cancel(request: HttpRequest, token: str, contact: ContactPerson, pk: int) -> HttpResponse:
    """Cancel a meeting after a confirmation that says how many members are told."""
    meeting = _meeting_or_invalid(request, contact, pk)
    if isinstance(meeting, HttpResponse):
        return meeting
    form = NoteForm(request.POST or None, initial={"note": meeting.note})
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_meeting_cancel(contact=contact, meeting=meeting, note=form.cleaned_data["note"])
        except DomainError as problem:
            return _meeting_page(
                request, token, contact, meeting, action="cancel", form=form, error=str(problem), status=409
            )
        messages.success(request, _("The meeting is cancelled; the members are told."))
        return _to_page(token)
    return _meeting_page(request, token, contact, meeting, action="cancel", form=form)


class ContactMoveForm(MoveForm):
    def __init__(self, *args: Any, rooms: list[Room], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["room"]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = Room.objects.filter(pk__in=[room.pk for room in rooms]).select_related("location")


@contact_link
def contact_meeting_move(request: HttpRequest, token: str, contact: ContactPerson, pk: int) -> HttpResponse:
    """Move a meeting into a free slot of the group's room or a room open to self-run groups."""
    meeting = _meeting_or_invalid(request, contact, pk)
    if isinstance(meeting, HttpResponse):
        return meeting
    rooms = selectors.contact_rooms(contact)
    zone = ZoneInfo(meeting.centre.time_zone)
    initial = {
        "starts_at": timezone.localtime(meeting.starts_at, zone).strftime("%Y-%m-%dT%H:%M"),
        "room": meeting.room,
    }
    form = ContactMoveForm(request.POST or None, rooms=rooms, initial=initial)
    if meeting.room is None:  # online or outdoors: it moves in time only
        del form.fields["room"]
    if request.method == "POST" and form.is_valid():
        try:
            starts_at = _local_start(form.cleaned_data["starts_at"], zone)
            moved = services.contact_meeting_move(
                contact=contact,
                meeting=meeting,
                starts_at=starts_at,
                room=form.cleaned_data.get("room"),
            )
        except DomainError as problem:
            return _meeting_page(
                request,
                token,
                contact,
                meeting,
                action="move",
                form=form,
                error=str(problem),
                status=problem.status_code,
            )
        if moved.sequence == meeting.sequence:
            messages.info(request, _("Nothing changed: the meeting keeps its time and room."))
        else:
            when = date_format(timezone.localtime(moved.starts_at, zone), "l j F, H:i")
            messages.success(
                request,
                _("Moved to %(when)s in %(room)s; the members are told.")
                % {"when": when, "room": moved.room.name if moved.room is not None else moved.place},
            )
        return _to_page(token)
    status = 400 if request.method == "POST" else 200
    return _meeting_page(request, token, contact, meeting, action="move", form=form, status=status)


def _local_start(moment: datetime, zone: ZoneInfo) -> datetime:
    naive = moment.replace(tzinfo=None)
    problem = local_time_problem(naive, zone)
    if problem:
        raise DomainError(problem, field="starts_at")
    return timezone.make_aware(naive, zone)


@contact_link
def contact_meeting_note(request: HttpRequest, token: str, contact: ContactPerson, pk: int) -> HttpResponse:
    """Set the note members see with a meeting ("we meet at the café next door")."""
    meeting = _meeting_or_invalid(request, contact, pk)
    if isinstance(meeting, HttpResponse):
        return meeting
    form = NoteForm(request.POST or None, initial={"note": meeting.note})
    if request.method == "POST" and form.is_valid():
        services.contact_meeting_annotate(contact=contact, meeting=meeting, note=form.cleaned_data["note"])
        messages.success(
            request, _("The note is saved.") if form.cleaned_data["note"].strip() else _("The note is removed.")
        )
        return _to_page(token)
    status = 400 if request.method == "POST" else 200
    return _meeting_page(request, token, contact, meeting, action="note", form=form, status=status)


@require_POST
@contact_link
def contact_meeting_reinstate(request: HttpRequest, token: str, contact: ContactPerson, pk: int) -> HttpResponse:
    """A cancelled meeting takes place after all, if its room is still free."""
    meeting = _meeting_or_invalid(request, contact, pk)
    if isinstance(meeting, HttpResponse):
        return meeting
    try:
        services.contact_meeting_reinstate(contact=contact, meeting=meeting)
    except DomainError as problem:
        return _meeting_page(request, token, contact, meeting, action="reinstate", error=str(problem), status=409)
    messages.success(request, _("The meeting takes place again; the members are told."))
    return _to_page(token)


@contact_link
def contact_held(request: HttpRequest, token: str, contact: ContactPerson) -> HttpResponse:
    """The meetings the group held in a year, for its grant, with the PDF statement."""
    year = held_year(contact.group, request.GET.get("year"))
    if year is None:
        return render(request, LINK_INVALID, {"message": _("There is no statement for that year.")}, status=404)
    pdf_url = reverse("contact-held-pdf", args=[token, year])
    return held_page(request, contact.group, year, back_url=reverse("contact-page", args=[token]), pdf_url=pdf_url)


@contact_link
def contact_held_pdf(request: HttpRequest, token: str, contact: ContactPerson, year: int) -> HttpResponse:
    """The statement of meetings held as a PDF."""
    if held_year(contact.group, year) is None:
        return render(request, LINK_INVALID, {"message": _("There is no statement for that year.")}, status=404)
    return held_pdf(contact.group, year)


@contact_link
def contact_still_meeting(request: HttpRequest, token: str, contact: ContactPerson) -> HttpResponse:
    """ "Still meeting?": the question (a GET only shows it: link scanners follow GETs) and its
    one-click answers; ending asks why, and says what it does."""
    open_check = StillMeetingCheck.objects.filter(group=contact.group, answered_at__isnull=True).first()
    error = ""
    if request.method == "POST" and open_check is not None:
        try:
            check = still_meeting.still_meeting_answer(
                contact=contact,
                answer=request.POST.get("answer", ""),
                end_reason=request.POST.get("end_reason", ""),
                note=request.POST.get("note", "")[:300],
            )
        except DomainError as problem:
            error = str(problem)
        else:
            messages.success(request, str(STILL_MEETING_THANKS[check.answer]))
            return _to_page(token) if check.answer != StillMeetingCheck.Answer.ENDS else _ended(request, contact)
    context = {
        "centre": contact.group.centre,
        "group": contact.group,
        "token": token,
        "check": open_check,
        "error": error,
        "end_reasons": [choice for choice in Group.EndReason.choices if choice[0]],
        "members": selectors.group_member_count(contact.group),
    }
    return render(request, "meetings/contact/still.html", context, status=400 if error else 200)


STILL_MEETING_THANKS: dict[str, Any] = {
    StillMeetingCheck.Answer.GOES_ON: gettext_lazy("Thank you: your group goes on. We will ask again in a year."),
    StillMeetingCheck.Answer.PAUSES: gettext_lazy(
        "Your group pauses; its meetings stay in the calendar until the contact point hears from you."
    ),
    StillMeetingCheck.Answer.ENDS: gettext_lazy("Your group has ended. Thank you for all you did for it."),
}


def _ended(request: HttpRequest, contact: ContactPerson) -> HttpResponse:
    """After the group ended the link no longer works: the answer is the page's last word."""
    return render(request, "meetings/contact/ended.html", {"centre": contact.group.centre, "group": contact.group})
