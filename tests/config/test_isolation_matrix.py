"""The isolation matrix: every route of the URL configuration (API, pages, feeds, exports, the
admin and the ESP webhooks), asked by each outsider of centre A — a coordinator of centre B, a
volunteer (portal login), a member with their own signed links, and an anonymous visitor. Each
gets a refusal or only what is theirs: never a name or address of centre A's people, never
centre A's staff data, and nothing changes in centre A whatever they send.

Generated from the URL configuration: a route whose parameters the matrix cannot fill, or that
is neither refused nor listed as public here, fails the suite.
"""

import re
from datetime import date

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token

from centres.models import Centre, FederationRole, Person, StaffRole
from meetings.models import CalendarToken, Group, Membership
from notifications.member_links import member_token
from notifications.models import NewsletterList, Subscription, SuppressedAddress
from tests.config.test_query_budgets import MAKERS, NOW
from tests.factories import PersonFactory, StaffRoleFactory
from volunteers.models import ChecklistItem, StarterRequest, TrainingRecord, Volunteer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]

# Routes anyone may open, by design; they are still checked for private data.
PUBLIC = {
    "home", "healthz", "set_language", "api-root", "api-schema", "api-docs", "api-token",
    "admin_password_reset", "password_reset_done", "password_reset_confirm", "password_reset_complete",
    "centre-home", "privacy", "group-finder", "group-page", "group-feed", "enquiry", "public-enquiry-create",
    "newsletter-subscribe", "volunteer-signup", "volunteer-login", "volunteer-logout",
    "admin:login", "admin:logout", "admin:password_reset", "admin:password_reset_done",
    "admin:password_reset_confirm", "admin:password_reset_complete", "admin:jsi18n",
}  # fmt: skip
# Routes that act on a signed token alone: a forged token is refused, and a member's own valid
# link shows only their own data.
TOKEN_ROUTES = {
    "member-page": "manage",
    "member-absence": "absence",
    "person-feed": "calendar",
    "newsletter-confirm": None,
    "newsletter-unsubscribe": None,
    "newsletter-preferences": None,
    "volunteer-confirm": None,
    "volunteer-request": None,
    "volunteer-login-link": None,
    "password_reset_confirm": None,
}
# The volunteer portal's own pages, where a volunteer sees their own data.
PORTAL = {
    "volunteer-portal", "volunteer-log-session", "volunteer-request-answer", "volunteer-password",
    "portal-meetings", "portal-meetings-to-log", "portal-hours", "portal-requests", "portal-answer",
    "portal-session-logs", "portal-assignments",
}  # fmt: skip
REFUSED = {302, 400, 401, 403, 404, 405}

