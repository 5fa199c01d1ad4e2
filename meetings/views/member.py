"""A member's own pages, reached by the signed links in their mails (`meetings.member_links`):
their group's next meetings, "I can't come", reminders, a calendar link, leaving the group.

No password: the link is the key. Each view reads the membership across centres, then works in
the scope of the membership's centre. Each POST action has its own view and URL; the page's own
URL still takes a posted `action`, as the page's forms once posted there."""

from collections.abc import Callable

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from centres.models import ConsentRecord
from centres.phones import centre_region, sms_number
from centres.scoping import all_centres_scope, centre_scope
from centres.selectors import person_withdrew, sms_numbers
from centres.services.consents import consent_record, consents_withdraw
from config.errors import ConflictError, DomainError
from config.signed_links import link_url
from meetings.member_links import MemberLink, MemberPurpose, member_token_read, member_url
from meetings.models import CalendarToken, ContactPerson, ContactShare, Meeting, Membership
from meetings.services import calendar_links, contacts, groups
from meetings.services.absences import absence_record

REMINDER_CHOICES = [None, 120, 24 * 60, 48 * 60, 7 * 24 * 60]
REMINDER_PURPOSE = ConsentRecord.Purpose.GROUP_MEMBERSHIP
REMINDER_CONSENT_VERSION = "member-page-reminders-2026-11"
MEMBER_SMS_CONSENT_VERSION = "member-page-sms-2026-12"
# The page shared by every link that does not work (also the newsletter's and the portal's).
LINK_INVALID = "notifications/member_link_invalid.html"


def _membership_for(token: str, purpose: MemberPurpose) -> tuple[Membership | None, MemberLink | None]:
    """The current membership the token names (with its group, person and centre), or None,
    and what the token names."""
    link = member_token_read(purpose=purpose, token=token)
    if link is None:
        return None, None
    with all_centres_scope():
        membership = (
            Membership.objects.filter(pk=link.membership_id, left_on__isnull=True)
            .select_related("group", "person", "centre")
            .first()
        )
    return membership, link


def _link_invalid(request: HttpRequest, *, status: int = 404, message: str | None = None) -> HttpResponse:
    return render(request, LINK_INVALID, {"message": message} if message else None, status=status)


@never_cache
def member_page(request: HttpRequest, token: str) -> HttpResponse:
    """A member's own page, reached by a signed link: next meetings, reminders, leaving."""
    if request.method == "POST":
        action = MEMBER_PAGE_ACTIONS.get(request.POST.get("action", ""))
        if action is not None:
            return action(request, token)
    membership, _payload = _membership_for(token, "manage")
    if membership is None:
        return _link_invalid(request)
    with centre_scope(membership.centre_id):
        return _page(request, token, membership)


def _page(
    request: HttpRequest, token: str, membership: Membership, *, saved: str | None = None, share_error: str = ""
) -> HttpResponse:
    """The member's page, in the scope of the membership's centre."""
    meetings = list(
        Meeting.objects.filter(group=membership.group, starts_at__gt=timezone.now())
        .select_related("room__location", "centre")
        .order_by("starts_at")[:8]
    )
    for meeting in meetings:
        meeting.absence_url = member_url(  # type: ignore[attr-defined]
            purpose="absence", membership_id=membership.pk, meeting_id=meeting.pk
        )
    # The feed of this membership only: the page of one group shows nothing of the person's others.
    calendar = CalendarToken.objects.filter(membership=membership, revoked_at__isnull=True).first()
    share = ContactShare.objects.filter(membership=membership).first()
    person = membership.person
    mobile = sms_number(person.phone, region=centre_region(membership.centre))
    return render(
        request,
        "meetings/member/page.html",
        {
            "centre": membership.centre,
            "token": token,
            "calendar_url": link_url("person-feed", calendar.token) if calendar else "",
            "membership": membership,
            "meetings": meetings,
            "choices": REMINDER_CHOICES,
            "saved": saved,
            "confirm_leave": request.GET.get("leave") == "1",
            "has_contact_person": ContactPerson.objects.filter(group=membership.group, ended_at__isnull=True).exists(),
            "share": share,
            "share_error": share_error,
            # Only the end of their number: the page may be seen over their shoulder.
            "mobile_ending": mobile[-4:],
            "texts_on": bool(mobile) and bool(sms_numbers([person.pk])),
        },
        status=400 if share_error else 200,
    )


def _reminder_choice(choice: str) -> int | None:
    """The minutes chosen in the form: None for "off", -1 for anything not a number."""
    if choice in ("", "off"):
        return None
    return int(choice) if choice.isascii() and choice.isdigit() else -1


