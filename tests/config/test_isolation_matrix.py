"""The isolation matrix: every route of the URL configuration (API, pages, feeds, exports, the
admin and the ESP webhooks), asked by each outsider of centre A — a coordinator of centre B, a
volunteer (portal login), a member with their own signed links, and an anonymous visitor. Each
gets a refusal or only what is theirs: never a name, address or free-text note of centre A's
people, never centre A's staff data, and nothing changes in centre A whatever they send.

Generated from the URL configuration: a route whose parameters the matrix cannot fill, or that
is neither refused nor listed as public here, fails the suite. Writes to the API carry a body
that centre A's own staff could send (built from the serializer the API documents), so that an
outsider's refusal comes from the object's lookup or the permission, not from validation.
"""

import re
from datetime import date, timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from centres.models import Centre, FederationRole, Person, StaffInvitation, StaffRole
from config.schema import ScopedSchemaGenerator
from events.models import Event, Registration
from events.services.events import event_create
from events.services.registrations import registration_add
from imports.models import ImportUpload
from intake.models import Enquiry, EnquiryNote, ReferralPartner
from meetings.member_links import contact_token, member_token
from meetings.models import (
    CalendarToken,
    ContactPerson,
    ContactShare,
    Group,
    GroupRequest,
    Meeting,
    Membership,
    PhoneNotice,
    Room,
)
from meetings.services.directory import directory_refresh_stale
from notifications.models import NewsletterList, OutgoingMail, Subscription, SuppressedAddress
from tests.config.test_query_budgets import MAKERS, NOW, meeting
from tests.factories import ConsentFactory, PersonFactory, RoomFactory, StaffRoleFactory, every
from volunteers.models import (
    ChecklistItem,
    SessionLog,
    StarterAssignment,
    StarterRequest,
    TrainingRecord,
    Volunteer,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]

# Routes anyone may open, by design; they are still checked for private data.
PUBLIC = {
    "home", "set_language", "api-root", "api-schema", "api-docs", "auth-token",
    "admin_password_reset", "password_reset_done", "password_reset_confirm", "password_reset_complete",
    "centre-home", "privacy", "group-directory", "group-finder", "group-page", "group-feed", "enquiry",
    "public-enquiry", "embed-directory", "embed-finder", "embed-group", "embed-style", "open-data", "open-data-json",
    "open-data-csv", "sitemap", "robots", "referral", "events", "event-page", "event-invitation", "open-data-events",
    "newsletter-subscribe", "volunteer-signup", "volunteer-login", "volunteer-logout",
    "volunteer-login-send-link", "volunteer-login-password",
    "admin:login", "admin:logout", "admin:jsi18n", "login", "logout",
}  # fmt: skip
# Routes that act on a signed token alone: a forged token is refused, and a member's own valid
# link shows only their own data.
TOKEN_ROUTES = {
    "member-page": "manage",
    "member-reminders": "manage",
    "member-calendar": "manage",
    "member-leave": "manage",
    "member-absence": "absence",
    "member-share": "manage",
    "member-texts": "manage",
    "contact-page": "contact",
    "contact-request": "contact",
    "contact-description": "contact",
    "contact-meeting-cancel": "contact",
    "contact-meeting-move": "contact",
    "contact-meeting-note": "contact",
    "contact-meeting-reinstate": "contact",
    "contact-held": "contact",
    "contact-still-meeting": "contact",
    "contact-held-pdf": "contact",
    "person-feed": "calendar",
    "place-offer": None,
    "evaluation-answer": None,
    "newsletter-confirm": None,
    "newsletter-unsubscribe": None,
    "newsletter-preferences": None,
    "volunteer-confirm": None,
    "volunteer-request": None,
    "volunteer-login-link": None,
    "password_reset_confirm": None,
    "staff-invitation": None,
    "event-confirm": None,
    "event-registration": None,
}
# The volunteer portal's own pages, where a volunteer sees their own data.
PORTAL = {
    "volunteer-portal", "volunteer-log-session", "volunteer-request-answer", "volunteer-password",
    "portal-meetings", "portal-meetings-to-log", "portal-hours", "portal-requests", "portal-answer",
    "portal-session-logs", "portal-assignments",
}  # fmt: skip
REFUSED = {302, 400, 401, 403, 404, 405}
WRITES = ("post", "put", "patch", "delete")
# In every free-text field centre A holds about people: found in an answer, a note has leaked.
MARKER = "Vertraulich-7Q2"
# Every row of centre A, and every row of the platform's own models (users, API tokens, the
# admin's log, lockouts), must be unchanged after the outsiders' visits; only the visitor's own
# session may change.
VISITORS_OWN_ROWS = {"sessions.Session", "centres.UserSession"}

