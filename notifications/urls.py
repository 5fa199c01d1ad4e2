from django.urls import include, path

from notifications import views

urlpatterns = [
    path("centres/<slug:slug>/outbox/", views.outbox, name="outbox"),
    path("m/<str:token>/", views.member_page, name="member-page"),
    path("m/absent/<str:token>/", views.member_absence, name="member-absence"),
    # ESP tracking webhooks, protected by ANYMAIL_WEBHOOK_SECRET (HTTP basic auth) and, where
    # anymail supports it, the ESP's own signature.
    path("anymail/", include("anymail.urls")),
]
