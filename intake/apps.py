"""The intake app's configuration; `ready` connects intake to the registries of the apps below it."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    """Intake and placement: enquiries, the intake queue and conversation, matching, placement,
    waiting lists and founding groups. The top of the stack: it may use meetings, volunteers,
    notifications and centres; none of them knows it, so it connects to their registries here."""

    name = "intake"
    label = "intake"
    verbose_name = _("Intake")

    def ready(self) -> None:
        from intake import dashboard, privacy
        from intake.selectors import conversation_enquiry
        from meetings.booking import booking_owner_lookup_register

        privacy.register()
        dashboard.register()
        # The room booked for an intake conversation belongs to its enquiry: the planner links
        # there, and meetings' services refuse to move or cancel it unless the enquiry asks.
        booking_owner_lookup_register(conversation_enquiry)
        # A place freed in a full group goes to whoever has waited longest.
        from intake.services.offers import place_freed
        from meetings.services.groups import place_freed_register

        place_freed_register(place_freed)
        from centres.demo import demo_step_register
        from intake import demo, demo_year

        demo_step_register(name="enquiries", order=70, seed=demo.seed_enquiries)
        demo_step_register(name="the year gone by", order=80, seed=demo_year.seed_year)
