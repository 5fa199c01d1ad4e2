"""The centre admin's import pages: upload, the columns as read, a dry run row by row, apply whole
or not at all, the same file again changes nothing; coordinators and outsiders are refused."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.models import ImportMapping, ImportUpload
from meetings.models import Group, Topic
from tests.factories import StaffRoleFactory, every

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "imports" / "examples"


def upload(client, centre, kind: str, content: bytes, name: str = "file.csv"):
    return client.post(
        f"/centres/{centre.slug}/workspace/import/",
        {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def columns(answer) -> dict[str, str]:
    """The mapping form's choices as the page shows them selected."""
    form = answer.context["form"]
    return {field.label: field.value() or field.initial for field in form}


def messages_of(answer) -> list[str]:
    return [str(message) for message in answer.context["messages"]] if answer.context else []


def test_an_admin_checks_imports_and_imports_again_to_no_change(client, centre_a, centre_admin_a):
    client.force_login(centre_admin_a)
    topics = (EXAMPLES / "de" / "topics.csv").read_bytes()
    answer = upload(client, centre_a, "topics", topics, "themen.csv")
    assert answer.status_code == 302
    page = answer["Location"]
    shown = client.get(page)
    assert columns(shown) == {"Thema": "name", "Angeboten": "offered"}
    assert "Trauer" in shown.content.decode()  # the first rows, to see the columns are right
    checked = client.post(page, {"column_0": "name", "column_1": "offered", "action": "check"})
    text = checked.content.decode()
    assert checked.status_code == 200
    assert text.count(": would be created") == 3
    assert 'value="apply"' in text
    assert not every(Topic).filter(centre=centre_a).exists()  # a check writes nothing
    applied = client.post(page, {"column_0": "name", "column_1": "offered", "action": "apply"}, follow=True)
    assert messages_of(applied) == ["Imported Topics: 3 created, 0 changed, 0 unchanged."]
    assert every(Topic).filter(centre=centre_a).count() == 3
    assert not every(ImportUpload).exists()  # the file is not kept once imported
    again = client.get(upload(client, centre_a, "topics", topics)["Location"])
    assert columns(again) == {"Thema": "name", "Angeboten": "offered"}
    page = again.request["PATH_INFO"]
    assert (
        client.post(page, {"column_0": "name", "column_1": "offered", "action": "check"})
        .content.decode()
        .count("there already, unchanged")
        == 3
    )
    applied = client.post(page, {"column_0": "name", "column_1": "offered", "action": "apply"}, follow=True)
    assert messages_of(applied) == ["Imported Topics: nothing changed; all 3 rows were there already."]


def test_refused_rows_are_shown_first_with_their_reason_and_cannot_be_imported(client, centre_a, centre_admin_a):
    client.force_login(centre_admin_a)
    groups = b"Name,Topic\nGood,Trauer\nOrphan,Unheard-of topic\n"
    every(Topic).create(centre=centre_a, name="Trauer")
    page = upload(client, centre_a, "groups", groups)["Location"]
    answer = client.post(page, {"column_0": "name", "column_1": "topic", "action": "check"})
    assert answer.status_code == 400
    rows = answer.context["shown"]
    assert [(row.number, row.outcome) for row in rows] == [(3, "refused"), (2, "created")]
    assert "Unheard-of topic" in rows[0].reason
    assert 'value="apply"' not in answer.content.decode()
    forced = client.post(page, {"column_0": "name", "column_1": "topic", "action": "apply"})
    assert forced.status_code == 400  # applying anyway writes nothing
    assert not every(Group).filter(centre=centre_a).exists()


def test_a_file_that_is_no_spreadsheet_or_lacks_a_column_is_refused_with_a_reason(client, centre_a, centre_admin_a):
    client.force_login(centre_admin_a)
    answer = upload(client, centre_a, "topics", b"\x00\x01binary", "photo.csv")
    assert answer.status_code == 400
    assert "This is not a CSV or XLSX file." in answer.content.decode()
    page = upload(client, centre_a, "topics", b"Bezeichnung\nTrauer\n")["Location"]
    answer = client.post(page, {"column_0": "", "action": "check"})
    assert answer.status_code == 400
    assert "These columns are needed: Name." in answer.content.decode()
    assert not every(ImportMapping).exists()


