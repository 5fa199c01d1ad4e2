"""The demo data set behind `manage.py seed_demo`: a German and a Danish contact point.

Every step looks objects up by a natural key before creating them, so running it again is safe.
"""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction

from centres.models import Centre, ConsentRecord, FederationRole, Person, StaffRole
from centres.scoping import all_centres_scope
from centres.services.consents import consent_record
from centres.services.people import person_create
from centres.services.staff import staff_role_change, staff_role_grant

DEMO_PASSWORD = "kontakt-demo"

CENTRES = [
    {
        "slug": "hannover-linden",
        "name": "Selbsthilfe-Kontaktstelle Hannover-Linden",
        "time_zone": "Europe/Berlin",
        "default_language": "de",
        "sender_name": "Kontaktstelle Hannover-Linden",
        "sender_email": "post@hannover-linden.example.org",
        "email": "post@hannover-linden.example.org",
        "phone": "+49 511 555 0142",
        "street": "Limmerstraße 12",
        "postal_code": "30451",
        "city": "Hannover",
        "country": "DE",
    },
    {
        "slug": "aarhus",
        "name": "Selvhjælpscenter Aarhus",
        "time_zone": "Europe/Copenhagen",
        "default_language": "da",
        "sender_name": "Selvhjælpscenter Aarhus",
        "sender_email": "kontakt@selvhjaelp-aarhus.example.org",
        "email": "kontakt@selvhjaelp-aarhus.example.org",
        "phone": "+45 86 55 01 42",
        "street": "Jægergårdsgade 40",
        "postal_code": "8000",
        "city": "Aarhus C",
        "country": "DK",
    },
]

# (username, e-mail, first name, centre slug or None, role or "federation" / "superuser")
USERS = [
    ("admin", "admin@kontakt.example.org", "Platform", None, "superuser"),
    ("verband", "verband@kontakt.example.org", "Federation", None, "federation"),
    ("leitung", "leitung@hannover-linden.example.org", "Sabine", "hannover-linden", StaffRole.Role.CENTRE_ADMIN),
    ("anna", "anna@hannover-linden.example.org", "Anna", "hannover-linden", StaffRole.Role.COORDINATOR),
    ("mette", "mette@selvhjaelp-aarhus.example.org", "Mette", "aarhus", StaffRole.Role.CENTRE_ADMIN),
    ("jens", "jens@selvhjaelp-aarhus.example.org", "Jens", "aarhus", StaffRole.Role.COORDINATOR),
]

DEMO_LOGINS = [
    ("admin", "superuser of the platform (all centres)"),
    ("verband", "federation admin: totals across centres, no personal data"),
    ("leitung", "centre admin, Hannover-Linden"),
    ("anna", "coordinator, Hannover-Linden"),
    ("mette", "centre admin, Aarhus"),
    ("jens", "coordinator, Aarhus"),
    ("karl.heine@example.org", "volunteer portal (/volunteer/login/): a starter phasing out"),
]

# (display name, full name, e-mail, phone, language)
PEOPLE = {
    "hannover-linden": [
        ("Birgit S.", "Birgit Schäfer", "birgit.schaefer@example.net", "", "de"),
        ("Thomas", "Thomas Krüger", "t.krueger@example.net", "+49 170 555 0101", "de"),
        ("Leyla", "", "leyla.demir@example.net", "", "de"),
        ("Martin W.", "Martin Wagner", "", "+49 511 555 0177", "de"),
        ("Ewa", "Ewa Nowak", "ewa.nowak@example.net", "", "en"),
        ("Jörg", "Jörg Hoffmann", "joerg.hoffmann@example.net", "", "de"),
        ("Heike B.", "Heike Brandt", "", "+49 151 5550 1420", "de"),
    ],
    "aarhus": [
        ("Lene", "Lene Mikkelsen", "lene.mikkelsen@example.net", "", "da"),
        ("Søren K.", "Søren Kristensen", "soeren.k@example.net", "+45 20 55 01 01", "da"),
        ("Freja", "", "freja.holm@example.net", "", "da"),
        ("Ahmad", "Ahmad Rahimi", "ahmad.rahimi@example.net", "", "en"),
        ("Karen", "Karen Poulsen", "", "+45 86 55 01 77", "da"),
        ("Anouk", "Anouk de Vries", "anouk.devries@example.net", "", "nl"),
    ],
}


