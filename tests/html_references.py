"""Which id references of a page lead nowhere: `aria-describedby`, `aria-labelledby`,
`aria-controls` and a label's `for` must each name an element of the same page, or a screen
reader announces nothing (axe checks only some of these)."""

from html.parser import HTMLParser

REFERENCING = ("aria-describedby", "aria-labelledby", "aria-controls", "for")


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.references: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            elif name in REFERENCING and value and not (tag == "output" and name == "for"):
                self.references.extend((tag, name, target) for target in value.split())


def broken_references(html: str) -> list[str]:
    page = _Ids()
    page.feed(html)
    return [f"<{tag} {name}={target!r}>" for tag, name, target in page.references if target not in page.ids]
