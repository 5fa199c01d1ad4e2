"""Who may use the centre endpoints."""

from rest_framework.permissions import BasePermission

from centres.models import StaffRole
from centres.selectors import centre_ids_with_role, user_has_staff_access, user_is_federation_admin


class IsCentreStaff(BasePermission):
    """Coordinators and centre admins of at least one centre (and the platform's superusers)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_superuser or user_has_staff_access(user=user)))


class IsFederationAdmin(BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_superuser or user_is_federation_admin(user=user)))


def is_centre_admin(user, centre_id: int) -> bool:
    return user.is_superuser or centre_id in centre_ids_with_role(user=user, role=StaffRole.Role.CENTRE_ADMIN)
