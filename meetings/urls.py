from django.urls import path

from meetings import views
from meetings.intake import views as intake_views
from meetings.intake import workspace_views as intake_workspace

urlpatterns = [
    path("calendar/groups/<uuid:public_id>.ics", views.group_feed, name="group-feed"),
    path("calendar/people/<str:token>.ics", views.person_feed, name="person-feed"),
    path("centres/<slug:slug>/planner/", views.room_planner, name="room-planner"),
    path("centres/<slug:slug>/planner/meetings/<int:pk>/", views.planner_meeting, name="planner-meeting"),
    path("centres/<slug:slug>/enquiry/", intake_views.enquiry, name="enquiry"),
    path("enquiry/confirm/<str:token>/", intake_views.enquiry_confirm, name="enquiry-confirm"),
    path("centres/<slug:slug>/workspace/groups/", views.workspace_groups, name="workspace-groups"),
    path("centres/<slug:slug>/workspace/groups/<int:pk>/", views.workspace_group, name="workspace-group"),
    path("centres/<slug:slug>/intake/", intake_workspace.queue, name="workspace-intake"),
    path("centres/<slug:slug>/intake/<int:pk>/", intake_workspace.enquiry_detail, name="workspace-enquiry"),
    path("centres/<slug:slug>/groups/", views.group_finder, name="group-finder"),
    path("centres/<slug:slug>/groups/<uuid:public_id>/", views.group_page, name="group-page"),
]
