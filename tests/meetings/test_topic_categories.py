"""Topic categories: the platform keeps shared lists (the five national theme categories are
seeded), and each centre maps its own topics to them on its topics page, so that the
federation's figures add up across centres."""

import pytest

from meetings.models import Topic, TopicCategory
from tests.factories import TopicFactory, every

pytestmark = pytest.mark.django_db

NATIONAL = ["psychosocial", "chronic-illness-disability", "addiction", "cross-topic", "social"]


def test_the_national_theme_categories_are_there_in_every_language():
    national = list(TopicCategory.objects.filter(scheme="national"))
    assert [category.code for category in national] == NATIONAL
    assert all(set(category.name_translations) == {"de", "da", "nl"} for category in national)
    from django.utils import translation

    with translation.override("de"):
        assert national[2].display_name == "Sucht"


def test_a_centre_admin_maps_a_topic_to_a_category(client, centre_admin_a, centre_a):
    topic = TopicFactory(centre=centre_a, name="Alkohol")
    addiction = TopicCategory.objects.get(code="addiction")
    client.force_login(centre_admin_a)
    url = f"/centres/{centre_a.slug}/workspace/topics/"
    page = client.get(url).content.decode()
    assert "Counts in the federation's figures as" in page
    assert "Addiction" in page
    saved = client.post(f"{url}{topic.pk}/names/", {"category": str(addiction.pk)}, follow=True).content.decode()
    assert "“Alkohol” is saved." in saved
    assert every(Topic).get(pk=topic.pk).category == addiction
    client.post(f"{url}{topic.pk}/names/", {"category": ""})
    assert every(Topic).get(pk=topic.pk).category is None


@pytest.mark.parametrize("value", ["999999", "abc", "-1", "1\x00"])
def test_an_unknown_category_is_refused_and_changes_nothing(client, centre_admin_a, centre_a, value):
    addiction = TopicCategory.objects.get(code="addiction")
    topic = TopicFactory(centre=centre_a, name="Alkohol", category=addiction)
    client.force_login(centre_admin_a)
    url = f"/centres/{centre_a.slug}/workspace/topics/"
    answer = client.post(f"{url}{topic.pk}/names/", {"category": value, "name_da": "x"}, follow=True)
    assert "Choose a category from the list." in answer.content.decode()
    topic = every(Topic).get(pk=topic.pk)
    assert (topic.category, topic.name_translations) == (addiction, {})


def test_a_category_in_use_cannot_be_deleted(centre_a):
    from django.db.models import ProtectedError

    addiction = TopicCategory.objects.get(code="addiction")
    TopicFactory(centre=centre_a, name="Alkohol", category=addiction)
    with pytest.raises(ProtectedError):
        addiction.delete()
