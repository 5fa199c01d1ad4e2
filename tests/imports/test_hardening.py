"""What a second look at the imports found, each pinned: a later "no" outweighs an older proof,
nothing an import writes merges two people or two records it cannot tell apart, a file never
erases what the workspace changed, odd files are refused with a reason instead of a 500, and one
file runs once at a time."""

import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import Workbook

from centres.models import ConsentRecord, Person
from centres.scoping import centre_scope
from centres.services.consents import consent_withdraw
from imports.models import ImportMapping, ImportUpload
from imports.reading import UnreadableFileError, sheet_read
from meetings.models import Group, Membership, Topic
from meetings.services.groups import group_create, membership_end
from notifications.models import NewsletterList, Subscription, SuppressedAddress
from notifications.services.newsletters import subscriptions_end
from tests.factories import every
from tests.imports.test_import import EXAMPLES, outcomes, run_file
from tests.imports.test_pages import upload

pytestmark = pytest.mark.django_db

PROOF = "2025-01-01,paper,v1"


def test_an_older_proof_never_outweighs_a_later_no(new_centre):
    centre = new_centre("en")
    every(NewsletterList).create(centre=centre, name="Events")
    run_file(
        centre,
        "subscribers",
        f"E-mail,Newsletter,Consent date,Consent source,Consent text\nalma@example.net,Newsletter,{PROOF}\n".encode(),
    )
    alma = every(Person).get(centre=centre, email="alma@example.net")
    with centre_scope(centre.pk):
        subscriptions_end(person=alma)  # she unsubscribes
    every(SuppressedAddress).create(centre=centre, email="bounced@example.net", reason="bounced")
    rows = (
        "E-mail,Newsletter,Consent date,Consent source,Consent text\n"
        f"alma@example.net,Events,{PROOF}\n"  # another list, with an old proof
        "alma@example.net,Events,,,\n"  # nor a confirmation mail
        "bounced@example.net,Events,,,\n"
    ).encode()
    report = run_file(centre, "subscribers", rows)
    assert outcomes(report) == ["refused", "refused", "refused"]
    assert not every(Subscription).filter(centre=centre, newsletter__name="Events").exists()
    # A member who withdrew their consent is not put into another group with an old proof.
    run_file(centre, "topics", (EXAMPLES / "en" / "topics.csv").read_bytes())
    run_file(centre, "groups", (EXAMPLES / "en" / "groups.csv").read_bytes())
    head = "Name,E-mail,Group,Consent date,Consent source,Consent text\n"
    run_file(centre, "members", f"{head}Carla,carla@example.net,Grief café,{PROOF}\n".encode())
    consent = every(ConsentRecord).get(person__email="carla@example.net", purpose="group_membership")
    with centre_scope(centre.pk):
        consent_withdraw(actor=None, consent=consent)
    [refused] = run_file(centre, "members", f"{head}Carla,carla@example.net,Sober Tuesdays,{PROOF}\n".encode()).refused
    assert "withdrew" in refused.reason
    # A web form is the person's own act, never a line in a spreadsheet.
    [refused] = run_file(
        centre,
        "subscribers",
        b"E-mail,Newsletter,Consent date,Consent source,Consent text\n"
        b"new@example.net,Newsletter,2025-01-01,web form,v1\n",
    ).refused
    assert "web form" in refused.reason


def test_an_import_tells_records_apart_or_refuses(new_centre):
    centre = new_centre("en")
    run_file(centre, "topics", (EXAMPLES / "en" / "topics.csv").read_bytes())
    run_file(centre, "groups", (EXAMPLES / "en" / "groups.csv").read_bytes())
    # Two people called Anna, with neither address nor phone, in two groups: two people.
    head = "Name,Group\n"
    run_file(centre, "members", f"{head}Anna,Grief café\nAnna,Sober Tuesdays\n".encode())
    assert every(Person).filter(centre=centre, display_name="Anna").count() == 2
    assert set(outcomes(run_file(centre, "members", f"{head}Anna,Grief café\nAnna,Sober Tuesdays\n".encode()))) == {
        "unchanged"
    }
    # Two groups of one name: a row naming it is refused, never given to one of them.
    with centre_scope(centre.pk):
        group_create(
            actor=None,
            centre=centre,
            name="Grief café",
            topic=every(Topic).get(centre=centre, name="Grief"),
            languages=["en"],
        )
    [refused] = run_file(centre, "members", f"{head}Ben,Grief café\n".encode()).refused
    assert "Two or more" in refused.reason
    # Someone who left a group is not put back by the old file.
    left = every(Membership).get(person__display_name="Anna", group__name="Sober Tuesdays")
    with centre_scope(centre.pk):
        membership_end(actor=None, membership=left)
    assert outcomes(run_file(centre, "members", f"{head}Anna,Sober Tuesdays\n".encode())) == ["unchanged"]


