from django.urls import path

from meetings.views import member, public, workspace

urlpatterns = [
    path("calendar/groups/<uuid:public_id>.ics", public.group_feed, name="group-feed"),
    path("calendar/people/<str:token>.ics", public.person_feed, name="person-feed"),
    path("centres/<slug:slug>/planner/", workspace.room_planner, name="room-planner"),
    path("centres/<slug:slug>/planner/meetings/<int:pk>/", workspace.planner_meeting, name="planner-meeting"),
    path(
        "centres/<slug:slug>/planner/meetings/<int:pk>/move/",
        workspace.planner_meeting_move,
        name="planner-meeting-move",
    ),
    path(
        "centres/<slug:slug>/planner/meetings/<int:pk>/cancel/",
        workspace.planner_meeting_cancel,
        name="planner-meeting-cancel",
    ),
    path("centres/<slug:slug>/workspace/groups/", workspace.workspace_groups, name="workspace-groups"),
    path("centres/<slug:slug>/workspace/groups/<int:pk>/", workspace.workspace_group, name="workspace-group"),
    path("centres/<slug:slug>/groups/", public.group_finder, name="group-finder"),
    path("centres/<slug:slug>/groups/<uuid:public_id>/", public.group_page, name="group-page"),
    # A member's own pages, by the signed links in their mails.
    path("m/<str:token>/", member.member_page, name="member-page"),
    path("m/absent/<str:token>/", member.member_absence, name="member-absence"),
    path("m/<str:token>/reminders/", member.member_reminders, name="member-reminders"),
    path("m/<str:token>/calendar/", member.member_calendar, name="member-calendar"),
    path("m/<str:token>/leave/", member.member_leave, name="member-leave"),
]
