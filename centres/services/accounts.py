"""Staff accounts: invitations to a centre, API tokens with an expiry, and ending a user's
sessions and tokens at once.

An invitation reveals nothing about accounts: it is made the same way for any address, changes no
account until the address's owner accepts it through the mailed link, and an account is made only
then. A centre may end the sessions and tokens only of users who work for no one else.
"""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import IntegrityError, transaction
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token

from centres.models import AuditLogEntry, Centre, StaffInvitation, StaffRole, UserSession
from centres.scoping import all_centres_scope, centre_scope
from centres.selectors import user_staff_roles
from centres.signals import staff_invitation_created
from config import signed_links
from config.errors import ConflictError, DomainError, PermissionDeniedError

INVITATION_EXISTS_MESSAGE = _("This address has been invited to this centre already.")
INVITATION_INVALID_MESSAGE = _("This invitation link is not valid: it was used, withdrawn or has expired.")
NOT_YOUR_COLLEAGUE_MESSAGE = _(
    "Only a centre admin of every centre this user works for can sign them out; ask the platform's operators."
)

# Sent once an invitation row is stored, inside its transaction: `notifications` connects the
# mail (through the outbox) to it. Arguments: invitation, accept_url (secret: never log it).


class InvitationInvalidError(DomainError):
    status_code = 404
    code = "not_found"


# --- Ending a user's sessions and tokens --------------------------------------------------------


def user_access_revoke(*, user_id: int) -> int:
    """End every session and API token of the user. Returns how many were ended."""
    sessions = UserSession.objects.filter(user_id=user_id).delete()[0]
    tokens = Token.objects.filter(user_id=user_id).delete()[0]
    return sessions + tokens


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="kontakt-revoke-on-credential-change")
def _revoke_on_credential_change(
    sender: type[User], instance: User, update_fields: Iterable[str] | None = None, **kwargs: Any
) -> None:
    """A changed password or a deactivated account ends the user's sessions and API tokens.
    A receiver, because passwords change in many places that are not ours (the reset and change
    views, the admin, `manage.py changepassword`) and all of them save the user; a save that
    names other fields only (a login's `last_login`) costs nothing here."""
    if instance.pk is None or (update_fields is not None and not {"password", "is_active"} & set(update_fields)):
        return
    before = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    if before["password"] != instance.password or (before["is_active"] and not instance.is_active):
        user_access_revoke(user_id=instance.pk)


def staff_colleague_check(*, actor: User, user: User) -> None:
    """May `actor` end `user`'s sessions and tokens? Only a centre admin of every centre where
    `user` has a role, and never for a superuser or federation admin: a session is the user's at
    every centre, so ending it must not touch another centre's staff. Raises PermissionDeniedError."""
    if actor.is_superuser:
        return
    admin_of = set(user_staff_roles(actor).filter(role=StaffRole.Role.CENTRE_ADMIN).values_list("centre_id", flat=True))
    works_for = set(user_staff_roles(user).values_list("centre_id", flat=True))
    federation = hasattr(user, "federation_role")
    if not works_for or not works_for <= admin_of or user.is_superuser or federation:
        raise PermissionDeniedError(str(NOT_YOUR_COLLEAGUE_MESSAGE))


@transaction.atomic
def staff_sign_out(*, actor: User, staff_role: StaffRole) -> int:
    """A centre admin ends a colleague's sessions and API tokens (a lost laptop, a leaked token).
    Writes one audit entry at each centre the colleague works for; returns how many were ended."""
    staff_role = StaffRole.objects.select_related("user").get(pk=staff_role.pk)
    user = staff_role.user
    staff_colleague_check(actor=actor, user=user)
    from centres.services.audit import audit_record

    ended = user_access_revoke(user_id=user.pk)
    for role in user_staff_roles(user).select_related("centre"):
        audit_record(actor=actor, centre=role.centre, action=AuditLogEntry.Action.SIGN_OUT, obj=role)
    return ended


# --- API tokens ---------------------------------------------------------------------------------


