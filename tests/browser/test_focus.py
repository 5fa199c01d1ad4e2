"""What axe-core cannot see: where focus goes after a form is sent, and whether the focus
indicator stands out (WCAG 2.4.7, 1.4.11: at least 3:1 against what is around it)."""

import pytest
from django.core.management import call_command

from centres.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CENTRE = "hannover-linden"

# The outline's colour and the colour behind the focused element (the first ancestor with a
# background that is not transparent), as the browser computes them.
COLOURS = """() => {
  const element = document.activeElement;
  let behind = element.parentElement, background = "rgba(0, 0, 0, 0)";
  while (behind) {
    background = getComputedStyle(behind).backgroundColor;
    if (!background.startsWith("rgba(0, 0, 0, 0)") && background !== "transparent") { break; }
    behind = behind.parentElement;
  }
  return [getComputedStyle(element).outlineColor, background, getComputedStyle(element).outlineStyle];
}"""


def luminance(css: str) -> float:
    red, green, blue = (int(float(part)) for part in css[css.index("(") + 1 : css.index(")")].split(",")[:3])

    def channel(value: int) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def login(page) -> None:
    call_command("seed_demo", force=True, verbosity=0)
    page.goto("/workspace/login/")
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/workspace/")


def test_focus_goes_to_the_error_summary_then_to_the_result(page):
    login(page)
    page.goto(f"/centres/{CENTRE}/workspace/groups/new/")
    page.get_by_role("button", name="Found the group").click()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert "Please check the form" in page.evaluate("document.activeElement.innerText")
    page.get_by_label("Public name:").fill("Fokusgruppe")
    page.get_by_label("Topic:").select_option(label="Trauer")
    page.get_by_role("button", name="Found the group").click()
    assert page.evaluate("document.activeElement.id") == "result"
    assert "Fokusgruppe" in page.evaluate("document.activeElement.innerText")


def test_the_focus_indicator_has_three_to_one_contrast_wherever_it_lands(page):
    login(page)
    checked = 0
    for path in (f"/centres/{CENTRE}/workspace/", f"/centres/{CENTRE}/planner/", f"/centres/{CENTRE}/intake/"):
        page.goto(path)
        for _ in range(25):  # the first stops of the keyboard: header, menu, page, grid, buttons
            page.keyboard.press("Tab")
            outline, background, style = page.evaluate(COLOURS)
            assert style != "none", f"{path}: {page.evaluate('document.activeElement.outerHTML')[:120]} shows no focus"
            ratio = contrast(outline, background)
            assert ratio >= 3, f"{path}: focus outline {outline} on {background} is {ratio:.2f}:1"
            checked += 1
    assert checked == 75
