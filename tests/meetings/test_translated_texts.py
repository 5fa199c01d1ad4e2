"""Topic names, group descriptions and checklist steps in each language: visitors read the one in
their language, or the text as written when there is none; coordinators and admins write them in
the workspace; a translation in a language the platform does not offer is refused."""

import re

import pytest

from config.texts import in_language
from meetings.models import Group, Topic
from tests.factories import every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


@pytest.fixture
def alcohol(weekly_series, centre_a, group_a):
    """The Tuesday group, on a topic written in German with a Danish name, and a description in
    German with a Danish one."""
    topic = group_a.topic
    every(Topic).filter(pk=topic.pk).update(
        name="Alkoholabhängigkeit", name_translations={"da": "Alkoholafhængighed", "en": "Alcohol dependence"}
    )
    every(Group).filter(pk=group_a.pk).update(
        description="Wir sprechen offen.", description_translations={"da": "Vi taler åbent."}, publicly_listed=True
    )
    return group_a


def test_a_text_falls_back_to_the_one_as_written():
    assert in_language("Trauer", {"da": "Sorg"}, "da") == "Sorg"
    assert in_language("Trauer", {"da": "Sorg"}, "nl") == "Trauer"
    assert in_language("Trauer", {"da": "  "}, "da") == "Trauer"
    assert in_language("Trauer", None, "da") == "Trauer"


@pytest.mark.parametrize(
    ("language", "topic", "description"),
    [
        ("da", "Alkoholafhængighed", "Vi taler åbent."),
        ("en", "Alcohol dependence", "Wir sprechen offen."),
        ("nl", "Alkoholabhängigkeit", "Wir sprechen offen."),
    ],
)
def test_visitors_read_topics_and_descriptions_in_their_language(
    client, alcohol, centre_a, language, topic, description
):
    finder = client.get(f"/centres/{centre_a.slug}/groups/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert topic in finder
    page = client.get(f"/centres/{centre_a.slug}/groups/{alcohol.public_id}/", HTTP_ACCEPT_LANGUAGE=language)
    text = page.content.decode()
    assert topic in text
    assert description in text
    enquiry = client.get(f"/centres/{centre_a.slug}/enquiry/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert topic in enquiry
    if language == "da":
        assert "Alkoholabhängigkeit" not in finder + text + enquiry


def test_a_coordinator_writes_the_description_in_each_language(client, coordinator_a, alcohol, centre_a):
    client.force_login(coordinator_a)
    url = f"/centres/{centre_a.slug}/workspace/groups/{alcohol.pk}/edit/"
    form = client.get(url).content.decode()
    assert "Description in Danish" in form
    assert "Vi taler åbent." in form
    values = {
        "name": alcohol.name,
        "topic": alcohol.topic_id,
        "description": "Wir sprechen offen.",
        "description_da": "Vi taler åbent.",
        "description_nl": "We praten open.",
        "languages": alcohol.languages or ["de"],
        "min_size": 4,
        "max_size": 8,
        "publicly_listed": "on",
        "accepts_newcomers": "on",
    }
    answer = client.post(url, values, follow=True).content.decode()
    assert re.search(r'class="message[^"]*">([^<]*)<', answer)[1] == "Saved: Description in Dutch."
    alcohol.refresh_from_db()
    assert alcohol.description_translations == {"da": "Vi taler åbent.", "nl": "We praten open."}


def test_an_admin_names_a_topic_in_each_language(client, centre_admin_a, alcohol, centre_a):
    client.force_login(centre_admin_a)
    url = f"/centres/{centre_a.slug}/workspace/topics/"
    assert "Alkoholafhængighed" in client.get(url).content.decode()
    topic = alcohol.topic
    answer = client.post(
        f"{url}{topic.pk}/names/", {"name_da": "Alkoholafhængighed", "name_nl": "Alcoholverslaving"}, follow=True
    )
    assert "is saved" in answer.content.decode()
    topic.refresh_from_db()
    assert topic.name_translations == {"da": "Alkoholafhængighed", "nl": "Alcoholverslaving"}


def test_a_coordinator_cannot_rename_topics_and_another_centre_cannot_reach_them(
    client, coordinator_a, centre_admin_b, alcohol, centre_a, centre_b
):
    client.force_login(coordinator_a)
    assert (
        client.post(
            f"/centres/{centre_a.slug}/workspace/topics/{alcohol.topic_id}/names/", {"name_da": "x"}
        ).status_code
        == 403
    )
    client.force_login(centre_admin_b)
    assert (
        client.post(
            f"/centres/{centre_b.slug}/workspace/topics/{alcohol.topic_id}/names/", {"name_da": "x"}
        ).status_code
        == 404
    )
    assert every(Topic).get(pk=alcohol.topic_id).name_translations["da"] == "Alkoholafhængighed"


def test_the_api_refuses_a_language_the_platform_does_not_offer(api_admin_a, alcohol):
    answer = api_admin_a.patch(
        f"/api/v1/topics/{alcohol.topic_id}/", {"name_translations": {"tlh": "Qagh"}}, format="json"
    )
    assert answer.status_code == 400
    assert "tlh" in str(answer.json())
    assert "tlh" not in every(Topic).get(pk=alcohol.topic_id).name_translations


def test_a_group_saved_with_no_language_ticked_takes_the_centres(client, coordinator_a, alcohol, centre_a):
    """Once a 500: the form says "none ticked: the centre's language", and the service now does so
    for an edit as for a new group."""
    client.force_login(coordinator_a)
    values = {"name": alcohol.name, "topic": alcohol.topic_id, "description": "Neu.", "min_size": 4, "max_size": 8}
    answer = client.post(f"/centres/{centre_a.slug}/workspace/groups/{alcohol.pk}/edit/", values)
    assert answer.status_code == 302
    alcohol.refresh_from_db()
    assert (alcohol.languages, alcohol.description) == ([centre_a.default_language], "Neu.")


def test_checklist_steps_read_in_the_starters_language(client, centre_admin_a, centre_a):
    from volunteers.models import ChecklistItem

    client.force_login(centre_admin_a)
    url = f"/centres/{centre_a.slug}/workspace/checklist/"
    client.post(url, {"steps": "Regeln vereinbart\nAnsprechperson gewählt", "steps_da": "Regler aftalt\n"})
    steps = list(every(ChecklistItem).filter(centre=centre_a, is_active=True, for_crisis=False).order_by("position"))
    assert [(step.text, step.text_translations) for step in steps] == [
        ("Regeln vereinbart", {"da": "Regler aftalt"}),
        ("Ansprechperson gewählt", {}),
    ]
    from django.utils import translation

    with translation.override("da"):
        assert [step.display_text for step in steps] == ["Regler aftalt", "Ansprechperson gewählt"]
    assert "Regler aftalt" in client.get(url).content.decode()


def test_a_blank_line_between_steps_keeps_the_translations_in_line(client, centre_admin_a, centre_a):
    from volunteers.models import ChecklistItem

    client.force_login(centre_admin_a)
    client.post(
        f"/centres/{centre_a.slug}/workspace/checklist/",
        {"steps": "Regeln vereinbart\n\nAnsprechperson gewählt", "steps_da": "Regler aftalt\n\nKontaktperson valgt"},
    )
    steps = every(ChecklistItem).filter(centre=centre_a, is_active=True, for_crisis=False).order_by("position")
    assert [(step.text, step.text_translations.get("da")) for step in steps] == [
        ("Regeln vereinbart", "Regler aftalt"),
        ("Ansprechperson gewählt", "Kontaktperson valgt"),
    ]
