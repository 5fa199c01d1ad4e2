"""Pages of the centres app, by audience: `public` (privacy notice, password reset, staff
invitations) and `workspace` (the dashboard)."""
