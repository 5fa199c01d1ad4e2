"""Who may use the centre endpoints."""

from rest_framework.permissions import BasePermission

from centres.selectors import user_is_centre_staff, user_is_federation_admin


class IsCentreStaff(BasePermission):
    """Coordinators and centre admins of at least one centre (and the platform's superusers)."""

    def has_permission(self, request, view) -> bool:
        return user_is_centre_staff(user=request.user)


class IsFederationAdmin(BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_superuser or user_is_federation_admin(user=user)))
