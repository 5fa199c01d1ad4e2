"""The signals centres sends, so that apps above it act without centres importing them.

Receivers connect in their app's `AppConfig.ready` (with a `dispatch_uid`). Each signal is sent
inside the transaction of the change, so what receivers write commits or rolls back with it.
"""

from django.dispatch import Signal

# A consent was withdrawn (`consent`): receivers stop what it allowed (subscriptions,
# reminders, queued mail).
consent_withdrawn = Signal()

# A staff invitation was made (`invitation`, `token`): notifications mails its link.
staff_invitation_created = Signal()

# Someone asked for a password reset (`user_ids`: the active accounts of the address, maybe
# none; `language`): notifications stores the request and its worker mails the links, so that a
# known and an unknown address cost the same.
password_reset_requested = Signal()