def seed_centres() -> dict[str, int]:
    for values in CENTRES:
        Centre.objects.update_or_create(slug=values["slug"], defaults=values)
    return {"centres": len(CENTRES)}


def seed_users() -> dict[str, int]:
    user_model = get_user_model()
    for username, email, first_name, centre_slug, role in USERS:
        user, _ = user_model.objects.get_or_create(username=username, defaults={"email": email})
        user.email, user.first_name = email, first_name
        if role == "superuser":
            user.is_superuser = user.is_staff = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        if role == "federation":
            FederationRole.objects.get_or_create(user=user)
        elif centre_slug is not None:
            centre = Centre.objects.get(slug=centre_slug)
            staff_role = StaffRole.objects.filter(centre=centre, user=user).first()
            if staff_role is None:
                staff_role_grant(actor=None, centre=centre, user=user, role=role)
            elif staff_role.role != role:
                staff_role_change(actor=None, staff_role=staff_role, role=role)
    return {"logins": len(USERS)}


def seed_people() -> dict[str, int]:
    created = 0
    for slug, people in PEOPLE.items():
        centre = Centre.objects.get(slug=slug)
        for display_name, full_name, email, phone, language in people:
            person = Person.objects.filter(centre=centre, display_name=display_name).first()
            if person is None:
                person = person_create(
                    actor=None,
                    centre=centre,
                    display_name=display_name,
                    full_name=full_name,
                    email=email,
                    phone=phone,
                    language=language,
                )
                created += 1
            if not ConsentRecord.objects.filter(person=person, purpose=ConsentRecord.Purpose.HEALTH_DATA).exists():
                consent_record(
                    actor=None,
                    person=person,
                    purpose=ConsentRecord.Purpose.HEALTH_DATA,
                    text_version="2026-01",
                    source=ConsentRecord.Source.IN_PERSON,
                )
    return {"people": sum(len(people) for people in PEOPLE.values()), "new people": created}


DemoStep = Callable[[], dict[str, int]]

# centres' own steps come first; each app above adds its step in its `AppConfig.ready` with
# `demo_step_register` (rooms and groups, newsletters, volunteers, enquiries), so centres names
# none of them. Keyed by name: registering a name again replaces its step.
_steps: dict[str, tuple[int, DemoStep]] = {
    "centres": (10, seed_centres),
    "logins": (20, seed_users),
    "people": (30, seed_people),
}


def demo_step_register(*, name: str, order: int, seed: DemoStep) -> None:
    """Add an app's demo data to `manage.py seed_demo`, run in `order` (lower first)."""
    _steps[name] = (order, seed)


DemoLinks = Callable[[], list[tuple[str, str]]]
_links: dict[str, DemoLinks] = {}


def demo_links_register(*, name: str, links: DemoLinks) -> None:
    """Add passwordless pages of the demo (described, with their signed link) to what
    `manage.py seed_demo` prints after the logins: what a member or contact person would find in
    their mail."""
    _links[name] = links


def demo_links() -> list[tuple[str, str]]:
    with all_centres_scope():
        return [link for name in sorted(_links) for link in _links[name]()]


@transaction.atomic
def seed() -> dict[str, dict[str, int]]:
    """Run every registered step, in order, across centres; each step is idempotent."""
    ordered = sorted(_steps.items(), key=lambda item: (item[1][0], item[0]))
    with all_centres_scope():
        return {name: step() for name, (_order, step) in ordered}
