"""The volunteers app's pages, by audience: `public` (sign-up and the links in mails), `portal`
(the volunteer's own pages) and `workspace` (the coordinators')."""
