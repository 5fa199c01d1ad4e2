from django.urls import include, path

from notifications import newsletter_views, views

urlpatterns = [
    path("centres/<slug:slug>/outbox/", views.outbox, name="outbox"),
    path("m/<str:token>/", views.member_page, name="member-page"),
    path("m/absent/<str:token>/", views.member_absence, name="member-absence"),
    path("newsletter/confirm/<str:token>/", newsletter_views.confirm, name="newsletter-confirm"),
    path("newsletter/unsubscribe/<str:token>/", newsletter_views.unsubscribe, name="newsletter-unsubscribe"),
    path("newsletter/preferences/<str:token>/", newsletter_views.preferences, name="newsletter-preferences"),
    path("centres/<slug:slug>/newsletter/", newsletter_views.subscribe, name="newsletter-subscribe"),
    # ESP tracking webhooks, protected by ANYMAIL_WEBHOOK_SECRET (HTTP basic auth) and, where
    # anymail supports it, the ESP's own signature.
    path("anymail/", include("anymail.urls")),
]
