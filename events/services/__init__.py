"""events' services:

- `events`: an event is created with its booking, changed, moved and cancelled;
- `registrations`: registering with double opt-in, places and the waiting list, cancelling,
  a coordinator's registrations and the attendance;
- `mail`: every mail to someone registered, through the outbox;
- `reminders`: the reminders before an event.
"""
