"""The writes of intake, one module per workflow; each service owns its transaction and says what
it writes and what it queues.

- `submission`: an enquiry arrives (public form, API, or recorded by a coordinator); one sent
  with an address the centre knew waits until that address confirms it.
- `queue`: an enquiry moves along the intake queue: transitions, notes, the intake conversation
  (booked like any meeting), the waiting list.
- `placement`: the person is placed into a group and welcomed.
- `founding`: a group founded from a waiting list, and the daily mail saying which lists could.
- `retention`: finished enquiries anonymised after the centre's period; unconfirmed ones deleted.

The reads are in `intake.selectors`.
"""
