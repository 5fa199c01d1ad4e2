"""Who may use the centre endpoints."""

from rest_framework.permissions import BasePermission

from centres.selectors import staff_centre_ids, user_is_federation_admin


class IsCentreStaff(BasePermission):
    """Coordinators and centre admins of at least one centre (and the platform's superusers)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user.is_authenticated or not user.is_active:
            return False
        # Read once: the tenant scope opened after this check (config.api) uses the same ids.
        request.staff_centre_ids = staff_centre_ids(user=user)
        return user.is_superuser or bool(request.staff_centre_ids)


class IsFederationAdmin(BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_superuser or user_is_federation_admin(user=user)))
