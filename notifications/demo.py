"""Demo data of the notifications app: a newsletter per centre. Idempotent."""

from centres.models import Centre
from notifications.models import NewsletterList

NEWSLETTERS = {
    "hannover-linden": (
        "Rundbrief der Kontaktstelle",
        "Neue Gruppen, Termine und Veranstaltungen, etwa viermal im Jahr.",
    ),
    "aarhus": ("Nyhedsbrev", "Nye grupper, arrangementer og nyt fra centret, cirka fire gange om året."),
}


def seed_newsletters() -> dict[str, int]:
    for slug, (name, description) in NEWSLETTERS.items():
        centre = Centre.all_centres.get(slug=slug)
        NewsletterList.all_centres.get_or_create(centre=centre, name=name, defaults={"description": description})
    return {"newsletters": NewsletterList.all_centres.count()}
