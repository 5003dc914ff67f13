"""GeoJSON (RFC 7946): a FeatureCollection with one Feature per incident, for QGIS and the like.

Each Feature's ``id`` is the incident's; its geometry is a Point ``[longitude, latitude]``
(WGS 84), or null when the incident has no coordinates; its properties are the CSV columns
(``store.exchange.flat``) with JSON numbers, latitude and longitude aside (they are the point).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from store.exchange.batch import Candidate, ImportRejected, names
from store.exchange.flat import COLUMNS, DERIVED_COLUMNS, NOTATION_COLUMNS, candidate_from_flat, flat_record
from store.exchange.json_format import load
from store.exchange.source import Source
from store.models import Incident

PROPERTIES: tuple[str, ...] = tuple(column for column in COLUMNS if column not in ("latitude", "longitude"))
KNOWN_PROPERTIES = frozenset(PROPERTIES) | NOTATION_COLUMNS | DERIVED_COLUMNS


def feature(incident: Incident) -> dict[str, Any]:
    row = flat_record(incident)
    geometry = None
    if incident.latitude is not None and incident.longitude is not None:
        geometry = {"type": "Point", "coordinates": [incident.longitude, incident.latitude]}
    return {
        "type": "Feature",
        "id": incident.id,
        "geometry": geometry,
        "properties": {name: row[name] for name in PROPERTIES},
    }


def write(incidents: Iterable[Incident], *, excel: bool = False) -> bytes:
    collection = {"type": "FeatureCollection", "features": [feature(incident) for incident in incidents]}
    return orjson.dumps(collection, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def read(data: bytes | str | Source, name: str, warnings: list[str] | None = None) -> Iterator[Candidate]:
    """The features of a FeatureCollection as rows (rows count from 1), one at a time.

    The document is parsed whole; each feature is let go once it has been handed on.
    """
    document = load(data, name)
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise ImportRejected(f"{name} is not a GeoJSON FeatureCollection")
    features = document.get("features")
    if not isinstance(features, list):
        raise ImportRejected(f"{name}: 'features' must be a list")
    del document
    return _candidates(features, name, warnings)


def _candidates(features: list[Any], name: str, warnings: list[str] | None) -> Iterator[Candidate]:
    unknown: set[str] = set()
    for index in range(len(features)):
        number = index + 1
        item, features[index] = features[index], None
        if not isinstance(item, dict) or item.get("type") != "Feature":
            candidate = Candidate(number, {})
            candidate.problem("", "is not a GeoJSON Feature")
            yield candidate
            continue
        properties = item.get("properties") or {}
        if not isinstance(properties, dict):
            candidate = Candidate(number, {})
            candidate.problem("properties", "must be an object")
            yield candidate
            continue
        unknown.update(key for key in properties if key not in KNOWN_PROPERTIES)
        row = {key: value for key, value in properties.items() if key in KNOWN_PROPERTIES}
        if "id" not in row and item.get("id") is not None:
            row["id"] = item["id"]
        candidate = candidate_from_flat(number, row)
        geometry = item.get("geometry")
        if geometry is None:
            candidate.data.pop("latitude", None)
        elif (
            isinstance(geometry, dict)
            and geometry.get("type") == "Point"
            and isinstance(geometry.get("coordinates"), list)
            and len(geometry["coordinates"]) in (2, 3)
            and all(_number(value) for value in geometry["coordinates"])
        ):
            longitude, latitude = geometry["coordinates"][:2]
            candidate.data["latitude"], candidate.data["longitude"] = float(latitude), float(longitude)
        else:
            candidate.problem("geometry", "must be null or a Point with [longitude, latitude]")
        candidate.given = candidate.given | {"latitude", "longitude"}
        yield candidate
    if unknown and warnings is not None:
        warnings.append(f"{name}: properties {names(sorted(unknown))} are not incident fields; ignored")