# Models behind page and API routes whose id the URL carries.
PAGE_MODELS = {
    "workspace-event": "events.Event",
    "workspace-event-edit": "events.Event",
    "workspace-event-move": "events.Event",
    "workspace-event-cancel": "events.Event",
    "workspace-event-registration-new": "events.Event",
    "workspace-event-registration-cancel": "events.Event",
    "workspace-event-attendance": "events.Event",
    "workspace-import-upload": "imports.ImportUpload",
    "workspace-partner": "intake.ReferralPartner",
    "workspace-partner-flyer": "intake.ReferralPartner",
    "workspace-group": "meetings.Group",
    "workspace-group-edit": "meetings.Group",
    "workspace-group-status": "meetings.Group",
    "workspace-roster-add": "meetings.Group",
    "workspace-membership-end": "meetings.Group",
    "workspace-membership-links": "meetings.Group",
    "workspace-group-starters": "meetings.Group",
    "workspace-group-starter-assign": "meetings.Group",
    "workspace-group-starter-extend": "meetings.Group",
    "workspace-group-starter-end": "meetings.Group",
    "workspace-group-starter-requests": "meetings.Group",
    "workspace-group-phase-out": "meetings.Group",
    "workspace-group-phase-out-complete": "meetings.Group",
    "workspace-contact-add": "meetings.Group",
    "workspace-contact-link": "meetings.Group",
    "workspace-contact-step-down": "meetings.Group",
    "workspace-group-held": "meetings.Group",
    "workspace-group-places": "meetings.Group",
    "workspace-topic-names": "meetings.Topic",
    "workspace-group-place-offer": "meetings.Group",
    "workspace-group-held-sign-off": "meetings.Group",
    "workspace-group-held-pdf": "meetings.Group",
    "workspace-group-request-answer": "meetings.GroupRequest",
    "contact-meeting-cancel": "meetings.Meeting",
    "contact-meeting-move": "meetings.Meeting",
    "contact-meeting-note": "meetings.Meeting",
    "contact-meeting-reinstate": "meetings.Meeting",
    "workspace-closure-delete": "meetings.Closure",
    "workspace-room-hours": "meetings.Room",
    "planner-meeting-reinstate": "meetings.Meeting",
    "planner-meeting-series": "meetings.Meeting",
    "planner-meeting-venue": "meetings.Meeting",
    "workspace-enquiry": "intake.Enquiry",
    "workspace-enquiry-transition": "intake.Enquiry",
    "workspace-enquiry-schedule": "intake.Enquiry",
    "workspace-enquiry-note": "intake.Enquiry",
    "workspace-enquiry-place": "intake.Enquiry",
    "workspace-enquiry-wait": "intake.Enquiry",
    "workspace-enquiry-assign": "intake.Enquiry",
    "workspace-issue": "notifications.NewsletterIssue",
    "workspace-issue-progress": "notifications.NewsletterIssue",
    "workspace-issue-text": "notifications.NewsletterIssue",
    "workspace-issue-test": "notifications.NewsletterIssue",
    "workspace-issue-schedule": "notifications.NewsletterIssue",
    "workspace-issue-pause": "notifications.NewsletterIssue",
    "workspace-issue-resume": "notifications.NewsletterIssue",
    "outbox-retry": "notifications.OutgoingMail",
    "workspace-staff-role": "centres.StaffRole",
    "workspace-invitation-withdraw": "centres.StaffInvitation",
    "workspace-volunteer": "volunteers.Volunteer",
    "workspace-volunteer-transition": "volunteers.Volunteer",
    "workspace-volunteer-training": "volunteers.Volunteer",
    "planner-meeting": "meetings.Meeting",
    "planner-meeting-move": "meetings.Meeting",
    "planner-meeting-cancel": "meetings.Meeting",
    "volunteer-request-answer": "volunteers.StarterRequest",
    "portal-answer": "volunteers.StarterRequest",
    "person-detail": "centres.Person",
    "workspace-person": "centres.Person",
    "workspace-person-erase": "centres.Person",
    "workspace-person-texts": "centres.Person",
    "workspace-phone-notice-told": "meetings.PhoneNotice",
    "person-export": "centres.Person",
    "staffrole-detail": "centres.StaffRole",
    "staffrole-sign-out": "centres.StaffRole",
}


