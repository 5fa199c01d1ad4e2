"""Validators of values that travel further than the form they are typed into."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Besides the control characters, Unicode's own line and paragraph separators, which
# str.splitlines() and some mail and calendar programs treat as line breaks.
_LINE_SEPARATORS = {"\u2028", "\u2029"}


def validate_single_line(value: str) -> None:
    """A name that reaches a calendar feed, an e-mail subject or a header is one line of text:
    a line break there ends the header (or breaks the feed), so it is refused where the name is
    entered, with every other control character."""
    if any(char in _LINE_SEPARATORS or unicodedata.category(char) == "Cc" for char in value):
        raise ValidationError(
            _("Enter one line: line breaks and control characters are not allowed here."), code="single_line"
        )
