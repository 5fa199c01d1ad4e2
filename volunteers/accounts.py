"""Volunteer portal logins: one login per e-mail address across centres, opened by an e-mailed
magic link or a password the volunteer set. A portal login is never a staff login."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutgoingMail
from notifications.services import mail_queue
from volunteers.models import Volunteer

LOGIN_SALT = "kontakt.volunteer.login"
LOGIN_LINK_MAX_AGE = 20 * 60


def _portal_volunteers(email: str):
    """Volunteers who may use the portal with this address: confirmed and not retired."""
    return (
        Volunteer.all_centres.filter(person__email__iexact=email.strip(), email_confirmed_at__isnull=False)
        .exclude(status=Volunteer.Status.RETIRED)
        .select_related("person", "centre", "user")
    )


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
    other centres share it. Writes the user (if new) and the volunteer's link to it."""
    if volunteer.user_id:
        return volunteer.user
    email = volunteer.person.email.strip().lower()
    user_model = get_user_model()
    user = (
        user_model.objects.filter(volunteers__person__email__iexact=email, is_staff=False, is_superuser=False)
        .order_by("pk")
        .first()
    )
    if user is None:
        user = user_model(username=f"volunteer-{secrets.token_hex(8)}", email=email)
        user.set_unusable_password()
        user.save()
    Volunteer.all_centres.filter(pk=volunteer.pk).update(user=user)
    volunteer.user = user
    return user


def portal_login_link_send(*, email: str) -> bool:
    """Mail a one-time login link to a confirmed volunteer with this address. Says nothing the
    caller may show: it returns whether a mail was queued, and the page answers the same either
    way. Writes the portal login (if new) and the mail."""
    volunteers = list(_portal_volunteers(email))
    if not volunteers:
        return False
    volunteer = volunteers[0]
    user = portal_user_for(volunteer=volunteer)
    if not is_portal_user(user):
        return False
    for other in volunteers[1:]:
        if other.user_id is None:
            Volunteer.all_centres.filter(pk=other.pk).update(user=user)
    token = signing.dumps(
        {"u": user.pk, "l": user.last_login.isoformat() if user.last_login else ""}, salt=LOGIN_SALT, compress=True
    )
    person = volunteer.person
    mail_queue(
        centre=volunteer.centre,
        kind=OutgoingMail.Kind.SYSTEM,
        obj=f"portal-login-{user.pk}-{timezone.now():%Y%m%d%H%M%S%f}",
        recipient=person.email,
        language=person.language or volunteer.centre.default_language,
        template="volunteer_login_link",
        context={
            "centre": volunteer.centre,
            "login_url": settings.SITE_URL.rstrip("/") + reverse("volunteer-login-link", args=[token]),
            "minutes": LOGIN_LINK_MAX_AGE // 60,
        },
        person=person,
    )
    return True


def portal_user_from_login_token(token: str) -> AbstractBaseUser | None:
    """The portal login a link opens, or None when the link is forged, older than 20 minutes, or
    used already (logging in changes `last_login`, which the link carries)."""
    try:
        payload = signing.loads(token, salt=LOGIN_SALT, max_age=LOGIN_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    user = get_user_model().objects.filter(pk=payload.get("u")).first()
    if user is None or not is_portal_user(user):
        return None
    if payload.get("l") != (user.last_login.isoformat() if user.last_login else ""):
        return None
    if not _portal_volunteers(user.email).filter(user=user).exists():
        return None
    return user


def portal_user_by_email(email: str) -> AbstractBaseUser | None:
    """The portal login of this address, for password login."""
    volunteer = _portal_volunteers(email).filter(user__isnull=False).first()
    if volunteer is None or not is_portal_user(volunteer.user):
        return None
    return volunteer.user
