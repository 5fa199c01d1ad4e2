"""Coordinators' group pages: the list (search, filter by state), founding and editing a group,
its life cycle with a reason, and its roster (add a person, end a membership, send a member
fresh links). Staff of the centre only; each POST action has its own view, every change goes
through a service, and each answer says what happened."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from centres.models import Centre, Person
from centres.selectors import people_named, staff_centre_or_404
from centres.services.audit import audit_list_read
from centres.services.people import person_create
from config.api import signed_in_user
from config.errors import DomainError
from config.forms import IdChoiceField
from meetings import selectors
from meetings.models import LANGUAGE_CHOICES, Group, GroupRequest, Membership, Topic
from meetings.selectors import contacts as contact_selectors
from meetings.selectors import workspace as workspace_selectors
from meetings.services import groups
from meetings.services.calendar_links import membership_links_resend

GROUPS_PER_PAGE = 50


class GroupForm(forms.Form):
    """A group's own settings, as a coordinator founds or edits it."""

    name = Group._meta.get_field("name").formfield()
    topic: "forms.ModelChoiceField[Topic]" = IdChoiceField(label=gettext_lazy("Topic"), queryset=Topic.objects.none())
    description = Group._meta.get_field("description").formfield(widget=forms.Textarea(attrs={"rows": 4}))
    languages = forms.MultipleChoiceField(
        label=gettext_lazy("Languages"),
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("None ticked: the centre's language."),
    )
    age_band = Group._meta.get_field("age_band").formfield()
    relatives_welcome = Group._meta.get_field("relatives_welcome").formfield()
    min_size = Group._meta.get_field("min_size").formfield()
    max_size = Group._meta.get_field("max_size").formfield()
    discreet = Group._meta.get_field("discreet").formfield()
    publicly_listed = Group._meta.get_field("publicly_listed").formfield()
    accepts_newcomers = Group._meta.get_field("accepts_newcomers").formfield()

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topic = self.fields["topic"]
        if isinstance(topic, forms.ModelChoiceField):
            topic.queryset = workspace_selectors.group_topics(centre)
        # The description in each language, after the one as written; an empty one falls back.
        translations = (self.initial or {}).get("description_translations") or {}
        fields = list(self.fields.items())
        self.fields.clear()
        for name, field in fields:
            self.fields[name] = field
            if name == "description":
                for code, language in LANGUAGE_CHOICES:
                    self.fields[f"description_{code}"] = forms.CharField(
                        label=_("Description in %(language)s") % {"language": language},
                        widget=forms.Textarea(attrs={"rows": 3}),
                        required=False,
                        max_length=2000,
                        initial=translations.get(code, ""),
                    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        translations = {code: data.pop(f"description_{code}", "").strip() for code, _name in LANGUAGE_CHOICES}
        data["description_translations"] = {code: text for code, text in translations.items() if text}
        return data


def _group_initial(group: Group) -> dict[str, Any]:
    return {name: getattr(group, name) for name in groups.GROUP_FIELDS}


def _group_or_404(centre: Centre, pk: int) -> Group:
    group = selectors.workspace_group(centre, pk)
    if group is None:
        raise Http404
    return group


def _to_group(group: Group) -> HttpResponse:
    return redirect(reverse("workspace-group", args=[group.centre.slug, group.pk]))


@login_required
def workspace_groups(request: HttpRequest, slug: str) -> HttpResponse:
    """The centre's groups with their state and size: search by name or topic, filter by state."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    search = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    if status not in Group.Status.values:
        status = ""
    page = Paginator(selectors.workspace_groups(centre, search=search, status=status), GROUPS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "meetings/workspace_groups.html",
        {"centre": centre, "page": page, "search": search, "status": status, "statuses": Group.Status.choices},
    )


@login_required
def workspace_group_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Found a group (it starts as "forming")."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    form = GroupForm(request.POST or None, centre=centre)
    error = ""
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        try:
            group = groups.group_create(
                actor=signed_in_user(request),
                centre=centre,
                name=values.pop("name"),
                topic=values.pop("topic"),
                **values,
            )
        except DomainError as problem:
            error = str(problem)
        else:
            messages.success(request, _("Group “%(name)s” founded; it is forming.") % {"name": group.name})
            return _to_group(group)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "meetings/workspace_group_form.html", {"centre": centre, "form": form, "error": error}, status=status
    )


@login_required
def workspace_group_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Change a group's settings; the answer names what changed, or says nothing did."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    group = _group_or_404(centre, pk)
    form = GroupForm(request.POST or None, centre=centre, initial=_group_initial(group))
    error = ""
    if request.method == "POST" and form.is_valid():
        if not form.has_changed():
            messages.info(request, _("Nothing changed."))
            return _to_group(group)
        try:
            groups.group_update(actor=signed_in_user(request), group=group, **form.cleaned_data)
        except DomainError as problem:
            error = str(problem)
        else:
            changed = ", ".join(str(form.fields[name].label) for name in form.changed_data)
            messages.success(request, _("Saved: %(fields)s.") % {"fields": changed})
            return _to_group(group)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "meetings/workspace_group_form.html",
        {"centre": centre, "group": group, "form": form, "error": error},
        status=status,
    )


@login_required
def workspace_group(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One group: its settings and life cycle, the roster (members and relatives, since when,
    who has reminders withheld), its starters and next meetings."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    group = _group_or_404(centre, pk)
    members = selectors.group_roster(group)
    # The roster is a list of memberships: read, it is audited (the group's id as its filter).
    audit_list_read(
        actor=signed_in_user(request),
        model=Membership,
        list_name="workspace-group",
        filters={"group": str(group.pk)},
        rows=members,
        centre_ids=[centre.pk],
    )
    find = request.GET.get("find", "").strip()[:100]
    found = people_named(centre, find) if find else []
    if find:
        audit_list_read(
            actor=signed_in_user(request),
            model=Person,
            list_name="workspace-group-find",
            filters={"group": str(group.pk)},
            rows=found,
            centre_ids=[centre.pk],
        )
    return render(
        request,
        "meetings/workspace_group.html",
        {
            "centre": centre,
            "group": group,
            "members": members,
            "former_members": workspace_selectors.group_former_members(group),
            "next_statuses": [(value, Group.Status(value).label) for value in _next_statuses(group)],
            "add_form": AddPersonForm(centre=centre),
            "find": find,
            "found": found,
            "member_ids": {membership.person_id for membership in members},
            "starters": group.starter_assignments.exclude(status="ended").select_related("volunteer__person"),
            "meetings": selectors.public_group_meetings(group, count=8),
            **_contacts_context(group, members),
        },
    )


def _contacts_context(group: Group, members: list[Membership]) -> dict[str, Any]:
    current = contact_selectors.group_contacts(group)
    chosen = {contact.membership_id for contact in current}
    return {
        "contacts": current,
        "contact_choices": [membership for membership in members if membership.pk not in chosen],
        "open_requests": group.requests.filter(status=GroupRequest.Status.OPEN).count(),
    }


def _next_statuses(group: Group) -> list[str]:
    order = Group.Status.values
    return sorted(groups.TRANSITIONS[group.status], key=order.index)


class StatusForm(forms.Form):
    """The group's next step, among those its life cycle allows from where it is."""

    status = forms.ChoiceField(label=gettext_lazy("New status"), choices=(), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("About the group, never about a member. Needed to close a group."),
    )
    end_reason = forms.ChoiceField(
        label=gettext_lazy("Why the group ends"),
        choices=[("", "—"), *[(value, label) for value, label in Group.EndReason.choices if value]],
        required=False,
        help_text=gettext_lazy("Needed to close a group; the year's figures count these."),
    )

    def __init__(self, *args: Any, group: Group, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        if isinstance(status, forms.ChoiceField):
            status.choices = [(value, Group.Status(value).label) for value in _next_statuses(group)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == Group.Status.CLOSED and not data.get("reason", "").strip():
            self.add_error("reason", _("Say why the group closes."))
        if data.get("status") == Group.Status.CLOSED and not data.get("end_reason"):
            self.add_error("end_reason", _("Choose why the group ends."))
        return data


@login_required
def workspace_group_status(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Take the group one step along its life cycle, with the reason. Closing first shows what it
    will do (meetings cancelled, members told) and asks to confirm."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    group = _group_or_404(centre, pk)
    form = StatusForm(request.POST or None, group=group)
    context: dict[str, Any] = {"centre": centre, "group": group, "form": form, "next_statuses": _next_statuses(group)}
    if request.method != "POST":
        return render(request, "meetings/workspace_group_status.html", context)
    if not form.is_valid():
        return render(request, "meetings/workspace_group_status.html", context, status=400)
    status, reason = form.cleaned_data["status"], form.cleaned_data["reason"]
    if status == Group.Status.CLOSED and request.POST.get("confirm") != "yes":
        context.update(
            confirm_close=True,
            effects=workspace_selectors.group_closing_effects(group),
            end_reason_label=Group.EndReason(form.cleaned_data["end_reason"]).label,
        )
        return render(request, "meetings/workspace_group_status.html", context)
    effects = workspace_selectors.group_closing_effects(group)
    try:
        group = groups.group_transition(
            actor=signed_in_user(request),
            group=group,
            status=status,
            reason=reason,
            end_reason=form.cleaned_data["end_reason"] if status == Group.Status.CLOSED else "",
        )
    except DomainError as problem:
        context["error"] = str(problem)
        return render(request, "meetings/workspace_group_status.html", context, status=problem.status_code)
    messages.success(request, _status_message(group, effects))
    return _to_group(group)


def _status_message(group: Group, effects: workspace_selectors.ClosingEffects) -> str:
    done = _("“%(name)s” is now %(status)s.") % {"name": group.name, "status": group.get_status_display()}
    if group.status != Group.Status.CLOSED:
        return done
    cancelled = ngettext(
        "%(count)d later meeting is cancelled;", "%(count)d later meetings are cancelled;", effects.meetings
    ) % {"count": effects.meetings}
    told = ngettext("%(count)d member is told.", "%(count)d members are told.", effects.told) % {"count": effects.told}
    return f"{done} {cancelled} {told}"


class AddPersonForm(forms.Form):
    """Add someone to the roster: a person the centre knows (found by the roster's search), or a
    new person by name and, for reminders, address."""

    person: "forms.ModelChoiceField[Person]" = IdChoiceField(
        queryset=Person.objects.none(), required=False, widget=forms.HiddenInput
    )
    display_name = forms.CharField(label=gettext_lazy("Name"), max_length=120, required=False)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=LANGUAGE_CHOICES, required=False)
    role = forms.ChoiceField(
        label=gettext_lazy("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER
    )

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.centre = centre
        person = self.fields["person"]
        if isinstance(person, forms.ModelChoiceField):
            person.queryset = Person.objects.filter(centre=centre)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("person") and not data.get("display_name", "").strip():
            raise forms.ValidationError(_("Choose someone the centre knows, or give a new person's name."))
        return data


def _roster_person(request: HttpRequest, form: AddPersonForm) -> Person:
    data = form.cleaned_data
    if data["person"] is not None:
        return data["person"]
    try:
        return person_create(
            actor=signed_in_user(request),
            centre=form.centre,
            display_name=data["display_name"],
            email=data["email"],
            language=data["language"],
        )
    except ValidationError as problem:
        raise DomainError(" ".join(problem.messages), field="email") from problem


@login_required
@require_POST
def workspace_roster_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Put a known or a new person into the group."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    group = _group_or_404(centre, pk)
    form = AddPersonForm(request.POST, centre=centre)
    try:
        if not form.is_valid():
            raise DomainError(" ".join(str(message) for errors in form.errors.values() for message in errors))
        with transaction.atomic():
            membership = groups.membership_add(
                actor=signed_in_user(request),
                group=group,
                person=_roster_person(request, form),
                role=form.cleaned_data["role"],
            )
    except DomainError as problem:
        messages.error(request, _("Nobody was added: %(problem)s") % {"problem": problem})
        return redirect(reverse("workspace-group", args=[slug, group.pk]) + "#roster-heading")
    messages.success(request, _("%(person)s is now in the group.") % {"person": membership.person.display_name})
    return redirect(reverse("workspace-group", args=[slug, group.pk]) + "#roster-heading")


class _RosterEntry:
    """One membership opened from the roster."""

    def __init__(self, request: HttpRequest, slug: str, pk: int, membership_pk: int) -> None:
        self.centre = staff_centre_or_404(user=request.user, slug=slug)
        self.group = _group_or_404(self.centre, pk)
        membership = workspace_selectors.workspace_membership(self.centre, self.group, membership_pk)
        if membership is None:
            raise Http404
        self.membership = membership

    def page(self, request: HttpRequest, template: str, *, error: str = "", status: int = 200) -> HttpResponse:
        return render(
            request,
            template,
            {"centre": self.centre, "group": self.group, "membership": self.membership, "error": error},
            status=status,
        )

    def back(self) -> HttpResponse:
        return redirect(reverse("workspace-group", args=[self.centre.slug, self.group.pk]) + "#roster-heading")


@login_required
def workspace_membership_end(request: HttpRequest, slug: str, pk: int, membership_pk: int) -> HttpResponse:
    """End a membership: the page asks first; the row stays, dated, for the statistics."""
    entry = _RosterEntry(request, slug, pk, membership_pk)
    if request.method != "POST":
        return entry.page(request, "meetings/workspace_membership_end.html")
    try:
        groups.membership_end(actor=signed_in_user(request), membership=entry.membership)
    except DomainError as problem:
        return entry.page(
            request, "meetings/workspace_membership_end.html", error=str(problem), status=problem.status_code
        )
    messages.success(
        request,
        _("%(person)s has left “%(group)s”; they get no more reminders.")
        % {"person": entry.membership.person.display_name, "group": entry.group.name},
    )
    return entry.back()


@login_required
def workspace_membership_links(request: HttpRequest, slug: str, pk: int, membership_pk: int) -> HttpResponse:
    """Send a member fresh links (member page and calendar feed): the page asks first, since the
    old calendar link stops working."""
    entry = _RosterEntry(request, slug, pk, membership_pk)
    if request.method != "POST":
        return entry.page(request, "meetings/workspace_membership_links.html")
    try:
        membership_links_resend(actor=signed_in_user(request), membership=entry.membership)
    except DomainError as problem:
        return entry.page(
            request, "meetings/workspace_membership_links.html", error=str(problem), status=problem.status_code
        )
    messages.success(
        request,
        _("Fresh links are on their way to %(person)s; the old calendar link no longer works.")
        % {"person": entry.membership.person.display_name},
    )
    return entry.back()
