"""A centre named by a slug with a NUL byte in it (PostgreSQL refuses NUL in any text) is a clear
400 on every API input that takes a centre's slug, never a database error. Found by the API
fuzzer on GET /api/v1/rooms/free/; the whole class goes through config.api.SlugField."""

import pytest
from rest_framework import serializers

from config.api import SlugField

pytestmark = pytest.mark.django_db

NUL_SLUG = "centre-a\x00; drop"


def test_every_writable_slug_field_of_the_api_is_the_guarded_one():
    """Each serializer field that looks a row up by its slug is a SlugField: a new one that is not
    fails here."""
    import_modules = [
        "centres.api.serializers",
        "meetings.api.serializers.meetings",
        "meetings.api.serializers.places",
        "notifications.api.serializers",
        "intake.api.serializers",
    ]
    import importlib

    unguarded = []
    for name in import_modules:
        module = importlib.import_module(name)
        for attribute in vars(module).values():
            if isinstance(attribute, type) and issubclass(attribute, serializers.Serializer):
                for field_name, field in attribute._declared_fields.items():
                    writable = isinstance(field, serializers.SlugRelatedField) and not field.read_only
                    if writable and not isinstance(field, SlugField):
                        unguarded.append(f"{name}.{attribute.__name__}.{field_name}")
    assert unguarded == []


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        (
            "get",
            "/api/v1/rooms/free/",
            {"centre": NUL_SLUG, "starts_at": "2030-01-07T10:00:00Z", "ends_at": "2030-01-07T11:00:00Z"},
        ),
        ("post", "/api/v1/topics/", {"centre": NUL_SLUG, "name": "Trauer"}),
        ("post", "/api/v1/locations/", {"centre": NUL_SLUG, "name": "Haus"}),
        ("post", "/api/v1/people/", {"centre": NUL_SLUG, "display_name": "X", "language": "de"}),
    ],
)
def test_a_nul_byte_in_a_centre_slug_is_a_400(api_admin_a, method, path, data):
    answer = (
        getattr(api_admin_a, method)(path, data, format="json") if method == "post" else api_admin_a.get(path, data)
    )
    assert answer.status_code == 400
    assert "centre" in answer.json()["error"]["fields"] or "centre" in str(answer.json())
