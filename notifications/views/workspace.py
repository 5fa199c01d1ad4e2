"""Coordinators' pages of the notifications app, for the centre's own staff only: the outbox, and
the newsletter composer (write an issue, preview it as subscribers will see it, send a test to
yourself, schedule it, and watch it go out).

Each of the issue page's POST actions has its own view and URL; the page's own URL still takes a
posted `action`, as the page's forms once posted there."""

from collections.abc import Callable
from typing import Any, TypeVar, cast

from csp.decorators import csp_update
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from centres.models import LANGUAGE_CHOICES
from centres.selectors import staff_centre_or_404
from config.errors import DomainError
from config.forms import LocalDateTimeField
from config.validators import validate_single_line
from notifications.models import NewsletterIssue, NewsletterList, OutgoingMail
from notifications.selectors import confirmed_subscriber_count, issue_figures, issues_recent, outbox_list
from notifications.services.newsletter_issues import (
    check_issue_time,
    issue_create,
    issue_pause,
    issue_render,
    issue_resume,
    issue_schedule,
    issue_send_now,
    issue_test_send,
    issue_text_set,
)
from notifications.services.outbox import mail_retry

# The issue page's preview frames hold the issue's e-mail HTML, which styles itself inline.
PREVIEW_CSP = {"style-src": ["'unsafe-inline'"]}
IssueView = TypeVar("IssueView", bound=Callable[..., HttpResponse])


def _preview_csp(view: IssueView) -> IssueView:
    """`csp_update(PREVIEW_CSP)`, typed for views that take more than the request."""
    return cast(IssueView, csp_update(PREVIEW_CSP)(view))