def routes() -> list[tuple[str, str, object]]:
    """(name, route, view) of every URL pattern, without DRF's format-suffix twins."""

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern) and "(?P<format>" not in str(pattern.pattern):
                yield f"{namespace}{pattern.name}", prefix + str(pattern.pattern), pattern.callback

    return list(walk(get_resolver().url_patterns))


def model_of(name: str, route: str, view) -> type | None:
    if name in PAGE_MODELS:
        return apps.get_model(PAGE_MODELS[name])
    admin = re.match(r"admin/(\w+)/(\w+)/", route)
    if admin:
        return apps.get_model(admin[1], admin[2])
    cls = getattr(view, "cls", None)
    serializer = getattr(cls, "serializer_class", None)
    return getattr(getattr(serializer, "Meta", None), "model", None)


def has_centre(model) -> bool:
    return any(field.name == "centre" for field in model._meta.fields)


def centre_rows(model, centre):
    """The model's rows of this centre, unscoped; None for a model without a centre."""
    if not has_centre(model):
        return None
    return every(model).filter(centre=centre)


def rows_about(model, centre):
    """The model's rows of this centre: by their centre, or by a foreign key to a row of the
    centre (an issue's texts, the links of a many-to-many field); all rows of a model of the
    platform (users, API tokens, the admin's log), which may hold the centre's people too."""
    rows = centre_rows(model, centre)
    if rows is not None:
        return rows
    links = Q()
    for field in model._meta.fields:
        if field.many_to_one and has_centre(field.related_model):
            links |= Q(**{f"{field.name}__centre": centre})
    return model._default_manager.filter(links) if links else model._default_manager.all()


