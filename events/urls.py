"""events' routes: public pages and links, and the coordinators' workspace."""

from django.urls import path

from events.views import public, workspace

urlpatterns = [
    path("centres/<slug:slug>/events/", public.events_page, name="events"),
    path("centres/<slug:slug>/events/<uuid:public_id>/", public.event_page, name="event-page"),
    path("events/invitation/<str:invite_token>/", public.event_invitation, name="event-invitation"),
    path("events/confirm/<str:token>/", public.event_confirm, name="event-confirm"),
    path("events/registration/<str:token>/", public.event_registration, name="event-registration"),
    path("open-data/v1/events.ics", public.events_feed, name="open-data-events"),
    path("centres/<slug:slug>/workspace/events/", workspace.events, name="workspace-events"),
    path("centres/<slug:slug>/workspace/events/new/", workspace.event_new, name="workspace-event-new"),
    path("centres/<slug:slug>/workspace/events/<int:pk>/", workspace.event_detail, name="workspace-event"),
    path("centres/<slug:slug>/workspace/events/<int:pk>/edit/", workspace.event_edit, name="workspace-event-edit"),
    path("centres/<slug:slug>/workspace/events/<int:pk>/move/", workspace.event_move, name="workspace-event-move"),
    path(
        "centres/<slug:slug>/workspace/events/<int:pk>/cancel/", workspace.event_cancel, name="workspace-event-cancel"
    ),
    path(
        "centres/<slug:slug>/workspace/events/<int:pk>/registrations/",
        workspace.registration_new,
        name="workspace-event-registration-new",
    ),
    path(
        "centres/<slug:slug>/workspace/events/<int:pk>/registrations/<int:registration>/cancel/",
        workspace.registration_cancel,
        name="workspace-event-registration-cancel",
    ),
    path(
        "centres/<slug:slug>/workspace/events/<int:pk>/attendance/",
        workspace.attendance,
        name="workspace-event-attendance",
    ),
]
