"""Browser tests: Playwright drives Debian's Chromium against a live server. Every page a test
opens can be checked with axe-core; key pages are saved as screenshots for the README.

Chromium comes from Debian (`apt-get install chromium`, which .ci/run does); Playwright cannot
download its own browsers here. Without it these tests skip, except in CI, where they must run."""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError

from tests.conftest import skip_or_fail

CHROMIUM = os.environ.get("KONTAKT_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP, PHONE = {"width": 1280, "height": 860}, {"width": 360, "height": 760}
SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="session")
def chromium(live_server):
    """The browser, closed before the live server stops: a request thread still holding one of
    its connections would otherwise end after the server gave up the shared test database."""
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, so Django's guard against
    # database calls from async code would refuse the test's own queries; they are synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def page(chromium, live_server, settings):
    """A fresh browser tab (desktop size, English) on the live server. Tasks the pages queue run
    at once, as the worker would."""
    from config.celery import app

    app.conf.task_always_eager = True
    settings.SITE_URL = live_server.url
    settings.ALLOWED_HOSTS = ["*"]
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    context = chromium.new_context(viewport=DESKTOP, base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    # The browser enforces the Content Security Policy: anything it refuses (an inline script or
    # style, a foreign source) is reported on the console, and fails the test at its end.
    refused = []
    tab.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    try:
        yield tab
    finally:
        context.close()
        app.conf.task_always_eager = False
    assert refused == [], f"the browser refused under the CSP: {refused[:3]}"


def axe_problems(page) -> list[str]:
    """The serious and critical accessibility violations on the page as axe-core reports them.

    A click that navigates returns before the new document is loaded; axe run in between finds no
    document. So wait for the page to be loaded, and run once more if a navigation still raced it."""
    page.wait_for_load_state("load")
    try:
        results = Axe().run(page)
    except PlaywrightError:
        page.wait_for_load_state("load")
        results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in SERIOUS
    ]


def check_page(page, name: str | None = None) -> None:
    """Assert the page has no serious accessibility problem; with a name, save desktop and phone
    screenshots of it to docs/screenshots/."""
    problems = axe_problems(page)
    assert problems == [], f"{page.url}: {problems}"
    if name:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}-desktop.png", full_page=True)
        size = page.viewport_size
        page.set_viewport_size(PHONE)
        page.screenshot(path=SCREENSHOTS / f"{name}-phone.png", full_page=True)
        page.set_viewport_size(size)
    fits_a_phone(page)


def fits_a_phone(page) -> None:
    """At 360 px and at 320 px (WCAG 1.4.10's reflow width) nothing makes the page scroll
    sideways: wide tables scroll inside their own box."""
    size = page.viewport_size
    for width in (PHONE["width"], 320):
        page.set_viewport_size({**PHONE, "width": width})
        shown = page.evaluate("document.documentElement.scrollWidth")
        assert shown <= width, f"{page.url} is {shown} px wide at {width} px"
    page.set_viewport_size(size)
