from django.urls import path

from notifications import composer_views, newsletter_views, views, webhook_views

urlpatterns = [
    path("centres/<slug:slug>/outbox/", views.outbox, name="outbox"),
    path("centres/<slug:slug>/workspace/newsletters/", composer_views.newsletters, name="workspace-newsletters"),
    path("centres/<slug:slug>/workspace/newsletters/<int:pk>/", composer_views.issue_page, name="workspace-issue"),
    path(
        "centres/<slug:slug>/workspace/newsletters/<int:pk>/progress/",
        composer_views.issue_progress,
        name="workspace-issue-progress",
    ),
    path("m/<str:token>/", views.member_page, name="member-page"),
    path("m/absent/<str:token>/", views.member_absence, name="member-absence"),
    path("newsletter/confirm/<str:token>/", newsletter_views.confirm, name="newsletter-confirm"),
    path("newsletter/unsubscribe/<str:token>/", newsletter_views.unsubscribe, name="newsletter-unsubscribe"),
    path("newsletter/preferences/<str:token>/", newsletter_views.preferences, name="newsletter-preferences"),
    path("centres/<slug:slug>/newsletter/", newsletter_views.subscribe, name="newsletter-subscribe"),
    # The configured ESP's tracking webhook (the others answer 404), protected by
    # ANYMAIL_WEBHOOK_SECRET (HTTP basic auth) and, where anymail supports it, the ESP's signature.
    path("anymail/<str:esp>/tracking/", webhook_views.esp_tracking_webhook, name="esp-tracking-webhook"),
]
