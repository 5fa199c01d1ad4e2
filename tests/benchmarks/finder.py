"""The federation's group finder on the state-sized data set: building the directory, and
searches over all 7,500 groups, each made from the database (the page cache emptied first).

    .venv/bin/python -m tests.benchmarks.finder     # on its own; `make bench` runs it too

`prepare()` gives the generated set what a real directory has and the generator leaves out: the
centres in real towns of Lower Saxony, their buildings' points near them, descriptions, age
bands and hearing loops. Idempotent.
"""

import random
import statistics
import time

from tests.benchmarks import dataset
from tests.scopes import every

# 44 towns of Lower Saxony with a contact point, and their postcodes.
TOWNS = [
    ("30159", "Hannover"), ("38100", "Braunschweig"), ("49074", "Osnabrück"), ("26122", "Oldenburg"),
    ("37073", "Göttingen"), ("38440", "Wolfsburg"), ("31134", "Hildesheim"), ("38226", "Salzgitter"),
    ("29221", "Celle"), ("21335", "Lüneburg"), ("27472", "Cuxhaven"), ("26382", "Wilhelmshaven"),
    ("49808", "Lingen"), ("26721", "Emden"), ("21680", "Stade"), ("31785", "Hameln"), ("37154", "Northeim"),
    ("38640", "Goslar"), ("31582", "Nienburg"), ("27283", "Verden"), ("26603", "Aurich"), ("26789", "Leer"),
    ("49716", "Meppen"), ("48529", "Nordhorn"), ("31655", "Stadthagen"), ("38350", "Helmstedt"),
    ("29525", "Uelzen"), ("27356", "Rotenburg"), ("29664", "Walsrode"), ("49661", "Cloppenburg"),
    ("49377", "Vechta"), ("27749", "Delmenhorst"), ("26316", "Varel"), ("37520", "Osterode am Harz"),
    ("37603", "Holzminden"), ("31061", "Alfeld"), ("38518", "Gifhorn"), ("31224", "Peine"),
    ("38300", "Wolfenbüttel"), ("21614", "Buxtehude"), ("29439", "Lüchow"), ("27432", "Bremervörde"),
    ("49593", "Bersenbrück"), ("26655", "Westerstede"),
]  # fmt: skip
DESCRIPTIONS = {
    "Depression": "Wir sprechen offen über Niedergeschlagenheit, Antriebslosigkeit und Wege aus dem Tief.",
    "Angst": "Für Menschen mit Angststörungen und Panikattacken, die sich gegenseitig Mut machen.",
    "Sucht": "Abstinent leben: Austausch über Alkohol, Medikamente und Rückfälle, ohne Urteil.",
    "Trauer": "Für trauernde Menschen nach dem Tod eines nahestehenden Menschen.",
    "Trennung": "Nach Trennung und Scheidung: Alleinerziehende und Getrennte stärken einander.",
    "Diabetes": "Typ 1 und Typ 2: Erfahrungen mit Insulin, Ernährung und Alltag.",
    "Krebs": "Für Menschen mit einer Krebserkrankung und ihre Fragen nach der Therapie.",
    "Pflegende Angehörige": "Entlastung für Angehörige, die einen Menschen mit Demenz pflegen.",
}
SEARCHES = [
    ("everything", {}),
    ("a word", {"q": "Trauer"}),
    ("a word, stemmed", {"q": "Angehöriger"}),
    ("a typo", {"q": "Depresion"}),
    ("a place, 25 km", {"place": "30159", "radius": "25"}),
    ("a town, 50 km, and a word", {"place": "Celle", "radius": "50", "q": "Sucht"}),
    ("day and time of day", {"weekday": "2", "daypart": "4"}),
    (
        "every filter",
        {
            "q": "Krebs",
            "place": "Braunschweig",
            "radius": "100",
            "weekday": "0",
            "step_free": "on",
            "newcomers": "on",
        },
    ),
    ("page 20", {"page": "20"}),
]


