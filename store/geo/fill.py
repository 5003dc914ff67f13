"""What a chosen place fills in an incident: the one rule the form, ``add --place`` and
``import --fill-places`` follow.

A place fills region, country, latitude and longitude (and geo precision ``near``: the
coordinates are the town's, not the strike's) where they are empty. A region or country already
given is never overwritten: one naming the same region or country as the place ("Udmurt
Republic" for Udmurtia) is simply kept, one naming another is a conflict the caller must ask
about. Coordinates already given are kept, with their precision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from store.geo.gazetteer import Place
from store.geo.names import fold
from store.geo.regions import RegionNames

#: The fields a place fills, in the order a message names them (the place itself only where what
#: was typed is no name of it, e.g. "в Ижевске": ``with_place_name``).
FILLED_FIELDS = ("place", "region", "country", "latitude", "longitude", "geo_precision")


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass(frozen=True)
class Filling:
    place: Place
    #: The fields that were empty and what the place puts in them.
    values: dict[str, Any] = field(default_factory=dict)
    #: Fields given with another region or country than the place's: field -> (given, the place's).
    conflicts: dict[str, tuple[str, str]] = field(default_factory=dict)

    def describe(self) -> str:
        """One line: what was filled from which place ("" when nothing was)."""
        parts = []
        values = self.values
        for name in ("place", "region", "country"):
            if name in values:
                parts.append(f"{name} {values[name]}")
        if "latitude" in values:
            parts.append(f"coordinates {values['latitude']}, {values['longitude']}")
        if not parts:
            return ""
        return f"filled {', '.join(parts)} from {self.place.label()}"

    def with_place_name(self, typed: str, names: tuple[str, ...]) -> Filling:
        """This filling, also putting the place's own name in place of ``typed`` when ``typed``
        is none of the place's ``names`` as written (a form a sentence put it in, "в Ижевске")."""
        if fold(typed) in {fold(name) for name in names}:
            return self
        return replace(self, values={"place": self.place.name, **self.values})

    def describe_conflicts(self) -> list[str]:
        return [
            f"{name} is {given!r}, but {self.place.name} is in {theirs!r}: kept {given!r}"
            for name, (given, theirs) in self.conflicts.items()
        ]


def fill_from_place(place: Place, current: Mapping[str, Any], regions: RegionNames) -> Filling:
    """What ``place`` fills in an incident whose fields are ``current`` (a mapping of field
    names to values or typed text; missing means empty)."""
    values: dict[str, Any] = {}
    conflicts: dict[str, tuple[str, str]] = {}
    country = current.get("country")
    if place.country:
        if _empty(country):
            values["country"] = place.country
        elif regions.country_code_of(str(country)) != place.country_code:
            conflicts["country"] = (str(country).strip(), place.country)
    region = current.get("region")
    if place.region:
        if _empty(region):
            values["region"] = place.region
        else:
            typed = str(region).strip()
            same = regions.key_of(typed, place.country_code) == place.region_key
            if not same and typed.casefold() != place.region.casefold():
                conflicts["region"] = (typed, place.region)
    if _empty(current.get("latitude")) and _empty(current.get("longitude")):
        values["latitude"] = place.latitude
        values["longitude"] = place.longitude
        if _empty(current.get("geo_precision")):
            values["geo_precision"] = "near"
    return Filling(place, values, conflicts)