@transaction.atomic
def api_token_issue(*, user: User) -> Token:
    """A new API token for the user, valid API_TOKEN_MAX_AGE_HOURS; the previous one ends."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


# --- Invitations --------------------------------------------------------------------------------


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _max_age() -> timedelta:
    age = signed_links.max_age("staff.invitation")
    assert age is not None  # a setting, STAFF_INVITATION_MAX_AGE_DAYS
    return age


@transaction.atomic
def staff_invite(
    *, actor: AbstractBaseUser | None, centre: Centre, email: str, role: str, name: str = ""
) -> StaffInvitation:
    """Invite an address to a role at `centre`. Looks at no account: known and unknown
    addresses get the same answer and the same work. Writes the invitation and an audit entry,
    and queues the mail with the link (through `staff_invitation_created`)."""
    from centres.services.audit import audit_record

    email = email.strip().lower()
    # Only this centre's own staff are looked at: "already works here" tells nothing new.
    if StaffRole.objects.filter(centre=centre, user__email__iexact=email).exists():
        from centres.services.staff import ROLE_EXISTS_MESSAGE

        raise ConflictError(str(ROLE_EXISTS_MESSAGE))
    # An expired invitation to the address makes way (retention would delete it tonight).
    StaffInvitation.objects.filter(centre=centre, email__iexact=email, expires_at__lte=timezone.now()).delete()
    key = secrets.token_urlsafe(32)
    invitation = StaffInvitation(
        centre=centre,
        email=email,
        name=name.strip()[:150],
        role=role,
        invited_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
        key_hash=_key_hash(key),
        expires_at=timezone.now() + _max_age(),
    )
    invitation.full_clean(exclude=["centre", "invited_by", "key_hash"], validate_constraints=False)
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError as error:
        raise ConflictError(str(INVITATION_EXISTS_MESSAGE)) from error
    audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.CREATE, obj=invitation)
    token = signed_links.sign("staff.invitation", {"i": invitation.pk, "k": key}, compress=True)
    staff_invitation_created.send(sender=StaffInvitation, invitation=invitation, token=token)
    return invitation


def staff_invitation_for_token(token: str, *, lock: bool = False) -> StaffInvitation | None:
    """The invitation a link opens, or None if the link is forged, used, withdrawn or expired."""
    payload = signed_links.unsign("staff.invitation", token)
    if not isinstance(payload, dict) or not isinstance(payload.get("i"), int) or not isinstance(payload.get("k"), str):
        return None
    with all_centres_scope():  # a signed link: its invitee has no role (and no scope) yet
        invitations = StaffInvitation.objects.select_related("centre")
    if lock:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(pk=payload["i"], expires_at__gt=timezone.now()).first()
    if invitation is None or not secrets.compare_digest(invitation.key_hash, _key_hash(payload["k"])):
        return None
    return invitation


def user_is_staff_account(user: User | AnonymousUser) -> bool:
    """An account that works for some centre already: an invitation may add a role to it. A
    volunteer's portal login never is one (a role would close the portal to it)."""
    return user.is_authenticated and user.is_active and user_staff_roles(user).exists()


@transaction.atomic
def staff_invitation_accept(*, token: str, user: User | None = None, password: str = "") -> StaffRole:
    """Accept an invitation: with `user`, the logged-in staff account of the invited address,
    which gets the role; otherwise a new account for the address with `password` (validated by
    the caller). Deletes the invitation (the link works once) and writes the role, its audit
    entry and, for a new account, the account."""
    from centres.services.staff import staff_role_grant, username_for_new_account

    invitation = staff_invitation_for_token(token, lock=True)
    if invitation is None:
        raise InvitationInvalidError(str(INVITATION_INVALID_MESSAGE))
    if user is not None:
        if not user_is_staff_account(user) or user.email.casefold() != invitation.email.casefold():
            raise InvitationInvalidError(str(INVITATION_INVALID_MESSAGE))
    else:
        user = get_user_model()(
            username=username_for_new_account(invitation.email), email=invitation.email, first_name=invitation.name
        )
        user.set_password(password)
        user.save()
    # The signed link is the invitee's only authority: it opens the inviting centre, nothing more.
    with centre_scope(invitation.centre_id):
        staff_role = staff_role_grant(actor=user, centre=invitation.centre, user=user, role=invitation.role)
        invitation.delete()
    return staff_role


@transaction.atomic
def staff_invitation_revoke(*, actor: AbstractBaseUser | None, invitation: StaffInvitation) -> None:
    """Withdraw an invitation: its link stops working. No account was made for it."""
    from centres.services.audit import audit_record

    pk, centre = invitation.pk, invitation.centre
    StaffInvitation.objects.filter(pk=pk).delete()
    invitation.pk = pk
    audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.DELETE, obj=invitation)


def staff_invitations_expire(*, centre: Centre, now: datetime | None = None) -> int:
    """Delete the centre's invitations whose link has expired (retention, nightly)."""
    return StaffInvitation.objects.filter(centre=centre, expires_at__lte=now or timezone.now()).delete()[0]
