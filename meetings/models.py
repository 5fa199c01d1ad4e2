"""Groups and their life cycle, memberships, intake, locations and rooms, recurring series and
materialised meetings. The models arrive with the meetings issue."""
