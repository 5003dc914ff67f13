"""The example incidents shipped in ``seeds/`` (the article the project started from)."""

from __future__ import annotations

from pathlib import Path

import orjson

from store.exchange import parse_incidents_json
from store.models import Group, Incident

_HERE = Path(__file__).resolve().parent
#: In a wheel the seeds sit inside the package; in a checkout (editable install) beside it.
_CANDIDATES = (_HERE / "seeds", _HERE.parent / "seeds")


def seed_folder() -> Path:
    for folder in _CANDIDATES:
        if folder.is_dir():
            return folder
    raise FileNotFoundError("the seeds folder is missing from this installation")


def seed_incidents() -> list[Incident]:
    """Every seed incident, validated, with its fixed id (so seeding twice adds nothing)."""
    incidents: list[Incident] = []
    for path in sorted(seed_folder().glob("*.json")):
        incidents.extend(parse_incidents_json(path.read_bytes(), name=path.name))
    return incidents


def seed_groups() -> list[Group]:
    """The groups of claims the seed incidents belong to, with their fixed ids."""
    groups: list[Group] = []
    for path in sorted((seed_folder() / "groups").glob("*.json")):
        groups.extend(Group.model_validate(record) for record in orjson.loads(path.read_bytes()))
    return groups