# Models behind page and API routes whose id the URL carries.
PAGE_MODELS = {
    "workspace-group": "meetings.Group",
    "workspace-enquiry": "meetings.Enquiry",
    "workspace-issue": "notifications.NewsletterIssue",
    "workspace-issue-progress": "notifications.NewsletterIssue",
    "workspace-volunteer": "volunteers.Volunteer",
    "planner-meeting": "meetings.Meeting",
    "volunteer-request-answer": "volunteers.StarterRequest",
    "portal-answer": "volunteers.StarterRequest",
    "person-detail": "centres.Person",
    "person-export": "centres.Person",
    "staffrole-detail": "centres.StaffRole",
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


def centre_rows(model, centre):
    """The model's rows of this centre, unscoped; None for a model without a centre."""
    if not any(field.name == "centre" for field in model._meta.fields):
        return None
    return getattr(model, "all_centres", model._default_manager).filter(centre=centre)


class World:
    """Centre A with one of everything, the outsiders, and what must never leak."""

    def __init__(self, centre_a, centre_b, admin_a):
        self.centre = centre_a
        for make in MAKERS.values():
            make(centre_a, admin_a)
        self.group = Group.all_centres.filter(centre=centre_a).first()
        # The member: their own link, in centre A, another group from the people who must stay hidden.
        self.member = PersonFactory(centre=centre_a, display_name="Mona Mitglied", email="mona@example.net")
        membership = Membership.all_centres.create(
            centre=centre_a, group=self.group, person=self.member, joined_on=date(2026, 1, 1)
        )
        self.member_tokens = {
            "manage": member_token(purpose="manage", membership_id=membership.pk),
            "absence": member_token(purpose="absence", membership_id=membership.pk, meeting_id=1),
            "calendar": CalendarToken.all_centres.create(centre=centre_a, person=self.member).token,
        }
        # The volunteer: a portal login, no staff role.
        helper = PersonFactory(centre=centre_a, display_name="Vera Freiwillig", email="vera@example.net")
        self.volunteer_user = get_user_model().objects.create_user(username="vera", email="vera@example.net")
        Volunteer.all_centres.create(centre=centre_a, person=helper, status="active", user=self.volunteer_user)
        # Rows the lists' makers do not make.
        self.admin_user = admin_a
        Token.objects.create(user=admin_a)
        made = Volunteer.all_centres.filter(centre=centre_a).exclude(user=self.volunteer_user).first()
        TrainingRecord.all_centres.create(
            centre=centre_a, volunteer=made, course="Grundkurs", completed_on=date(2026, 1, 1)
        )
        ChecklistItem.all_centres.create(centre=centre_a, text="Kontaktliste")
        StarterRequest.all_centres.create(centre=centre_a, group=self.group, volunteer=made)
        SuppressedAddress.all_centres.create(centre=centre_a, email="bounced@example.net", reason="bounced")
        newsletter = NewsletterList.all_centres.filter(centre=centre_a).first()
        Subscription.all_centres.create(centre=centre_a, newsletter=newsletter, person=self.member, status="confirmed")
        FederationRole.objects.create(user=get_user_model().objects.create_user(username="federation"))
        AuthGroup.objects.create(name="Leute")
        AccessAttempt.objects.create(username="someone", ip_address="10.0.0.1", failures_since_start=1)
        AccessLog.objects.create(username="someone", ip_address="10.0.0.1")
        AccessFailureLog.objects.create(username="someone", ip_address="10.0.0.1")
        # The coordinator of centre B.
        self.other_user = StaffRoleFactory(centre=centre_b, role=StaffRole.Role.COORDINATOR).user
        self.other_token = Token.objects.create(user=self.other_user).key
        # What must never reach an outsider: every name and address of centre A's people.
        self.people = {
            value
            for row in Person.all_centres.filter(centre=centre_a).values_list("display_name", "email")
            for value in row
            if value and len(value) > 3
        }

    def object_of(self, model) -> int:
        """The id of one of centre A's rows of this model; for a model of the platform (users,
        tokens, lockouts), a row that is not the outsider's own."""
        if model is Centre:
            return self.centre.pk
        if model is get_user_model():
            return self.admin_user.pk
        rows = centre_rows(model, self.centre)
        if rows is None:
            manager = getattr(model, "all_centres", model._default_manager)
            rows = manager.all()
            if model._meta.label == "authtoken.TokenProxy":
                rows = manager.filter(user=self.admin_user)
        row = rows.order_by("pk").first()
        assert row is not None, f"the world has no {model._meta.label}: add one to World"
        return row.pk

    def snapshot(self) -> dict:
        """Every row of centre A, to show that nothing changed."""
        state = {}
        for model in apps.get_models():
            rows = centre_rows(model, self.centre)
            if rows is not None:
                state[model._meta.label] = sorted(map(repr, rows.values()))
        state["centre"] = repr(Centre.all_centres.filter(pk=self.centre.pk).values().first())
        return state


@pytest.fixture
def world(centre_a, centre_b, centre_admin_a, frozen_now):
    frozen_now(NOW)
    return World(centre_a, centre_b, centre_admin_a)


def fill(name: str, route: str, view, world: World, actor: str) -> str | None:
    """A concrete path for the route, aimed at centre A's objects; None: a parameter the matrix
    cannot fill (the test then fails, naming the route)."""
    # Only the anchors go: a "^" at the start of a segment and a "$" at the end (not "[^/.]").
    path = re.sub(r"(^|/)\^", r"\1", route).removesuffix("$")
    values = {}
    for param in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)", path):
        key = param[0] or param[1]
        if key == "slug":
            values[key] = world.centre.slug
        elif key == "public_id":
            values[key] = str(world.group.public_id)
        elif key == "token":
            purpose = TOKEN_ROUTES.get(name)
            values[key] = world.member_tokens[purpose] if actor == "member" and purpose else "forged.token-value"
        elif name == "admin:view_on_site":  # "view on site" for one of centre A's people
            values[key] = str(
                ContentType.objects.get_for_model(Person).pk if key == "content_type_id" else world.object_of(Person)
            )
        elif key in ("pk", "object_id"):
            model = model_of(name, route, view)
            if model is None:
                return None
            values[key] = str(world.object_of(model))
        elif key == "request_id":
            values[key] = str(world.object_of(StarterRequest))
        elif key == "uidb64":
            values[key] = "MQ"
        elif key == "id":  # the admin's password change for a user
            values[key] = str(world.admin_user.pk)
        elif key in ("app_label",):
            values[key] = "meetings"
        elif key in ("url",):  # the admin's catch-all
            values[key] = "nothing/"
        else:
            return None
    # Regex groups first: their names look like converters.
    concrete = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m[1]], path)
    concrete = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m[1]], concrete)
    concrete = re.sub(r"\(([^)]*)\)\?", "", concrete)  # optional groups: leave them out
    assert not re.search(r"[()?\[\]^$]", concrete), f"{name}: {route} filled as {concrete}"
    return "/" + concrete


