"""Writes of the meetings app, one module per noun or workflow; import from the submodules:
`places` (topics, locations, rooms, opening hours), `groups` (groups, life cycle, memberships),
`series` (create, change, end a series), `materialise` (a series' rows, the nightly horizon),
`reconcile` (rows brought in line with a changed series), `meetings` (one meeting: cancel,
reinstate, move, note; one-off bookings), `closures`, `calendar_links`, and the member-facing
`reminders`, `notices` (change notices) and `absences`. The booking rules they check are in
`meetings.booking`, the reads in `meetings.selectors`."""
