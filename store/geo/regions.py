"""First-level regions: the name a journal uses for each, and every spelling that names it.

A region is a country code and a GeoNames admin1 code ("RU.80"). Its name in the journal is
ACLED's admin1 name for Ukraine and Russia (the table in ``regions.tsv``, written by hand) and
GeoNames' English name elsewhere (``data/admin1.tsv``, built). ``RegionNames.key_of`` tells which
region a typed spelling names: "Udmurtia", "Udmurt Republic", "Удмуртия" and "udmurtiya republic"
are all RU.80; "Kharkiv Oblast" and "Харківська область" are UA.07. Spellings it does not know
give None: such a region is its own, compared by case only.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from store.geo.names import fold

HERE = Path(__file__).resolve().parent
ACLED_TABLE = HERE / "regions.tsv"
ADMIN1_TABLE = HERE / "data" / "admin1.tsv"
COUNTRY_TABLE = HERE / "data" / "countries.tsv"

#: Words after (or before) a region's name that do not change which region it is.
_REGION_WORDS = frozenset(
    fold(word)
    for word in (
        "oblast oblast' oblast’ region province krai kray okrug republic of the autonomous city "
        "область обл край республика республіка округ автономный автономна г м місто город"
    ).split()
)


def _bare(spelling: str) -> str:
    words = [word for word in fold(spelling).split() if word not in _REGION_WORDS]
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class Region:
    key: str  # "RU.80"
    name: str  # "Udmurtia"
    country_code: str  # "RU"


class RegionNames:
    """Every region's name, and the spellings that name each one."""

    def __init__(self) -> None:
        self.countries: dict[str, str] = {}
        for line in COUNTRY_TABLE.read_text(encoding="utf-8").splitlines():
            code, name = line.split("\t")
            self.countries[code] = name
        self.country_codes = {fold(name): code for code, name in self.countries.items()}
        self.country_codes.update({fold(code): code for code in self.countries})
        for alias, code in (("Russian Federation", "RU"), ("Россия", "RU"), ("Росія", "RU"), ("РФ", "RU")):
            self.country_codes[fold(alias)] = code
        for alias in ("Україна", "Украина"):
            self.country_codes[fold(alias)] = "UA"

        self.regions: dict[str, Region] = {}
        spellings: dict[str, list[str]] = {}
        for line in ADMIN1_TABLE.read_text(encoding="utf-8").splitlines():
            country, code, name = line.split("\t")
            key = f"{country}.{code}"
            self.regions[key] = Region(key, name, country)
            spellings[key] = [name]
        for line in ACLED_TABLE.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            country, code, name, others = line.split("\t")
            key = f"{country}.{code}"
            self.regions[key] = Region(key, name, country)
            spellings[key] = [name, *spellings.get(key, []), *others.split("|")]
        # A region's own name first, then other spellings, then bare ones ("Kharkiv" of
        # "Kharkiv Oblast"): an earlier claim on a spelling is not taken by a later one.
        self._keys: dict[tuple[str, str], str] = {}
        self._keys_anywhere: dict[str, list[str]] = {}
        for stage in (0, 1, 2):
            for key, names in spellings.items():
                country = self.regions[key].country_code
                chosen = names[:1] if stage == 0 else names[1:] if stage == 1 else names
                for spelling in chosen:
                    folded = fold(spelling) if stage < 2 else _bare(spelling)
                    if folded and (country, folded) not in self._keys:
                        self._keys[(country, folded)] = key
                        self._keys_anywhere.setdefault(folded, []).append(key)

    def region(self, country_code: str, admin1_code: str) -> Region | None:
        return self.regions.get(f"{country_code}.{admin1_code}")

    def country_name(self, country_code: str) -> str:
        return self.countries.get(country_code, country_code)

    def country_code_of(self, country: str) -> str | None:
        return self.country_codes.get(fold(country))

    def key_of(self, spelling: str, country: str | None = None) -> str | None:
        """The region ``spelling`` names ("RU.80"), within ``country`` (a name or code) when given;
        None when it names none, or several in different countries and no country is given."""
        folded = fold(spelling)
        bare = _bare(spelling)
        code = self.country_code_of(country) if country else None
        for candidate in dict.fromkeys((folded, bare)):
            if not candidate:
                continue
            if code is not None:
                key = self._keys.get((code, candidate))
                if key is not None:
                    return key
                continue
            keys = self._keys_anywhere.get(candidate, [])
            if len(keys) == 1:
                return keys[0]
            preferred = [key for key in keys if key[:2] in ("UA", "RU")]
            if len(preferred) == 1:  # the journal's own countries first
                return preferred[0]
        return None

    def name_of(self, spelling: str, country: str | None = None) -> str | None:
        """The journal's name of the region ``spelling`` names, or None."""
        key = self.key_of(spelling, country)
        return self.regions[key].name if key is not None else None


@dataclass(frozen=True)
class RegionSpellings:
    """The spellings of one region a journal holds, and how many incidents each has."""

    #: The region's name: the journal's (ACLED's, GeoNames') when the gazetteer knows the region,
    #: else the spelling most incidents have.
    name: str
    #: The gazetteer's key ("RU.80"), or "" for a region it does not know (grouped by case only).
    key: str
    #: (spelling, count), the most used first.
    spellings: tuple[tuple[str, int], ...]

    @property
    def count(self) -> int:
        return sum(count for _, count in self.spellings)

    @property
    def split(self) -> bool:
        """Whether the region is spelt more than one way (or not as the journal names it)."""
        return len(self.spellings) > 1 or self.spellings[0][0] != self.name


def group_spellings(counts: list[tuple[str, int]], names: RegionNames) -> list[RegionSpellings]:
    """``counts`` (each region spelling in a journal and its incidents) as one entry per region,
    by name: spellings the gazetteer knows for one region together, others together when they
    differ only in case."""
    groups: dict[str, list[tuple[str, int]]] = {}
    for spelling, count in counts:
        if count <= 0 or not spelling.strip():
            continue
        key = names.key_of(spelling)
        groups.setdefault(key or f"?{fold(spelling)}", []).append((spelling, count))
    result = []
    for key, spellings in groups.items():
        spellings.sort(key=lambda item: (-item[1], item[0]))
        known = not key.startswith("?")
        name = names.regions[key].name if known else spellings[0][0]
        result.append(RegionSpellings(name, key if known else "", tuple(spellings)))
    result.sort(key=lambda group: (group.name.casefold(), group.name))
    return result


_region_names: RegionNames | None = None
_reading = threading.Lock()


def region_names() -> RegionNames:
    """The region table, read on first use (about 50 ms; the gazetteer's own is the same);
    thread-safe: one read per process."""
    global _region_names
    if _region_names is None:
        with _reading:
            if _region_names is None:
                _region_names = RegionNames()
    return _region_names
