"""Points on the map for postcodes and towns, from the bundled place table (`places.csv`; its
sources and licences are in this folder's README), and distances between points. No outside
service is ever asked."""

import csv
import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

TABLE = Path(__file__).with_name("places.csv")
EARTH_RADIUS_KM = 6371.0
POSTCODE = re.compile(r"^\s*(?:[A-Za-z]{1,2}-)?(\d{4,5})\s*$")


@dataclass(frozen=True, slots=True)
class Point:
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Place:
    country: str
    postcode: str
    town: str
    point: Point


def folded(text: str) -> str:
    """A town's name for matching: lower case, without accents, brackets or a district."""
    text = text.split("(")[0].split(",")[0].strip().casefold().replace("ß", "ss")
    # Danish and Norwegian letters have old spellings ("Aarhus" is "Århus"): fold both alike.
    text = text.replace("å", "aa").replace("æ", "ae").replace("ø", "oe")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@functools.cache
def _table() -> tuple[dict[str, Place], dict[str, list[Place]]]:
    by_postcode: dict[str, Place] = {}
    by_town: dict[str, list[Place]] = {}
    with TABLE.open(encoding="utf-8", newline="") as source:
        for row in csv.DictReader(source):
            place = Place(
                row["country"], row["postcode"], row["town"], Point(float(row["latitude"]), float(row["longitude"]))
            )
            if place.postcode:
                by_postcode[place.postcode] = place
            else:
                by_town.setdefault(folded(place.town), []).append(place)
    return by_postcode, by_town


def by_postcode(postcode: str) -> Place | None:
    """The place of a German postcode; an unknown one takes its nearest known neighbour with the
    same first three digits (postcodes are handed out by region)."""
    match = POSTCODE.match(postcode or "")
    if match is None or len(match.group(1)) != 5:
        return None
    code = match.group(1)
    postcodes, _towns = _table()
    if code in postcodes:
        return postcodes[code]
    near = [place for known, place in postcodes.items() if known[:3] == code[:3]]
    if not near:
        return None
    return min(near, key=lambda place: abs(int(place.postcode) - int(code)))


def by_town(name: str, country: str = "") -> Place | None:
    """A town by its name, preferring one in `country` when several share the name."""
    _postcodes, towns = _table()
    key = folded(name or "")
    found = towns.get(key, [])
    if not found and re.fullmatch(r".+ [a-z]{1,2}", key):  # a district letter: "Aarhus C", "København K"
        found = towns.get(key.rsplit(" ", 1)[0], [])
    if not found:
        return None
    in_country = [place for place in found if place.country == (country or "").upper()]
    return (in_country or found)[0]


def locate(text: str = "", *, postcode: str = "", town: str = "", country: str = "") -> Place | None:
    """What a visitor or an address names: a postcode, else a town. `text` is either."""
    if text:
        return by_postcode(text) if POSTCODE.match(text) else by_town(text, country)
    return by_postcode(postcode) or by_town(town, country)


def distance_km(a: Point, b: Point) -> float:
    """The great-circle distance (haversine), near enough for a few hundred kilometres."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def bounding_box(centre: Point, radius_km: float) -> tuple[float, float, float, float]:
    """South, north, west and east edges of a box that holds every point within the radius:
    an index can narrow by it before the exact distance is taken."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    dlon = math.degrees(radius_km / (EARTH_RADIUS_KM * max(math.cos(math.radians(centre.latitude)), 0.01)))
    return centre.latitude - dlat, centre.latitude + dlat, centre.longitude - dlon, centre.longitude + dlon
