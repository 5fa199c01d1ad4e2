from django.urls import path

from notifications.views import public, webhooks, workspace

ISSUE = "centres/<slug:slug>/workspace/newsletters/<int:pk>/"

urlpatterns = [
    path("centres/<slug:slug>/outbox/", workspace.outbox, name="outbox"),
    path("centres/<slug:slug>/outbox/<int:pk>/retry/", workspace.outbox_retry, name="outbox-retry"),
    path("centres/<slug:slug>/workspace/newsletters/", workspace.newsletters, name="workspace-newsletters"),
    path(ISSUE, workspace.issue_page, name="workspace-issue"),
    path(ISSUE + "progress/", workspace.issue_progress, name="workspace-issue-progress"),
    path(ISSUE + "text/", workspace.issue_page_text, name="workspace-issue-text"),
    path(ISSUE + "test/", workspace.issue_page_test, name="workspace-issue-test"),
    path(ISSUE + "schedule/", workspace.issue_page_schedule, name="workspace-issue-schedule"),
    path(ISSUE + "pause/", workspace.issue_page_pause, name="workspace-issue-pause"),
    path(ISSUE + "resume/", workspace.issue_page_resume, name="workspace-issue-resume"),
    path("newsletter/confirm/<str:token>/", public.confirm, name="newsletter-confirm"),
    path("newsletter/unsubscribe/<str:token>/", public.unsubscribe, name="newsletter-unsubscribe"),
    path("newsletter/preferences/<str:token>/", public.preferences, name="newsletter-preferences"),
    path("centres/<slug:slug>/newsletter/", public.subscribe, name="newsletter-subscribe"),
    # The configured ESP's tracking webhook (the others answer 404), protected by
    # ANYMAIL_WEBHOOK_SECRET (HTTP basic auth) and, where anymail supports it, the ESP's signature.
    path("anymail/<str:esp>/tracking/", webhooks.esp_tracking_webhook, name="esp-tracking-webhook"),
]