class World:
    """Centre A with one of everything, the outsiders, and what must never leak."""

    def __init__(self, centre_a, centre_b, admin_a):
        self.centre = centre_a
        for make in MAKERS.values():
            make(centre_a, admin_a)
        # The group the public pages and feeds show: one with meetings.
        self.group = every(Group).filter(centre=centre_a, meetings__isnull=False).order_by("pk").first()
        # The member: their own links, to their own group and its meeting (with a note for them),
        # in centre A, among the people who must stay hidden.
        self.member = PersonFactory(centre=centre_a, display_name="Mona Mitglied", email="mona@example.net")
        self.member_group = MAKERS["group-list"](centre_a, admin_a)
        own_meeting = meeting(centre_a, group=self.member_group, note="Bitte Kuchen mitbringen")
        membership = every(Membership).create(
            centre=centre_a, group=self.member_group, person=self.member, joined_on=date(2026, 1, 1)
        )
        self.member_tokens = {
            "manage": member_token(purpose="manage", membership_id=membership.pk),
            "absence": member_token(purpose="absence", membership_id=membership.pk, meeting_id=own_meeting.pk),
            "calendar": every(CalendarToken).create(centre=centre_a, person=self.member).token,
        }
        # The member is their group's contact person too: their page shows their group only.
        own_contact = every(ContactPerson).create(
            centre=centre_a, group=self.member_group, membership=membership, chosen_on=date(2026, 1, 1)
        )
        self.member_tokens["contact"] = contact_token(contact_id=own_contact.pk)
        # Another group's contact person, what they asked for and what a member shared with them.
        karl = every(Membership).create(
            centre=centre_a,
            group=self.group,
            person=PersonFactory(centre=centre_a, display_name="Karl Kontakt", email="karl@example.net"),
            joined_on=date(2026, 1, 1),
        )
        karls_role = every(ContactPerson).create(
            centre=centre_a, group=self.group, membership=karl, chosen_on=date(2026, 1, 1)
        )
        every(GroupRequest).create(centre=centre_a, group=self.group, contact=karls_role, kind="other", message="x")
        every(ContactShare).create(
            centre=centre_a, membership=karl, first_name="Karlchen", reach_by="x", text_version="test"
        )
        # Karl gets texts at his mobile; a cancelled meeting put another member on the list to phone.
        every(Person).filter(pk=karl.person_id).update(phone="0171 2345678")
        ConsentFactory(person=karl.person, purpose="sms")
        paula = every(Membership).create(
            centre=centre_a,
            group=self.group,
            person=PersonFactory(centre=centre_a, display_name="Paula Telefon", email="", phone="0511 987654"),
            joined_on=date(2026, 1, 1),
        )
        every(PhoneNotice).create(
            centre=centre_a,
            membership=paula,
            change="test",
            meeting=every(Meeting).filter(group=self.group).first(),
            until=NOW + timedelta(days=30),
        )
        # The volunteer: a portal login that opens the portal (a confirmed address), no staff role.
        helper = PersonFactory(centre=centre_a, display_name="Vera Freiwillig", email="vera@example.net")
        self.volunteer_user = get_user_model().objects.create_user(username="vera", email="vera@example.net")
        every(Volunteer).create(
            centre=centre_a, person=helper, status="active", user=self.volunteer_user, email_confirmed_at=NOW
        )
        # Rows the lists' makers do not make.
        self.admin_user = admin_a
        Token.objects.create(user=admin_a)
        made = every(Volunteer).filter(centre=centre_a).exclude(user=self.volunteer_user).first()
        every(TrainingRecord).create(centre=centre_a, volunteer=made, course="Grundkurs", completed_on=date(2026, 1, 1))
        every(ChecklistItem).create(centre=centre_a, text="Kontaktliste")
        every(ReferralPartner).create(
            centre=centre_a,
            name="Praxis am Markt",
            kind="practice",
            contact_name="Gisela Praxisleitung",
            contact_email="gisela@praxis.example",
        )
        every(StarterRequest).create(centre=centre_a, group=self.group, volunteer=made)
        # A public event with a place taken and someone waiting, both among the hidden people.
        event = event_create(
            actor=None,
            centre=centre_a,
            kind="information",
            audience="public",
            title="Infoabend",
            places=1,
            starts_at=NOW + timedelta(days=2),
            ends_at=NOW + timedelta(days=2, hours=2),
            room=RoomFactory(location__centre=centre_a, name="Saal"),
        )
        for name in ("Erika Eventgast", "Willi Warteliste"):
            registration_add(
                actor=None, event=event, name=name, email=f"{name.split()[0].lower()}@example.net", language="de"
            )
        every(SuppressedAddress).create(centre=centre_a, email="bounced@example.net", reason="bounced")
        # A subscriber list between its upload and its import.
        every(ImportUpload).create(
            centre=centre_a, kind="subscribers", filename="liste.csv", content=b"E-Mail\nimport@example.net\n"
        )
        every(StaffInvitation).create(
            centre=centre_a, email="invited@example.net", key_hash="0" * 64, expires_at=NOW + timedelta(days=7)
        )
        newsletter = every(NewsletterList).filter(centre=centre_a).first()
        every(Subscription).create(centre=centre_a, newsletter=newsletter, person=self.member, status="confirmed")
        FederationRole.objects.create(user=get_user_model().objects.create_user(username="federation"))
        AuthGroup.objects.create(name="Leute")
        AccessAttempt.objects.create(username="someone", ip_address="10.0.0.1", failures_since_start=1)
        AccessLog.objects.create(username="someone", ip_address="10.0.0.1")
        AccessFailureLog.objects.create(username="someone", ip_address="10.0.0.1")
        # The coordinator of centre B, with a room and a group (and its topic) of their own.
        self.other_centre = centre_b
        self.other_user = StaffRoleFactory(centre=centre_b, role=StaffRole.Role.COORDINATOR).user
        self.other_token = Token.objects.create(user=self.other_user).key
        MAKERS["room-list"](centre_b, self.other_user)
        MAKERS["group-list"](centre_b, self.other_user)
        self.mark_free_text()
        # What must never reach an outsider: every name and address of centre A's people, the
        # addresses of its staff and of its mail, and its free text.
        named = [
            every(Person).filter(centre=centre_a).values_list("display_name", "full_name", "email", "phone"),
            get_user_model().objects.filter(staff_roles__centre=centre_a).values_list("email"),
            every(OutgoingMail).filter(centre=centre_a).values_list("recipient"),
            every(SuppressedAddress).filter(centre=centre_a).values_list("email"),
            every(StaffInvitation).filter(centre=centre_a).values_list("email"),
            every(ReferralPartner).filter(centre=centre_a).values_list("contact_name", "contact_email"),
            every(Registration).filter(centre=centre_a).values_list("name", "email"),
        ]
        self.secrets = {value for rows in named for row in rows for value in row if value and len(value) > 3}
        self.secrets.add(MARKER)

    def mark_free_text(self) -> None:
        """Every free-text field about people, with the marker: enquiry messages and referrals,
        staff notes, session logs, meeting notes, volunteers' motivation, phase-out plans. Left
        out: the notes of the member's own group's meetings (their calendar feed shows them)
        and the volunteer's own motivation."""
        centre, marked = self.centre, f"{MARKER} (%s)"
        enquiries = every(Enquiry).filter(centre=centre)
        enquiries.update(message=marked % "message", referred_to=marked % "referral")
        every(EnquiryNote).bulk_create(
            EnquiryNote(centre=centre, enquiry=enquiry, author=self.admin_user, text=marked % "staff note")
            for enquiry in enquiries
        )
        every(SessionLog).filter(centre=centre).update(notes=marked % "session log")
        every(GroupRequest).filter(centre=centre).update(message=marked % "group request")
        every(ContactShare).filter(centre=centre).update(reach_by=marked % "shared contact")
        every(Meeting).filter(centre=centre).exclude(group=self.member_group).update(note=marked % "meeting note")
        volunteers = every(Volunteer).filter(centre=centre).exclude(user=self.volunteer_user)
        volunteers.update(motivation=marked % "motivation")
        every(StarterAssignment).filter(centre=centre).update(phase_out_plan=marked % "phase-out plan")
        fields = {
            Enquiry: "message", EnquiryNote: "text", SessionLog: "notes", Meeting: "note", Volunteer: "motivation",
            StarterAssignment: "phase_out_plan", GroupRequest: "message", ContactShare: "reach_by",
        }  # fmt: skip
        for model, field in fields.items():
            rows = centre_rows(model, centre).filter(**{f"{field}__startswith": MARKER})
            assert rows.exists(), f"the world has no {model._meta.label} to mark: add one to World"

    def row(self, model, centre=None):
        return every(model).get(pk=self.object_of(model, centre))

    def object_of(self, model, centre=None) -> int:
        """The id of one of centre A's rows (or the given centre's) of this model; for a model of
        the platform (users, tokens, lockouts), a row that is not the outsider's own."""
        centre = centre or self.centre
        if model is Centre:
            return centre.pk
        if model is get_user_model():
            return self.admin_user.pk
        rows = centre_rows(model, centre)
        if rows is None:
            manager = every(model)
            rows = manager.all()
            if model._meta.label == "authtoken.TokenProxy":
                rows = manager.filter(user=self.admin_user)
        row = rows.order_by("pk").first()
        assert row is not None, f"the world has no {model._meta.label} in {centre}: add one to World"
        return row.pk

    def snapshot(self) -> dict:
        """Every row of centre A and every row about it, to show that nothing changed."""
        state = {}
        for model in apps.get_models(include_auto_created=True):
            if model._meta.label not in VISITORS_OWN_ROWS and not model._meta.proxy:
                state[model._meta.label] = sorted(map(repr, rows_about(model, self.centre).values()))
        return state