@login_required
def outbox(request: HttpRequest, slug: str) -> HttpResponse:
    """The centre's outgoing mail, newest first: rendered text, status and error."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    status = request.GET.get("status")
    recipient = request.GET.get("q", "").strip()[:100]
    mails = outbox_list(centre=centre, status=status, recipient=recipient)
    page = Paginator(mails, 50).get_page(request.GET.get("page"))
    context = {"centre": centre, "page": page, "statuses": OutgoingMail.Status.choices, "status": status}
    return render(request, "notifications/outbox.html", {**context, "search": recipient})


@login_required
@require_POST
def outbox_retry(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Send a failed mail again; the outbox says so (or why not)."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    mail = outbox_list(centre=centre).filter(pk=pk).first()
    if mail is None:
        raise Http404
    try:
        mail_retry(mail=mail)
    except DomainError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, _("The mail to %(recipient)s is queued again.") % {"recipient": mail.shown_recipient})
    return redirect(reverse("outbox", args=[slug]) + f"?status={OutgoingMail.Status.FAILED}")


class IssueForm(forms.Form):
    newsletter: "forms.ModelChoiceField[NewsletterList]" = forms.ModelChoiceField(
        label=_("Newsletter"), queryset=NewsletterList.objects.none()
    )
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
    """The centre's newest issues, and the form that starts a new one."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    form = IssueForm(request.POST or None, initial={"language": centre.default_language})
    newsletter = cast("forms.ModelChoiceField[NewsletterList]", form.fields["newsletter"])
    newsletter.queryset = NewsletterList.objects.filter(centre=centre)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issue = issue_create(
                newsletter=data["newsletter"],
                title=data["title"],
                texts=[{"language": data["language"], "subject": data["subject"], "body": data["body"]}],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return redirect("workspace-issue", slug=slug, pk=issue.pk)
    return render(
        request,
        "notifications/composer_list.html",
        {"centre": centre, "form": form, "issues": issues_recent(centre)},
        status=400 if form.errors else 200,
    )


class _IssuePage:
    """One issue of the centre, for its staff (anyone else: 404), and its page with the forms
    as the last action left them."""

    def __init__(self, request: HttpRequest, slug: str, pk: int) -> None:
        self.centre = staff_centre_or_404(user=request.user, slug=slug)
        issue = NewsletterIssue.objects.filter(centre=self.centre, pk=pk).select_related("newsletter", "centre").first()
        if issue is None:
            raise Http404
        self.issue = issue
        self.text_form = TextForm(prefix="text")
        self.schedule_form = ScheduleForm(prefix="when")

    def render(self, request: HttpRequest, *, error: str = "", status: int = 200, **extra: Any) -> HttpResponse:
        texts = list(self.issue.texts.all())
        return render(
            request,
            "notifications/composer_issue.html",
            {
                "centre": self.centre,
                "issue": self.issue,
                "previews": [(text, issue_render(self.issue, text)) for text in texts],
                "figures": issue_figures(self.issue),
                "text_form": self.text_form,
                "schedule_form": self.schedule_form,
                "error": error,
                **extra,
            },
            status=status,
        )

    def refused(self, request: HttpRequest, problem: DomainError) -> HttpResponse:
        return self.render(request, error=str(problem), status=problem.status_code)

    def done(self, action: str) -> HttpResponse:
        return redirect(reverse("workspace-issue", args=[self.centre.slug, self.issue.pk]) + f"?done={action}")


@login_required
@_preview_csp
def issue_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An issue: its figures, its preview per language and, for a draft, its forms."""
    if request.method == "POST":
        return ISSUE_PAGE_ACTIONS.get(request.POST.get("action", ""), _issue_page_unknown)(request, slug, pk)
    return _IssuePage(request, slug, pk).render(request)


def _issue_page_unknown(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _IssuePage(request, slug, pk).refused(request, DomainError(str(_("Unknown action."))))


@login_required
@require_POST
@_preview_csp
def issue_page_text(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Write or rewrite the draft's text in one language."""
    page = _IssuePage(request, slug, pk)
    page.text_form = TextForm(request.POST, prefix="text")
    try:
        if not page.text_form.is_valid():
            raise DomainError(str(_("Check the text.")))
        issue_text_set(issue=page.issue, **page.text_form.cleaned_data)
    except DomainError as problem:
        return page.refused(request, problem)
    return page.done("text")


@login_required
@require_POST
@_preview_csp
def issue_page_test(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Send the issue to the coordinator's own address."""
    page = _IssuePage(request, slug, pk)
    try:
        email = getattr(request.user, "email", "")
        if not email:
            raise DomainError(str(_("Your account has no e-mail address.")))
        issue_test_send(issue=page.issue, email=email)
    except DomainError as problem:
        return page.refused(request, problem)
    return page.done("test")


@login_required
@require_POST
@_preview_csp
def issue_page_schedule(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Send the issue at the time given (empty: now) to every confirmed subscriber."""
    page = _IssuePage(request, slug, pk)
    page.schedule_form = ScheduleForm(request.POST, prefix="when")
    try:
        if not page.schedule_form.is_valid():
            raise DomainError(str(_("Check the time.")))
        at = page.schedule_form.cleaned_data["at"]
        check_issue_time(at)
        if request.POST.get("confirm") != "yes":
            # The first click says how many it reaches and when, and asks again.
            return page.render(
                request, confirm_send=True, recipients=confirmed_subscriber_count(page.issue.newsletter_id)
            )
        if at is None:
            issue_send_now(issue=page.issue)
        else:
            issue_schedule(issue=page.issue, at=at)
    except DomainError as problem:
        return page.refused(request, problem)
    messages.success(request, _("Sending has started.") if at is None else _("The issue is scheduled."))
    return page.done("schedule")


@login_required
@require_POST
@_preview_csp
def issue_page_pause(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Pause a scheduled or sending issue."""
    page = _IssuePage(request, slug, pk)
    try:
        issue_pause(issue=page.issue)
    except DomainError as problem:
        return page.refused(request, problem)
    return page.done("pause")


@login_required
@require_POST
@_preview_csp
def issue_page_resume(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Resume a paused issue."""
    page = _IssuePage(request, slug, pk)
    try:
        issue_resume(issue=page.issue)
    except DomainError as problem:
        return page.refused(request, problem)
    return page.done("resume")


ISSUE_PAGE_ACTIONS: dict[str, Callable[[HttpRequest, str, int], HttpResponse]] = {
    "text": issue_page_text,
    "test": issue_page_test,
    "schedule": issue_page_schedule,
    "pause": issue_page_pause,
    "resume": issue_page_resume,
}


@login_required
def issue_progress(request: HttpRequest, slug: str, pk: int) -> JsonResponse:
    """The issue's figures for the page's live progress (counts only)."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    issue = NewsletterIssue.objects.filter(centre=centre, pk=pk).first()
    if issue is None:
        raise Http404
    live = issue.status in (NewsletterIssue.Status.SCHEDULED, NewsletterIssue.Status.SENDING)
    return JsonResponse({"status": issue.get_status_display(), "live": live, **issue_figures(issue)})
