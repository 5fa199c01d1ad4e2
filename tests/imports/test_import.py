"""Moving a centre in from its spreadsheets: the example files in each of the four languages go in
through the same services as the workspace; a second run changes nothing; a file with a refused
row writes nothing and says which row and why; consent comes with proof or as a double opt-in."""

import io
import re
from datetime import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from centres.models import ConsentRecord
from centres.scoping import centre_scope
from imports.kinds import KINDS
from imports.reading import UnreadableFileError, sheet_read
from imports.services import MappingRefusedError, import_run, mapping_guess
from meetings.models import Group, Location, Meeting, MeetingSeries, Membership, OpeningHours, Room, Topic
from notifications.models import OutgoingMail, Subscription
from tests.factories import every
from volunteers.models import TrainingRecord, Volunteer

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "imports" / "examples"
ORDER = ("topics", "rooms", "groups", "series", "members", "volunteers", "subscribers")


def run_file(centre, kind: str, content: bytes, *, apply: bool = True, mapping=None, name: str = "file.csv"):
    with centre_scope(centre.pk):
        sheet = sheet_read(content, name)
        mapping = mapping if mapping is not None else mapping_guess(centre, KINDS[kind], sheet.headings)
        return import_run(centre=centre, actor=None, kind_key=kind, sheet=sheet, mapping=mapping, apply=apply)


def outcomes(report) -> list[str]:
    return [row.outcome for row in report.rows]


@pytest.mark.parametrize("language", ["en", "de", "da", "nl"])
def test_the_example_files_move_a_centre_in_and_a_second_run_changes_nothing(client, new_centre, language):
    centre = new_centre(language)
    for kind in ORDER:
        report = run_file(centre, kind, (EXAMPLES / language / f"{kind}.csv").read_bytes())
        assert report.applied, [(row.number, row.reason) for row in report.refused]
        assert set(outcomes(report)) <= {"created", "unchanged"}, (kind, report.rows)
    assert every(Topic).filter(centre=centre).count() == 3
    assert every(Location).filter(centre=centre).count() == 1
    assert sorted(every(Room).filter(centre=centre).values_list("capacity", "hearing_loop")) == [
        (12, False),
        (20, True),
    ]
    hours = every(OpeningHours).filter(centre=centre).order_by("weekday")
    assert [(row.weekday, f"{row.opens:%H:%M}-{row.closes:%H:%M}") for row in hours] == [
        *((day, "09:00-21:30") for day in range(5)),
        (5, "10:00-14:00"),
    ]  # the second room is open at all times: no hours
    assert every(Group).filter(centre=centre).count() == 2
    assert every(MeetingSeries).filter(group__centre=centre).count() == 2
    assert every(Meeting).filter(centre=centre, status="scheduled").exists()
    # Members: Carla's consent is proven (reminders on), Dieter is asked by mail on his own page,
    # Eva has only a phone (no mail, reminders off until she agrees).
    members = dict(every(Membership).filter(centre=centre).values_list("person__display_name", "reminder_minutes"))
    assert members == {"Carla M.": 24 * 60, "Dieter K.": None, "Eva S.": None}
    [request] = every(OutgoingMail).filter(centre=centre, recipient="dieter@example.net")
    own_page = client.get(re.search(r"https?://[^/\s]+(/m/\S+/)", request.body_text)[1])
    assert 'aria-describedby="reminder-consent"' in own_page.content.decode()  # turning them on is consent
    assert "Trauercafé" not in request.subject
    assert "Grief" not in request.subject
    assert every(ConsentRecord).filter(centre=centre, purpose="group_membership").count() == 1
    # Volunteers: Frida walks the pipeline to active (screening, training, agreement); Gerd, with
    # no proof of consent, is an applicant asked to confirm his address.
    volunteers = dict(every(Volunteer).filter(centre=centre).values_list("person__display_name", "status"))
    assert volunteers == {"Frida N.": "active", "Gerd L.": "applicant"}
    frida = every(Volunteer).get(centre=centre, person__display_name="Frida N.")
    assert (frida.screened_on.isoformat(), frida.confidentiality_signed_on.isoformat()) == ("2025-02-03", "2025-02-10")
    assert every(TrainingRecord).get(volunteer=frida).completed_on.isoformat() == "2025-03-15"
    assert every(OutgoingMail).filter(centre=centre, recipient="gerd@example.net").count() == 1
    subscriptions = dict(every(Subscription).filter(centre=centre).values_list("person__email", "status"))
    assert subscriptions == {"alma@example.net": "confirmed", "ben@example.net": "pending"}
    consent = every(ConsentRecord).get(centre=centre, person__email="alma@example.net", purpose="newsletter")
    assert (consent.source, consent.purpose, consent.given_at.date().isoformat()) == (
        "paper",
        "newsletter",
        "2025-03-01",
    )
    # Ben has no proof: he is asked to confirm (double opt-in), never sent an issue.
    asked = (
        every(OutgoingMail).filter(centre=centre, kind="newsletter_confirmation").values_list("recipient", flat=True)
    )
    assert list(asked) == ["ben@example.net"]
    for kind in ORDER:
        again = run_file(centre, kind, (EXAMPLES / language / f"{kind}.csv").read_bytes())
        assert set(outcomes(again)) == {"unchanged"}, (kind, again.rows)
    assert every(OutgoingMail).filter(centre=centre, kind="newsletter_confirmation").count() == 1
    assert every(Membership).filter(centre=centre).count() == 3  # nobody put in twice
    assert every(TrainingRecord).filter(centre=centre).count() == 1
    assert every(OutgoingMail).filter(centre=centre, recipient="gerd@example.net").count() == 1


