from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentresConfig(AppConfig):
    name = "centres"
    verbose_name = _("Centres and people")

    def ready(self) -> None:
        from centres import accounts  # noqa: F401 - ends sessions and tokens when a password changes
        from centres.forms import password_reset_mails_queue
        from notifications.mail_requests import mail_request_handler_register
        from notifications.models import MailRequest

        mail_request_handler_register(kind=MailRequest.Kind.PASSWORD_RESET, handler=password_reset_mails_queue)
