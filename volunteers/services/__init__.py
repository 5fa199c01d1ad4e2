"""The writes of the volunteers app, one module per workflow: `signup` (double opt-in),
`pipeline` (applicant to retired, training), `assignments` (starters of a group), `sessions`
(session logs and the note check), `checklist` (the self-run checklist), `phase_out`, `requests`
(asking volunteers to start a group), `recruitment` (needs and the recruitment mailing) and
`accounts` (portal logins and their links). Reads are in `volunteers.selectors`."""
