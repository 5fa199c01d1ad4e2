"""Groups in the coordinators' workspace: found, edit, life cycle with a reason and a confirmed
close, the roster (find, add, end, fresh links), closures and reinstating a meeting. Each answer
says what happened; bad input changes nothing."""

import pytest
from django.utils import timezone

from centres.models import AuditLogEntry, Person
from meetings.models import CalendarToken, Closure, Group, Meeting, Membership
from notifications.models import OutgoingMail
from tests.factories import GroupFactory, MembershipFactory, PersonFactory, TopicFactory, every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


@pytest.fixture
def coordinator(client, coordinator_a):
    client.force_login(coordinator_a)
    return client


def group_form(topic, **overrides) -> dict:
    return {
        "name": "Mittwochsrunde",
        "topic": topic.pk,
        "description": "",
        "languages": ["de", "en"],
        "age_band": "",
        "min_size": 4,
        "max_size": 8,
        "publicly_listed": "on",
        "accepts_newcomers": "on",
        **overrides,
    }


def page(client, url) -> str:
    return client.get(url).content.decode()


def test_a_coordinator_founds_a_group_with_languages_ticked(coordinator, centre_a):
    topic = TopicFactory(centre=centre_a, name="Trauer")
    answer = coordinator.post(f"/centres/{centre_a.slug}/workspace/groups/new/", group_form(topic))
    group = every(Group).get(name="Mittwochsrunde")
    assert answer.url == f"/centres/{centre_a.slug}/workspace/groups/{group.pk}/"
    assert (group.languages, group.status, group.topic) == (["de", "en"], "forming", topic)
    assert "Group “Mittwochsrunde” founded; it is forming." in page(coordinator, answer.url)
    listed = page(coordinator, f"/centres/{centre_a.slug}/workspace/groups/?q=trauer")
    assert "Mittwochsrunde" in listed


def test_founding_refuses_bad_input_and_founds_nothing(coordinator, centre_a, centre_b):
    topic = TopicFactory(centre=centre_a)
    not_offered = TopicFactory(centre=centre_a, is_offered=False)
    foreign = TopicFactory(centre=centre_b)
    url = f"/centres/{centre_a.slug}/workspace/groups/new/"
    for bad in (
        group_form(topic, min_size=9),
        group_form(topic, languages=["xx"]),
        group_form(not_offered),
        group_form(foreign),
        group_form(topic, name=""),
    ):
        answer = coordinator.post(url, bad)
        assert answer.status_code == 400
        assert 'id="error-summary"' in answer.content.decode()
    assert not every(Group).exists()


def test_editing_names_what_changed_or_says_nothing_did(coordinator, centre_a):
    group = GroupFactory(centre=centre_a, name="Montagsgruppe", languages=["de"])
    url = f"/centres/{centre_a.slug}/workspace/groups/{group.pk}/edit/"
    unchanged = group_form(group.topic, name="Montagsgruppe", languages=["de"], max_size=group.max_size)
    unchanged["min_size"] = group.min_size
    for flag in ("publicly_listed", "accepts_newcomers", "relatives_welcome", "discreet"):
        unchanged.pop(flag, None)
        if getattr(group, flag):
            unchanged[flag] = "on"
    answer = coordinator.post(url, unchanged)
    assert "Nothing changed." in page(coordinator, answer.url)
    answer = coordinator.post(url, {**unchanged, "description": "Wir treffen uns montags."})
    assert "Saved: Description." in page(coordinator, answer.url)
    group.refresh_from_db()
    assert group.description == "Wir treffen uns montags."


