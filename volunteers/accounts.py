"""Volunteer portal logins: one login per e-mail address across centres, opened by an e-mailed
magic link or a password the volunteer set. A portal login is never a staff login, and it reaches
only the volunteer records whose address is still the login's address."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from config.ratelimit import count_exceeds
from notifications.models import OutgoingMail, merge_field
from notifications.services import mail_queue
from volunteers.models import Volunteer

LOGIN_SALT = "kontakt.volunteer.login"
LOGIN_LINK_MAX_AGE = 20 * 60
# However many networks ask, one address gets at most this many links an hour.
LINKS_PER_ADDRESS_PER_HOUR = 5


def portal_volunteers(email: str):
    """Volunteers who may use the portal with this address: confirmed and not retired."""
    return (
        Volunteer.all_centres.filter(person__email__iexact=email.strip(), email_confirmed_at__isnull=False)
        .exclude(status=Volunteer.Status.RETIRED)
        .select_related("person", "centre", "user")
    )


def linked_volunteers(user: AbstractBaseUser):
    """The volunteer records a portal login reaches: linked to it and still at its address (an
    address changed by a coordinator no longer opens the old login)."""
    if not user.email:
        return Volunteer.all_centres.none()
    return portal_volunteers(user.email).filter(user=user)


def is_portal_user(user: AbstractBaseUser) -> bool:
    """A login that only opens the portal: active, not staff, no staff role anywhere."""
    return (
        user.is_active
        and not user.is_staff
        and not user.is_superuser
        and not user.staff_roles.exists()
        and not hasattr(user, "federation_role")
    )


@transaction.atomic
def portal_user_for(*, volunteer: Volunteer) -> AbstractBaseUser:
    """The volunteer's portal login, made on first use. Volunteer records with the same address at
    other centres share it; a link to a login of another address (the person's address changed)
    is replaced. Writes the user (if new) and the volunteer's link to it."""
    volunteer = (
        Volunteer.all_centres.select_for_update(of=("self",)).select_related("person", "user").get(pk=volunteer.pk)
    )
    email = volunteer.person.email.strip().lower()
    if volunteer.user_id and volunteer.user.email.lower() == email:
        return volunteer.user
    user_model = get_user_model()
    user = (
        user_model.objects.filter(email__iexact=email, volunteers__isnull=False, is_staff=False, is_superuser=False)
        .order_by("pk")
        .first()
    )
    if user is None:
        user = user_model(username=f"volunteer-{secrets.token_hex(8)}", email=email)
        user.set_unusable_password()
        user.save()
    Volunteer.all_centres.filter(pk=volunteer.pk).update(user=user)
    return user


def _link_allowed(email: str) -> bool:
    # Counted as the public forms' rate limits are: with the cache unreachable, the link is sent.
    key = "portal-link:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return not count_exceeds(key, limit=LINKS_PER_ADDRESS_PER_HOUR, seconds=3600)


def portal_login_link_send(*, volunteer_id: int | None) -> None:
    """Mail a one-time login link to a confirmed, not retired volunteer (run by a worker, so the
    page that asked answers at once and alike for known and unknown addresses; `None` does
    nothing). At most LINKS_PER_ADDRESS_PER_HOUR links an hour per address. Writes the portal
    login (if new), links the address's other volunteer records to it, and queues the mail,
    marked sensitive: staff views of the outbox never show its link."""
    volunteer = Volunteer.all_centres.filter(pk=volunteer_id).select_related("person", "centre").first()
    if volunteer is None or not portal_volunteers(volunteer.person.email).filter(pk=volunteer.pk).exists():
        return
    person = volunteer.person
    if not _link_allowed(person.email):
        return
    user = portal_user_for(volunteer=volunteer)
    if not is_portal_user(user):
        return
    portal_volunteers(person.email).filter(user__isnull=True).update(user=user)
    token = portal_login_token_make(user)
    mail_queue(
        centre=volunteer.centre,
        kind=OutgoingMail.Kind.SYSTEM,
        obj=f"portal-login-{user.pk}-{timezone.now():%Y%m%d%H%M%S%f}",
        recipient=person.email,
        language=person.language or volunteer.centre.default_language,
        template="volunteer_login_link",
        context={
            "centre": volunteer.centre,
            "login_url": merge_field("secret_login_url"),
            "minutes": LOGIN_LINK_MAX_AGE // 60,
        },
        person=person,
        merge_data={"secret_login_url": settings.SITE_URL.rstrip("/") + reverse("volunteer-login-link", args=[token])},
        sensitive=True,
    )


def _login_state(user: AbstractBaseUser) -> str:
    """What a login link is bound to, as a keyed hash: the next login (`last_login`) spends it, a
    new password or address voids it. Django's password reset token hashes the same, but drops
    the microseconds of `last_login`: a link used within the second of the login before it would
    work twice."""
    last_login = user.last_login.isoformat() if user.last_login else ""
    state = f"{user.pk}|{user.password}|{last_login}|{user.email.strip().lower()}"
    return salted_hmac(LOGIN_SALT, state, algorithm="sha256").hexdigest()[:32]


def portal_login_token_make(user: AbstractBaseUser) -> str:
    """The secret of a login link: signed and timed (LOGIN_LINK_MAX_AGE), bound to the login's state."""
    return signing.dumps({"u": user.pk, "s": _login_state(user)}, salt=LOGIN_SALT)


def portal_login_token_check(token: str) -> AbstractBaseUser | None:
    """The portal login a link opens, or None when the link is forged, older than 20 minutes,
    used already, or made before the login's password or address changed."""
    try:
        payload = signing.loads(token, salt=LOGIN_SALT, max_age=LOGIN_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    user = get_user_model().objects.filter(pk=payload.get("u")).first()
    if user is None or not is_portal_user(user):
        return None
    if not constant_time_compare(str(payload.get("s", "")), _login_state(user)):
        return None
    if not linked_volunteers(user).exists():
        return None
    return user


def portal_login_token_use(token: str) -> AbstractBaseUser | None:
    """Check the link and spend it in one step: of two requests with the same link at the same
    moment, only one gets the login. Writes the login's `last_login`."""
    user = portal_login_token_check(token)
    if user is None:
        return None
    used = get_user_model().objects.filter(pk=user.pk, last_login=user.last_login).update(last_login=timezone.now())
    return user if used == 1 else None


def portal_user_by_email(email: str) -> AbstractBaseUser | None:
    """The portal login of this address, for password login."""
    volunteer = portal_volunteers(email).filter(user__email__iexact=email.strip()).first()
    if volunteer is None or not is_portal_user(volunteer.user):
        return None
    return volunteer.user
