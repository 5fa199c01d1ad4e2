"""Form fields shared by the public forms."""

from django import forms
from django.core.exceptions import ValidationError

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