@pytest.fixture
def world(centre_a, centre_b, centre_admin_a, frozen_now):
    frozen_now(NOW)
    built = World(centre_a, centre_b, centre_admin_a)
    directory_refresh_stale()  # the public directory, as beat keeps it: a visitor's search finds it built
    return built


def _token(name, route, view, world, actor):
    purpose = TOKEN_ROUTES.get(name)
    return world.member_tokens[purpose] if actor == "member" and purpose else "forged.token-value"


def _object_id(name, route, view, world, actor):
    if name == "admin:view_on_site":  # "view on site" for one of centre A's people
        return str(world.object_of(Person))
    model = model_of(name, route, view)
    return None if model is None else str(world.object_of(model))


# How the matrix fills each route parameter, aimed at centre A's objects.
FILLERS = {
    "slug": lambda name, route, view, world, actor: world.centre.slug,
    "public_id": lambda name, route, view, world, actor: str(
        world.row(Event).public_id if name == "event-page" else world.group.public_id
    ),
    "invite_token": lambda name, route, view, world, actor: world.row(Event).invitation_code,  # the invitation link
    "registration": lambda name, route, view, world, actor: str(world.object_of(Registration)),
    "token": _token,
    "content_type_id": lambda name, route, view, world, actor: str(ContentType.objects.get_for_model(Person).pk),
    "pk": _object_id,
    "object_id": _object_id,
    "request_id": lambda name, route, view, world, actor: str(world.object_of(StarterRequest)),
    "membership_pk": lambda name, route, view, world, actor: str(world.object_of(Membership)),
    "room_pk": lambda name, route, view, world, actor: str(world.object_of(Room)),
    "year": lambda name, route, view, world, actor: "2026",
    "contact_pk": lambda name, route, view, world, actor: str(world.object_of(ContactPerson)),
    "assignment_pk": lambda name, route, view, world, actor: str(world.object_of(StarterAssignment)),
    "uidb64": lambda name, route, view, world, actor: "MQ",
    "id": lambda name, route, view, world, actor: str(world.admin_user.pk),  # the admin's password change
    "app_label": lambda name, route, view, world, actor: "meetings",
    "url": lambda name, route, view, world, actor: "nothing/",  # the admin's catch-all
    "code": lambda name, route, view, world, actor: world.row(ReferralPartner).code,  # printed on flyers
    "language": lambda name, route, view, world, actor: "de",  # an import's example file
    "kind": lambda name, route, view, world, actor: "subscribers",
}


