"""The Content Security Policy and the templates it relies on: only the site's own scripts and
styles, nothing inline, no framing. The browser tests enforce it on every journey (a refusal
on the console fails them); these tests pin the header and the templates."""

import re
from pathlib import Path

import pytest

from tests.factories import every

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_pages_allow_only_the_sites_own_scripts_and_styles(client, centre_a):
    policy = directives(client.get(f"/centres/{centre_a.slug}/groups/"))
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


def test_the_newsletter_preview_relaxes_styles_only(client, centre_a, coordinator_a, unscoped):
    from notifications.models import NewsletterIssue, NewsletterList

    client.force_login(coordinator_a)
    newsletter = every(NewsletterList).create(centre=centre_a, name="Rundbrief")
    issue = every(NewsletterIssue).create(centre=centre_a, newsletter=newsletter, title="Winter")
    answer = client.get(f"/centres/{centre_a.slug}/workspace/newsletters/{issue.pk}/")
    assert answer.status_code == 200
    policy = directives(answer)
    assert "'unsafe-inline'" in policy["style-src"]
    assert policy["script-src"] == ["'self'"]


def test_the_api_docs_load_their_start_up_script_as_a_file(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert directives(page)["script-src"] == ["'self'"]
    html = page.content.decode()
    inline = [tag for tag in re.findall(r"<script[^>]*>", html) if "src=" not in tag]
    assert inline == []
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_browsable_api_relaxes_styles_only_and_json_keeps_the_policy(api_a, person_a):
    page = api_a.get(f"/api/v1/people/{person_a.pk}/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert "Alma A." in page.content.decode()
    policy = directives(page)
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src"] == ["'self'"]
    # Its one inline <script> is data (the CSRF settings), which the browser does not run.
    scripts = re.findall(r"<script[^>]*>", page.content.decode())
    assert [tag for tag in scripts if "src=" not in tag] == ['<script type="application/json" id="drf_csrf">']
    answer = api_a.get(f"/api/v1/people/{person_a.pk}/")
    assert answer["Content-Type"] == "application/json"
    assert directives(answer)["style-src"] == ["'self'"]


def web_templates() -> list[Path]:
    """Every template a browser renders: not the e-mail bodies, which mail clients show."""
    found = []
    for folder in [ROOT / "templates", *ROOT.glob("*/templates")]:
        for path in folder.rglob("*.html"):
            # Mail templates live under templates/<app>/mail/ of the app that sends them.
            if "/mail/" in str(path) and (path.name in ("body.html", "issue_body.html")):
                continue
            found.append(path)
    return found


def test_no_template_has_an_inline_script_style_or_handler():
    problems = []
    for path in web_templates():
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                problems.append(f"{path.relative_to(ROOT)}: inline script")
        if re.search(r"\sstyle=\"", text) or "<style" in text:
            problems.append(f"{path.relative_to(ROOT)}: inline style")
        if re.search(r"\son[a-z]+=\"", text):
            problems.append(f"{path.relative_to(ROOT)}: inline event handler")
    assert len(web_templates()) > 30
    assert problems == []
