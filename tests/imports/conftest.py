"""The imports' tests share a centre that is moving in, with its newsletter list."""

import pytest

from notifications.models import NewsletterList
from tests.factories import CentreFactory, every

LIST_NAMES = {"en": "Newsletter", "de": "Rundbrief", "da": "Nyhedsbrev", "nl": "Nieuwsbrief"}


@pytest.fixture
def new_centre():
    def make(language: str):
        centre = CentreFactory(slug=f"moving-in-{language}", default_language=language)
        every(NewsletterList).create(centre=centre, name=LIST_NAMES[language])
        return centre

    return make