def fill(name: str, route: str, view, world: World, actor: str) -> str | None:
    """A concrete path for the route, aimed at centre A's objects; None: a parameter the matrix
    cannot fill (the test then fails, naming the route)."""
    # Only the anchors go: a "^" at the start of a segment and a "$" at the end (not "[^/.]").
    path = re.sub(r"(^|/)\^", r"\1", route).removesuffix("$")
    values = {}
    for param in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)", path):
        key = param[0] or param[1]
        value = FILLERS[key](name, route, view, world, actor) if key in FILLERS else None
        if value is None:
            return None
        values[key] = value
    # Regex groups first: their names look like converters.
    concrete = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m[1]], path)
    concrete = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m[1]], concrete)
    concrete = re.sub(r"\(([^)]*)\)\?", "", concrete)  # optional groups: leave them out
    assert not re.search(r"[()?\[\]^$]", concrete), f"{name}: {route} filled as {concrete}"
    return "/" + concrete


def client_for(actor: str, world: World) -> APIClient:
    client = APIClient()
    if actor == "other":
        client.force_login(world.other_user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.other_token}")
    elif actor == "volunteer":
        client.force_login(world.volunteer_user)
    return client


# --- Write probes: what centre A's own staff could send -----------------------------------------


def waiting_list(world: World) -> dict:
    """Founding a group from a waiting list: its topic and language, and the people on it."""
    waiting = every(Enquiry).filter(centre=world.centre, status="waiting").first()
    return {"topic": waiting.waiting_topic_id, "language": waiting.language, "enquiries": [waiting.pk]}


# Where the values read from a serializer's fields are not enough: a rule of the domain (a next
# status, a recurrence rule, an end after the start, a course completed in the past, a closure
# of a room or a location but not both) or the one object that fits. A dict, or a function of the
# world that makes one; None leaves a field out.
BODY_VALUES = {
    "group-transition": {"status": "self_run"},
    "enquiry-list": {"email": "probe@example.net"},
    "enquiry-transition": {"to": "contacted"},
    "waitinglist-found-group": waiting_list,
    "volunteer-transition": {"to": "paused"},
    "volunteer-trainings": {"completed_on": (NOW - timedelta(days=7)).date().isoformat()},
    "series-list": {"rule": "FREQ=WEEKLY;BYDAY=TU"},
    "series-preview": {"rule": "FREQ=WEEKLY;BYDAY=TU"},
    "meeting-list": {"ends_at": (NOW + timedelta(days=7, hours=2)).isoformat()},
    "meeting-move": {
        "starts_at": (NOW + timedelta(days=8)).isoformat(),
        "ends_at": (NOW + timedelta(days=8, hours=2)).isoformat(),
    },
    "closure-list": {"location": None},
    # Staff record only what they witness: a web form or a confirmation link records itself.
    "consent-list": {"source": "email"},
    "room-opening-hours": {"hours": [{"weekday": 1, "opens": "08:00", "closes": "22:00"}]},
    # The serializer does not ask for a role (the model has a default), yet the view reads one.
    "staffrole-list": {"role": "coordinator"},
}


def request_serializer(view, method: str) -> serializers.Serializer | None:
    """The serializer the API documents for this method of the view (drf-spectacular's reading
    of the view and its `extend_schema`), or None for an action without a body."""
    generator = ScopedSchemaGenerator()  # holds the view's schema for as long as it lives
    documented = generator.create_view(view, method.upper())
    documented.schema.method = method.upper()  # as the generator sets it per operation
    serializer = documented.schema.get_request_serializer()
    return serializer() if isinstance(serializer, type) else serializer


