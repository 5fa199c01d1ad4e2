"""Volunteer portal logins: one login per e-mail address across centres, opened by an e-mailed
magic link or a password the volunteer set. A portal login is never a staff login, and it reaches
only the volunteer records whose address is still the login's address (see the portal reads in
`volunteers.selectors`)."""

import hashlib
import secrets
from datetime import timedelta
from typing import cast

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from config.ratelimit import count_exceeds
from config.signed_links import PURPOSES, link_url, max_age, sign, unsign
from notifications.models import OutgoingMail, merge_field
from notifications.services.outbox import mail_queue
from volunteers.models import Volunteer
from volunteers.selectors import is_portal_user, linked_volunteers, portal_volunteers

# How long a login link works, in seconds (20 minutes: `config.signed_links`).
LOGIN_LINK_MAX_AGE = int(cast(timedelta, max_age("volunteer.login")).total_seconds())
# However many networks ask, one address gets at most this many links an hour.
LINKS_PER_ADDRESS_PER_HOUR = 5


@transaction.atomic
def portal_user_for(*, volunteer: Volunteer) -> User:
    """The volunteer's portal login, made on first use. Volunteer records with the same address at
    other centres share it; a link to a login of another address (the person's address changed)
    is replaced. Writes the user (if new) and the volunteer's link to it."""
    volunteer = Volunteer.objects.select_for_update(of=("self",)).select_related("person", "user").get(pk=volunteer.pk)
    email = volunteer.person.email.strip().lower()
    if volunteer.user is not None and volunteer.user.email.lower() == email:
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
    Volunteer.objects.filter(pk=volunteer.pk).update(user=user)
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
    if volunteer_id is None:
        return
    volunteer = Volunteer.objects.filter(pk=volunteer_id).select_related("person", "centre").first()
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
        template="volunteers/mail/volunteer_login_link",
        context={
            "centre": volunteer.centre,
            "login_url": merge_field("secret_login_url"),
            "minutes": LOGIN_LINK_MAX_AGE // 60,
        },
        person=person,
        merge_data={"secret_login_url": link_url("volunteer-login-link", token)},
        sensitive=True,
    )


def _login_state(user: User) -> str:
    """What a login link is bound to, as a keyed hash: the next login (`last_login`) spends it, a
    new password or address voids it. Django's password reset token hashes the same, but drops
    the microseconds of `last_login`: a link used within the second of the login before it would
    work twice."""
    last_login = user.last_login.isoformat() if user.last_login else ""
    state = f"{user.pk}|{user.password}|{last_login}|{user.email.strip().lower()}"
    return salted_hmac(PURPOSES["volunteer.login"].salt, state, algorithm="sha256").hexdigest()[:32]


def portal_login_token_make(user: User) -> str:
    """The secret of a login link: signed and timed (LOGIN_LINK_MAX_AGE), bound to the login's state."""
    return sign("volunteer.login", {"u": user.pk, "s": _login_state(user)})


def portal_login_token_check(token: str) -> User | None:
    """The portal login a link opens, or None when the link is forged, older than 20 minutes,
    used already, or made before the login's password or address changed."""
    payload = unsign("volunteer.login", token)
    if payload is None:
        return None
    user = get_user_model().objects.filter(pk=payload.get("u")).first()
    if user is None or not is_portal_user(user):
        return None
    if not constant_time_compare(str(payload.get("s", "")), _login_state(user)):
        return None
    if not linked_volunteers(user).exists():
        return None
    return user


def portal_login_token_use(token: str) -> User | None:
    """Check the link and spend it in one step: of two requests with the same link at the same
    moment, only one gets the login. Writes the login's `last_login`."""
    user = portal_login_token_check(token)
    if user is None:
        return None
    used = get_user_model().objects.filter(pk=user.pk, last_login=user.last_login).update(last_login=timezone.now())
    return user if used == 1 else None
