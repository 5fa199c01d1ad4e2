from django.urls import path

from volunteers.views import portal, public, workspace, workspace_checklist, workspace_starters

# A group's starters, in the workspace beside the group's own page.
G = "centres/<slug:slug>/workspace/groups/<int:pk>/starters/"

urlpatterns = [
    path("centres/<slug:slug>/volunteer/", public.signup, name="volunteer-signup"),
    path("volunteer/confirm/<str:token>/", public.confirm, name="volunteer-confirm"),
    path("volunteer/request/<str:token>/", public.request_answer, name="volunteer-request"),
    # The coordinators' workspace.
    path(G, workspace_starters.group_starters, name="workspace-group-starters"),
    path("centres/<slug:slug>/workspace/checklist/", workspace_checklist.checklist, name="workspace-checklist"),
    path(G + "assign/", workspace_starters.group_starter_assign, name="workspace-group-starter-assign"),
    path(
        G + "<int:assignment_pk>/extend/",
        workspace_starters.group_starter_extend,
        name="workspace-group-starter-extend",
    ),
    path(G + "<int:assignment_pk>/end/", workspace_starters.group_starter_end, name="workspace-group-starter-end"),
    path(G + "requests/", workspace_starters.group_starter_requests, name="workspace-group-starter-requests"),
    path(G + "phase-out/", workspace_starters.group_phase_out_start, name="workspace-group-phase-out"),
    path(
        G + "phase-out/complete/",
        workspace_starters.group_phase_out_complete,
        name="workspace-group-phase-out-complete",
    ),
    path("centres/<slug:slug>/volunteers/", workspace.volunteer_list, name="workspace-volunteers"),
    path(
        "centres/<slug:slug>/volunteers/recruitment/", workspace.recruitment_draft, name="workspace-recruitment-draft"
    ),
    path("centres/<slug:slug>/volunteers/<int:pk>/", workspace.volunteer_detail, name="workspace-volunteer"),
    path(
        "centres/<slug:slug>/volunteers/<int:pk>/transition/",
        workspace.volunteer_transition_submit,
        name="workspace-volunteer-transition",
    ),
    path(
        "centres/<slug:slug>/volunteers/<int:pk>/trainings/",
        workspace.volunteer_training_submit,
        name="workspace-volunteer-training",
    ),
    # The volunteer portal.
    path("volunteer/", portal.portal_home, name="volunteer-portal"),
    path("volunteer/login/", portal.portal_login, name="volunteer-login"),
    path("volunteer/login-link/", portal.portal_login_link_request, name="volunteer-login-send-link"),
    path("volunteer/login-password/", portal.portal_login_password, name="volunteer-login-password"),
    path("volunteer/login/<str:token>/", portal.portal_login_link, name="volunteer-login-link"),
    path("volunteer/logout/", portal.portal_logout, name="volunteer-logout"),
    path("volunteer/log/", portal.portal_log_session, name="volunteer-log-session"),
    path("volunteer/requests/<int:pk>/", portal.portal_request_answer, name="volunteer-request-answer"),
    path("volunteer/password/", portal.portal_password, name="volunteer-password"),
]
