"""The offline gazetteer: every populated place of 1,000 people or more, by any of its names.

The data is GeoNames' (https://www.geonames.org/, CC BY 4.0), built into ``data/`` by
``scripts/build_gazetteer.py``. It is read once, on first use (``gazetteer()``, thread-safe: the
app calls it from a worker), as two decompressed byte strings with the offset of each line:

- the places, one line each, the most populous first, so a place's row number is its rank;
- the names, folded (``store.geo.names.fold``) and sorted, each with the rows of its places.

A lookup is a binary search over the names for the query and the forms a Russian or Ukrainian
sentence may have put it in (``base_forms``), so no dictionary of 600,000 names is ever built:
about 0.25 s and 60 MB to load, a fraction of a millisecond a lookup. Reverse lookup (the
nearest place to coordinates) bisects the places sorted by latitude, read with them as three
arrays of integers (no Python step per place: nothing holds the interpreter for long).
"""

from __future__ import annotations

import array
import bisect
import gzip
import math
import re
import sys
import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from store.geo.names import base_forms, fold, skeleton
from store.geo.regions import region_names

DATA = Path(__file__).resolve().parent / "data"
CREDIT = "Place names: GeoNames (https://www.geonames.org/), CC BY 4.0"

#: A place bearing a name as its own counts this many times its population against one only
#: known by it too; a place is taken for a name shared with others only when it leads the next so
#: weighed this many times over (Donetsk, Ukraine, over Donetsk, Rostov region; not Pokrovsk,
#: Donetsk region, 60,127, over Pokrovsk in Yakutia, 9,763).
CLEAR_LEAD = 8
#: Prefix completion reads at most this many names (a prefix of two letters starts tens of
#: thousands); the places found are ranked by population.
_PREFIX_NAMES_READ = 4000
_EARTH_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class Place:
    row: int  # rank by population, 0 the most populous
    geonameid: int
    name: str
    latitude: float
    longitude: float
    country_code: str
    country: str
    region_key: str  # "RU.80"; "" when GeoNames gives the place no region
    region: str  # "Udmurtia"; "" likewise
    population: int

    def label(self) -> str:
        """The place as a person picks it: "Izhevsk — Udmurtia, Russia · 648,213"."""
        where = ", ".join(part for part in (self.region, self.country) if part)
        return f"{self.name} — {where} · {self.population:,}"


class _Forms:
    """The forms of a query, and whether a place bears one as its own name."""

    def __init__(self, query: str) -> None:
        self.forms = set(base_forms(query))
        self.skeletons = {skeleton(form) for form in self.forms}

    def own_name_of(self, place: Place) -> bool:
        return fold(place.name) in self.forms or skeleton(place.name) in self.skeletons


class PlaceNotFound(LookupError):
    def __init__(self, query: str, within: str = "") -> None:
        self.query = query
        super().__init__(f"no place called {query!r} is known{within}")


class AmbiguousPlace(LookupError):
    def __init__(self, query: str, candidates: list[Place]) -> None:
        self.query = query
        self.candidates = candidates
        super().__init__(f"{query!r} names {len(candidates)} places")


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_lat = math.sin((phi2 - phi1) / 2)
    half_lon = math.sin(math.radians(lon2 - lon1) / 2)
    return 2 * _EARTH_KM * math.asin(math.sqrt(half_lat**2 + math.cos(phi1) * math.cos(phi2) * half_lon**2))


def _line_starts(blob: bytes) -> array.array[int]:
    starts = array.array("I", [0])
    starts.extend(found.end() for found in re.finditer(b"\n", blob))
    return starts  # the last is the end of the blob: line i is blob[starts[i] : starts[i + 1] - 1]