def test_a_dry_run_says_per_row_what_would_happen_and_writes_nothing(new_centre):
    centre = new_centre("en")
    report = run_file(centre, "topics", (EXAMPLES / "en" / "topics.csv").read_bytes(), apply=False)
    assert (outcomes(report), report.applied) == (["created"] * 3, False)
    assert not every(Topic).filter(centre=centre).exists()


def test_a_refused_row_names_its_row_and_reason_and_the_file_writes_nothing(new_centre):
    centre = new_centre("en")
    for kind in ("topics", "rooms", "groups"):
        run_file(centre, kind, (EXAMPLES / "en" / f"{kind}.csv").read_bytes())
    series = (
        "Group,Location,Room,Weekday,From,To\n"
        "Grief café,House of Neighbours,Room Linden,Tuesday,19:00,21:00\n"
        "Sober Tuesdays,House of Neighbours,Room Linden,Tuesday,20:00,21:30\n"  # the same room, overlapping
        "Nobody's group,House of Neighbours,Room Linden,Monday,19:00,21:00\n"
        "Grief café,House of Neighbours,Room Ihme,Funday,19:00,21:00\n"
        "Grief café,House of Neighbours,Room Ihme,Monday,25:00,21:00\n"
    ).encode()
    report = run_file(centre, "series", series)
    assert report.applied is False
    assert outcomes(report) == ["created", "refused", "refused", "refused", "refused"]
    reasons = {row.number: row.reason for row in report.refused}
    assert reasons[3].startswith("The room is already booked: Grief café in Room Linden on"), reasons[3]
    assert "Nobody's group" in reasons[4]
    assert reasons[5].startswith("Weekday: a weekday such as Monday"), reasons[5]  # the file's own heading
    assert reasons[6].startswith("From: a time such as 19:00"), reasons[6]
    assert not every(MeetingSeries).filter(group__centre=centre).exists()  # all of a file or none of it
    fixed = series.replace(b"Room Linden,Tuesday,20:00", b"Room Ihme,Tuesday,20:00").split(b"\n")[:3]
    report = run_file(centre, "series", b"\n".join(fixed))
    assert (report.applied, outcomes(report)) == (True, ["created", "created"])


