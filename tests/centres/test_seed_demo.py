import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from centres.models import AuditLogEntry, Centre, ConsentRecord, FederationRole, Person, StaffRole
from tests.factories import every

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "centres": every(Centre).count(),
        "users": get_user_model().objects.count(),
        "roles": every(StaffRole).count(),
        "people": every(Person).count(),
        "consents": every(ConsentRecord).count(),
        "audit": every(AuditLogEntry).count(),
    }


def test_seed_demo_creates_a_german_and_a_danish_centre_with_logins(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    output = capsys.readouterr().out
    assert sorted(every(Centre).values_list("slug", "time_zone", "default_language")) == [
        ("aarhus", "Europe/Copenhagen", "da"),
        ("hannover-linden", "Europe/Berlin", "de"),
    ]
    assert "password for all: kontakt-demo" in output
    assert "anna" in output
    anna = get_user_model().objects.get(username="anna")
    assert anna.check_password("kontakt-demo")
    assert (anna.is_staff, anna.is_superuser) == (True, False)
    assert FederationRole.objects.filter(user__username="verband").exists()
    assert counts()["people"] == 13 + 13 + 18 + 2 * 24  # members, volunteers, enquirers, newsletter readers
    assert "newsletters: 4 newsletters" in output  # and a list for volunteering news each
    assert "volunteers: 13 volunteers, 4 starter assignments, 6 session logs" in output


def test_seed_demo_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    assert get_user_model().objects.filter(is_superuser=True).count() == 1


def test_seed_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="runs only with DEBUG on"):
        call_command("seed_demo")
    assert every(Centre).count() == 0


def test_every_app_adds_its_demo_step_in_order(settings):
    # centres names no higher app: they register their steps in AppConfig.ready.
    from centres import demo

    settings.DEBUG = True
    assert list(demo.seed()) == [
        "centres",
        "logins",
        "people",
        "groups and meetings",
        "newsletters",
        "volunteers",
        "enquiries",
        "the year gone by",
    ]


def test_the_demo_has_a_self_run_group_whose_contact_person_page_opens(settings, capsys, client):
    import re

    from meetings.models import ContactPerson, Group

    settings.DEBUG = True
    call_command("seed_demo")
    output = capsys.readouterr().out
    contact = (
        every(ContactPerson).select_related("group", "membership__person").get(group__name="Dienstagsgruppe Lichtblick")
    )
    assert (contact.group.status, contact.membership.person.display_name) == (Group.Status.SELF_RUN, "Thomas")
    link = re.search(r"Dienstagsgruppe Lichtblick, its contact person Thomas: http://[^/]+(/g/\S+/)", output)
    assert link is not None
    page = client.get(link[1])
    assert "Dienstagsgruppe Lichtblick" in page.content.decode()
    # The starter of the phasing-out group recorded its contact person in a session log.
    assert every(ContactPerson).filter(group__name="Gesprächskreis Neubeginn").count() == 1
    # Members without an e-mail address: Martin is on the list to phone about a cancelled
    # meeting of his group, Heike B. was texted about it.
    from meetings.models import PhoneNotice
    from notifications.models import OutgoingMail

    assert every(Person).filter(centre__slug="hannover-linden", display_name="Martin W.", email="").exists()
    assert every(PhoneNotice).filter(membership__person__display_name="Martin W.", told_at=None).count() == 1
    texted = every(OutgoingMail).filter(channel="sms", kind="change_notice")
    assert list(texted.values_list("person__display_name", "recipient")) == [("Heike B.", "+4915155501420")]


def test_the_demo_has_a_group_that_meets_online(settings):
    from meetings.models import Meeting

    settings.DEBUG = True
    call_command("seed_demo")
    online = every(Meeting).filter(group__name="Online-Trauerkreis")
    assert online.exists()
    assert set(online.values_list("mode", "room_id")) == {("online", None)}
    assert all(link.startswith("https://") for link in online.values_list("video_link", flat=True))


def test_the_demos_offered_topics_each_count_under_a_national_category(settings):
    from meetings.models import Topic

    settings.DEBUG = True
    call_command("seed_demo")
    offered = every(Topic).filter(is_offered=True)
    assert offered.count() == 10
    assert not offered.filter(category__isnull=True).exists()
    assert set(offered.values_list("category__scheme", flat=True)) == {"national"}


def test_the_demo_has_a_year_for_the_report_to_show(settings, client):
    """Dated back from today: the last twelve months have enquiries in most months, groups founded,
    paused, phased out and ended (with reasons), meetings held, hours and evaluation results."""
    from datetime import timedelta

    from django.utils import timezone

    from centres.models import StaffRole

    settings.DEBUG = True
    call_command("seed_demo")
    today = timezone.localdate()
    anna = every(StaffRole).get(user__username="anna").user
    client.force_login(anna)
    start, end = today - timedelta(days=364), today
    answer = client.get(f"/centres/hannover-linden/workspace/reports/?start={start}&end={end}")
    sections = {section.key: section for section in answer.context["sections"]}

    def figure(section, label):
        return {name: cell.value for name, cell in sections[section].figures}[label]

    assert figure("enquiries", "Enquiries received") > 100
    months = next(t for t in sections["enquiries"].tables if t.key == "enquiries-channel").chart.rows()
    assert sum(1 for _month, values in months if sum(values[:4]) > 0) >= 11
    assert figure("groups", "Founded") >= 2
    assert figure("groups", "Ended") >= 2
    assert figure("groups", "Paused") >= 1
    assert figure("meetings", "Group meetings held") > 100
    assert figure("starters", "Groups phased out to run themselves") >= 2
    assert figure("starters", "Volunteer hours") > 0
    ended = next(t for t in sections["groups"].tables if t.key == "groups-ended")
    assert {label for label, _cells in ended.rows} >= {"Too few members", "The members no longer need it"}
    assert sections["evaluation"].tables[0].rows  # enough answers to show
