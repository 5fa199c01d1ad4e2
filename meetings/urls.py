from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from meetings.sitemaps import SITEMAPS
from meetings.views import (
    contact,
    embed,
    evaluation,
    finder,
    member,
    open_data,
    phone_notices,
    public,
    workspace,
    workspace_closures,
    workspace_contacts,
    workspace_embed,
    workspace_groups,
    workspace_planner,
    workspace_rooms,
    workspace_topics,
)

urlpatterns = [
    path("calendar/groups/<uuid:public_id>.ics", public.group_feed, name="group-feed"),
    path("calendar/people/<str:token>.ics", public.person_feed, name="person-feed"),
    path("centres/<slug:slug>/planner/", workspace_planner.room_planner, name="room-planner"),
    path(
        "centres/<slug:slug>/planner/rooms/<int:room_pk>/print/",
        workspace_planner.planner_print,
        name="room-planner-print",
    ),
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
    path(
        "centres/<slug:slug>/planner/meetings/<int:pk>/series/",
        workspace.planner_meeting_series,
        name="planner-meeting-series",
    ),
    path(
        "centres/<slug:slug>/planner/meetings/<int:pk>/venue/",
        workspace.planner_meeting_venue,
        name="planner-meeting-venue",
    ),
    path(
        "centres/<slug:slug>/planner/meetings/<int:pk>/reinstate/",
        workspace.planner_meeting_reinstate,
        name="planner-meeting-reinstate",
    ),
    path("centres/<slug:slug>/workspace/closures/", workspace_closures.closures, name="workspace-closures"),
    path("centres/<slug:slug>/workspace/rooms/", workspace_rooms.rooms, name="workspace-rooms"),
    path("centres/<slug:slug>/workspace/embed/", workspace_embed.workspace_embed, name="workspace-embed"),
    path("centres/<slug:slug>/workspace/topics/", workspace_topics.topics, name="workspace-topics"),
    path(
        "centres/<slug:slug>/workspace/topics/<int:pk>/names/",
        workspace_topics.topic_names,
        name="workspace-topic-names",
    ),
    path(
        "centres/<slug:slug>/workspace/rooms/<int:pk>/hours/", workspace_rooms.room_hours, name="workspace-room-hours"
    ),
    path(
        "centres/<slug:slug>/workspace/closures/<int:pk>/delete/",
        workspace_closures.closure_delete,
        name="workspace-closure-delete",
    ),
    path("centres/<slug:slug>/workspace/groups/", workspace_groups.workspace_groups, name="workspace-groups"),
    path("centres/<slug:slug>/workspace/groups/new/", workspace_groups.workspace_group_new, name="workspace-group-new"),
    path("centres/<slug:slug>/workspace/groups/<int:pk>/", workspace_groups.workspace_group, name="workspace-group"),
    path(
        "centres/<slug:slug>/workspace/groups/<int:pk>/edit/",
        workspace_groups.workspace_group_edit,
        name="workspace-group-edit",
    ),
    path(
        "centres/<slug:slug>/workspace/groups/<int:pk>/status/",
        workspace_groups.workspace_group_status,
        name="workspace-group-status",
    ),
    path(
        "centres/<slug:slug>/workspace/groups/<int:pk>/roster/",
        workspace_groups.workspace_roster_add,
        name="workspace-roster-add",
    ),
    path(
        "centres/<slug:slug>/workspace/groups/<int:pk>/roster/<int:membership_pk>/end/",
        workspace_groups.workspace_membership_end,
        name="workspace-membership-end",
    ),
    path(
        "centres/<slug:slug>/workspace/groups/<int:pk>/roster/<int:membership_pk>/links/",
        workspace_groups.workspace_membership_links,
        name="workspace-membership-links",
    ),
    path(
        "centres/<slug:slug>/workspace/groups/<int:pk>/contacts/",
        workspace_contacts.workspace_contact_add,
        name="workspace-contact-add",
    ),
    path(
        "centres/<slug:slug>/workspace/groups/<int:pk>/contacts/<int:contact_pk>/link/",
        workspace_contacts.workspace_contact_link,
        name="workspace-contact-link",
    ),
    path(
        "centres/<slug:slug>/workspace/groups/<int:pk>/contacts/<int:contact_pk>/step-down/",
        workspace_contacts.workspace_contact_step_down,
        name="workspace-contact-step-down",
    ),
    path(
        "centres/<slug:slug>/workspace/groups/<int:pk>/held/",
        workspace_contacts.workspace_group_held,
        name="workspace-group-held",
    ),
    path(
        "centres/<slug:slug>/workspace/groups/<int:pk>/held/sign-off/",
        workspace_contacts.workspace_group_held_sign_off,
        name="workspace-group-held-sign-off",
    ),
    path(
        "centres/<slug:slug>/workspace/groups/<int:pk>/held/<int:year>.pdf",
        workspace_contacts.workspace_group_held_pdf,
        name="workspace-group-held-pdf",
    ),
    path(
        "centres/<slug:slug>/workspace/group-requests/",
        workspace_contacts.workspace_group_requests,
        name="workspace-group-requests",
    ),
    path(
        "centres/<slug:slug>/workspace/group-requests/<int:pk>/answer/",
        workspace_contacts.workspace_group_request_answer,
        name="workspace-group-request-answer",
    ),
    path(
        "centres/<slug:slug>/workspace/tell-by-phone/",
        phone_notices.workspace_phone_notices,
        name="workspace-phone-notices",
    ),
    path(
        "centres/<slug:slug>/workspace/tell-by-phone/<int:pk>/told/",
        phone_notices.workspace_phone_notice_told,
        name="workspace-phone-notice-told",
    ),
    path("groups/", finder.directory, name="group-directory"),
    path("sitemap.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", public.robots, name="robots"),
    path("open-data/", open_data.open_data_page, name="open-data"),
    path("open-data/v1/directory.json", open_data.open_data_json, name="open-data-json"),
    path("open-data/v1/groups.csv", open_data.open_data_csv, name="open-data-csv"),
    # The finder and group pages for partner websites to frame (only those the centre names).
    path("embed/groups/", embed.embed_directory, name="embed-directory"),
    path("embed/centres/<slug:slug>/groups/", embed.embed_finder, name="embed-finder"),
    path("embed/centres/<slug:slug>/groups/<uuid:public_id>/", embed.embed_group, name="embed-group"),
    path("embed/centres/<slug:slug>/style.css", embed.embed_style, name="embed-style"),
    path("centres/<slug:slug>/groups/", finder.group_finder, name="group-finder"),
    path("centres/<slug:slug>/groups/<uuid:public_id>/", public.group_page, name="group-page"),
    # A member's own pages, by the signed links in their mails.
    path("m/<str:token>/", member.member_page, name="member-page"),
    path("evaluation/<str:token>/", evaluation.evaluation_page, name="evaluation-answer"),
    path("m/absent/<str:token>/", member.member_absence, name="member-absence"),
    path("m/<str:token>/reminders/", member.member_reminders, name="member-reminders"),
    path("m/<str:token>/calendar/", member.member_calendar, name="member-calendar"),
    path("m/<str:token>/leave/", member.member_leave, name="member-leave"),
    path("m/<str:token>/share/", member.member_share, name="member-share"),
    path("m/<str:token>/texts/", member.member_texts, name="member-texts"),
    # A self-run group's page for its contact person, by the signed link mailed to them.
    path("g/<str:token>/", contact.contact_page, name="contact-page"),
    path("g/<str:token>/requests/", contact.contact_request, name="contact-request"),
    path("g/<str:token>/description/", contact.contact_description, name="contact-description"),
    path("g/<str:token>/meetings/<int:pk>/cancel/", contact.contact_meeting_cancel, name="contact-meeting-cancel"),
    path("g/<str:token>/meetings/<int:pk>/move/", contact.contact_meeting_move, name="contact-meeting-move"),
    path("g/<str:token>/meetings/<int:pk>/note/", contact.contact_meeting_note, name="contact-meeting-note"),
    path("g/<str:token>/still/", contact.contact_still_meeting, name="contact-still-meeting"),
    path("g/<str:token>/held/", contact.contact_held, name="contact-held"),
    path("g/<str:token>/held/<int:year>.pdf", contact.contact_held_pdf, name="contact-held-pdf"),
    path(
        "g/<str:token>/meetings/<int:pk>/reinstate/",
        contact.contact_meeting_reinstate,
        name="contact-meeting-reinstate",
    ),
]
