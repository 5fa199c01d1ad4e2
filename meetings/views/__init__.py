"""The meetings app's pages by audience: `public` (group finder, group page, calendar feeds),
`workspace` (coordinators' room planner and groups) and `member` (a member's own pages)."""
