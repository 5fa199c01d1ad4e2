"""Intake and placement: the public enquiry, the intake queue's state machine, the conversation
in a booked room, matching with reasons, placement with capacity (and the last-place race),
waiting lists and founding, retention, reports, and that no enquiry data reaches public pages."""

import re
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from centres.models import AuditLogEntry, ConsentRecord, Person
from centres.scoping import all_centres_scope
from config.errors import ConflictError
from intake.models import FINISHED, Enquiry, EnquiryNote
from intake.selectors import enquiries_by_month, group_suggestions
from intake.services.founding import founding_suggestions_notify
from intake.services.placement import enquiry_place
from intake.services.queue import (
    TRANSITIONS,
    enquiry_conversation_schedule,
    enquiry_note_add,
    enquiry_transition,
    enquiry_wait,
)
from intake.services.retention import enquiries_anonymise_due
from intake.services.submission import CONSENT_TEXT_VERSION, enquiry_confirm, enquiry_submit
from meetings.models import Group, Meeting, Membership
from notifications.models import OutgoingMail
from tests.factories import GroupFactory, PersonFactory, TopicFactory, every
from tests.intake.test_intake_known_address import confirmation_path
from volunteers.models import RecruitmentNeed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]
E = Enquiry.Status


def without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def form_data(topic, **overrides) -> dict:
    return {
        "name": "Zacharias Geheim",
        "email": "zacharias@example.net",
        "language": "de",
        "topics": [str(topic.pk)],
        "weekdays": ["1"],
        "evening": "on",
        "message": "Seit dem Tod meiner Frau schlafe ich schlecht.",
        "consent": "on",
        **overrides,
    }


@pytest.fixture
def grief(centre_a):
    return TopicFactory(centre=centre_a, name="Trauer")


def make_enquiry(centre, topic, *, status=E.NEW, email=None, language="de", **values) -> Enquiry:
    with all_centres_scope():
        enquiry = enquiry_submit(
            actor=None,
            centre=centre,
            name=values.pop("name", "Someone"),
            email=email if email is not None else f"e{every(Enquiry).count()}@example.net",
            language=language,
            topics=[topic],
            consent=True,
            channel=Enquiry.Channel.PHONE,
            **values,
        )
        if status != E.NEW:
            every(Enquiry).filter(pk=enquiry.pk).update(status=status)
            enquiry.refresh_from_db()
    return enquiry


# --- the public enquiry ---------------------------------------------------------------------------


def test_an_enquiry_is_stored_with_its_consent_and_the_answer_never_tells_if_known(client, centre_a, grief):
    first = client.post(f"/centres/{centre_a.slug}/enquiry/", form_data(grief))
    again = client.post(f"/centres/{centre_a.slug}/enquiry/", form_data(grief, name="Someone else"))
    assert first.status_code == again.status_code == 200
    assert without_csrf(first) == without_csrf(again)
    with all_centres_scope():
        enquiries = list(every(Enquiry).select_related("person").order_by("pk"))
        assert len(enquiries) == 2
        # The known address keeps its person and name; a stranger cannot rename them, nor attach
        # an enquiry to them: it waits for the address to confirm (test_intake_known_address.py).
        assert enquiries[0].person.display_name == "Zacharias Geheim"
        assert (enquiries[1].person, enquiries[1].awaiting_confirmation) == (None, True)
        assert list(enquiries[0].topics.all()) == [grief]
        assert (enquiries[0].channel, enquiries[0].weekdays, enquiries[0].evening) == ("web", [1], True)
        consents = every(ConsentRecord).filter(person=enquiries[0].person, purpose="health_data")
        assert {consent.text_version for consent in consents} == {CONSENT_TEXT_VERSION}


