"""Public pages, the health check and the API documentation."""

import pytest

from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_home_page_lists_centres_but_no_people(client, centre_a, centre_b):
    PersonFactory(centre=centre_a, display_name="Secretmember")
    page = client.get("/").content.decode()
    assert "Kontaktstelle A" in page
    assert "Selvhjælpscenter B" in page
    assert "Secretmember" not in page


def test_home_page_has_a_good_empty_state(client):
    assert "No contact points have been set up yet." in client.get("/").content.decode()


def test_home_page_speaks_the_visitors_language(client, centre_a):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="de">' in page
    assert "Selbsthilfegruppe" in page


def test_health_check_says_the_process_is_alive(client):
    assert client.get("/healthz/").json() == {"status": "ok"}


def test_health_check_answers_by_address_over_http_in_production_settings(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["kontakt.example.org"]
    response = client.get("/healthz/", HTTP_HOST="172.18.0.5:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    ready = client.get("/readyz/", HTTP_HOST="172.18.0.5:8000")
    assert ready.status_code in (200, 503)  # answered here, not redirected or refused by host
    assert "database" in ready.json()


def test_api_schema_describes_the_centre_endpoints(client):
    response = client.get("/api/schema/", {"format": "json"})
    paths = response.json()["paths"]
    assert {"/api/v1/people/", "/api/v1/consents/{id}/withdraw/", "/api/v1/staff-roles/", "/api/v1/centres/"} <= set(
        paths
    )


def test_api_docs_are_served_without_a_cdn(client):
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    assert "cdn.jsdelivr.net" not in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
