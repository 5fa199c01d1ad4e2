"""Moving a centre in, in the browser: the centre admin of Hannover-Linden, on a phone in German,
brings in the example files one by one; the regular meetings' file first has a row whose room is
taken (the check names the meeting it collides with, and nothing can be imported), then the
corrected file goes in, and the same file again changes nothing. Aarhus' admin does the same in
English on a desktop. axe checks each page; the README's screenshots come from here."""

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from centres.scoping import all_centres_scope
from meetings.models import MeetingSeries
from tests.browser.conftest import check_page
from tests.browser.test_journeys import staff_login
from tests.factories import every

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLES = Path(__file__).resolve().parents[2] / "imports" / "examples"
PHONE_390 = {"width": 390, "height": 844}
GERMAN = {
    "holds": "Die Datei enthält",
    "file": "Datei (CSV oder XLSX)",
    "upload": "Hochladen und Spalten lesen",
    "check": "Datei prüfen (schreibt nichts)",
    "kinds": {"topics": "Themen", "rooms": "Standorte und Räume", "groups": "Gruppen", "series": "Regelmäßige Treffen"},
}
ENGLISH = {
    "holds": "The file holds",
    "file": "File (CSV or XLSX)",
    "upload": "Upload and read the columns",
    "check": "Check the file (writes nothing)",
    "kinds": {"topics": "Topics", "rooms": "Locations and rooms", "groups": "Groups", "series": "Regular meetings"},
}


@pytest.fixture
def demo():
    call_command("seed_demo", force=True, verbosity=0)


def upload_and_check(page, words: dict, kind: str, path: Path, slug: str) -> None:
    page.goto(f"/centres/{slug}/workspace/import/")
    page.get_by_label(words["holds"]).select_option(label=words["kinds"][kind])
    page.get_by_label(words["file"]).set_input_files(str(path))
    page.get_by_role("button", name=words["upload"]).click()
    page.get_by_role("button", name=words["check"]).click()


def import_file(page, words: dict, kind: str, path: Path, slug: str, done: str) -> None:
    upload_and_check(page, words, kind, path, slug)
    page.get_by_role("button", name=words.get("import", "Import")).click()
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text(done)


def test_a_centre_moves_in_from_its_spreadsheets_in_two_languages(page, demo, tmp_path):
    # Hannover-Linden's admin, on a phone, in German.
    staff_login(page, "leitung")
    page.set_viewport_size(PHONE_390)
    page.goto("/centres/hannover-linden/workspace/settings/?lang=de")
    page.get_by_role("link", name="Aus Tabellen übernehmen").click()
    expect(page.get_by_role("heading", name="Aus Tabellen übernehmen", level=1)).to_be_visible()
    check_page(page, "import-start")
    german = {**GERMAN, "import": "importieren"}
    for kind in ("topics", "rooms", "groups"):
        import_file(page, german, kind, EXAMPLES / "de" / f"{kind}.csv", "hannover-linden", "importiert")
    # The regular meetings, with a row whose room is taken at that hour.
    clashing = tmp_path / "treffen.csv"
    text = (EXAMPLES / "de" / "series.csv").read_text(encoding="utf-8")
    clashing.write_text(text.replace("Raum Ihme;Dienstag;19:00", "Raum Linden;Dienstag;19:30"), encoding="utf-8")
    upload_and_check(page, GERMAN, "series", clashing, "hannover-linden")
    expect(page.get_by_role("heading", name="Einige Zeilen können nicht importiert werden")).to_be_visible()
    refused = page.locator("li.outcome-refused")
    expect(refused).to_contain_text("Der Raum ist bereits belegt: Trauercafé in Raum Linden")
    expect(page.get_by_role("button", name="importieren")).to_have_count(0)
    check_page(page, "import-check")
    with all_centres_scope():
        assert not every(MeetingSeries).filter(group__name="Trauercafé").exists()
    # Corrected: the example as it is.
    page.get_by_role("link", name="Die korrigierte Datei hochladen").click()
    import_file(page, german, "series", EXAMPLES / "de" / "series.csv", "hannover-linden", "2 angelegt")
    # The same file again changes nothing.
    upload_and_check(page, GERMAN, "series", EXAMPLES / "de" / "series.csv", "hannover-linden")
    expect(page.locator(".import-rows li", has_text="schon da, unverändert")).to_have_count(2)
    page.get_by_role("button", name="importieren").click()
    expect(page.get_by_text("Nichts geändert; alle 2 Zeilen waren schon da.")).to_be_visible()
    with all_centres_scope():
        assert every(MeetingSeries).filter(group__centre__slug="hannover-linden", group__name="Trauercafé").count() == 1

    # Aarhus' admin, on a desktop, in English.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 860})
    staff_login(page, "mette")
    english = {**ENGLISH, "import": "Import all"}
    for kind in ("topics", "rooms", "groups", "series"):
        import_file(page, english, kind, EXAMPLES / "en" / f"{kind}.csv", "aarhus", "Imported")
    upload_and_check(page, ENGLISH, "topics", EXAMPLES / "en" / "topics.csv", "aarhus")
    expect(page.locator(".import-rows li", has_text="there already, unchanged")).to_have_count(3)
    check_page(page)
    page.get_by_role("button", name="Import all").click()
    expect(page.get_by_text("nothing changed; all 3 rows were there already.")).to_be_visible()
    with all_centres_scope():
        assert every(MeetingSeries).filter(group__centre__slug="aarhus", group__name="Grief café").count() == 1
