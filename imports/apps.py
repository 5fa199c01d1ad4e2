"""The imports app: a centre moves in from its spreadsheets."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Imports from CSV and XLSX. The top layer: it writes through the services of every app
    below it (meetings' places, groups and series; notifications' subscriptions), so every rule
    and the audit log apply to an imported row as to one typed in."""

    name = "imports"
    label = "imports"
    verbose_name = _("Imports")

    def ready(self) -> None:
        from imports import privacy

        privacy.register()
