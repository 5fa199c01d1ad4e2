"""The coordinators' intake pages: the queue, and one enquiry with its conversation, notes,
matching groups, placement and waiting list. Staff of the centre only; every change goes through
a service, and reading an enquiry is audited."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from centres.models import AuditLogEntry, Centre, ConsentRecord
from centres.selectors import person_withdrew, staff_centre_or_404
from centres.services.audit import audit_list_read, audit_record, list_filters
from config.errors import DomainError
from config.forms import IdChoiceField, LocalDateTimeField
from meetings.intake import matching, services
from meetings.intake.models import Enquiry
from meetings.models import Group, Room, Topic

OPEN = [s for s in Enquiry.Status.values if s not in services.FINISHED]


@login_required
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    centre = staff_centre_or_404(user=request.user, slug=slug)
    status = request.GET.get("status", "open")
    enquiries = (
        Enquiry.objects.filter(centre=centre, anonymised_at__isnull=True)
        .select_related("person")
        .prefetch_related("topics")
        .order_by("created_at", "pk")
    )
    enquiries = enquiries.filter(status__in=OPEN) if status == "open" else enquiries.filter(status=status)
    shown = list(enquiries[:200])
    audit_list_read(
        actor=request.user,
        model=Enquiry,
        list_name="workspace-intake",
        filters=list_filters(request.GET, kept={"status"}),
        rows=shown,
        centre_ids=[centre.pk],
    )
    return render(
        request,
        "meetings/intake_queue.html",
        {
            "centre": centre,
            "enquiries": shown,
            "status": status,
            "statuses": Enquiry.Status.choices,
        },
    )


class ScheduleForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("How"), choices=Enquiry.ConversationKind.choices, widget=forms.RadioSelect, initial="phone"
    )
    starts_at = LocalDateTimeField(
        label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    minutes = forms.IntegerField(label=_("Minutes"), min_value=15, max_value=180, initial=45)
    room = forms.ModelChoiceField(label=_("Room (in person)"), queryset=Room.objects.none(), required=False)


class PlaceForm(forms.Form):
    group = IdChoiceField(queryset=Group.objects.none())
    override = forms.BooleanField(required=False)

    def __init__(self, *args, centre: Centre, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = Group.objects.filter(centre=centre)


class WaitForm(forms.Form):
    topic = IdChoiceField(queryset=Topic.objects.none(), required=False)

    def __init__(self, *args, centre: Centre, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.filter(centre=centre)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("New note (staff only)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


@login_required
def enquiry_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    centre = staff_centre_or_404(user=request.user, slug=slug)
    enquiry = Enquiry.objects.filter(centre=centre, pk=pk, anonymised_at__isnull=True).select_related("person").first()
    if enquiry is None:
        raise Http404
    schedule_form, note_form = ScheduleForm(prefix="talk"), NoteForm(prefix="note")
    rooms = Room.objects.filter(location__centre=centre).select_related("location")
    schedule_form.fields["room"].queryset = rooms
    error, status = "", 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "transition":
                services.enquiry_transition(
                    actor=request.user,
                    enquiry=enquiry,
                    to=request.POST.get("to", ""),
                    referred_to=request.POST.get("referred_to", ""),
                )
            elif action == "schedule":
                schedule_form = ScheduleForm(request.POST, prefix="talk")
                schedule_form.fields["room"].queryset = rooms
                if not schedule_form.is_valid():
                    raise DomainError(str(_("Check the conversation's details.")))
                services.enquiry_conversation_schedule(
                    actor=request.user, enquiry=enquiry, **schedule_form.cleaned_data
                )
            elif action == "note":
                note_form = NoteForm(request.POST, prefix="note")
                if not note_form.is_valid():
                    raise DomainError(str(_("Write the note first.")))
                services.enquiry_note_add(actor=request.user, enquiry=enquiry, text=note_form.cleaned_data["text"])
            elif action == "place":
                place_form = PlaceForm(request.POST, centre=centre)
                if not place_form.is_valid():
                    raise DomainError(str(_("Choose one of the groups.")))
                services.enquiry_place(actor=request.user, enquiry=enquiry, **place_form.cleaned_data)
            elif action == "wait":
                wait_form = WaitForm(request.POST, centre=centre)
                if not wait_form.is_valid():
                    raise DomainError(str(_("Choose one of the topics.")))
                services.enquiry_wait(actor=request.user, enquiry=enquiry, topic=wait_form.cleaned_data["topic"])
            else:
                raise DomainError(str(_("Unknown action.")))
        except DomainError as problem:
            error, status = str(problem), 409 if problem.status_code == 409 else 400
        else:
            return redirect(reverse("workspace-enquiry", args=[slug, pk]) + "?saved=1")
    else:
        audit_record(actor=request.user, centre=centre, action=AuditLogEntry.Action.VIEW, obj=enquiry)
    enquiry.refresh_from_db()
    held = enquiry.status in (Enquiry.Status.CONVERSATION_HELD, Enquiry.Status.WAITING)
    # Waiting for its address to confirm it, the enquiry belongs to no one: nothing to do yet.
    workable = not enquiry.awaiting_confirmation
    return render(
        request,
        "meetings/intake_detail.html",
        {
            "centre": centre,
            "enquiry": enquiry,
            "topics": list(enquiry.topics.all()),
            "notes": enquiry.notes.select_related("author"),
            "next_steps": [
                (step, label)
                for step, label in Enquiry.Status.choices
                if workable and step in services.TRANSITIONS[enquiry.status]
            ],
            "can_schedule": workable and enquiry.status in services.SCHEDULABLE,
            "can_note": workable,
            "unconfirmed_days": services.UNCONFIRMED_KEPT.days,
            "schedule_form": schedule_form,
            "note_form": note_form,
            "suggestions": matching.group_suggestions(enquiry) if held and workable else [],
            # Placing them would send nothing until a new consent is recorded: say so before.
            "reminders_withheld": held
            and enquiry.person_id is not None
            and person_withdrew(enquiry.person_id, ConsentRecord.Purpose.GROUP_MEMBERSHIP),
            "can_wait": workable and enquiry.status == Enquiry.Status.CONVERSATION_HELD,
            "all_topics": Topic.objects.filter(centre=centre, is_offered=True).order_by("name"),
            "error": error,
        },
        status=status,
    )
