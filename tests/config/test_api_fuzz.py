"""API fuzzing: schemathesis generates requests for every operation of the OpenAPI schema, valid
ones and invalid ones, and checks each answer. Never a server error; only statuses the schema
documents; every body, header and content type as documented; invalid data refused.

A centre admin of centre A asks, in a world with one of everything (the isolation matrix's).
Valid requests to an object's path name one of centre A's real objects, so that reading and
changing real rows is fuzzed, not only the 404 of a random id; invalid ones keep their random ids.

Two checks are left out, each for a reason:
- "valid data accepted": a valid request may still name a room or group that does not exist, or
  a date range the domain refuses, and a 400 naming the field is then the right answer.
- "invalid data refused" when only the query is invalid: lists follow django-filter and DRF, for
  which an empty or unusable filter or page size means "no filter" or "the default size".
  Invalid bodies and paths are still refused.

Bounded: `FUZZ_EXAMPLES` requests per operation and generation mode (default 15), and four
times as many chains of requests (the stateful test); CI runs the default. The schema is built
here rather than fetched, because schemathesis' fixture loader does not run under this pytest;
it is the same generator `/api/schema/` serves (a test checks that).
"""

import json
import os
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.urls import Resolver404, resolve
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup, ServerError
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import ignored_auth, negative_data_rejection, positive_data_acceptance

from config.schema import ScopedSchemaGenerator
from tests.config.test_isolation_matrix import NOW, World, centre_rows, model_of

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
# The world is a function-scoped fixture, made once per operation, and requests are slow.
SLOW_WORLD = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
SENT: Counter = Counter()  # (operation, generation mode) -> requests, for the summary line


def openapi_document() -> dict:
    generated = ScopedSchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


schema = schemathesis.openapi.from_dict(
    openapi_document(),
    config=SchemathesisConfig.from_dict({"generation": {"mode": "all"}, "seed": 20261124}),
)
schema.app = get_wsgi_application()
schema.location = "/api/schema/"


@pytest.fixture
def wsgi_in_the_test(settings):
    """Requests go straight to the WSGI application, inside the test's transaction. Django
    closes the database connection when a request ends, which would end the test's transaction
    on PostgreSQL; its own test client stops that, and so does this."""
    settings.ALLOWED_HOSTS = ["localhost"]  # schemathesis' WSGI client asks for localhost
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_world(centre_a, centre_b, centre_admin_a, frozen_now, wsgi_in_the_test, unscoped):
    frozen_now(NOW)
    return World(centre_a, centre_b, centre_admin_a)


def aim_at_centre_a(case, world: World) -> None:
    """Unless the path itself is the invalid part, a request to an object's path names one of
    centre A's objects of that kind (invalid bodies then meet validation, not a 404)."""
    parameters = case.path_parameters or {}
    path_mode = case.meta.components.get(ParameterLocation.PATH)
    if path_mode is not None and path_mode.mode.is_negative:
        return
    if "slug" in parameters:
        case.path_parameters["slug"] = world.centre.slug
    if "id" not in parameters:
        return
    path = case.operation.path.replace("{id}", "1").replace("{slug}", world.centre.slug)
    try:
        match = resolve(path)
    except Resolver404:
        return
    model = model_of(match.url_name, path, match.func)
    rows = centre_rows(model, world.centre) if model is not None else None
    if model is not None and (rows is None or rows.exists()):  # an earlier example may have deleted the last
        case.path_parameters["id"] = world.object_of(model)


def only_the_query_is_invalid(case) -> bool:
    negative = {location for location, info in case.meta.components.items() if info.mode.is_negative}
    return negative == {ParameterLocation.QUERY}


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=SLOW_WORLD, derandomize=True)
@pytest.mark.django_db
def test_the_api_answers_every_generated_request_as_documented(case, admin_world):
    aim_at_centre_a(case, admin_world)
    token = Token.objects.get(user=admin_world.admin_user)
    excluded = [positive_data_acceptance]
    if only_the_query_is_invalid(case):
        excluded.append(negative_data_rejection)
    SENT[(case.operation.label, case.meta.generation.mode.value)] += 1
    savepoint = transaction.savepoint()  # each example starts from the same world
    try:
        case.call_and_validate(headers={"Authorization": f"Token {token.key}"}, excluded_checks=excluded)
    finally:
        transaction.savepoint_rollback(savepoint)


@pytest.mark.django_db
def test_chains_of_requests_follow_the_links_between_operations(admin_world):
    """Stateful fuzzing: schemathesis infers which answer feeds which request (a new closure's
    id to its detail, change and deletion; a person to their consents) and runs chains of up to
    eight requests, each answer checked as above. The credentials come from the test, so the
    check that they are enforced is left to the isolation matrix, which asks every route
    without them."""
    token = Token.objects.get(user=admin_world.admin_user)

    class Chains(schema.as_state_machine()):
        # Each chain starts from the same world: what one chain made is rolled back after it.
        def setup(self):
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def get_call_kwargs(self, case):
            SENT[(case.operation.label, "chained")] += 1
            return {"headers": {"Authorization": f"Token {token.key}"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            excluded = [positive_data_acceptance, ignored_auth]
            if only_the_query_is_invalid(case):
                excluded.append(negative_data_rejection)
            case.validate_response(response, excluded_checks=excluded, transport_kwargs=kwargs)

    Chains.run(
        settings=settings(
            max_examples=4 * EXAMPLES,
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=SLOW_WORLD,
            derandomize=True,
        )
    )


def test_the_fuzzed_schema_is_the_one_the_api_serves(client):
    served = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert served.status_code == 200
    assert json.loads(served.content) == openapi_document()


def test_the_fuzzer_finds_a_server_error(monkeypatch, centre_admin_a, wsgi_in_the_test):
    """The harness can fail: a list that breaks is reported as a server error."""
    from meetings.api.views import places as views

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("a bug in the rooms list")

    monkeypatch.setattr(views.RoomViewSet, "list", broken)
    operation = schema["/api/v1/rooms/"]["GET"]
    token = Token.objects.create(user=centre_admin_a)
    case = operation.Case(query={})
    with pytest.raises(FailureGroup) as raised:
        case.call_and_validate(headers={"Authorization": f"Token {token.key}"}, checks=[not_a_server_error])
    assert [type(failure) for failure in raised.value.exceptions] == [ServerError]
