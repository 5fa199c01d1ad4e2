"""The coordinators' intake pages: the queue, and one enquiry with its conversation, notes,
matching groups, placement and waiting list. Staff of the centre only; each action on an enquiry
has its own view and URL, every change goes through a service, and reading an enquiry is audited."""

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from centres.models import AuditLogEntry, Centre, ConsentRecord
from centres.selectors import person_withdrew, staff_centre_or_404
from centres.services.audit import audit_list_read, audit_record, list_filters
from centres.services.retention import UNCONFIRMED_KEPT
from config.api import signed_in_user
from config.errors import DomainError
from config.forms import IdChoiceField, LocalDateTimeField
from intake.models import Enquiry, ReferralPartner
from intake.selectors import enquiry_for_staff, enquiry_queue, group_suggestions
from intake.services.placement import enquiry_place
from intake.services.queue import (
    SCHEDULABLE,
    TRANSITIONS,
    enquiry_assign,
    enquiry_conversation_schedule,
    enquiry_note_add,
    enquiry_transition,
    enquiry_wait,
)
from intake.services.submission import enquiry_submit
from intake.views.public import EnquiryForm
from meetings.models import Group, Room, Topic


def _staff(request: HttpRequest) -> User:
    """The login of a request `login_required` let through (its centre is checked per view)."""
    return signed_in_user(request)


@login_required
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    """The intake queue: by status, searched by name, address or phone, the oldest or newest first."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    status = request.GET.get("status", "open")
    search = request.GET.get("q", "").strip()[:100]
    newest_first = request.GET.get("sort") == "newest"
    mine = request.GET.get("mine") == "1"
    enquiries = enquiry_queue(centre=centre, status=status, search=search, newest_first=newest_first)
    shown = list((enquiries.filter(assignee=_staff(request)) if mine else enquiries)[:200])
    audit_list_read(
        actor=_staff(request),
        model=Enquiry,
        list_name="workspace-intake",
        filters=list_filters(request.GET, kept={"status", "sort", "mine"}),
        rows=shown,
        centre_ids=[centre.pk],
    )
    return render(
        request,
        "intake/intake_queue.html",
        {
            "centre": centre,
            "enquiries": shown,
            "status": status,
            "statuses": Enquiry.Status.choices,
            "search": search,
            "sort": "newest" if newest_first else "oldest",
            "mine": mine,
            "now": timezone.now(),
        },
    )


class StaffEnquiryForm(EnquiryForm):
    """An enquiry a coordinator takes on the phone, by e-mail or at the desk, in the person's words."""

    channel = forms.ChoiceField(
        label=_("How did they get in touch?"),
        choices=[choice for choice in Enquiry.Channel.choices if choice[0] != Enquiry.Channel.WEB],
        widget=forms.RadioSelect,
        initial=Enquiry.Channel.PHONE,
    )
    referred_by = IdChoiceField(
        label=_("Sent by a partner (optional)"),
        queryset=ReferralPartner.objects.none(),
        required=False,
        empty_label=_("No partner"),
    )
    field_order = ["channel"]

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, centre=centre, **kwargs)
        del self.fields["website"]
        del self.fields["ref"]
        partners = cast(IdChoiceField, self.fields["referred_by"])
        partners.queryset = ReferralPartner.objects.filter(centre=centre, is_active=True)
        self.fields["name"].label = _("Name or pseudonym")
        self.fields["language"].label = _("Language they would like to talk in")
        self.fields["is_relative"].label = _("A relative or friend of someone affected")
        self.fields["message"].label = _("What they told you (optional)")
        self.fields["consent"].label = _(
            "They agreed that the contact point stores and uses these details, including what they said "
            "about their health or situation, to find a group and to contact them about it."
        )


@login_required
def enquiry_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Record an enquiry taken on the phone, by e-mail or in person; it joins the queue at once."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    form = StaffEnquiryForm(request.POST or None, centre=centre)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "topics": list(form.cleaned_data["topics"])}
        data.pop("website", None)
        try:
            enquiry = enquiry_submit(actor=_staff(request), centre=centre, **data)
        except DomainError as problem:
            form.add_error(problem.field if problem.field in form.fields else None, str(problem))
        else:
            messages.success(request, _("The enquiry is recorded and in the queue."))
            return redirect(reverse("workspace-enquiry", args=[slug, enquiry.pk]))
    status = 400 if request.method == "POST" else 200
    return render(request, "intake/enquiry_new.html", {"centre": centre, "form": form}, status=status)


class ScheduleForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("How"), choices=Enquiry.ConversationKind.choices, widget=forms.RadioSelect, initial="phone"
    )
    starts_at = LocalDateTimeField(
        label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    minutes = forms.IntegerField(label=_("Minutes"), min_value=15, max_value=180, initial=45)
    room: "forms.ModelChoiceField[Room]" = forms.ModelChoiceField(
        label=_("Room (in person)"), queryset=Room.objects.none(), required=False
    )


class PlaceForm(forms.Form):
    group = IdChoiceField(queryset=Group.objects.none())
    override = forms.BooleanField(required=False)

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(IdChoiceField, self.fields["group"]).queryset = Group.objects.filter(centre=centre)


class WaitForm(forms.Form):
    topic = IdChoiceField(queryset=Topic.objects.none(), required=False)

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(IdChoiceField, self.fields["topic"]).queryset = Topic.objects.filter(centre=centre)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("New note (staff only)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


# Each next step's button says what the coordinator does, not the state it leads to.
STEP_ACTIONS: dict[Enquiry.Status, Any] = {
    Enquiry.Status.NEW: _("Mark as new again"),
    Enquiry.Status.CONTACTED: _("Mark as contacted"),
    Enquiry.Status.CONVERSATION_SCHEDULED: _("Mark the conversation as scheduled"),
    Enquiry.Status.CONVERSATION_HELD: _("Mark the conversation as held"),
    Enquiry.Status.REFERRED: _("Refer elsewhere"),
    Enquiry.Status.WITHDRAWN: _("Mark as withdrawn"),
    Enquiry.Status.CLOSED: _("Close the enquiry"),
}


class _EnquiryPage:
    """One enquiry of the staff member's centre, with what its page and its actions need."""

    def __init__(self, request: HttpRequest, slug: str, pk: int) -> None:
        self.centre = staff_centre_or_404(user=request.user, slug=slug)
        enquiry = enquiry_for_staff(centre=self.centre, pk=pk)
        if enquiry is None:
            raise Http404
        self.enquiry: Enquiry = enquiry

    def schedule_form(self, data: Any = None) -> ScheduleForm:
        form = ScheduleForm(data, prefix="talk")
        rooms = Room.objects.filter(location__centre=self.centre).select_related("location")
        cast(forms.ModelChoiceField, form.fields["room"]).queryset = rooms
        return form

    def render(
        self,
        request: HttpRequest,
        *,
        schedule_form: ScheduleForm | None = None,
        note_form: NoteForm | None = None,
        error: str = "",
        status: int = 200,
        confirm_place: dict[str, Any] | None = None,
    ) -> HttpResponse:
        enquiry, centre = self.enquiry, self.centre
        enquiry.refresh_from_db()
        held = enquiry.status in (Enquiry.Status.CONVERSATION_HELD, Enquiry.Status.WAITING)
        # Waiting for its address to confirm it, the enquiry belongs to no one: nothing to do yet.
        workable = not enquiry.awaiting_confirmation
        context = {
            "centre": centre,
            "enquiry": enquiry,
            "topics": list(enquiry.topics.all()),
            "notes": enquiry.notes.select_related("author"),
            "next_steps": [
                (step, STEP_ACTIONS[Enquiry.Status(step)] if step in STEP_ACTIONS else label)
                for step, label in Enquiry.Status.choices
                if workable and step in TRANSITIONS[Enquiry.Status(enquiry.status)]
            ],
            "can_schedule": workable and enquiry.status in SCHEDULABLE,
            "can_note": workable,
            "unconfirmed_days": UNCONFIRMED_KEPT.days,
            "schedule_form": schedule_form or self.schedule_form(),
            "note_form": note_form or NoteForm(prefix="note"),
            "suggestions": group_suggestions(enquiry) if held and workable else [],
            # Placing them would send nothing until a new consent is recorded: say so before.
            "reminders_withheld": held
            and enquiry.person_id is not None
            and person_withdrew(enquiry.person_id, ConsentRecord.Purpose.GROUP_MEMBERSHIP),
            "can_wait": workable and enquiry.status == Enquiry.Status.CONVERSATION_HELD,
            "all_topics": Topic.objects.filter(centre=centre, is_offered=True).order_by("name"),
            "error": error,
            "confirm_place": confirm_place,
            "colleagues": User.objects.filter(staff_roles__centre=centre).order_by("username").distinct(),
        }
        return render(request, "intake/intake_detail.html", context, status=status)

    def refused(self, request: HttpRequest, problem: DomainError, **forms_shown: Any) -> HttpResponse:
        """The page again, saying why the action was refused."""
        return self.render(
            request, error=str(problem), status=409 if problem.status_code == 409 else 400, **forms_shown
        )

    def saved(self) -> HttpResponse:
        return redirect(reverse("workspace-enquiry", args=[self.centre.slug, self.enquiry.pk]) + "?saved=1")


@login_required
def enquiry_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One enquiry: reading it is audited. A POST here names its action (`action=...`), as the
    page's forms once posted here; each action has its own view and URL."""
    if request.method == "POST":
        action = ENQUIRY_ACTIONS.get(request.POST.get("action", ""), _enquiry_unknown_action)
        return action(request, slug, pk)
    page = _EnquiryPage(request, slug, pk)
    audit_record(actor=_staff(request), centre=page.centre, action=AuditLogEntry.Action.VIEW, obj=page.enquiry)
    return page.render(request)


def _enquiry_unknown_action(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    page = _EnquiryPage(request, slug, pk)
    return page.refused(request, DomainError(str(_("Unknown action."))))


@login_required
@require_POST
def workspace_enquiry_transition(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The next step in the queue: contacted, conversation held, referred, withdrawn or closed."""
    page = _EnquiryPage(request, slug, pk)
    try:
        enquiry_transition(
            actor=_staff(request),
            enquiry=page.enquiry,
            to=request.POST.get("to", ""),
            referred_to=request.POST.get("referred_to", ""),
        )
    except DomainError as problem:
        return page.refused(request, problem)
    return page.saved()


@login_required
@require_POST
def workspace_enquiry_schedule(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Schedule (or move) the intake conversation, by phone or in a booked room."""
    page = _EnquiryPage(request, slug, pk)
    form = page.schedule_form(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(str(_("Check the conversation's details.")))
        enquiry_conversation_schedule(actor=_staff(request), enquiry=page.enquiry, **form.cleaned_data)
    except DomainError as problem:
        return page.refused(request, problem, schedule_form=form)
    return page.saved()


@login_required
@require_POST
def workspace_enquiry_assign(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Say who looks after the enquiry: a colleague, oneself, or nobody (an empty choice)."""
    page = _EnquiryPage(request, slug, pk)
    chosen = request.POST.get("assignee", "")
    assignee = None
    if chosen:
        assignee = User.objects.filter(pk=int(chosen) if chosen.isdigit() and len(chosen) < 18 else 0).first()
        if assignee is None:
            return page.refused(request, DomainError(str(_("Choose a colleague from the list."))))
    try:
        enquiry_assign(actor=_staff(request), enquiry=page.enquiry, assignee=assignee)
    except DomainError as problem:
        return page.refused(request, problem)
    if assignee is None:
        messages.success(request, _("Nobody looks after this enquiry now."))
    else:
        messages.success(request, _("%(name)s looks after this enquiry.") % {"name": assignee.get_username()})
    return redirect(reverse("workspace-enquiry", args=[slug, pk]))


@login_required
@require_POST
def workspace_enquiry_note(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Add a staff note."""
    page = _EnquiryPage(request, slug, pk)
    form = NoteForm(request.POST, prefix="note")
    try:
        if not form.is_valid():
            raise DomainError(str(_("Write the note first.")))
        enquiry_note_add(actor=_staff(request), enquiry=page.enquiry, text=form.cleaned_data["text"])
    except DomainError as problem:
        return page.refused(request, problem, note_form=form)
    return page.saved()


@login_required
@require_POST
def workspace_enquiry_place(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Place the person into one of the suggested groups (over its size only when overridden)."""
    page = _EnquiryPage(request, slug, pk)
    form = PlaceForm(request.POST, centre=page.centre)
    try:
        if not form.is_valid():
            raise DomainError(str(_("Choose one of the groups.")))
        if request.POST.get("confirm") != "yes":
            # Placing mails a welcome: the first click says so and asks again.
            return page.render(request, confirm_place=form.cleaned_data)
        membership = enquiry_place(actor=_staff(request), enquiry=page.enquiry, **form.cleaned_data)
    except DomainError as problem:
        return page.refused(request, problem)
    group = form.cleaned_data["group"]
    if membership.person.email:
        done = _("Placed in “%(group)s”; the welcome e-mail with their links is on its way.")
    else:
        done = _("Placed in “%(group)s”. They have no e-mail address: tell them the next meeting yourself.")
    messages.success(request, done % {"group": group.name})
    return redirect(reverse("workspace-enquiry", args=[slug, pk]))


@login_required
@require_POST
def workspace_enquiry_wait(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Put the person on the waiting list for a topic."""
    page = _EnquiryPage(request, slug, pk)
    form = WaitForm(request.POST, centre=page.centre)
    try:
        if not form.is_valid():
            raise DomainError(str(_("Choose one of the topics.")))
        enquiry_wait(actor=_staff(request), enquiry=page.enquiry, topic=form.cleaned_data["topic"])
    except DomainError as problem:
        return page.refused(request, problem)
    return page.saved()


ENQUIRY_ACTIONS: dict[str, Callable[[HttpRequest, str, int], HttpResponse]] = {
    "transition": workspace_enquiry_transition,
    "schedule": workspace_enquiry_schedule,
    "note": workspace_enquiry_note,
    "place": workspace_enquiry_place,
    "wait": workspace_enquiry_wait,
}