def test_the_life_cycle_takes_a_reason_and_closing_is_confirmed_with_its_effects(
    coordinator, centre_a, weekly_series, group_a
):
    MembershipFactory(group=group_a, person=PersonFactory(centre=centre_a, email="m1@example.net"))
    MembershipFactory(group=group_a, person=PersonFactory(centre=centre_a, email=""))
    url = f"/centres/{centre_a.slug}/workspace/groups/{group_a.pk}/status/"
    assert 'value="starting"' not in page(coordinator, url)  # the group is starting: only its next steps
    paused = coordinator.post(url, {"status": "paused", "reason": "Summer break"})
    group_a.refresh_from_db()
    assert (group_a.status, group_a.status_reason) == ("paused", "Summer break")
    assert "“Dienstagsgruppe” is now Paused." in page(coordinator, paused.url)
    assert "Summer break" in page(coordinator, paused.url)
    no_reason = coordinator.post(url, {"status": "closed", "reason": " "})
    assert no_reason.status_code == 400
    assert "Say why the group closes." in no_reason.content.decode()
    later = every(Meeting).filter(group=group_a, status="scheduled", starts_at__gte=timezone.now()).count()
    no_end_reason = coordinator.post(url, {"status": "closed", "reason": "Members moved away"})
    assert no_end_reason.status_code == 400
    assert "Choose why the group ends." in no_end_reason.content.decode()
    asked = coordinator.post(url, {"status": "closed", "reason": "Members moved away", "end_reason": "too_few"})
    text = asked.content.decode()
    assert f"{later} later meetings will be cancelled" in text
    assert "2 members will be told." in text  # one by mail, one on the list to phone
    group_a.refresh_from_db()
    assert group_a.status == "paused"
    assert "Too few members" in text
    closed = coordinator.post(
        url, {"status": "closed", "reason": "Members moved away", "end_reason": "too_few", "confirm": "yes"}
    )
    group_a.refresh_from_db()
    assert (group_a.status, group_a.status_reason, group_a.end_reason) == ("closed", "Members moved away", "too_few")
    assert not every(Meeting).filter(group=group_a, status="scheduled", starts_at__gte=timezone.now()).exists()
    assert f"{later} later meetings are cancelled; 2 members are told." in page(coordinator, closed.url)
    refused = coordinator.post(url, {"status": "starting", "reason": ""})
    assert refused.status_code == 400
    group_a.refresh_from_db()
    assert group_a.status == "closed"


def test_the_group_list_filters_by_status_and_hides_other_centres(coordinator, centre_a, group_a, group_b):
    GroupFactory(centre=centre_a, name="Geschlossene Runde", status="closed")
    listed = page(coordinator, f"/centres/{centre_a.slug}/workspace/groups/?status=closed")
    assert "Geschlossene Runde" in listed
    assert "Dienstagsgruppe" not in listed
    assert "No group matches" in page(coordinator, f"/centres/{centre_a.slug}/workspace/groups/?q=nothing-like-it")
    other = coordinator.get(f"/centres/{centre_a.slug}/workspace/groups/{group_b.pk}/")
    assert other.status_code == 404


def test_the_roster_finds_and_adds_a_known_person_and_a_new_one(coordinator, centre_a, group_a, person_a, person_b):
    found = page(coordinator, f"/centres/{centre_a.slug}/workspace/groups/{group_a.pk}/?find=alma")
    assert "Add Alma A." in found
    assert "Bodil" not in page(coordinator, f"/centres/{centre_a.slug}/workspace/groups/{group_a.pk}/?find=bodil")
    url = f"/centres/{centre_a.slug}/workspace/groups/{group_a.pk}/roster/"
    added = coordinator.post(url, {"person": person_a.pk, "role": "member"})
    assert "Alma A. is now in the group." in page(coordinator, added.url)
    coordinator.post(
        url, {"display_name": "Berta B.", "email": "berta@example.net", "language": "de", "role": "relative"}
    )
    roster = {(m.person.display_name, m.role) for m in every(Membership).filter(group=group_a)}
    assert roster == {("Alma A.", "member"), ("Berta B.", "relative")}
    foreign = coordinator.post(url, {"person": person_b.pk, "role": "member"})
    assert "Nobody was added" in page(coordinator, foreign.url)
    assert every(Membership).filter(group=group_a).count() == 2