def probe_value(field: serializers.Field, world: World, links):
    """A value for the field: one of the `links` centre's objects for a link, else a plain one."""
    if isinstance(field, serializers.ManyRelatedField):
        return [probe_value(field.child_relation, world, links)]
    if isinstance(field, serializers.SlugRelatedField):
        return getattr(world.row(field.queryset.model, links), field.slug_field)
    if isinstance(field, serializers.RelatedField):
        return world.object_of(field.queryset.model, links)
    if isinstance(field, serializers.ListSerializer):
        return [probe_fields(field.child, world, links)]
    if isinstance(field, serializers.Serializer):
        return probe_fields(field, world, links)
    if isinstance(field, serializers.ListField):
        return [probe_value(field.child, world, links)]
    if isinstance(field, serializers.ChoiceField):
        return next(iter(field.choices))
    plain = {
        serializers.BooleanField: True,
        serializers.EmailField: "probe@example.net",
        serializers.DateTimeField: (NOW + timedelta(days=7)).isoformat(),
        serializers.DateField: (NOW + timedelta(days=7)).date().isoformat(),
        serializers.TimeField: "19:00",
        serializers.DecimalField: "1.5",
        serializers.IntegerField: max(getattr(field, "min_value", None) or 1, 1),
        serializers.CharField: "Probe",
    }
    kind = next((kind for kind in plain if isinstance(field, kind)), None)
    assert kind is not None, f"no probe value for a {type(field).__name__}: add one to probe_value"
    return plain[kind]


def probe_fields(serializer: serializers.Serializer, world: World, links) -> dict:
    """The required fields, and every link to another object, filled in."""
    return {
        name: probe_value(field, world, links)
        for name, field in serializer.fields.items()
        if not field.read_only
        and (field.required or isinstance(field, serializers.RelatedField | serializers.ManyRelatedField))
    }


def probe_body(name: str, view, method: str, world: World, links) -> dict:
    """The body of a write to an API route, as centre A's own staff could send it: a change of
    an object replays the object's own fields; a new object or an action fills the documented
    serializer (and BODY_VALUES), linking to the `links` centre's objects."""
    serializer = request_serializer(view, method) if method != "delete" else None
    if serializer is None:
        return {}
    if getattr(view, "actions", {}).get(method) in ("update", "partial_update"):
        shown = type(serializer)(world.row(model_of(name, "", view))).data
        body = {key: shown[key] for key, field in serializer.fields.items() if not field.read_only and key in shown}
    else:
        body = probe_fields(serializer, world, links)
    values = BODY_VALUES.get(name, {})
    body.update(values(world) if callable(values) else values)
    return {key: value for key, value in body.items() if value is not None}


def api_writes(world: World, links=None):
    """(name, route, path, method, body) of every write an API route answers, at centre A's
    objects where the route names one, with bodies that link to centre A's objects. With `links`
    (another centre): only the routes that name one of centre A's objects, with bodies that link
    to that centre's objects instead."""
    for name, route, view in routes():
        if not route.startswith("api/") or name in PUBLIC or "<drf_format_suffix:format>" in route:
            continue
        if links is not None and not names_an_object(route):
            continue
        path = fill(name, route, view, world, "staff")
        if path is None:
            continue  # the matrix below names it
        for method in WRITES:
            if method in getattr(view, "actions", {}) or (not hasattr(view, "actions") and hasattr(view.cls, method)):
                yield name, route, path, method, probe_body(name, view, method, world, links or world.centre)


def names_an_object(route: str) -> bool:
    """Whether the route names one object (of centre A's, as the matrix fills it)."""
    return bool(re.search(r"<(?:\w+:)?(pk|object_id|request_id)>|\(\?P<(pk|request_id)>", route))


def test_the_write_probes_are_bodies_centre_a_staff_may_send(world):
    """The probes below mean something only if an outsider's refusal comes from the object's
    lookup or the permission: centre A's own centre admin, sending the same bodies to the same
    objects, is neither refused nor told the body is invalid (a conflict with the object's state,
    409, is told only once the object is found). Each write is rolled back."""
    staff = APIClient()
    staff.force_authenticate(world.admin_user)
    problems, writes = [], 0
    for name, _route, path, method, body in api_writes(world):
        if name in PORTAL:
            continue  # a volunteer's own: checked with the volunteer below
        writes += 1
        with transaction.atomic():
            answer = getattr(staff, method)(path, body, format="json")
            transaction.set_rollback(True)
        if answer.status_code >= 400 and answer.status_code != 409:
            problems.append(f"{method.upper()} {path} ({name}) {body}: {answer.status_code} {answer.content[:200]}")
    assert problems == [], "\n".join(problems)
    assert writes > 60