def test_spreadsheets_are_read_as_xlsx_semicolon_csv_and_windows_text(new_centre):
    centre = new_centre("de")
    book = Workbook()
    book.active.append(["Thema", "Angeboten"])
    book.active.append(["Trauer", "ja"])
    book.active.append(["Ängste", "nein"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert outcomes(run_file(centre, "topics", buffer.getvalue(), name="themen.xlsx")) == ["created", "created"]
    assert every(Topic).get(centre=centre, name="Ängste").is_offered is False
    windows = "Thema;Angeboten\nSelbstwert;ja\n".encode("cp1252")
    assert outcomes(run_file(centre, "topics", windows)) == ["created"]
    for garbage, message in ((b"", "empty"), (b"\x00\x01\x02binary", "not a CSV"), (b"PK\x03\x04broken", "XLSX")):
        with pytest.raises(UnreadableFileError, match=message):
            sheet_read(garbage, "file.csv")


def test_the_columns_are_checked_and_remembered_for_the_centres_next_file(new_centre):
    centre = new_centre("en")
    odd = b"Bezeichnung,Aktiv\nGrief,yes\n"
    with pytest.raises(MappingRefusedError, match="Name"):
        run_file(centre, "topics", odd)  # nothing says which column is the name
    with pytest.raises(MappingRefusedError, match="given twice"):
        run_file(centre, "topics", odd, mapping={"Bezeichnung": "name", "Aktiv": "name"})
    run_file(centre, "topics", odd, mapping={"Bezeichnung": "name", "Aktiv": "offered"})
    with centre_scope(centre.pk):
        assert mapping_guess(centre, KINDS["topics"], ["Bezeichnung", "Aktiv"]) == {
            "Bezeichnung": "name",
            "Aktiv": "offered",
        }


def test_consent_comes_with_proof_or_as_a_confirmation_request_and_never_resubscribes(new_centre, frozen_now):
    from datetime import UTC, datetime

    centre = new_centre("en")
    frozen_now(datetime.now(UTC))
    next_year = datetime.now(UTC).year + 1
    rows = (
        "E-mail,Newsletter,Consent date,Consent source,Consent text\n"
        f"future@example.net,Newsletter,{next_year}-01-01,paper,form\n"
        "half@example.net,Newsletter,2025-01-01,,\n"
        "not-an-address,Newsletter,,,\n"
        "nolist@example.net,Winter letter,,,\n"
    ).encode()
    report = run_file(centre, "subscribers", rows)
    reasons = [row.reason for row in report.refused]
    assert len(reasons) == 4
    assert "future" in reasons[0]
    assert "together" in reasons[1]
    assert "not-an-address" in reasons[2]
    assert "Winter letter" in reasons[3]
    run_file(
        centre,
        "subscribers",
        b"E-mail,Newsletter,Consent date,Consent source,Consent text\nc@example.net,Newsletter,2025-01-01,paper,f1\n",
    )
    every(Subscription).filter(person__email="c@example.net").update(status="unsubscribed")
    again = run_file(
        centre,
        "subscribers",
        b"E-mail,Newsletter,Consent date,Consent source,Consent text\nc@example.net,Newsletter,2025-01-01,paper,f1\n",
    )
    assert "unsubscribed" in again.refused[0].reason
    assert every(Subscription).get(person__email="c@example.net").status == "unsubscribed"


def test_the_command_runs_dry_by_default_and_applies_with_apply(new_centre, capsys):
    centre = new_centre("nl")
    path = str(EXAMPLES / "nl" / "topics.csv")
    call_command("import_spreadsheet", path, "--centre", centre.slug, "--kind", "topics")
    assert "3 created, 0 changed, 0 unchanged, 0 refused" in capsys.readouterr().out
    assert not every(Topic).filter(centre=centre).exists()
    call_command("import_spreadsheet", path, "--centre", centre.slug, "--kind", "topics", "--apply")
    assert every(Topic).filter(centre=centre).count() == 3
    with pytest.raises(CommandError, match="No centre"):
        call_command("import_spreadsheet", path, "--centre", "nowhere", "--kind", "topics")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_spreadsheet", "/nonexistent/file.csv", "--centre", centre.slug, "--kind", "topics")
    groups = str(EXAMPLES / "en" / "groups.csv")  # English topics are not this centre's
    with pytest.raises(CommandError, match="refused"):
        call_command("import_spreadsheet", groups, "--centre", centre.slug, "--kind", "groups", "--apply")
    out = capsys.readouterr().out
    assert "‘Grief’" in out  # the reason, in the centre's language
    assert "Grief café" not in out  # never what a row holds
    assert not every(Group).filter(centre=centre).exists()


def test_a_volunteers_status_comes_with_consent_and_through_the_pipelines_rules(new_centre):
    centre = new_centre("en")
    head = (
        "Name,E-mail,Status,Screened on,Confidentiality signed on,Course,Course completed on,"
        "Consent date,Consent source,Consent text\n"
    )
    rows = (
        head + "Hanna,hanna@example.net,active,,,,,,,\n"  # no consent: only as an applicant
        "Ines,ines@example.net,active,2025-01-01,,Basics,2025-02-01,2025-01-01,paper,v1\n"  # no agreement
        "Jonas,jonas@example.net,trained,2025-01-01,,,,2025-01-01,paper,v1\n"  # no course
        "Kai,kai@example.net,bored,,,,,,,\n"
    ).encode()
    report = run_file(centre, "volunteers", rows)
    reasons = [row.reason for row in report.refused]
    assert len(reasons) == 4
    assert "needs the volunteer's consent" in reasons[0]
    assert "signed confidentiality agreement" in reasons[1]
    assert "Record the training first" in reasons[2]
    assert reasons[3] == "Status: “bored” is not a known status"
    assert not every(Volunteer).filter(centre=centre).exists()
    run_file(
        centre, "volunteers", (head + "Lena,lena@example.net,screened,2025-01-01,,,,2025-01-01,paper,v1\n").encode()
    )
    again = run_file(
        centre, "volunteers", (head + "Lena,lena@example.net,active,2025-01-01,,,,2025-01-01,paper,v1\n").encode()
    )
    assert "another status" in again.refused[0].reason


def test_opening_hours_are_read_in_four_languages_and_a_bad_week_is_refused(new_centre):
    from imports.values import BadValueError, opening_hours

    assert opening_hours("Mo, We 10:00-12:00; Fr 14.00–18.00") == [
        (0, time(10), time(12)),
        (2, time(10), time(12)),
        (4, time(14), time(18)),
    ]
    assert opening_hours("za-ma 09:00-13:00") == [
        (0, time(9), time(13)),
        (5, time(9), time(13)),
        (6, time(9), time(13)),
    ]
    assert opening_hours("altid") == []
    for bad in ("Mo-Fr", "Mo 18:00-09:00", "Mo 09:00-12:00; Mo 14:00-18:00", "Funday 09:00-12:00"):
        with pytest.raises(BadValueError):
            opening_hours(bad)
    centre = new_centre("en")
    rows = b"Location,Room,Seats,Opening hours\nHouse,Room 1,10,Mo-Fr 09:00-25:00\n"
    [refused] = run_file(centre, "rooms", rows).refused
    assert refused.reason.startswith("Opening hours: a time such as 19:00")
