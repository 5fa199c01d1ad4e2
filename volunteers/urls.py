from django.urls import path

from volunteers import portal_views, views, workspace_views

urlpatterns = [
    path("centres/<slug:slug>/volunteer/", views.signup, name="volunteer-signup"),
    path("volunteer/confirm/<str:token>/", views.confirm, name="volunteer-confirm"),
    path("volunteer/request/<str:token>/", views.request_answer, name="volunteer-request"),
    # The coordinators' workspace.
    path("centres/<slug:slug>/volunteers/", workspace_views.volunteer_list, name="workspace-volunteers"),
    path("centres/<slug:slug>/volunteers/<int:pk>/", workspace_views.volunteer_detail, name="workspace-volunteer"),
    # The volunteer portal.
    path("volunteer/", portal_views.portal_home, name="volunteer-portal"),
    path("volunteer/login/", portal_views.portal_login, name="volunteer-login"),
    path("volunteer/login/<str:token>/", portal_views.portal_login_link, name="volunteer-login-link"),
    path("volunteer/logout/", portal_views.portal_logout, name="volunteer-logout"),
    path("volunteer/log/", portal_views.portal_log_session, name="volunteer-log-session"),
    path("volunteer/requests/<int:pk>/", portal_views.portal_request_answer, name="volunteer-request-answer"),
    path("volunteer/password/", portal_views.portal_password, name="volunteer-password"),
]
