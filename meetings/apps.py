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
