"""Writes of the meetings app, by subject: rooms and places, groups and memberships, booking rules,
series and meetings, closures, calendar links. Import from the submodules."""
