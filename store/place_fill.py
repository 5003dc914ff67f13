"""Looking up an incident's place to fill its region, country and coordinates: what ``add --place``,
``edit --place`` and ``import --fill-places`` share. (The app's form asks a person instead.)

What a place fills is ``store.geo.fill_from_place``'s one rule. This module decides which place:

- the place name is looked up within the incident's region and country when they are given
  (``--region Donetsk`` picks the Pokrovsk there); a name known only elsewhere is not placed,
  since a village of that name in the given region may simply be too small for the gazetteer,
  and filling in another town's coordinates would be wrong;
- with coordinates given, the place so named nearest to them, but only within ``NEAR_KM``:
  coordinates far from every place of that name are not of that place;
- otherwise the one place the name names: one shared by several places without a clear lead
  ("Pokrovsk") is ambiguous, and nothing is filled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from store.geo import AmbiguousPlace, Filling, Gazetteer, Place, PlaceNotFound, distance_km, fill_from_place, gazetteer

#: Coordinates given farther than this from every place of the name given are not of that place.
NEAR_KM = 50.0
#: What a place fills, and so what an incident must lack for its place to be looked up.
FILLABLE = ("region", "country", "latitude", "longitude")
#: A message lists at most this many places a name names (then how many more).
CANDIDATES_SHOWN = 10


#: A name quoted in a message is cut to this many characters.
SHOWN_UP_TO = 80


def shown(query: str) -> str:
    """``query`` quoted for a message, cut to ``SHOWN_UP_TO`` characters."""
    return repr(query if len(query) <= SHOWN_UP_TO else query[:SHOWN_UP_TO] + "…")


def _text(value: Any) -> str | None:
    """A field's value as text, None when empty."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if -180.0 <= number <= 180.0 else None


def needs_place(fields: Mapping[str, Any]) -> bool:
    """Whether ``fields`` name a place and lack something it would fill."""
    return _text(fields.get("place")) is not None and any(_text(fields.get(name)) is None for name in FILLABLE)


@dataclass(frozen=True)
class PlaceLookup:
    """What looking up an incident's place found: the place and what it fills, or why none."""

    query: str
    place: Place | None = None
    filling: Filling | None = None
    #: Why nothing was filled ("" when a place was found).
    reason: str = ""
    #: The places an ambiguous name names, most likely first.
    candidates: tuple[Place, ...] = ()
    #: The name is a known place's, but not within the region and country given, or far from
    #: the coordinates given: worth a warning (the fields given are kept).
    elsewhere: bool = False

    @property
    def ambiguous(self) -> bool:
        return bool(self.candidates)

    def candidate_lines(self) -> list[str]:
        """The candidates, one a line (``Place.label()``), ``CANDIDATES_SHOWN`` at most, then how many more."""
        lines = [place.label() for place in self.candidates[:CANDIDATES_SHOWN]]
        if len(self.candidates) > CANDIDATES_SHOWN:
            lines.append(f"… and {len(self.candidates) - CANDIDATES_SHOWN} more")
        return lines


class PlaceFinder:
    """Looks up incidents' places in ``gazetteer``; the same name within the same region and
    country is looked up once (an import of thousands of rows names a few places)."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._found: dict[tuple[str, str | None, str | None], Place | PlaceLookup] = {}

    def look_up(self, fields: Mapping[str, Any]) -> PlaceLookup:
        """The place ``fields`` name (``place``, within their ``region`` and ``country``, nearest
        their coordinates) and what it fills in them; or why none is filled."""
        query = _text(fields.get("place")) or ""
        region, country = _text(fields.get("region")), _text(fields.get("country"))
        latitude, longitude = _number(fields.get("latitude")), _number(fields.get("longitude"))
        near = (latitude, longitude) if latitude is not None and longitude is not None else None
        if near is None:
            key = (query, region, country)
            found = self._found.get(key)
            if found is None:
                found = self._found[key] = self._resolve(query, region, country, None)
        else:
            found = self._resolve(query, region, country, near)
        if isinstance(found, PlaceLookup):
            return found
        if near is not None:
            km = distance_km(*near, found.latitude, found.longitude)
            if km > NEAR_KM:
                return PlaceLookup(
                    query,
                    reason=f"{shown(query)} is {found.label()}, {km:,.0f} km from the coordinates given; "
                    "nothing was filled from it",
                    elsewhere=True,
                )
        filling = fill_from_place(found, fields, self.gazetteer.regions)
        return PlaceLookup(query, found, filling.with_place_name(query, self.gazetteer.names_of(found)))

    def _resolve(
        self, query: str, region: str | None, country: str | None, near: tuple[float, float] | None
    ) -> Place | PlaceLookup:
        gazetteer = self.gazetteer
        try:
            return gazetteer.resolve(query, region=region, country=country, near=near)
        except AmbiguousPlace as exc:
            within = _within(region, country)
            return PlaceLookup(
                query,
                reason=f"{shown(query)} names {len(exc.candidates)} places{within}",
                candidates=tuple(exc.candidates),
            )
        except PlaceNotFound:
            pass
        except UnicodeError:  # a lone surrogate: no place is called so
            return PlaceLookup(query, reason=f"no place called {shown(query)} is known")
        elsewhere = gazetteer.lookup(query, limit=4) if region or country else []
        if not elsewhere:
            return PlaceLookup(query, reason=f"no place called {shown(query)} is known")
        labels = "; ".join(place.label() for place in elsewhere[:3])
        more = " …" if len(elsewhere) > 3 else ""
        return PlaceLookup(
            query,
            reason=f"no place called {shown(query)} is known{_within(region, country)} "
            f"(only elsewhere: {labels}{more})",
            elsewhere=True,
        )


def _within(region: str | None, country: str | None) -> str:
    parts = [part for part in (region, country) if part]
    return f" in {', '.join(parts)}" if parts else ""


def place_finder() -> PlaceFinder:
    """A new ``PlaceFinder`` (its own memory of names looked up) on the gazetteer, which is read
    once per process, on first use (about 0.2 s)."""
    return PlaceFinder(gazetteer())