class Probe:
    """One outsider's walk through every route: what they were shown and what they could do."""

    def __init__(self, actor: str, world: World):
        self.actor, self.world = actor, world
        self.visitor = client_for(actor, world)
        own = {"member": {"Mona Mitglied", "mona@example.net"}, "volunteer": {"Vera Freiwillig", "vera@example.net"}}
        self.secrets = world.secrets - own.get(actor, set())
        self.bodies = {(name, method): body for name, _route, _path, method, body in api_writes(world)}
        if actor == "other":
            # On centre A's objects, a body with links to their own centre's room, group or
            # topic: valid for them, so only the lookup of centre A's object can refuse it.
            self.bodies |= {
                (name, method): body
                for name, _route, _path, method, body in api_writes(world, links=world.other_centre)
            }
        self.problems: list[str] = []
        self.covered = 0

    def check_answer(self, request: str, name: str, answer) -> str:
        body = answer.content.decode(errors="replace") if hasattr(answer, "content") else ""
        leaked = sorted(secret for secret in self.secrets if secret in body)
        if answer.status_code >= 500:
            self.problems.append(f"{request}: {answer.status_code}")
        if leaked:
            self.problems.append(f"{request} ({name}): shows {leaked[:3]}")
        return body

    def route(self, name: str, route: str, view) -> None:
        path = fill(name, route, view, self.world, self.actor)
        if path is None:
            self.problems.append(f"{name} ({route}): a parameter the matrix cannot fill")
            return
        self.covered += 1
        answer = self.visitor.get(path)
        body = self.check_answer(f"GET {path}", name, answer)
        actor = self.actor
        public = name in PUBLIC or name in TOKEN_ROUTES or (actor == "volunteer" and name in PORTAL)
        # Staff of another centre may list their own centre's data: only centre A's must not show.
        # ... and only on a route that names no object of centre A.
        names_object = names_an_object(route)
        own_list = actor == "other" and answer.status_code == 200 and self.world.centre.slug not in body
        own_list = own_list and not names_object
        if not public and answer.status_code not in REFUSED and not own_list:
            self.problems.append(f"GET {path} ({name}): {answer.status_code} for {actor}")
        # The volunteer's own portal is theirs to write to, except where it names another's object.
        if public and not (actor == "volunteer" and name in PORTAL and names_object):
            return
        for method in WRITES:
            self.write(name, route, path, method, names_object=names_object)

    def write(self, name: str, route: str, path: str, method: str, *, names_object: bool) -> None:
        # Pages and the admin get no body: they look up the centre and the object first.
        request_body = self.bodies.get((name, method), {})
        answer = getattr(self.visitor, method)(path, request_body, format="json")
        request = f"{method.upper()} {path}"
        self.check_answer(request, name, answer)
        status, actor = answer.status_code, self.actor
        if route.startswith("api/") and names_object and (name, method) in self.bodies:
            # A body centre A's staff may send: only the lookup or the permission may refuse it.
            if status not in (401, 403, 404):
                self.problems.append(f"{request} ({name}): {status} for {actor}, not a refusal of the object")
        elif 200 <= status < 300 and (actor != "other" or names_object or "slug" in route or request_body):
            # Every probe body names centre A's objects; another centre's staff may write
            # only to their own centre, at a route that names neither centre A nor its objects.
            self.problems.append(f"{request} ({name}): {status} for {actor}")


@pytest.mark.parametrize("actor", ["other", "volunteer", "member", "anonymous"])
def test_no_outsider_reaches_centre_a_data(actor, world):
    probe = Probe(actor, world)
    before = world.snapshot()
    for name, route, view in routes():
        if name.endswith("webhook"):
            continue  # the ESP webhooks: tests/notifications/test_outbox.py (secret, replay)
        if "<drf_format_suffix:format>" in route:
            continue  # the same view as the route without a format
        probe.route(name, route, view)
    assert probe.problems == [], "\n".join(probe.problems)
    after = world.snapshot()
    changed = [label for label in before if after[label] != before[label]]
    assert changed == [], f"an outsider changed centre A's data: {changed}"
    assert probe.covered > 300  # 355 routes today, each asked with GET and, unless public, POST, PUT, PATCH, DELETE


def test_the_named_routes_exist():
    """A route renamed in the URL configuration must be renamed here, or its checks go quiet."""
    names = {name for name, _route, _view in routes()}
    assert set(PUBLIC) | set(TOKEN_ROUTES) | PORTAL | set(PAGE_MODELS) | set(BODY_VALUES) <= names