def test_an_enquiry_needs_a_way_to_reach_the_person_and_the_consent(client, centre_a, grief):
    page = client.post(f"/centres/{centre_a.slug}/enquiry/", form_data(grief, email="", consent=""))
    assert page.status_code == 400
    content = page.content.decode()
    assert "Give an e-mail address or a phone number" in content
    assert not every(Enquiry).exists()
    by_phone = client.post(f"/centres/{centre_a.slug}/enquiry/", form_data(grief, email="", phone="0511 123"))
    assert by_phone.status_code == 200
    assert every(Enquiry).get().person.phone == "0511 123"


def test_the_honeypot_stores_nothing_and_the_rate_limit_stops_floods(client, centre_a, grief, settings):
    trapped = client.post(f"/centres/{centre_a.slug}/enquiry/", form_data(grief, website="http://spam"))
    assert trapped.status_code == 200
    assert not every(Enquiry).exists()
    for _ in range(9):
        client.post(f"/centres/{centre_a.slug}/enquiry/", form_data(grief))
    assert client.post(f"/centres/{centre_a.slug}/enquiry/", form_data(grief)).status_code == 429
    assert every(Enquiry).count() == 9


def test_the_public_api_takes_an_enquiry_and_refuses_another_centres_topic(anonymous_api, centre_a, centre_b, grief):
    foreign = TopicFactory(centre=centre_b, name="Sorg")
    payload = {"name": "Z.", "email": "z@example.net", "language": "de", "topics": [grief.pk], "consent": True}
    url = f"/api/v1/centres/{centre_a.slug}/enquiries/"
    assert anonymous_api.post(url, payload, format="json").status_code == 202
    refused = anonymous_api.post(url, {**payload, "topics": [foreign.pk]}, format="json")
    assert (refused.status_code, list(refused.json()["error"]["fields"])) == (400, ["topics"])
    no_consent = anonymous_api.post(url, {**payload, "consent": False}, format="json")
    assert (no_consent.status_code, list(no_consent.json()["error"]["fields"])) == (400, ["consent"])
    assert every(Enquiry).count() == 1
    assert anonymous_api.post("/api/v1/centres/nowhere/enquiries/", payload, format="json").status_code == 404


def test_no_enquiry_data_reaches_public_pages_feeds_or_mail_subjects(client, centre_a, grief, weekly_series):
    client.post(f"/centres/{centre_a.slug}/enquiry/", form_data(grief))
    with all_centres_scope():
        enquiry = every(Enquiry).get()
        enquiry_transition(actor=None, enquiry=enquiry, to=E.CONTACTED)
        enquiry_conversation_schedule(
            actor=None,
            enquiry=enquiry,
            kind="in_person",
            starts_at=datetime(2026, 12, 3, 10, 0, tzinfo=UTC),
            room=weekly_series.room,
        )
        enquiry_note_add(actor=None, enquiry=enquiry, text="Zacharias wirkt erschöpft")
    group = weekly_series.group
    public = [
        "/",
        f"/centres/{centre_a.slug}/enquiry/",
        f"/centres/{centre_a.slug}/volunteer/",
        f"/centres/{centre_a.slug}/newsletter/",
        f"/calendar/groups/{group.public_id}.ics",
    ]
    for path in public:
        page = client.get(path).content.decode()
        for secret in ("Zacharias", "Geheim", "zacharias@example.net", "schlafe", "erschöpft"):
            assert secret not in page, (path, secret)
    with all_centres_scope():
        booking = every(Meeting).get(group__isnull=True)
        assert booking.title == "Erstgespräch"  # neutral, in the centre's language
        for mail in every(OutgoingMail).select_related("content"):
            assert "Zacharias" not in mail.subject
            assert grief.name not in mail.subject
            assert grief.name not in mail.body_text


# --- the intake queue -----------------------------------------------------------------------------

ALL = list(E.values)


