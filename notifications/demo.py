"""Demo data of the notifications app: a newsletter and a list for volunteering news per centre.
Idempotent; run by `centres.demo.seed`, which opens the scope."""

from centres.models import Centre
from notifications.models import NewsletterList

NEWSLETTERS = {
    "hannover-linden": (
        "Rundbrief der Kontaktstelle",
        "Neue Gruppen, Termine und Veranstaltungen, etwa viermal im Jahr.",
    ),
    "aarhus": ("Nyhedsbrev", "Nye grupper, arrangementer og nyt fra centret, cirka fire gange om året."),
}
# The lists for volunteering news: recruitment mailings go to their subscribers.
VOLUNTEERING_NEWS = {
    "hannover-linden": ("Engagement in der Selbsthilfe", "Wenn neue Gruppen Begleiterinnen und Begleiter suchen."),
    "aarhus": ("Frivillig i selvhjælp", "Når nye grupper søger en igangsætter."),
}


def seed_newsletters() -> dict[str, int]:
    for slug, (name, description) in NEWSLETTERS.items():
        centre = Centre.objects.get(slug=slug)
        NewsletterList.objects.get_or_create(centre=centre, name=name, defaults={"description": description})
        name, description = VOLUNTEERING_NEWS[slug]
        NewsletterList.objects.get_or_create(
            centre=centre, name=name, defaults={"description": description, "volunteering_news": True}
        )
    return {"newsletters": NewsletterList.objects.count()}
