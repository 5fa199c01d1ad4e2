"""Staff roles: grant, change, revoke, and keep an admin at every centre."""

import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, User
from django.db import transaction
from django.utils.translation import gettext_lazy

from centres.models import AuditLogEntry, Centre, StaffRole
from centres.selectors import user_staff_roles
from centres.services.audit import audit_record
from config.errors import ConflictError

LAST_ADMIN_MESSAGE = gettext_lazy("A centre needs at least one centre admin; appoint another one first.")


ROLE_EXISTS_MESSAGE = gettext_lazy("This user already has a role at this centre.")


def _sync_is_staff(user: User) -> None:
    """Staff roles open the admin: a user is `is_staff` exactly while they hold a role."""
    has_role = user_staff_roles(user).exists()
    if not user.is_superuser and user.is_staff != has_role:
        user.is_staff = has_role
        user.save(update_fields=["is_staff"])


@transaction.atomic
def staff_role_grant(*, actor: AbstractBaseUser | None, centre: Centre, user: User, role: str) -> StaffRole:
    """Give `user` a role at `centre`: for an account whose owner asked for it (accepting an
    invitation, `centres.services.accounts`) or that the platform made (the demo). Staff are added by
    invitation, never by looking an address up. A user has one role per centre."""
    Centre.objects.select_for_update().get(pk=centre.pk)
    if StaffRole.objects.filter(centre=centre, user=user).exists():
        raise ConflictError(str(ROLE_EXISTS_MESSAGE))
    staff_role = StaffRole(centre=centre, user=user, role=role)
    staff_role.full_clean(exclude=["centre", "user"])
    staff_role.save()
    _sync_is_staff(user)
    audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.CREATE, obj=staff_role)
    return staff_role


def username_for_new_account(email: str) -> str:
    """The e-mail address as username where it fits and is free, else a generated one."""
    user_model = get_user_model()
    if len(email) <= 150 and not user_model.objects.filter(username__iexact=email).exists():
        return email
    return f"staff-{uuid.uuid4().hex[:12]}"


def staff_role_is_last_admin(*, staff_role: StaffRole) -> bool:
    """Would the centre be left without a centre admin if this role went or were demoted?"""
    others = StaffRole.objects.filter(centre=staff_role.centre, role=StaffRole.Role.CENTRE_ADMIN).exclude(
        pk=staff_role.pk
    )
    return staff_role.role == StaffRole.Role.CENTRE_ADMIN and not others.exists()


def _ensure_an_admin_remains(*, staff_role: StaffRole) -> None:
    if staff_role_is_last_admin(staff_role=staff_role):
        raise ConflictError(str(LAST_ADMIN_MESSAGE))


@transaction.atomic
def staff_role_change(*, actor: AbstractBaseUser | None, staff_role: StaffRole, role: str) -> StaffRole:
    """Change the role a user holds at a centre. The last centre admin cannot be demoted."""
    # Lock the centre: two admins demoting each other at once must not both succeed.
    Centre.objects.select_for_update().get(pk=staff_role.centre_id)
    staff_role = StaffRole.objects.select_related("centre", "user").get(pk=staff_role.pk)
    if staff_role.role == role:
        return staff_role
    if role != StaffRole.Role.CENTRE_ADMIN:
        _ensure_an_admin_remains(staff_role=staff_role)
    staff_role.role = role
    staff_role.full_clean(exclude=["centre", "user"])
    staff_role.save(update_fields=["role"])
    audit_record(
        actor=actor,
        centre=staff_role.centre,
        action=AuditLogEntry.Action.UPDATE,
        obj=staff_role,
        changed_fields=["role"],
    )
    return staff_role


@transaction.atomic
def staff_role_revoke(*, actor: AbstractBaseUser | None, staff_role: StaffRole) -> None:
    """Remove a user's role at a centre. The last centre admin cannot be removed."""
    Centre.objects.select_for_update().get(pk=staff_role.centre_id)
    staff_role = StaffRole.objects.select_related("centre", "user").get(pk=staff_role.pk)
    _ensure_an_admin_remains(staff_role=staff_role)
    centre, user, pk = staff_role.centre, staff_role.user, staff_role.pk
    staff_role.delete()
    staff_role.pk = pk
    _sync_is_staff(user)
    audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.DELETE, obj=staff_role)
    if not user_staff_roles(user).exists():
        _staff_account_retire(user)


def _staff_account_retire(user: User) -> None:
    """After a user's last role: their sessions and API tokens end. An account that serves
    nothing else (no volunteering, no federation role, not an operator) goes if it was never
    used, and is deactivated otherwise, so the audit log still names who did what. A user who
    still works for another centre keeps their sessions: their scope is read from their roles
    on every request, so this centre's data is closed to them at once anyway."""
    from centres.services.accounts import user_access_revoke
    from centres.services.privacy import login_serves_a_record

    user_access_revoke(user_id=user.pk)
    # A volunteer record at any centre keeps the login (it opens the portal).
    if user.is_superuser or hasattr(user, "federation_role") or login_serves_a_record(user):
        return
    if user.last_login is None:
        get_user_model().objects.filter(pk=user.pk).delete()
    elif user.is_active:
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["is_active", "password"])