def _sql(statement: str, params: list | None = None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def prepare() -> dict:
    """Real towns, points, descriptions, age bands and hearing loops; then the directory built."""
    from centres.models import Centre
    from meetings import geodata
    from meetings.models import GroupListing, Location
    from meetings.services.directory import directory_refresh

    rng = random.Random(7)
    centres = list(every(Centre).order_by("pk"))
    for index, centre in enumerate(centres):
        postcode, town = TOWNS[index % len(TOWNS)]
        if centre.postal_code != postcode:
            every(Centre).filter(pk=centre.pk).update(postal_code=postcode, city=town, country="DE")
        point = geodata.locate(postcode).point
        for location in every(Location).filter(centre=centre, latitude__isnull=True):
            location.latitude = point.latitude + rng.uniform(-0.05, 0.05)
            location.longitude = point.longitude + rng.uniform(-0.08, 0.08)
            location.postal_code, location.city = postcode, town
            location.save(update_fields=["latitude", "longitude", "postal_code", "city"])
    for topic, text in DESCRIPTIONS.items():
        _sql(
            "UPDATE meetings_group g SET description = %s FROM meetings_topic t "
            "WHERE g.topic_id = t.id AND t.name = %s AND g.description = ''",
            [text, topic],
        )
    _sql("UPDATE meetings_group SET age_band = '18-35' WHERE id %% 9 = 0 AND age_band = ''")
    _sql("UPDATE meetings_group SET age_band = '60+' WHERE id %% 9 = 1 AND age_band = ''")
    _sql("UPDATE meetings_room SET hearing_loop = true WHERE id %% 4 = 0")
    began = time.perf_counter()
    for centre in centres:
        directory_refresh(centre.pk)
    built = time.perf_counter() - began
    _sql("ANALYZE meetings_grouplisting")
    return {"build_s": built, "listings": every(GroupListing).count(), "centres": len(centres)}


def searches(runs: int = 30) -> dict:
    """Each search `runs` times through the page, cache emptied; p95 over all of them together."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from meetings import caching

    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    every_timing: list[float] = []
    by_search = {}
    for label, params in SEARCHES:
        client.get("/groups/", params)
        timings = []
        for _ in range(runs):
            caching.clear()
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                answer = client.get("/groups/", params)
                timings.append(time.perf_counter() - began)
            assert answer.status_code == 200, answer.content[:300]
        body = answer.content.decode()
        found = body.split('role="status">', 1)[1].split("<", 1)[0]
        timings.sort()
        by_search[label] = {
            "median_ms": statistics.median(timings) * 1000,
            "p95_ms": timings[int(len(timings) * 0.95) - 1] * 1000,
            "queries": len(queries),
            "found": found,
        }
        every_timing += timings
    every_timing.sort()
    return {
        "searches": by_search,
        "p95_ms": every_timing[int(len(every_timing) * 0.95) - 1] * 1000,
        "median_ms": statistics.median(every_timing) * 1000,
    }


def report(prepared: dict, measured: dict) -> None:
    print(f"  directory of {prepared['listings']:,} groups built for {prepared['centres']} centres "
          f"in {prepared['build_s']:.1f} s")  # fmt: skip
    for label, figures in measured["searches"].items():
        print(f"  {label:<28} p95 {figures['p95_ms']:6.1f} ms, median {figures['median_ms']:6.1f} ms, "
              f"{figures['queries']} queries, {figures['found']}")  # fmt: skip
    print(f"the federation's finder, all searches  p95 {measured['p95_ms']:.1f} ms, median "
          f"{measured['median_ms']:.1f} ms   target p95 ≤ 100 ms")  # fmt: skip


def main() -> None:
    from tests.benchmarks import meetings

    dataset.setup_django()
    dataset.generate()
    meetings.ensure_meetings()
    report(prepare(), searches())


if __name__ == "__main__":
    main()