class Gazetteer:
    def __init__(self, folder: Path = DATA) -> None:
        self.regions = region_names()
        self._names = gzip.decompress((folder / "names.tsv.gz").read_bytes())
        self._name_starts = _line_starts(self._names)
        self._places = gzip.decompress((folder / "places.tsv.gz").read_bytes())
        self._place_starts = _line_starts(self._places)
        # Reverse lookup: the rows sorted by latitude, and their coordinates (1e-5 degrees).
        columns = gzip.decompress((folder / "by_latitude.bin.gz").read_bytes())
        size = len(columns) // 12
        self._by_latitude, self._latitudes, self._longitudes = array.array("I"), array.array("i"), array.array("i")
        for at, column in enumerate((self._by_latitude, self._latitudes, self._longitudes)):
            column.frombytes(columns[at * size * 4 : (at + 1) * size * 4])
            if sys.byteorder != "little":
                column.byteswap()

    def __len__(self) -> int:
        return len(self._place_starts) - 1

    # -- reading the data -------------------------------------------------------------------------

    def place(self, row: int) -> Place:
        line = self._place_line(row).decode("utf-8")
        geonameid, name, lat, lon, country_code, admin1, population, _ = line.split("\t")
        region = self.regions.region(country_code, admin1) if admin1 else None
        return Place(
            row=row,
            geonameid=int(geonameid),
            name=name,
            latitude=float(lat),
            longitude=float(lon),
            country_code=country_code,
            country=self.regions.country_name(country_code),
            region_key=region.key if region else "",
            region=region.name if region else "",
            population=int(population),
        )

    def _place_line(self, row: int) -> bytes:
        return self._places[self._place_starts[row] : self._place_starts[row + 1] - 1]

    def _key(self, index: int) -> bytes:
        start = self._name_starts[index]
        return self._names[start : self._names.index(b"\t", start)]

    def _rows(self, index: int) -> list[int]:
        start = self._name_starts[index]
        tab = self._names.index(b"\t", start)
        return [int(row) for row in self._names[tab + 1 : self._name_starts[index + 1] - 1].split(b",")]

    def _first_at_or_after(self, key: bytes) -> int:
        low, high = 0, len(self._name_starts) - 1
        while low < high:
            middle = (low + high) // 2
            if self._key(middle) < key:
                low = middle + 1
            else:
                high = middle
        return low

    def _exact(self, folded: str) -> list[int]:
        key = folded.encode("utf-8", "surrogatepass")  # a lone surrogate is no name: found nowhere
        index = self._first_at_or_after(key)
        if index < len(self._name_starts) - 1 and self._key(index) == key:
            return self._rows(index)
        return []

    def _prefixed(self, folded: str) -> list[int]:
        key = folded.encode("utf-8", "surrogatepass")
        index = self._first_at_or_after(key)
        end = min(len(self._name_starts) - 1, index + _PREFIX_NAMES_READ)
        rows: set[int] = set()
        while index < end and self._key(index).startswith(key):
            rows.update(self._rows(index))
            index += 1
        return sorted(rows)

    # -- lookups ------------------------------------------------------------------------------------

    def _named_rows(self, query: str) -> list[int]:
        """The rows of the places ``query`` names, most populous first: as written (or without a
        preposition before it), else in any nominative form its words may stand for."""
        forms = base_forms(query)
        for form in forms[:2]:
            rows = self._exact(form)
            if rows:
                return rows
        found: set[int] = set()
        for form in forms[2:]:
            found.update(self._exact(form))
        return sorted(found)

    def _ranked(self, query: str) -> list[Place]:
        """The places ``query`` names, by population, a place called so in its own name counting
        ``CLEAR_LEAD`` times its population over one only known so too: "Pokrovsk" is first the
        town of that name and then Engels (called Pokrovsk until 1931), though Engels is larger;
        "Odessa" first Odesa, then Odessa in Texas."""
        places = [self.place(row) for row in self._named_rows(query)]
        forms = _Forms(query)
        return sorted(places, key=lambda place: (-self._weight(place, forms), place.row))

    @staticmethod
    def _weight(place: Place, forms: _Forms) -> int:
        return place.population * (CLEAR_LEAD if forms.own_name_of(place) else 1)

    def leading(self, query: str, *, countries: Collection[str] = (), lead: int = CLEAR_LEAD) -> Place | None:
        """The place ``query`` names (in ``countries``, codes, when given) if it leads every other
        so named ``lead`` times over as ``lookup`` weighs them; None when none is named, or none
        leads so."""
        candidates = self._ranked(query)
        if countries:
            candidates = [place for place in candidates if place.country_code in countries]
        return self._clear_lead(query, candidates, lead)

    def _clear_lead(self, query: str, candidates: list[Place], lead: int) -> Place | None:
        if len(candidates) <= 1:
            return candidates[0] if candidates else None
        forms = _Forms(query)
        first, second = (self._weight(place, forms) for place in candidates[:2])
        return candidates[0] if first >= lead * max(second, 1) else None

    @staticmethod
    def is_own_name(place: Place, query: str) -> bool:
        """Whether ``query`` is ``place``'s own name (its GeoNames name, or that name written in
        another transliteration or script: "Харків", "Kharkov" for Kharkiv), not another name
        it is also known by (Pokrovsk for Engels)."""
        return _Forms(query).own_name_of(place)

    def lookup(self, query: str, limit: int = 10) -> list[Place]:
        """The places ``query`` names, by any of their names, most populous first."""
        return self._ranked(query)[:limit]

    def complete(self, typed: str, limit: int = 8) -> list[Place]:
        """What a person typing ``typed`` may mean: the places it names, then those with a name
        starting with it, each group most populous first."""
        places = self._ranked(typed)[:limit]
        folded = fold(typed)
        if len(folded) >= 2 and len(places) < limit:
            named = {place.row for place in places}
            more = [self.place(row) for row in self._prefixed(folded)[: limit * 8] if row not in named]

            def weight(place: Place) -> int:  # as in ``_ranked``: its own name first
                return place.population * (CLEAR_LEAD if fold(place.name).startswith(folded) else 1)

            places += sorted(more, key=lambda place: (-weight(place), place.row))[: limit - len(places)]
        return places

    def resolve(
        self,
        query: str,
        *,
        region: str | None = None,
        country: str | None = None,
        near: tuple[float, float] | None = None,
    ) -> Place:
        """The one place ``query`` names, within ``region`` and ``country`` when given, the
        nearest to ``near`` when given. Raises ``PlaceNotFound``, or ``AmbiguousPlace`` with the
        candidates (as ``lookup`` ranks them) when several places bear the name and the first
        does not lead the next ``CLEAR_LEAD`` times over, as ``lookup`` weighs them: Izhevsk and
        Donetsk (Ukraine's, not Rostov region's) are taken; "Odessa" is refused (Odesa, known so
        too, against Odessa in Texas, called so: pick with a country), and so is "Pokrovsk" in
        Russia (Engels, once Pokrovsk, against Pokrovsk in Yakutia)."""
        candidates = self._ranked(query)
        if not candidates:
            raise PlaceNotFound(query)
        if country:
            code = self.regions.country_code_of(country)
            candidates = [place for place in candidates if place.country_code == code]
        if region:
            key = self.regions.key_of(region, country)
            folded = fold(region)
            candidates = [place for place in candidates if place.region_key == key or fold(place.region) == folded]
        if not candidates:
            within = " in ".join(("", ", ".join(part for part in (region, country) if part)))
            raise PlaceNotFound(query, within)
        if near is not None:
            return min(candidates, key=lambda place: distance_km(*near, place.latitude, place.longitude))
        found = self._clear_lead(query, candidates, CLEAR_LEAD)
        if found is None:
            raise AmbiguousPlace(query, candidates)
        return found

    def names_of(self, place: Place) -> tuple[str, ...]:
        """Every name of ``place`` as written (its own first), in Latin or Cyrillic letters."""
        others = self._place_line(place.row).rsplit(b"\t", 1)[1].decode("utf-8")
        return (place.name, *(name for name in others.split("|") if name))

    # -- reverse lookup -----------------------------------------------------------------------------

    def nearest(self, latitude: float, longitude: float, within_km: float = 20.0) -> tuple[Place, float] | None:
        """The place nearest to the coordinates within ``within_km``, and its distance in km: the
        places in the band of latitudes that close (a bisection of the rows by latitude), each
        measured."""
        band = within_km / 111.0 + 1e-5
        low = bisect.bisect_left(self._latitudes, math.floor((latitude - band) * 1e5))
        high = bisect.bisect_right(self._latitudes, math.ceil((latitude + band) * 1e5))
        shrink = max(math.cos(math.radians(min(abs(latitude) + band, 90.0))), 1e-9)
        reach = min(band / shrink, 360.0) * 1e5  # the band of longitudes as far, within it
        east = longitude * 1e5
        best: tuple[float, int] | None = None
        longitudes = self._longitudes
        for index in range(low, high):
            apart = abs(longitudes[index] - east)
            if min(apart, 36_000_000 - apart) > reach:
                continue
            km = distance_km(latitude, longitude, self._latitudes[index] / 1e5, longitudes[index] / 1e5)
            if km <= within_km and (best is None or km < best[0]):
                best = (km, self._by_latitude[index])
        if best is None:
            return None
        return self.place(best[1]), best[0]

    def places(self, rows: Iterable[int]) -> list[Place]:
        return [self.place(row) for row in rows]


_loaded: Gazetteer | None = None
_loading = threading.Lock()


def gazetteer() -> Gazetteer:
    """The gazetteer, read on first use (about 0.2 s: call it from a worker in the app)."""
    global _loaded
    if _loaded is None:
        with _loading:
            if _loaded is None:
                _loaded = Gazetteer()
    return _loaded


def loaded() -> Gazetteer | None:
    """The gazetteer if it has been read, else None (without reading it)."""
    return _loaded
