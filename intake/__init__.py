"""Intake and placement: people looking for a self-help group, from the first enquiry through the
intake conversation to a place in a group, a waiting list or a referral. The top of the app stack
(config < centres < notifications < meetings < volunteers < intake): it uses the others, none
of them knows it."""