def test_only_the_centres_admins_import_and_only_their_own_files(client, centre_a, centre_b, centre_admin_a):
    client.force_login(centre_admin_a)
    page = upload(client, centre_a, "topics", b"Name\nTrauer\n")["Location"]
    example = client.get(f"/centres/{centre_a.slug}/workspace/import/examples/da/series.csv")
    assert example.status_code == 200
    assert b"".join(example.streaming_content).startswith(b"Gruppe;Sted;Lokale;Ugedag")
    assert client.get(f"/centres/{centre_a.slug}/workspace/import/examples/xx/series.csv").status_code == 404
    coordinator = StaffRoleFactory(centre=centre_a, role="coordinator").user
    client.force_login(coordinator)
    assert client.get(page).status_code == 403
    assert client.get(f"/centres/{centre_a.slug}/workspace/import/").status_code == 403
    outsider = StaffRoleFactory(centre=centre_b, role="centre_admin").user
    client.force_login(outsider)
    assert client.get(page).status_code == 404
    own_page = re.sub(r"/centres/[^/]+/", f"/centres/{centre_b.slug}/", page)
    assert client.get(own_page).status_code == 404  # centre A's file, asked for under centre B
    assert client.post(own_page, {"column_0": "name", "action": "apply"}).status_code == 404
    assert not every(Topic).exists()


def test_a_file_left_unimported_is_gone_a_day_later(client, centre_a, centre_admin_a, frozen_now):
    """An uploaded subscriber list is personal data: kept for the check and the import only."""
    from datetime import timedelta

    from django.utils import timezone

    from centres.scoping import all_centres_scope
    from centres.services.retention import centre_retention_apply

    start = frozen_now(timezone.now())
    client.force_login(centre_admin_a)
    upload(client, centre_a, "subscribers", b"E-mail,Newsletter\nalma@example.net,Rundbrief\n")
    assert every(ImportUpload).count() == 1
    with all_centres_scope():  # as the daily job runs it
        assert centre_retention_apply(centre_a, now=start + timedelta(hours=23)).import_files == 0
        removed = centre_retention_apply(centre_a, now=start + timedelta(hours=25))
    assert removed.import_files == 1
    assert not every(ImportUpload).exists()


def test_a_large_file_is_checked_and_imported_by_a_worker_while_the_page_shows_how_far(
    client, centre_a, centre_admin_a
):
    from django.core.cache import cache

    from imports.services import SYNC_ROWS, progress_key
    from imports.tasks import run_upload

    client.force_login(centre_admin_a)
    count = SYNC_ROWS + 50
    content = ("Name\n" + "".join(f"Thema {n}\n" for n in range(count))).encode()
    page = upload(client, centre_a, "topics", content)["Location"]
    answer = client.post(page, {"column_0": "name", "action": "check"})
    assert answer.status_code == 302  # to the page, which shows the worker's progress
    waiting = client.get(page).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in waiting
    assert f'<progress id="import-progress" max="{count}" value="0">' in waiting
    [queued] = every(ImportUpload)
    run_upload(queued.pk)  # the worker
    assert cache.get(progress_key(queued.pk)) == [count, count]
    checked = client.get(page)
    assert (
        checked.context["summary"]
        == f"Checked, nothing written: {count} would be created, 0 changed, 0 unchanged, 0 refused."
    )
    assert len(checked.context["shown"]) == 200  # listed; the counts cover all
    assert not every(Topic).filter(centre=centre_a).exists()
    assert client.post(page, {"column_0": "name", "action": "apply"}).status_code == 302
    run_upload(queued.pk)
    assert bytes(every(ImportUpload).get().content) == b""  # imported: the list is not kept
    done = client.get(page, follow=True)
    assert messages_of(done) == [f"Imported Topics: {count} created, 0 changed, 0 unchanged."]
    assert every(Topic).filter(centre=centre_a).count() == count
    assert not every(ImportUpload).exists()
    run_upload(queued.pk)  # delivered again: the file is gone, nothing happens
    assert every(Topic).filter(centre=centre_a).count() == count