def test_a_file_never_erases_what_the_workspace_changed(new_centre):
    centre = new_centre("en")
    run_file(centre, "topics", (EXAMPLES / "en" / "topics.csv").read_bytes())
    run_file(centre, "groups", (EXAMPLES / "en" / "groups.csv").read_bytes())
    every(Group).filter(name="Sober Tuesdays").update(
        description="Tuesdays, sober", age_band="60+", accepts_newcomers=False
    )
    every(Topic).filter(name="Depression").update(is_offered=False)
    assert outcomes(run_file(centre, "groups", b"Name,Topic\nSober Tuesdays,Addiction\n")) == ["unchanged"]
    assert outcomes(run_file(centre, "topics", b"Name\nDepression\n")) == ["unchanged"]
    group = every(Group).get(name="Sober Tuesdays")
    assert (group.description, group.age_band, group.accepts_newcomers) == ("Tuesdays, sober", "60+", False)
    assert every(Topic).get(name="Depression").is_offered is False


def test_odd_files_are_refused_with_a_reason(new_centre):
    with pytest.raises(UnreadableFileError, match="there twice"):
        sheet_read(b"Name,name\nWrong,Right\n")
    with pytest.raises(UnreadableFileError, match="Column 2 has values but no heading"):
        sheet_read(b"Name,\nA,B\n")
    assert sheet_read(b"Name,,\nA,,\n").headings == ["Name"]  # an empty column goes quietly
    broken = io.BytesIO()
    book = Workbook()
    book.active.append(["Name"])
    book.active.append(["A"])
    book.save(broken)
    parts = zipfile.ZipFile(io.BytesIO(broken.getvalue()))
    cut = io.BytesIO()
    with zipfile.ZipFile(cut, "w") as damaged:
        for item in parts.infolist():
            data = parts.read(item)
            damaged.writestr(item, data[: len(data) // 2] if item.filename.endswith("sheet1.xml") else data)
    with pytest.raises(UnreadableFileError, match="XLSX"):
        sheet_read(cut.getvalue(), "damaged.xlsx")
    far = Workbook()
    far.active["A1"] = "Name"
    far.active["A2"] = "Trauer"
    far.active["XFD2"] = "far away"
    wide = io.BytesIO()
    far.save(wide)
    assert sheet_read(wide.getvalue(), "wide.xlsx").headings == ["Name"]  # read to column 100 only
    centre = new_centre("en")
    run_file(centre, "topics", (EXAMPLES / "en" / "topics.csv").read_bytes())
    run_file(centre, "rooms", (EXAMPLES / "en" / "rooms.csv").read_bytes())
    run_file(centre, "groups", (EXAMPLES / "en" / "groups.csv").read_bytes())
    series = (
        "Group,Location,Room,Weekday,From,To,Starts on\n"
        "Grief café,House of Neighbours,Room Linden,Monday,19:00,21:00,31.12.9999\n"
    ).encode()
    [refused] = run_file(centre, "series", series).refused
    assert refused.reason.startswith("Starts on: a date such as")


def test_a_dry_run_remembers_no_columns_and_an_address_is_never_a_heading(new_centre):
    centre = new_centre("en")
    run_file(centre, "topics", b"Bezeichnung\nTrauer\n", apply=False, mapping={"Bezeichnung": "name"})
    assert not every(ImportMapping).exists()
    headless = b"alma@example.net,Newsletter\nben@example.net,Newsletter\n"
    run_file(centre, "subscribers", headless, mapping={"alma@example.net": "email", "Newsletter": "newsletter"})
    assert every(ImportMapping).get(centre=centre, kind="subscribers").columns == {"newsletter": "newsletter"}


def test_one_file_runs_once_at_a_time_and_a_run_that_died_can_start_again(client, centre_a, centre_admin_a, frozen_now):
    start = frozen_now(datetime.now(UTC))
    client.force_login(centre_admin_a)
    page = upload(client, centre_a, "topics", b"Name\nTrauer\n")["Location"]
    every(ImportUpload).update(state="running", state_changed_at=start)  # another tab's run
    busy = client.post(page, {"column_0": "name", "action": "apply"})
    assert busy.status_code == 409
    assert "being checked or imported already" in busy.content.decode()
    assert not every(Topic).filter(centre=centre_a).exists()
    frozen_now(start + timedelta(minutes=20))  # that run's worker died
    again = client.get(page)
    assert "stopped before its end; nothing of it was written" in again.content.decode()
    assert client.post(page, {"column_0": "name", "action": "apply"}).status_code == 302
    assert every(Topic).filter(centre=centre_a).count() == 1
