"""Meetings: topics, groups and memberships, locations and rooms, recurring series, meetings,
closures, calendar feeds, and what members receive — reminders, change notices, absences, member
links and pages. It stands on notifications, centres and config; volunteers and intake build on
it (README, Architecture)."""
