from django.urls import path
from rest_framework.routers import DefaultRouter

from centres.api import views

router = DefaultRouter()
router.register("centres", views.CentreViewSet, basename="centre")
router.register("people", views.PersonViewSet, basename="person")
router.register("consents", views.ConsentViewSet, basename="consent")
router.register("staff-roles", views.StaffRoleViewSet, basename="staffrole")
router.register("audit-log", views.AuditLogViewSet, basename="auditlogentry")

urlpatterns = [
    path("auth/token/", views.ThrottledObtainAuthToken.as_view(), name="auth-token"),
    path("federation/totals/", views.FederationTotalsView.as_view(), name="federation-totals"),
    *router.urls,
]