def client_for(actor: str, world: World):
    from rest_framework.test import APIClient

    client = APIClient()
    if actor == "other":
        client.force_login(world.other_user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.other_token}")
    elif actor == "volunteer":
        client.force_login(world.volunteer_user)
    return client


@pytest.mark.parametrize("actor", ["other", "volunteer", "member", "anonymous"])
def test_no_outsider_reaches_centre_a_data(actor, world):
    before = world.snapshot()
    visitor = client_for(actor, world)
    own = {"member": {"Mona Mitglied", "mona@example.net"}, "volunteer": {"Vera Freiwillig", "vera@example.net"}}
    secrets = world.people - own.get(actor, set())
    problems, covered = [], 0
    for name, route, view in routes():
        if name.endswith("webhook"):
            continue  # the ESP webhooks: tests/notifications/test_outbox.py (secret, replay)
        if "<drf_format_suffix:format>" in route:
            continue  # the same view as the route without a format
        path = fill(name, route, view, world, actor)
        if path is None:
            problems.append(f"{name} ({route}): a parameter the matrix cannot fill")
            continue
        covered += 1
        answer = visitor.get(path)
        body = answer.content.decode(errors="replace") if hasattr(answer, "content") else ""
        leaked = sorted(secret for secret in secrets if secret in body)
        if answer.status_code >= 500:
            problems.append(f"GET {path}: {answer.status_code}")
        if leaked:
            problems.append(f"GET {path} ({name}): shows {leaked[:3]}")
        public = name in PUBLIC or name in TOKEN_ROUTES or (actor == "volunteer" and name in PORTAL)
        # Staff of another centre may list their own centre's data: only centre A's must not show.
        # ... and only on a route that names no object of centre A.
        aims_at_centre_a = bool(re.search(r"<(?:\w+:)?(pk|object_id|request_id)>|\(\?P<(pk|request_id)>", route))
        own_list = actor == "other" and answer.status_code == 200 and world.centre.slug not in body
        own_list = own_list and not aims_at_centre_a
        if not public and answer.status_code not in REFUSED and not own_list:
            problems.append(f"GET {path} ({name}): {answer.status_code} for {actor}")
        if not public:
            for method in ("post", "patch", "delete"):
                answer = getattr(visitor, method)(path, {}, format="json")
                if answer.status_code >= 500 or (200 <= answer.status_code < 300 and actor != "other"):
                    problems.append(f"{method.upper()} {path} ({name}): {answer.status_code} for {actor}")
    assert problems == [], "\n".join(problems)
    assert world.snapshot() == before, "an outsider changed centre A's data"
    assert covered > 300  # 355 routes today, each asked with GET and, unless public, POST, PATCH, DELETE
