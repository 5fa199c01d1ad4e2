"""App configuration for the project package itself."""

from django.contrib.admin.apps import AdminConfig


class KontaktAdminConfig(AdminConfig):
    default_site = "config.admin.KontaktAdminSite"
