from django.urls import include, path

from notifications import views

urlpatterns = [
    path("centres/<slug:slug>/outbox/", views.outbox, name="outbox"),
    # ESP tracking webhooks, protected by ANYMAIL_WEBHOOK_SECRET (HTTP basic auth) and, where
    # anymail supports it, the ESP's own signature.
    path("anymail/", include("anymail.urls")),
]
