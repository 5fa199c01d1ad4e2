"""The notifications app's pages by audience: `public` (newsletter subscribe, confirm,
unsubscribe, preferences: no login, the links are signed), `workspace` (coordinators' outbox and
newsletter composer) and `webhooks` (the ESP's tracking webhook)."""
