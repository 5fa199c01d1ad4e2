"""The meetings endpoints under /api/v1/, one module per noun: `places` (topics, locations,
rooms), `groups` (groups, memberships), `series`, `meetings` (meetings, closures, calendar links)
and `planner`. Routes are in `api.urls`."""
