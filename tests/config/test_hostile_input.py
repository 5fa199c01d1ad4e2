"""Hostile input gets a clear 4xx naming the problem, never a 500: JSON nested beyond the
parser's depth, over-long login fields, malformed ESP webhook bodies, webhooks of unused ESPs."""

import base64

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from notifications.models import SuppressedAddress, WebhookEvent
from tests.factories import every

pytestmark = pytest.mark.django_db

NESTED = "[" * 1000 + "]" * 1000
NESTED_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000


@pytest.fixture
def no_raise(client):
    client.raise_request_exception = False  # a 500 is what these tests look for
    return client


@pytest.mark.parametrize("body", [NESTED, NESTED_OBJECT], ids=["array", "object"])
def test_json_nested_a_thousand_deep_is_a_400_on_the_token_endpoint(no_raise, body):
    response = no_raise.post(reverse("auth-token"), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "JSON parse error - the document is nested too deeply."


def test_json_nested_a_thousand_deep_is_a_400_on_the_public_enquiry_form(no_raise, centre_a):
    url = reverse("public-enquiry", kwargs={"slug": centre_a.slug})
    response = no_raise.post(url, NESTED, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["error"]["message"]


def test_json_nested_a_thousand_deep_is_a_400_for_a_logged_in_coordinator(api_a, group_a):
    api_a.raise_request_exception = False
    for url in ("/api/v1/meetings/", "/api/v1/groups/", f"/api/v1/groups/{group_a.pk}/"):
        method = api_a.patch if url.endswith(f"{group_a.pk}/") else api_a.post
        response = method(url, NESTED, content_type="application/json")
        assert (url, response.status_code) == (url, 400)
        assert "nested too deeply" in response.json()["error"]["message"]


def api_views() -> list[type]:
    """Every DRF view class the URL configuration routes to."""
    from django.urls import URLPattern, URLResolver, get_resolver
    from rest_framework.views import APIView

    found, todo = [], list(get_resolver().url_patterns)
    while todo:
        entry = todo.pop()
        if isinstance(entry, URLResolver):
            todo.extend(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            view = getattr(entry.callback, "cls", None) or getattr(entry.callback, "view_class", None)
            if isinstance(view, type) and issubclass(view, APIView):
                found.append(view)
    return found


def test_every_api_view_reads_json_with_the_parser_that_survives_deep_nesting():
    from config.parsers import JSONParser

    views = api_views()
    assert len(views) > 10
    weak = sorted(
        {
            view.__name__
            for view in views
            for parser in view.parser_classes
            if parser.media_type.endswith("json") and not issubclass(parser, JSONParser)
        }
    )
    assert weak == []


@pytest.mark.parametrize("length", [256, 5000])
def test_the_token_endpoint_refuses_an_overlong_username_by_name(no_raise, length):
    response = no_raise.post(reverse("auth-token"), {"username": "u" * length, "password": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["username"] == ["Ensure this field has no more than 150 characters."]


def test_the_token_endpoint_refuses_an_overlong_password(no_raise, coordinator_a):
    response = no_raise.post(
        reverse("auth-token"), {"username": coordinator_a.username, "password": "p" * 5000}, format="json"
    )
    assert response.status_code == 400
    assert "password" in response.json()["error"]["fields"]


@pytest.mark.parametrize("length", [256, 5000])
def test_the_admin_login_answers_an_overlong_username_with_its_form(no_raise, length):
    response = no_raise.post(reverse("admin:login"), {"username": "u" * length, "password": "x" * 20})
    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.content.decode() or (
        "Ensure this value has at most" in response.content.decode()
    )
    assert "_auth_user_id" not in no_raise.session


def test_an_overlong_username_counts_towards_the_lockout_like_any_other(no_raise, settings):
    """The cut username is stored, so repeated attempts with it still lock out (5 failures)."""
    from axes.models import AccessAttempt

    for _ in range(3):
        no_raise.post(reverse("admin:login"), {"username": "u" * 300, "password": "x" * 20})
    attempt = AccessAttempt.objects.get()
    assert (len(attempt.username), attempt.failures_since_start) == (255, 3)


@pytest.mark.parametrize("field", ["email", "password"])
def test_the_volunteer_portal_password_login_answers_overlong_fields_with_its_form(no_raise, field):
    data = {"way": "password", "password-email": "someone@example.org", "password-password": "x" * 20}
    data[f"password-{field}"] = ("a" * 300 + "@example.org") if field == "email" else "p" * 5000
    response = no_raise.post(reverse("volunteer-login"), data)
    assert response.status_code == 400
    assert "_auth_user_id" not in no_raise.session


def test_the_password_reset_form_answers_an_overlong_address_with_its_form(no_raise):
    response = no_raise.post(reverse("admin_password_reset"), {"email": "a" * 300 + "@example.org"})
    assert response.status_code == 200
    assert "Ensure this value has at most 254 characters" in response.content.decode()


# --- ESP webhooks ------------------------------------------------------------------------------

ESP_SETTINGS = {
    "postmark": {},
    "mailgun": {"MAILGUN_WEBHOOK_SIGNING_KEY": "signing-key"},
    "brevo": {},
    "amazon_ses": {},
    "mailjet": {},
}
AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"hook:secret").decode()}


def configure_esp(settings, esp: str) -> None:
    settings.EMAIL_ESP = esp
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:secret", **ESP_SETTINGS[esp]}


@pytest.mark.parametrize("esp", list(ESP_SETTINGS))
@pytest.mark.parametrize("body", ["{not json", NESTED, "[1, 2]", "null", "", "\xff\xfe"])
def test_a_malformed_webhook_body_with_valid_basic_auth_is_a_400(no_raise, settings, esp, body):
    configure_esp(settings, esp)
    headers = dict(AUTH)
    if esp == "amazon_ses":
        headers.update(HTTP_X_AMZ_SNS_MESSAGE_TYPE="Notification", HTTP_X_AMZ_SNS_MESSAGE_ID="1")
    response = no_raise.post(f"/anymail/{esp}/tracking/", body, content_type="application/json", **headers)
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()
    assert not every(SuppressedAddress).exists()


@pytest.mark.parametrize("configured", ["console", "postmark"])
@pytest.mark.parametrize("esp", [*ESP_SETTINGS, "sendgrid", "mandrill"])
def test_only_the_configured_esps_webhook_answers(no_raise, settings, configured, esp):
    settings.EMAIL_ESP = configured
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:secret"}
    response = no_raise.post(f"/anymail/{esp}/tracking/", "{}", content_type="application/json", **AUTH)
    if esp == configured:
        assert response.status_code != 404
    else:
        assert response.status_code == 404


def test_unused_anymail_inbound_routes_are_gone(no_raise, settings):
    configure_esp(settings, "postmark")
    for path in ("/anymail/postmark/inbound/", "/anymail/mandrill/", "/anymail/sendgrid/tracking/"):
        assert no_raise.post(path, "{}", content_type="application/json", **AUTH).status_code == 404


def test_a_wellformed_postmark_event_is_still_recorded(no_raise, settings, centre_a):
    configure_esp(settings, "postmark")
    event = {"RecordType": "Delivery", "MessageID": "m-1", "Recipient": "r@example.net", "DeliveredAt": "2026-01-01"}
    response = no_raise.post("/anymail/postmark/tracking/", event, content_type="application/json", **AUTH)
    assert response.status_code == 200
    assert WebhookEvent.objects.filter(esp="Postmark").count() == 1


def test_user_model_username_is_150_characters():
    """The token endpoint's bound above comes from the user model."""
    assert get_user_model()._meta.get_field("username").max_length == 150
