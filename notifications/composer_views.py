"""The coordinators' newsletter composer: write an issue, preview it as subscribers will see it,
send a test to yourself, schedule it, and watch it go out. Staff of the centre only."""

from csp.decorators import csp_update
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from centres.models import LANGUAGE_CHOICES
from centres.selectors import staff_centre_or_404
from config.errors import DomainError
from config.forms import LocalDateTimeField
from config.validators import validate_single_line
from notifications import issues
from notifications.models import NewsletterIssue, NewsletterList


class IssueForm(forms.Form):
    newsletter = forms.ModelChoiceField(label=_("Newsletter"), queryset=NewsletterList.objects.none())
    title = forms.CharField(label=_("Title (for staff only)"), max_length=200)
    language = forms.ChoiceField(label=_("Language of this text"), choices=LANGUAGE_CHOICES)
    subject = forms.CharField(label=_("Subject"), max_length=200, validators=[validate_single_line])
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Markdown: **bold**, # heading, [link](https://…)."),
    )


class TextForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of this text"), choices=LANGUAGE_CHOICES)
    subject = forms.CharField(label=_("Subject"), max_length=200, validators=[validate_single_line])
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}))


class ScheduleForm(forms.Form):
    at = LocalDateTimeField(
        label=_("Send at (empty: now)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


@login_required
def newsletters(request: HttpRequest, slug: str) -> HttpResponse:
    centre = staff_centre_or_404(user=request.user, slug=slug)
    form = IssueForm(request.POST or None, initial={"language": centre.default_language})
    form.fields["newsletter"].queryset = NewsletterList.objects.filter(centre=centre)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issue = issues.issue_create(
                newsletter=data["newsletter"],
                title=data["title"],
                texts=[{"language": data["language"], "subject": data["subject"], "body": data["body"]}],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return redirect("workspace-issue", slug=slug, pk=issue.pk)
    recent = NewsletterIssue.objects.filter(centre=centre).select_related("newsletter").order_by("-created_at")[:30]
    return render(
        request,
        "notifications/composer_list.html",
        {"centre": centre, "form": form, "issues": recent},
        status=400 if form.errors else 200,
    )


@login_required
@csp_update({"style-src": ["'unsafe-inline'"]})  # the preview frames hold the issue's e-mail HTML
def issue_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    centre = staff_centre_or_404(user=request.user, slug=slug)
    issue = NewsletterIssue.objects.filter(centre=centre, pk=pk).select_related("newsletter", "centre").first()
    if issue is None:
        raise Http404
    text_form, schedule_form = TextForm(prefix="text"), ScheduleForm(prefix="when")
    error, status = "", 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "text":
                text_form = TextForm(request.POST, prefix="text")
                if not text_form.is_valid():
                    raise DomainError(str(_("Check the text.")))
                issues.issue_text_set(issue=issue, **text_form.cleaned_data)
            elif action == "test":
                if not request.user.email:
                    raise DomainError(str(_("Your account has no e-mail address.")))
                issues.issue_test_send(issue=issue, email=request.user.email)
            elif action == "schedule":
                schedule_form = ScheduleForm(request.POST, prefix="when")
                if not schedule_form.is_valid():
                    raise DomainError(str(_("Check the time.")))
                issues.issue_schedule(issue=issue, at=schedule_form.cleaned_data["at"])
            elif action == "pause":
                issues.issue_pause(issue=issue)
            elif action == "resume":
                issues.issue_resume(issue=issue)
            else:
                raise DomainError(str(_("Unknown action.")))
        except DomainError as problem:
            error, status = str(problem), problem.status_code
        else:
            return redirect(reverse("workspace-issue", args=[slug, pk]) + f"?done={action}")
    texts = list(issue.texts.all())
    return render(
        request,
        "notifications/composer_issue.html",
        {
            "centre": centre,
            "issue": issue,
            "previews": [(text, issues.issue_render(issue, text)) for text in texts],
            "figures": issues.issue_figures(issue),
            "text_form": text_form,
            "schedule_form": schedule_form,
            "error": error,
        },
        status=status,
    )


@login_required
def issue_progress(request: HttpRequest, slug: str, pk: int) -> JsonResponse:
    """The issue's figures for the page's live progress (counts only)."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    issue = NewsletterIssue.objects.filter(centre=centre, pk=pk).first()
    if issue is None:
        raise Http404
    live = issue.status in (NewsletterIssue.Status.SCHEDULED, NewsletterIssue.Status.SENDING)
    return JsonResponse({"status": issue.get_status_display(), "live": live, **issues.issue_figures(issue)})
