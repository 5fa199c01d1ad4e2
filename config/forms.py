"""Form fields shared by the public forms."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

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
        return super()._check_values(value)


class IdChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        _checked_ids(self, [value])
        return super().to_python(value)


class LocalDateTimeField(forms.DateTimeField):
    """A date and time in the installation's time zone, whatever offset it was given with
    (Python reads up to ±23:59; PostgreSQL takes only ±15:59, and a wider one must be a plain
    moment, not a database error). As DRF's date-time fields do. A moment at the very ends of
    the calendar, which the time zone cannot hold, is invalid."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None or moment.tzinfo is None:
            return moment
        try:
            return timezone.localtime(moment)
        except OverflowError as error:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error


class LocalIsoDateTimeField(django_filters.fields.IsoDateTimeField, LocalDateTimeField):
    """The API's date-time filters (ISO 8601), read like `LocalDateTimeField`."""
