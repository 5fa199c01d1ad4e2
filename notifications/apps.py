from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("E-mail and notifications")

    def ready(self) -> None:
        from notifications import metrics, receivers  # noqa: F401 - receivers connects the ESP tracking receiver
        from notifications.models import MailRequest
        from notifications.services.mail_requests import mail_request_handler_register
        from notifications.services.newsletters import subscription_request_from_request

        metrics.register()
        mail_request_handler_register(
            kind=MailRequest.Kind.NEWSLETTER_SUBSCRIPTION, handler=subscription_request_from_request
        )
        from notifications import account_mail, dashboard, privacy

        account_mail.register()  # and its receivers mail staff invitations and password resets
        privacy.register()
        dashboard.register()
        from centres.demo import demo_step_register
        from notifications import demo

        demo_step_register(name="newsletters", order=50, seed=demo.seed_newsletters)
