"""The ESP's tracking webhook: only the configured ESP's route answers, and a body that is not the
ESP's JSON is refused with a 400 instead of failing inside django-anymail with a 500."""

import logging

from anymail.exceptions import AnymailAPIError
from anymail.signals import AnymailTrackingEvent
from anymail.webhooks.amazon_ses import AmazonSESTrackingWebhookView
from anymail.webhooks.base import AnymailCoreWebhookView
from anymail.webhooks.brevo import BrevoTrackingWebhookView
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from anymail.webhooks.mailjet import MailjetTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)

# EMAIL_ESP -> anymail's tracking view (Kontakt receives no inbound mail).
TRACKING_VIEWS = {
    "postmark": PostmarkTrackingWebhookView,
    "mailgun": MailgunTrackingWebhookView,
    "brevo": BrevoTrackingWebhookView,
    "amazon_ses": AmazonSESTrackingWebhookView,
    "mailjet": MailjetTrackingWebhookView,
}

# What reading a body that is not JSON, or JSON of another shape, raises inside anymail's parsers.
MALFORMED = (ValueError, RecursionError, KeyError, IndexError, TypeError, AttributeError, AnymailAPIError)


class MalformedPayloadError(Exception):
    """The body could not be read as the ESP's events."""


def _refusing_malformed(view_class: type[AnymailCoreWebhookView]) -> type[AnymailCoreWebhookView]:
    """`view_class` whose validation and parsing turn a malformed body into `MalformedPayloadError`;
    errors in recording the events (after parsing) stay 500s, so the ESP delivers them again."""

    def run_validators(self: AnymailCoreWebhookView, request: HttpRequest) -> None:
        try:
            return view_class.run_validators(self, request)
        except MALFORMED as error:
            raise MalformedPayloadError from error

    def parse_events(self: AnymailCoreWebhookView, request: HttpRequest) -> list[AnymailTrackingEvent]:
        try:
            return list(view_class.parse_events(self, request))
        except MALFORMED as error:
            raise MalformedPayloadError from error

    return type(view_class.__name__, (view_class,), {"run_validators": run_validators, "parse_events": parse_events})


VIEWS = {esp: _refusing_malformed(view_class).as_view() for esp, view_class in TRACKING_VIEWS.items()}


@csrf_exempt
def esp_tracking_webhook(request: HttpRequest, esp: str) -> HttpResponse:
    """anymail's tracking webhook of `esp` when it is the configured EMAIL_ESP; 404 otherwise
    (an ESP not in use must not accept events, nor fail for want of its settings)."""
    view = VIEWS.get(esp)
    if view is None or esp != settings.EMAIL_ESP:
        raise Http404
    try:
        return view(request)
    except MalformedPayloadError as error:
        # The type only: the body may hold addresses.
        logger.warning("ESP webhook refused: malformed %s payload (%s)", esp, type(error.__cause__).__name__)
        return HttpResponseBadRequest(_("The body is not a webhook event of this e-mail service."))
