"""Volunteers, applications, training, starter assignments, session logs and phase-out.
The models arrive with the volunteers issue."""
