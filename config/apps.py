"""App configuration for the project package itself."""

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class KontaktAdminConfig(AdminConfig):
    default_site = "centres.admin_site.KontaktAdminSite"


class ProjectConfig(AppConfig):
    """The project's own setup, done once when Django starts."""

    name = "config"
    label = "kontakt"
    verbose_name = "Kontakt"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from config.api import strict_json_types
        from config.request_id import request_id_forget

        strict_json_types()
        request_finished.connect(request_id_forget, dispatch_uid="config.request_id_forget")