@never_cache
@require_POST
def member_reminders(request: HttpRequest, token: str) -> HttpResponse:
    """Set the member's reminders (none, or a lead time). Turning them on after a withdrawal is
    a new consent."""
    membership, _payload = _membership_for(token, "manage")
    if membership is None:
        return _link_invalid(request)
    minutes = _reminder_choice(request.POST.get("reminder_minutes", ""))
    if minutes not in REMINDER_CHOICES:
        return _link_invalid(request, status=400)
    with centre_scope(membership.centre_id), transaction.atomic():
        if minutes is not None and person_withdrew(membership.person_id, REMINDER_PURPOSE):
            # Turning reminders on, on their own page, under the sentence that says what it
            # means, is a new consent: recorded, it lets reminders and notices go again.
            consent_record(
                actor=None,
                person=membership.person,
                purpose=REMINDER_PURPOSE,
                text_version=REMINDER_CONSENT_VERSION,
                source=ConsentRecord.Source.WEB_FORM,
            )
        groups.membership_update(actor=None, membership=membership, reminder_minutes=minutes)
    with centre_scope(membership.centre_id):
        return _page(request, token, membership, saved="reminders")


@never_cache
@require_POST
def member_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """Make the member's private calendar link for this group."""
    membership, _payload = _membership_for(token, "manage")
    if membership is None:
        return _link_invalid(request)
    with centre_scope(membership.centre_id):
        calendar_links.membership_calendar_link(actor=None, membership=membership)
        return _page(request, token, membership, saved="calendar")


@never_cache
@require_POST
def member_leave(request: HttpRequest, token: str) -> HttpResponse:
    """Leave the group, once the second button confirmed it (`confirm=yes`)."""
    membership, _payload = _membership_for(token, "manage")
    if membership is None:
        return _link_invalid(request)
    with centre_scope(membership.centre_id):
        if request.POST.get("confirm") != "yes":
            return _page(request, token, membership)
        groups.membership_end(actor=None, membership=membership)
    return render(request, "meetings/member/left.html", {"membership": membership})


@never_cache
@require_POST
def member_share(request: HttpRequest, token: str) -> HttpResponse:
    """Share a first name and a way to be reached with the group's contact persons (a consent of
    its own), or withdraw it (`withdraw=yes`): the shared row is then deleted."""
    membership, _payload = _membership_for(token, "manage")
    if membership is None:
        return _link_invalid(request)
    with centre_scope(membership.centre_id):
        if request.POST.get("withdraw") == "yes":
            withdrawn = contacts.contact_share_withdraw(membership=membership)
            return _page(request, token, membership, saved="share-withdrawn" if withdrawn else None)
        try:
            contacts.contact_share_set(
                membership=membership,
                first_name=request.POST.get("first_name", ""),
                reach_by=request.POST.get("reach_by", ""),
            )
        except DomainError as problem:
            return _page(request, token, membership, share_error=str(problem))
        return _page(request, token, membership, saved="share")


@never_cache
@require_POST
def member_texts(request: HttpRequest, token: str) -> HttpResponse:
    """Get reminders and change notices also as texts to the mobile number the centre has (a
    consent of its own, given here), or stop them (`texts=off`)."""
    membership, _payload = _membership_for(token, "manage")
    if membership is None:
        return _link_invalid(request)
    wanted = request.POST.get("texts", "")
    if wanted not in ("on", "off"):
        return _link_invalid(request, status=400)
    with centre_scope(membership.centre_id), transaction.atomic():
        person = membership.person
        if wanted == "off":
            consents_withdraw(actor=None, person=person, purpose=ConsentRecord.Purpose.SMS)
        elif not sms_numbers([person.pk]) and sms_number(person.phone, region=centre_region(membership.centre)):
            consent_record(
                actor=None,
                person=person,
                purpose=ConsentRecord.Purpose.SMS,
                text_version=MEMBER_SMS_CONSENT_VERSION,
                source=ConsentRecord.Source.WEB_FORM,
            )
    with centre_scope(membership.centre_id):
        return _page(request, token, membership, saved=f"texts-{wanted}")


MEMBER_PAGE_ACTIONS: dict[str, Callable[[HttpRequest, str], HttpResponse]] = {
    "reminders": member_reminders,
    "calendar": member_calendar,
    "leave": member_leave,
}


@never_cache
def member_absence(request: HttpRequest, token: str) -> HttpResponse:
    """ "I can't come this time": a GET shows the question (link scanners follow GETs), a POST
    answers it."""
    membership, link = _membership_for(token, "absence")
    if membership is None or link is None or link.meeting_id is None:
        return _link_invalid(request)
    with centre_scope(membership.centre_id):
        meeting = (
            Meeting.objects.filter(pk=link.meeting_id, group_id=membership.group_id).select_related("centre").first()
        )
        if meeting is None:
            return _link_invalid(request)
        done = False
        if request.method == "POST":
            try:
                absence_record(membership=membership, meeting=meeting)
                done = True
            except ConflictError as error:
                return _link_invalid(request, status=409, message=error.message)
        return render(request, "meetings/member/absence.html", {"meeting": meeting, "done": done})
