"""Input and output shapes of the meetings endpoints, one module per noun as in `api.views`:
`places` (topics, locations, rooms), `groups` (groups, memberships), `series`, `meetings`
(meetings, closures, calendar links, the planner's week query)."""
