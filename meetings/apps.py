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
        from centres.demo import demo_step_register
        from meetings import demo

        demo_step_register(name="groups and meetings", order=40, seed=demo.seed_meetings)
