"""The e-mail outbox, newsletters and subscriptions, and ESP webhook events.
The models arrive with the notifications issue."""
