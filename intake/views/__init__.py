"""intake's pages by audience: `public` (the enquiry form and its confirmation link) and
`workspace` (the coordinators' queue and enquiry page)."""