@pytest.mark.parametrize("start", ALL)
@pytest.mark.parametrize("target", [E.CONTACTED, E.CONVERSATION_HELD, E.REFERRED, E.WITHDRAWN, E.CLOSED])
def test_every_queue_transition_is_allowed_or_refused(centre_a, grief, start, target, api_a):
    enquiry = make_enquiry(centre_a, grief, status=start)
    answer = api_a.post(
        f"/api/v1/enquiries/{enquiry.pk}/transition/", {"to": target, "referred_to": "Beratungsstelle"}, format="json"
    )
    enquiry.refresh_from_db()
    if target in TRANSITIONS[start]:
        assert (answer.status_code, enquiry.status) == (200, target)
        if target in FINISHED:
            assert enquiry.finished_at is not None
    else:
        assert (answer.status_code, enquiry.status) == (409, start)


def test_placing_and_waiting_only_follow_the_conversation(centre_a, grief, group_a, api_a):
    early = make_enquiry(centre_a, grief)
    assert api_a.post(f"/api/v1/enquiries/{early.pk}/place/", {"group": group_a.pk}, format="json").status_code == 409
    assert api_a.post(f"/api/v1/enquiries/{early.pk}/wait/", {}, format="json").status_code == 409
    refer = api_a.post(f"/api/v1/enquiries/{early.pk}/transition/", {"to": "referred"}, format="json")
    assert (refer.status_code, list(refer.json()["error"]["fields"])) == (400, ["referred_to"])


def test_the_conversation_books_a_room_without_clashes_and_withdrawal_frees_it(centre_a, grief, weekly_series, api_a):
    room, first, second = weekly_series.room, make_enquiry(centre_a, grief), make_enquiry(centre_a, grief)
    slot = {"kind": "in_person", "starts_at": "2026-12-03T10:00:00+01:00", "room": room.pk}
    booked = api_a.post(f"/api/v1/enquiries/{first.pk}/schedule-conversation/", slot, format="json")
    assert booked.json()["status"] == "conversation_scheduled"
    clash = api_a.post(f"/api/v1/enquiries/{second.pk}/schedule-conversation/", slot, format="json")
    assert clash.status_code == 409
    # The group's own meeting in the room is a clash too.
    tuesday = {**slot, "starts_at": "2026-12-01T19:30:00+01:00"}
    assert (
        api_a.post(f"/api/v1/enquiries/{second.pk}/schedule-conversation/", tuesday, format="json").status_code == 409
    )
    api_a.post(f"/api/v1/enquiries/{first.pk}/transition/", {"to": "withdrawn"}, format="json")
    assert api_a.post(f"/api/v1/enquiries/{second.pk}/schedule-conversation/", slot, format="json").status_code == 200
    by_phone = api_a.post(
        f"/api/v1/enquiries/{first.pk}/schedule-conversation/",
        {"kind": "phone", "starts_at": "2026-12-03T10:00:00+01:00"},
        format="json",
    )
    assert by_phone.status_code == 409  # withdrawn is final


def test_notes_are_for_staff_audited_without_their_text_and_reading_is_audited(centre_a, grief, api_a):
    enquiry = make_enquiry(centre_a, grief)
    note = api_a.post(f"/api/v1/enquiries/{enquiry.pk}/notes/", {"text": "calls back after 18:00"}, format="json")
    assert note.status_code == 201
    detail = api_a.get(f"/api/v1/enquiries/{enquiry.pk}/").json()
    assert [n["text"] for n in detail["notes"]] == ["calls back after 18:00"]
    with all_centres_scope():
        actions = list(
            every(AuditLogEntry)
            .filter(object_type__in=["intake.enquiry", "intake.enquirynote"])
            .values_list("object_type", "action")
        )
        assert ("intake.enquirynote", "create") in actions
        assert ("intake.enquiry", "view") in actions
        assert "calls back" not in str(list(every(AuditLogEntry).values()))


