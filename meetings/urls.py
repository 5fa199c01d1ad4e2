from django.urls import path

from meetings import views

urlpatterns = [
    path("calendar/groups/<uuid:public_id>.ics", views.group_feed, name="group-feed"),
    path("calendar/people/<str:token>.ics", views.person_feed, name="person-feed"),
    path("centres/<slug:slug>/planner/", views.room_planner, name="room-planner"),
]