def test_adding_to_a_closed_group_creates_no_person(coordinator, centre_a):
    closed = GroupFactory(centre=centre_a, status="closed")
    url = f"/centres/{centre_a.slug}/workspace/groups/{closed.pk}/roster/"
    answer = coordinator.post(url, {"display_name": "Carla C.", "email": "carla@example.net", "role": "member"})
    assert "Nobody was added: The group is closed." in page(coordinator, answer.url)
    assert not every(Person).filter(display_name="Carla C.").exists()


def test_ending_a_membership_asks_first_then_dates_it(coordinator, centre_a, group_a, person_a):
    membership = MembershipFactory(group=group_a, person=person_a)
    url = f"/centres/{centre_a.slug}/workspace/groups/{group_a.pk}/roster/{membership.pk}/end/"
    assert "End Alma A.'s membership of Dienstagsgruppe?" in page(coordinator, url)
    membership.refresh_from_db()
    assert membership.left_on is None
    ended = coordinator.post(url)
    membership.refresh_from_db()
    assert membership.left_on == timezone.localdate()
    assert "Alma A. has left “Dienstagsgruppe”" in page(coordinator, ended.url)
    again = coordinator.post(url)
    assert again.status_code == 409
    assert "This person has already left the group." in again.content.decode()


def test_fresh_links_replace_the_calendar_link_and_mail_the_member(coordinator, centre_a, group_a, person_a):
    membership = MembershipFactory(group=group_a, person=person_a)
    old = CalendarToken.objects.create(centre=centre_a, person=person_a, membership=membership)
    url = f"/centres/{centre_a.slug}/workspace/groups/{group_a.pk}/roster/{membership.pk}/links/"
    assert "alma@example.net" in page(coordinator, url)
    assert not every(OutgoingMail).exists()
    sent = coordinator.post(url)
    assert "Fresh links are on their way to Alma A." in page(coordinator, sent.url)
    old.refresh_from_db()
    new = every(CalendarToken).get(membership=membership, revoked_at__isnull=True)
    assert old.revoked_at is not None
    (mail,) = every(OutgoingMail).all()
    assert mail.recipient == "alma@example.net"
    assert new.token in mail.content.body_text
    assert "Dienstagsgruppe" not in mail.content.subject
    coordinator.post(url)
    assert every(OutgoingMail).count() == 2  # each resend is a new mail with a new link


def test_fresh_links_need_an_address(coordinator, centre_a, group_a):
    membership = MembershipFactory(group=group_a, person=PersonFactory(centre=centre_a, email=""))
    answer = coordinator.post(f"/centres/{centre_a.slug}/workspace/groups/{group_a.pk}/roster/{membership.pk}/links/")
    assert answer.status_code == 400
    assert "no e-mail address" in answer.content.decode()
    assert not every(CalendarToken).exists()


def closure_form(**overrides) -> dict:
    return {"starts_on": "2026-12-08", "ends_on": "2026-12-09", "reason": "Betriebsausflug", **overrides}


def test_a_closure_shows_what_it_cancels_before_it_is_made(coordinator, centre_a, weekly_series, group_a):
    MembershipFactory(group=group_a, person=PersonFactory(centre=centre_a))
    url = f"/centres/{centre_a.slug}/workspace/closures/"
    asked = coordinator.post(url, closure_form())
    assert "This cancels 1 meeting (1 groups); its members are told." in asked.content.decode()
    assert not every(Closure).exists()
    made = coordinator.post(url, {**closure_form(), "confirm": "yes"})
    closure = every(Closure).get()
    assert "Closed: Betriebsausflug. 1 meeting is cancelled" in page(coordinator, made.url)
    tuesday = every(Meeting).get(series=weekly_series, starts_at__date="2026-12-08")
    assert (tuesday.status, tuesday.closure) == ("cancelled", closure)
    delete = f"/centres/{centre_a.slug}/workspace/closures/{closure.pk}/delete/"
    assert "Lift “Betriebsausflug”?" in page(coordinator, delete)
    lifted = coordinator.post(delete)
    assert "1 meeting takes place again" in page(coordinator, lifted.url)
    tuesday.refresh_from_db()
    assert tuesday.status == "scheduled"