def test_another_centres_staff_see_and_change_nothing(centre_a, centre_b, grief, group_a, centre_admin_b):
    from tests.conftest import token_client

    enquiry = make_enquiry(centre_a, grief)
    other = token_client(centre_admin_b)
    assert other.get(f"/api/v1/enquiries/{enquiry.pk}/").status_code == 404
    assert other.get("/api/v1/enquiries/").json()["results"] == []
    assert other.post(f"/api/v1/enquiries/{enquiry.pk}/notes/", {"text": "x"}, format="json").status_code == 404
    assert other.get("/api/v1/waiting-lists/").json() == []
    assert not every(EnquiryNote).exists()


# --- matching and placement -----------------------------------------------------------------------


@pytest.fixture
def held(centre_a, grief):
    return make_enquiry(centre_a, grief, status=E.CONVERSATION_HELD, weekdays=[1], evening=True, is_relative=True)


def test_matching_ranks_groups_and_explains_each_score(held, centre_a, grief, weekly_series):
    tuesday = weekly_series.group
    every(Group).filter(pk=tuesday.pk).update(topic=grief, languages=["de"], relatives_welcome=True)
    GroupFactory(centre=centre_a, name="Andere", languages=["de"])
    full = GroupFactory(centre=centre_a, name="Voll", topic=grief, languages=["de"], min_size=2, max_size=2)
    for _ in range(2):
        every(Membership).create(
            centre=centre_a, group=full, person=PersonFactory(centre=centre_a), joined_on=date(2026, 1, 1)
        )
    closed = GroupFactory(centre=centre_a, name="Geschlossen", topic=grief, languages=["da"], accepts_newcomers=False)
    with all_centres_scope():
        ranked = group_suggestions(held)
    assert [s.group.name for s in ranked] == ["Dienstagsgruppe", "Voll", "Andere", "Geschlossen"]
    best = ranked[0]
    assert best.reasons == [
        "on the topic asked for: Trauer",
        "meets in the preferred language",
        "meets on a day that suits",
        "meets at a time of day that suits",
        "welcomes relatives",
        f"{best.free_places} places free",
    ]
    assert best.score == 4 + 3 + 2 + 1 + 1 + 1
    assert ranked[1].reasons[-1] == "full"
    assert ranked[-1].reasons[-1] == "takes no newcomers at the moment"
    assert closed.pk == ranked[-1].group.pk


def test_placement_makes_the_membership_and_sends_a_neutral_welcome(held, weekly_series, api_a, grief):
    group = weekly_series.group
    answer = api_a.post(f"/api/v1/enquiries/{held.pk}/place/", {"group": group.pk}, format="json")
    assert (answer.status_code, answer.json()["status"], answer.json()["placed_group"]) == (200, "placed", group.pk)
    with all_centres_scope():
        membership = every(Membership).get(group=group, person=held.person)
        assert membership.role == "relative"  # asked as a relative
    (welcome,) = welcome_mails(held.person.email)
    assert "/m/" in welcome.body_text
    assert "/calendar/people/" in welcome.body_text
    assert grief.name not in welcome.subject
    assert group.name not in welcome.subject


def welcome_mails(email: str) -> list[OutgoingMail]:
    mails = every(OutgoingMail).select_related("content").filter(recipient=email, kind="system")
    return [mail for mail in mails if "/calendar/people/" in mail.body_text]


def test_a_full_group_or_one_closed_to_newcomers_needs_an_audited_override(held, centre_a, grief, api_a):
    full = GroupFactory(centre=centre_a, topic=grief, min_size=2, max_size=2)
    for _ in range(2):
        every(Membership).create(
            centre=centre_a, group=full, person=PersonFactory(centre=centre_a), joined_on=date(2026, 1, 1)
        )
    refused = api_a.post(f"/api/v1/enquiries/{held.pk}/place/", {"group": full.pk}, format="json")
    assert (refused.status_code, "full" in refused.json()["error"]["message"]) == (409, True)
    placed = api_a.post(f"/api/v1/enquiries/{held.pk}/place/", {"group": full.pk, "override": True}, format="json")
    assert placed.status_code == 200
    with all_centres_scope():
        assert every(Membership).filter(group=full, left_on__isnull=True).count() == 3
        entries = (
            every(AuditLogEntry).filter(object_type="meetings.membership").values_list("changed_fields", flat=True)
        )
        assert [fields for fields in entries if "placed_with_override" in fields] == [["placed_with_override"]]


