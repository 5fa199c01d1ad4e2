"""URL configuration: public pages, the admin, the API under /api/v1/ and its schema."""

from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from centres.views import admin_pages, metrics, people
from centres.views import public as centre_views
from centres.views import workspace as workspace_views

handler404 = "config.views.not_found"
handler500 = "config.views.server_error"

urlpatterns = [
    path("", centre_views.home, name="home"),
    path("centres/<slug:slug>/", centre_views.centre_home, name="centre-home"),
    path("centres/<slug:slug>/privacy/", centre_views.privacy, name="privacy"),
    path("workspace/", workspace_views.workspace_start, name="workspace-start"),
    path("workspace/login/", workspace_views.StaffLoginView.as_view(), name="login"),
    path("workspace/logout/", workspace_views.StaffLogoutView.as_view(), name="logout"),
    path("federation/", workspace_views.federation, name="federation"),
    path("centres/<slug:slug>/workspace/", workspace_views.dashboard, name="workspace"),
    path("centres/<slug:slug>/workspace/settings/", admin_pages.centre_settings, name="workspace-settings"),
    path("centres/<slug:slug>/workspace/people/<int:pk>/", people.person_page, name="workspace-person"),
    path("centres/<slug:slug>/workspace/people/<int:pk>/erase/", people.person_erase, name="workspace-person-erase"),
    path("centres/<slug:slug>/workspace/people/<int:pk>/texts/", people.person_texts, name="workspace-person-texts"),
    path("centres/<slug:slug>/workspace/staff/", admin_pages.centre_staff, name="workspace-staff"),
    path("centres/<slug:slug>/workspace/staff/<int:pk>/", admin_pages.centre_staff_role, name="workspace-staff-role"),
    path(
        "centres/<slug:slug>/workspace/invitations/<int:pk>/withdraw/",
        admin_pages.centre_invitation_withdraw,
        name="workspace-invitation-withdraw",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("metrics/", metrics.metrics, name="metrics"),
    # Password reset, linked from the admin login; new staff set their first password here.
    path(
        "admin/password_reset/",
        centre_views.StaffPasswordResetView.as_view(),
        name="admin_password_reset",
    ),
    path("accounts/password_reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    # A staff invitation's signed single-use link (centres.services.accounts).
    path("staff/invitation/<str:token>/", centre_views.staff_invitation, name="staff-invitation"),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("centres.api.urls")),
    path("api/v1/", include("meetings.api.urls")),
    path("api/v1/", include("intake.api.urls")),
    path("api/v1/", include("notifications.api.urls")),
    path("api/v1/", include("volunteers.api.urls")),
    path("", include("meetings.urls")),
    path("", include("intake.urls")),
    path("", include("notifications.urls")),
    path("", include("volunteers.urls")),
    path("", include("events.urls")),
    path("", include("imports.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger's start-up script as a file, so the CSP needs no inline script;
    # Swagger UI sets styles inline, so styles are relaxed on this page alone.
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]
