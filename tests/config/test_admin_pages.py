"""Every page of the admin opens, for the platform's superuser and for a centre admin: the list,
the add form and the change form of a real row of each registered model (the centre's change
page answered 500 for everyone, so no one could change a centre's settings)."""

import contextlib

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from centres.models import Centre
from centres.scoping import all_centres_scope
from tests.factories import every

pytestmark = pytest.mark.django_db

# The demo's superuser, and the centre admin of Hannover-Linden (centres.demo).
USERS = ["admin", "leitung"]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # seed_demo refuses to run with DEBUG off
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False


def admin_pages(username: str) -> list[tuple[str, str]]:
    """(what, url) for each registered model: its list, its add form and a row's change form,
    the row the user's own centre holds when there is one."""
    user = get_user_model().objects.get(username=username)
    centre_ids = list(every(Centre).filter(staff_roles__user=user).values_list("pk", flat=True))
    pages = []
    for model in admin.site._registry:
        opts = model._meta
        name = f"{opts.app_label}.{opts.model_name}"
        pages.append((f"{name} list", reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")))
        with contextlib.suppress(NoReverseMatch):  # a model admin without an add page
            pages.append((f"{name} add", reverse(f"admin:{opts.app_label}_{opts.model_name}_add")))
        with all_centres_scope():
            rows = every(model).all()
            field_names = {field.name for field in opts.get_fields()}
            if not user.is_superuser and "centre" in field_names:
                rows = rows.filter(centre__in=centre_ids) if centre_ids else rows.none()
            elif not user.is_superuser and model is Centre:
                rows = rows.filter(pk__in=centre_ids)
            row = rows.order_by("pk").first()
        if row is not None:
            pages.append((f"{name} change", reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])))
    return pages


@pytest.mark.parametrize("username", USERS)
def test_every_admin_page_opens_without_a_server_error(demo, client, username):
    client.raise_request_exception = False  # a 500 is what this test counts, not an exception
    client.force_login(get_user_model().objects.get(username=username))
    pages = admin_pages(username)
    answers = {what: client.get(url).status_code for what, url in pages}
    assert {what: status for what, status in answers.items() if status >= 500} == {}
    # The pages a user may not open are refused plainly, never with an error page.
    assert set(answers.values()) <= {200, 302, 403, 404}
    assert len([what for what in answers if what.endswith(" change")]) >= 10  # the demo fills most models


def test_a_centre_admin_opens_and_saves_their_centres_settings(demo, client):
    client.force_login(get_user_model().objects.get(username="leitung"))
    centre = every(Centre).get(slug="hannover-linden")
    url = reverse("admin:centres_centre_change", args=[centre.pk])
    page = client.get(url)
    assert page.status_code == 200
    # The slug is in every link and stays read-only; the settings around it can be changed.
    assert "hannover-linden" in page.content.decode()
    assert 'name="slug"' not in page.content.decode()
    assert 'name="time_zone"' in page.content.decode()
