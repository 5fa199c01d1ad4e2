"""Form fields shared by the public forms."""

from collections.abc import Iterator
from contextlib import contextmanager

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from config.local_time import check_local_time

MAX_ID = 2**63 - 1


def _checked_ids(field: forms.Field, values) -> None:
    """Ids typed into a form reach the database only as whole numbers in its range: a value that
    is not one is "not a valid choice", not an overflow deep in the database driver."""
    for value in values:
        try:
            number = int(str(value))
        except ValueError:
            number = -1
        if not 1 <= number <= MAX_ID:
            raise ValidationError(
                field.error_messages["invalid_pk_value"]
                if "invalid_pk_value" in field.error_messages
                else field.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"pk": value, "value": value},
            )


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        _checked_ids(self, value)
        return super()._check_values(value)  # type: ignore[misc]  # private, so missing from the stubs


class IdChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        _checked_ids(self, [value])
        return super().to_python(value)


@contextmanager
def local_time_named() -> Iterator[None]:
    """Django's forms refuse a time the zone skips or has twice, without saying which or why:
    the message becomes the one that names the daylight-saving change (`config.local_time`)."""
    try:
        yield
    except ValidationError as error:
        if getattr(error, "code", None) == "ambiguous_timezone" and error.params:
            check_local_time(error.params["datetime"], error.params["current_timezone"])
        raise


class LocalSplitDateTimeField(forms.SplitDateTimeField):
    """The admin's date and time fields, refusing a skipped or doubled time by name."""

    def compress(self, data_list):
        with local_time_named():
            return super().compress(data_list)


class LocalDateTimeField(forms.DateTimeField):
    """A date and time in the installation's time zone, whatever offset it was given with
    (Python reads up to ±23:59; PostgreSQL takes only ±15:59, and a wider one must be a plain
    moment, not a database error). As DRF's date-time fields do. A moment at the very ends of
    the calendar, which the time zone cannot hold, is invalid."""

    def to_python(self, value):
        with local_time_named():
            moment = super().to_python(value)
        if moment is None or moment.tzinfo is None:
            return moment
        try:
            return timezone.localtime(moment)
        except OverflowError as error:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error


class LocalIsoDateTimeField(django_filters.fields.IsoDateTimeField, LocalDateTimeField):
    """The API's date-time filters (ISO 8601), read like `LocalDateTimeField`. django-filter
    reads an ISO time without offset in the current zone as is; one the zone skips or has twice
    is refused here as in every form."""

    def strptime(self, value, format):
        if format == self.ISO_8601:
            try:
                parsed = parse_datetime(str(value))
            except ValueError:
                parsed = None
            if parsed is not None and timezone.is_naive(parsed):
                check_local_time(parsed, timezone.get_current_timezone())
        return super().strptime(value, format)
