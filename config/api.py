"""API plumbing shared by every app: tenant-scoped base views, pagination and one error format.

Every error response has the shape::

    {"error": {"status": 400, "code": "invalid", "message": "…", "fields": {"email": ["…"]}}}
"""

from collections.abc import Callable
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any, TypeVar

import django_filters
from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase, JsonResponse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from config.errors import DomainError
from config.forms import LocalIsoDateTimeField
from config.local_time import local_time_problem


def _scope_for_user() -> Any:
    """The function that opens a user's tenant scope (TENANT_SCOPE_FOR_USER: centres' own,
    named in settings so that config, the bottom layer, imports no app)."""
    return import_string(settings.TENANT_SCOPE_FOR_USER)


# A centre (config imports no app, so it names the type only by a variable).
_Centre = TypeVar("_Centre", bound=Model)


def signed_in_user(request: HttpRequest) -> User:
    """The user a request acts as, for the services that take one: anyone else is refused (403).
    The views' permissions let no one else in; this makes that explicit where it matters."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


if TYPE_CHECKING:
    _APIViewBase = APIView
else:
    _APIViewBase = object


class CentreScopedMixin(_APIViewBase):
    """For API views: runs the handler in the tenant scope of the authenticated user (session
    or token). DRF authenticates inside `dispatch` (in `initial`), so the scope opens there and is
    closed by the ExitStack around `dispatch`, whatever happens afterwards."""

    _scope_stack: ExitStack

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with ExitStack() as stack:
            self._scope_stack = stack
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # IsCentreStaff has read the user's centres already; other permissions have not.
        centre_ids = getattr(request, "staff_centre_ids", None)
        self._scope_stack.enter_context(_scope_for_user()(request.user, centre_ids))


class SlugField(serializers.SlugRelatedField):
    """A row by its slug, as DRF's SlugRelatedField, but a value no slug can be (a NUL byte,
    which PostgreSQL refuses in any text, or more than 200 characters) is a clear 400 before
    any query, never a database error."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and ("\x00" in data or len(data) > 200):
            self.fail("does_not_exist", slug_name=self.slug_field, value=data[:200].replace("\x00", ""))
        return super().to_internal_value(data)


def centre_for_new_object(centre: _Centre | None, centres_in_scope: QuerySet[_Centre]) -> _Centre:
    """The centre a new object belongs to: the one given, or the user's only centre."""
    if centre is not None:
        return centre
    centres = list(centres_in_scope[:2])
    if len(centres) != 1:
        raise exceptions.ValidationError({"centre": [_("Say which centre: you work for more than one.")]})
    return centres[0]


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time filter whose offset is read in the installation's time zone (see LocalDateTimeField)."""

    field_class = LocalIsoDateTimeField


class IdFilter(django_filters.NumberFilter):
    """Filter by a row id: a whole number in the database's range, or a clear 400."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class BoundedDateTimeField(serializers.DateTimeField):
    """The API's date-time field. A value whose conversion to local time would overflow (year
    9999 + one hour) is a 400 naming the field, like any other invalid date; so is a time
    without offset that the zone skips or has twice (`config.local_time`): DRF's own check lets
    both through, and 02:30 on the night the clocks go forward became 03:30 or a database error."""

    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except OverflowError as error:
            raise exceptions.ValidationError(_("This date is out of range.")) from error

    def enforce_timezone(self, value):
        zone = self.timezone if hasattr(self, "timezone") else self.default_timezone()
        if zone is not None and timezone.is_naive(value):
            problem = local_time_problem(value, zone)
            if problem:
                raise exceptions.ValidationError(problem)
        return super().enforce_timezone(value)


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


def _field_messages(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            str(field): [str(message) for message in (messages if isinstance(messages, list) else [messages])]
            for field, messages in detail.items()
        }
    return {}


def _error_body(status_code: int, code: str, message: str, fields: dict | None = None) -> dict:
    body: dict[str, Any] = {"status": status_code, "code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Map domain errors, Django validation errors and DRF's own errors to one error format."""
    if isinstance(exc, DomainError):
        fields = {exc.field: [exc.message]} if exc.field else None
        return Response(_error_body(exc.status_code, exc.code, exc.message, fields), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            fields = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
            exc = exceptions.ValidationError(fields)
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _field_messages(exc.detail)
        if isinstance(exc.detail, list):
            fields = {"non_field_errors": [str(message) for message in exc.detail]}
        message = _("The request contains invalid data.")
        response.data = _error_body(response.status_code, "invalid", message, fields)
    else:
        # DRF has already turned Django's Http404/PermissionDenied into a response with a detail.
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        if isinstance(exc, (Http404, PermissionDenied)):
            code = "not_found" if isinstance(exc, Http404) else "permission_denied"
        response.data = _error_body(response.status_code, str(code), str(detail) or _("Not found."))
    return response


def json_not_found(request: HttpRequest, exception: Exception | None = None):
    """Django's 404 for unknown URLs under /api/, in the API's error format."""
    message = _("Not found.")
    return JsonResponse(_error_body(status.HTTP_404_NOT_FOUND, "not_found", message), status=404)


def json_server_error(request: HttpRequest):
    message = _("Something went wrong on our side. The error has been logged.")
    return JsonResponse(_error_body(500, "server_error", message), status=500)


# The readers `strict_json_types` has put in place, so that a second call wraps nothing twice.
_STRICT_READERS: set[Callable[[Any, Any], Any]] = set()


def strict_json_types() -> None:
    """Text and yes/no fields take only JSON strings and booleans, number fields no booleans.
    DRF would read a number sent for a text field as its text ({"phone": 0} stores "0") and 0 or
    1 as false or true; here the answer is a 400 naming the field, as for any other wrong type.
    Query strings and forms still send text, which these fields read as before."""

    def refusing(field_class, wrong) -> None:
        reads = field_class.to_internal_value
        if reads in _STRICT_READERS:
            return

        def to_internal_value(self, data):
            if wrong(data):
                self.fail("invalid")
            return reads(self, data)

        _STRICT_READERS.add(to_internal_value)
        field_class.to_internal_value = to_internal_value

    def a_number(data) -> bool:
        return isinstance(data, (int, float)) and not isinstance(data, bool)

    refusing(serializers.CharField, a_number)
    refusing(serializers.BooleanField, a_number)
    # And a number field takes no yes/no: {"latitude": false} is not 0.
    for number_field in (serializers.FloatField, serializers.IntegerField, serializers.DecimalField):
        refusing(number_field, lambda data: isinstance(data, bool))
