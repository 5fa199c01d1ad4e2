"""Writes of the notifications app, one module per workflow:

- `outbox`: render an app's mail template, store mails (one or many) and queue their sending;
  the flush for lost send tasks; anonymising mails.
- `sending`: claim queued rows, hand them to the ESP, write each outcome; retries, rows in doubt,
  rows a dead worker left.
- `webhooks`: the ESP's tracking events; `suppressions`: addresses no mail goes to any more.
- `mail_requests`: requests of public pages that a worker decides (resets, sign-ups, ...).
- `newsletters`: subscriptions (double opt-in, unsubscribe); `newsletter_issues`: writing,
  scheduling and sending an issue.

Reads are in `notifications.selectors`; the ESP's batch API in `notifications.postmark`.
"""
