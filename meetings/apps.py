from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Groups and meetings")

    def ready(self) -> None:
        from meetings import caching, dashboard, privacy

        caching.connect()
        privacy.register()
        dashboard.register()
        from centres.demo import demo_links_register, demo_step_register
        from meetings import demo

        demo_step_register(name="groups and meetings", order=40, seed=demo.seed_meetings)
        demo_links_register(name="contact person", links=demo.contact_person_demo_links)