def test_a_bad_closure_is_refused_by_name_and_made_not(coordinator, centre_a, weekly_series):
    url = f"/centres/{centre_a.slug}/workspace/closures/"
    backwards = coordinator.post(url, {**closure_form(starts_on="2026-12-10"), "confirm": "yes"})
    assert backwards.status_code == 400
    assert "The last day cannot be before the first day." in backwards.content.decode()
    no_reason = coordinator.post(url, {**closure_form(reason=""), "confirm": "yes"})
    assert no_reason.status_code == 400
    assert not every(Closure).exists()
    assert every(AuditLogEntry).filter(object_type="meetings.closure").count() == 0


def test_a_cancelled_meeting_is_reinstated_from_its_page(coordinator, centre_a, weekly_series):
    meeting = every(Meeting).filter(series=weekly_series).order_by("starts_at").first()
    url = f"/centres/{centre_a.slug}/planner/meetings/{meeting.pk}/"
    coordinator.post(url + "cancel/", {"confirm": "yes"})
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"
    assert "Reinstate the meeting" in page(coordinator, url)
    answer = coordinator.post(url + "reinstate/")
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"
    assert "The meeting takes place again." in page(coordinator, answer.url)
    again = coordinator.post(url + "reinstate/")
    assert again.status_code == 409
    assert "This meeting is not cancelled." in again.content.decode()


def test_moving_to_the_same_time_and_room_changes_nothing(coordinator, centre_a, weekly_series, room_a):
    meeting = every(Meeting).filter(series=weekly_series).order_by("starts_at").first()
    url = f"/centres/{centre_a.slug}/planner/meetings/{meeting.pk}/"
    start = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M")
    answer = coordinator.post(url + "move/", {"starts_at": start, "room": room_a.pk})
    assert answer.url == url
    assert "Nothing changed: the meeting keeps its time and room." in page(coordinator, answer.url)
    before = meeting.sequence
    meeting.refresh_from_db()
    assert meeting.sequence == before


def test_a_cancellation_and_a_closure_offer_undo_once(coordinator, centre_a, weekly_series):
    meeting = every(Meeting).filter(series=weekly_series).order_by("starts_at").first()
    url = f"/centres/{centre_a.slug}/planner/meetings/{meeting.pk}/"
    cancelled = coordinator.post(url + "cancel/", {"confirm": "yes"})
    shown = coordinator.get(cancelled.url).content.decode()
    assert f'action="{url}reinstate/"' in shown
    assert "Undo: it takes place" in shown
    assert "Undo: it takes place" not in coordinator.get(cancelled.url).content.decode()  # offered once
    coordinator.post(url + "reinstate/")
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"
    made = coordinator.post(f"/centres/{centre_a.slug}/workspace/closures/", {**closure_form(), "confirm": "yes"})
    closure = every(Closure).get()
    shown = coordinator.get(made.url).content.decode()
    assert f'action="/centres/{centre_a.slug}/workspace/closures/{closure.pk}/delete/"' in shown
    coordinator.post(f"/centres/{centre_a.slug}/workspace/closures/{closure.pk}/delete/")
    assert not every(Closure).exists()


def test_every_error_in_the_summary_links_to_its_field_radio_buttons_too(coordinator, centre_a, group_a):
    """The class: a summary link aimed at a group of radio buttons once pointed at "#" (their
    label has no single input). Each link must name an element on the page."""
    import re

    url = f"/centres/{centre_a.slug}/workspace/groups/{group_a.pk}/status/"
    answer = coordinator.post(url, {"status": "", "reason": ""})
    assert answer.status_code == 400
    text = answer.content.decode()
    summary = text[text.index('id="error-summary"') :].split("</div>")[0]
    targets = re.findall(r'href="#([^"]*)"', summary)
    assert targets
    assert all(target and f'id="{target}"' in text for target in targets), targets
