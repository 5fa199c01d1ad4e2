"""Volunteers: starters from sign-up and screening to assignments, session logs and phase-out,
their portal and recruitment mailings. It stands on meetings, notifications, centres and config;
only intake is above it (README, Architecture)."""