def test_a_group_of_another_centre_cannot_be_chosen(held, group_b, api_a):
    answer = api_a.post(f"/api/v1/enquiries/{held.pk}/place/", {"group": group_b.pk}, format="json")
    assert answer.status_code == 400
    assert not every(Membership).filter(group=group_b).exists()


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_placing_two_people_into_the_last_place_at_once_one_succeeds(
    requires_postgres, centre_a, grief
):
    group = GroupFactory(centre=centre_a, topic=grief, min_size=2, max_size=2)
    every(Membership).create(
        centre=centre_a, group=group, person=PersonFactory(centre=centre_a), joined_on=date(2026, 1, 1)
    )
    first = make_enquiry(centre_a, grief, status=E.CONVERSATION_HELD)
    second = make_enquiry(centre_a, grief, status=E.CONVERSATION_HELD)
    barrier, outcomes = threading.Barrier(2), []

    def place(enquiry) -> None:
        barrier.wait()
        try:
            with all_centres_scope():
                enquiry_place(actor=None, enquiry=enquiry, group=group)
            outcomes.append("placed")
        except ConflictError as error:
            outcomes.append(f"refused: {error.message}")
        finally:
            connection.close()

    threads = [threading.Thread(target=place, args=(enquiry,)) for enquiry in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[0] == "placed"
    assert sorted(outcomes)[1].startswith("refused: The group is full")
    with all_centres_scope():
        assert every(Membership).filter(group=group, left_on__isnull=True).count() == 2
        assert every(Enquiry).filter(status=E.PLACED).count() == 1


# --- waiting lists and founding -------------------------------------------------------------------


def test_a_long_enough_waiting_list_suggests_founding_once_a_day(centre_a, grief, coordinator_a, api_a):
    for _ in range(3):
        enquiry_wait(actor=None, enquiry=make_enquiry(centre_a, grief, status=E.CONVERSATION_HELD))
    lists = api_a.get("/api/v1/waiting-lists/").json()
    assert [(row["topic_name"], row["language"], row["waiting"], row["ready_to_found"]) for row in lists] == [
        ("Trauer", "de", 3, False)
    ]
    assert founding_suggestions_notify() == 0
    enquiry_wait(actor=None, enquiry=make_enquiry(centre_a, grief, status=E.CONVERSATION_HELD))
    assert api_a.get("/api/v1/waiting-lists/").json()[0]["ready_to_found"] is True
    assert founding_suggestions_notify() == 1
    assert founding_suggestions_notify() == 0  # the same day: nothing again
    mail = every(OutgoingMail).select_related("content").get(recipient=coordinator_a.email)
    assert "Trauer (de): 4" in mail.body_text


def test_founding_from_the_waiting_list_places_invites_and_raises_a_starter_need(centre_a, grief, api_a):
    waiting = [make_enquiry(centre_a, grief, status=E.CONVERSATION_HELD) for _ in range(4)]
    for enquiry in waiting:
        enquiry_wait(actor=None, enquiry=enquiry)
    someone_else = make_enquiry(centre_a, grief, status=E.CONVERSATION_HELD, language="en")
    enquiry_wait(actor=None, enquiry=someone_else)
    answer = api_a.post(
        "/api/v1/waiting-lists/found-group/",
        {"topic": grief.pk, "language": "de", "name": "Neuer Trauerkreis"},
        format="json",
    )
    assert answer.status_code == 201
    with all_centres_scope():
        group = every(Group).get(pk=answer.json()["group"])
        assert (group.status, group.languages, group.topic) == ("forming", ["de"], grief)
        members = set(every(Membership).filter(group=group).values_list("person_id", flat=True))
        assert members == {enquiry.person_id for enquiry in waiting}
        assert set(every(Enquiry).filter(pk__in=[e.pk for e in waiting]).values_list("status", flat=True)) == {"placed"}
        assert every(Enquiry).get(pk=someone_else.pk).status == "waiting"
        assert all(len(welcome_mails(enquiry.person.email)) == 1 for enquiry in waiting)
        assert every(RecruitmentNeed).filter(key=f"group:{group.pk}", resolved_at__isnull=True).exists()


def test_founding_refuses_people_from_another_list(centre_a, grief, api_a):
    other_topic = TopicFactory(centre=centre_a, name="Sucht")
    waiting = [make_enquiry(centre_a, grief, status=E.CONVERSATION_HELD) for _ in range(2)]
    stranger = make_enquiry(centre_a, other_topic, status=E.CONVERSATION_HELD)
    for enquiry in [*waiting, stranger]:
        enquiry_wait(actor=None, enquiry=enquiry)
    answer = api_a.post(
        "/api/v1/waiting-lists/found-group/",
        {"topic": grief.pk, "language": "de", "name": "X", "enquiries": [waiting[0].pk, stranger.pk]},
        format="json",
    )
    assert (answer.status_code, list(answer.json()["error"]["fields"])) == (400, ["enquiries"])
    assert not every(Group).filter(name="X").exists()


# --- retention and reports ------------------------------------------------------------------------


def test_finished_enquiries_are_anonymised_after_the_centres_period_and_counts_remain(
    centre_a, grief, frozen_now, group_a
):
    frozen_now(datetime(2026, 1, 10, 9, 0, tzinfo=UTC))
    gone = make_enquiry(centre_a, grief, name="Nur Anfrage", email="nur@example.net", message="privat")
    member = make_enquiry(centre_a, grief, name="Auch Mitglied", email="mitglied@example.net")
    with all_centres_scope():
        every(Membership).create(centre=centre_a, group=group_a, person=member.person, joined_on=date(2026, 1, 1))
        enquiry_note_add(actor=None, enquiry=gone, text="vertraulich")
        enquiry_transition(actor=None, enquiry=gone, to=E.CLOSED)
        enquiry_transition(actor=None, enquiry=member, to=E.WITHDRAWN)
    frozen_now(datetime(2026, 7, 1, 9, 0, tzinfo=UTC))  # under six months
    assert enquiries_anonymise_due() == 0
    frozen_now(datetime(2026, 7, 20, 9, 0, tzinfo=UTC))
    assert enquiries_anonymise_due() == 2
    assert enquiries_anonymise_due() == 0
    with all_centres_scope():
        anonymised = every(Enquiry).get(pk=gone.pk)
        assert (anonymised.person_id, anonymised.message, anonymised.anonymised_at is not None) == (None, "", True)
        assert not every(EnquiryNote).exists()
        assert not every(Person).filter(email="nur@example.net").exists()
        assert every(Person).filter(email="mitglied@example.net").exists()  # still a member
        rows = enquiries_by_month(centre_ids=[centre_a.pk], start=date(2026, 1, 1), end=date(2026, 1, 31))
    assert sorted((row["outcome"], row["enquiries"]) for row in rows) == [("closed", 1), ("withdrawn", 1)]


def test_a_centre_sets_its_own_retention_period(centre_a, grief, frozen_now):
    centre_a.enquiry_retention_months = 1
    centre_a.save(update_fields=["enquiry_retention_months"])
    frozen_now(datetime(2026, 1, 10, 9, 0, tzinfo=UTC))
    enquiry = make_enquiry(centre_a, grief)
    with all_centres_scope():
        enquiry_transition(actor=None, enquiry=enquiry, to=E.CLOSED)
    frozen_now(datetime(2026, 2, 15, 9, 0, tzinfo=UTC))
    assert enquiries_anonymise_due() == 1


def test_reports_count_by_month_channel_topic_and_outcome_and_export_csv(client, centre_a, grief, group_a, api_a):
    client.post(f"/centres/{centre_a.slug}/enquiry/", form_data(grief))
    held = make_enquiry(centre_a, grief, status=E.CONVERSATION_HELD)
    enquiry_place(actor=None, enquiry=held, group=group_a)
    # This month, first to last day: the enquiries are made today, whichever day of the month it is.
    month = timezone.localdate().replace(day=1)
    month_end = (month + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    query = f"?start={month}&end={month_end}"
    rows = api_a.get("/api/v1/intake-reports/monthly/" + query).json()
    assert sorted((r["channel"], r["topic"], r["outcome"], r["enquiries"]) for r in rows) == [
        ("phone", "Trauer", "placed", 1),
        ("web", "Trauer", "new", 1),
    ]
    csv = api_a.get("/api/v1/intake-reports/monthly-csv/" + query).content.decode()
    assert csv.splitlines()[0] == "month,centre,channel,topic,outcome,enquiries"
    assert "Zacharias" not in csv
    times = api_a.get("/api/v1/intake-reports/waiting-times/" + query).json()
    assert (times["placed"], times["days_to_placement_median"]) == (1, 0)
    bad = api_a.get("/api/v1/intake-reports/monthly/?start=2026-05-01&end=2026-01-01")
    assert (bad.status_code, list(bad.json()["error"]["fields"])) == (400, ["end"])


def test_the_demo_has_enquiries_in_every_state(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo")
    for slug in ("hannover-linden", "aarhus"):
        states = set(every(Enquiry).filter(centre__slug=slug).values_list("status", flat=True))
        assert states == set(E.values), slug
    count = every(Enquiry).count()
    call_command("seed_demo")  # again: nothing new
    assert every(Enquiry).count() == count


# --- review findings ------------------------------------------------------------------------------


def test_anonymising_leaves_no_trace_to_the_person(client, centre_a, grief, frozen_now):
    frozen_now(datetime(2026, 1, 10, 9, 0, tzinfo=UTC))
    known = PersonFactory(centre=centre_a, display_name="Schon bekannt", email="bekannt@example.net")
    client.post(f"/centres/{centre_a.slug}/enquiry/", form_data(grief, email="bekannt@example.net"))
    with all_centres_scope():
        client.post(confirmation_path(every(Enquiry).get()))  # the known address confirms it
        enquiry = every(Enquiry).get()
        assert enquiry.person_created is False
        assert every(OutgoingMail).filter(recipient="bekannt@example.net").count() == 1
        enquiry_transition(actor=None, enquiry=enquiry, to=E.REFERRED, referred_to="Beratung")
    frozen_now(datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    with all_centres_scope():
        enquiry_transition(actor=None, enquiry=enquiry, to=E.CLOSED)  # the clock does not restart
    frozen_now(datetime(2026, 7, 20, 9, 0, tzinfo=UTC))
    assert enquiries_anonymise_due() == 1
    with all_centres_scope():
        enquiry.refresh_from_db()
        assert (enquiry.person_id, enquiry.referred_to, timezone.localtime(enquiry.created_at).day) == (None, "", 1)
        assert not every(OutgoingMail).filter(recipient="bekannt@example.net").exists()
        assert not every(ConsentRecord).filter(person=known, purpose="health_data").exists()
        # Known before the enquiry: the person stays.
        assert every(Person).filter(pk=known.pk).exists()


def test_the_conversation_moves_to_an_overlapping_slot_in_the_same_room(centre_a, grief, room_a, api_a, frozen_now):
    frozen_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    enquiry = make_enquiry(centre_a, grief)
    slot = {"kind": "in_person", "starts_at": "2026-12-03T10:00:00+01:00", "room": room_a.pk}
    api_a.post(f"/api/v1/enquiries/{enquiry.pk}/schedule-conversation/", slot, format="json")
    moved = {**slot, "starts_at": "2026-12-03T10:15:00+01:00"}
    answer = api_a.post(f"/api/v1/enquiries/{enquiry.pk}/schedule-conversation/", moved, format="json")
    assert answer.status_code == 200
    with all_centres_scope():
        live = every(Meeting).filter(group__isnull=True, status="scheduled")
        assert [timezone.localtime(m.starts_at).strftime("%H:%M") for m in live] == ["10:15"]
    back = api_a.post(f"/api/v1/enquiries/{enquiry.pk}/transition/", {"to": "contacted"}, format="json").json()
    assert (back["conversation_kind"], back["conversation_at"], back["conversation_meeting"]) == ("", None, None)


def test_out_of_range_input_is_a_clear_400(client, centre_a, grief, room_a, api_a):
    enquiry = make_enquiry(centre_a, grief)
    far = {"kind": "in_person", "starts_at": "9999-12-31T22:00:00Z", "room": room_a.pk}
    answer = api_a.post(f"/api/v1/enquiries/{enquiry.pk}/schedule-conversation/", far, format="json")
    assert (answer.status_code, list(answer.json()["error"]["fields"])) == (400, ["starts_at"])
    report = api_a.get("/api/v1/intake-reports/monthly/?start=9999-01-01&end=9999-12-31")
    assert (report.status_code, list(report.json()["error"]["fields"])) == (400, ["start"])
    page = client.post(f"/centres/{centre_a.slug}/enquiry/", form_data(grief, topics=["99999999999999999999"]))
    assert page.status_code == 400
    signup = client.post(f"/centres/{centre_a.slug}/volunteer/", {"topics": ["99999999999999999999"]})
    assert signup.status_code == 200  # the form again, with its errors
    assert every(Enquiry).count() == 1


def test_someone_who_enquired_twice_waits_once_and_founds_once(centre_a, grief, api_a):
    twice = [make_enquiry(centre_a, grief, status=E.CONVERSATION_HELD, email="zweimal@example.net") for _ in range(2)]
    with all_centres_scope():
        enquiry_confirm(token=confirmation_path(twice[1]).split("/")[-2])  # a known address confirms
        twice[1].refresh_from_db()
    other = make_enquiry(centre_a, grief, status=E.CONVERSATION_HELD)
    for enquiry in [*twice, other]:
        enquiry_wait(actor=None, enquiry=enquiry)
    assert api_a.get("/api/v1/waiting-lists/").json()[0]["waiting"] == 2
    answer = api_a.post(
        "/api/v1/waiting-lists/found-group/", {"topic": grief.pk, "language": "de", "name": "Neu"}, format="json"
    )
    assert answer.status_code == 201
    with all_centres_scope():
        assert every(Membership).filter(group_id=answer.json()["group"]).count() == 2
        assert set(every(Enquiry).values_list("status", flat=True)) == {"placed"}


def test_the_queue_list_leaves_out_what_people_wrote_and_the_audited_detail_shows_it(client, centre_a, grief, api_a):
    client.post(f"/centres/{centre_a.slug}/enquiry/", form_data(grief))
    listed = api_a.get("/api/v1/enquiries/").json()["results"][0]
    assert "message" not in listed
    detail = api_a.get(f"/api/v1/enquiries/{listed['id']}/").json()
    assert detail["message"] == "Seit dem Tod meiner Frau schlafe ich schlecht."


def test_the_public_api_honeypot_answers_alike_and_stores_nothing(anonymous_api, centre_a, grief):
    payload = {"name": "Bot", "email": "bot@example.net", "language": "de", "consent": True, "website": "x"}
    answer = anonymous_api.post(f"/api/v1/centres/{centre_a.slug}/enquiries/", payload, format="json")
    assert answer.status_code == 202
    assert not every(Enquiry).exists()
