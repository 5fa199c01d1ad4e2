from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteer starters")

    def ready(self) -> None:
        from volunteers import dashboard, privacy

        privacy.register()
        dashboard.register()
        from notifications.models import MailRequest
        from notifications.services.mail_requests import mail_request_handler_register
        from volunteers.services.accounts import portal_login_link_send
        from volunteers.services.signup import volunteer_signup_from_request

        mail_request_handler_register(kind=MailRequest.Kind.VOLUNTEER_SIGNUP, handler=volunteer_signup_from_request)
        mail_request_handler_register(
            kind=MailRequest.Kind.PORTAL_LOGIN_LINK,
            handler=lambda centre, payload: portal_login_link_send(volunteer_id=payload.get("volunteer_id")),
        )
        from centres.demo import demo_step_register
        from volunteers import demo

        demo_step_register(name="volunteers", order=60, seed=demo.seed_volunteers)
