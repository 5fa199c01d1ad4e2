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
        from config.api import strict_json_types

        strict_json_types()
