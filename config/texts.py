"""Texts a centre writes in several languages (a topic's name, a group's description, a checklist
step): the text as written, and translations by language code. Each visitor reads the one in
their language, or the text as written when there is none, so a Danish visitor no longer sees
"Alkoholabhängigkeit" where a Danish name was given."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _


def in_language(text: str, translations: Mapping[str, str] | None, language: str | None = None) -> str:
    """`text` in `language` (the active language when none is given) if a translation was given,
    else `text` as written."""
    language = (language or translation.get_language() or "").split("-")[0]
    translated = (translations or {}).get(language, "")
    return translated.strip() or text


def validate_translations(value: Any) -> None:
    """Translations are an object of the platform's language codes to single-line texts (a
    description may have lines) of at most 2000 characters."""
    codes = {code for code, _name in settings.LANGUAGES}
    if not isinstance(value, dict):
        raise ValidationError(_("Give the translations as an object of language codes to texts."))
    for code, text in value.items():
        if code not in codes:
            raise ValidationError(_("“%(code)s” is not one of the languages offered.") % {"code": code})
        if not isinstance(text, str) or len(text) > 2000:
            raise ValidationError(_("Each translation is a text of at most 2000 characters."))
