"""Notifications: the mail service — the outbox, sending through the ESP, webhooks, suppressions,
newsletters with double opt-in and mail requests. It stands on centres and config and knows no
meeting, volunteer or enquiry: the apps above render their own mails (`<app>/mail/<name>/`) and
queue them here (README, Architecture)."""
