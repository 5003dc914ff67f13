"""Realistic journals of any size, written straight as JSON (the way a journal file looks)."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from pathlib import Path

import orjson

from store.migrations import SCHEMA_VERSION
from store.storage import encode
from store.taxonomy import SUB_EVENT_TYPES

#: Where the bench keeps the journals it generates, one folder per schema (a journal of an older
#: schema would be migrated at every open, and measured so).
CACHE = Path(__file__).resolve().parent.parent / ".bench" / f"schema-{SCHEMA_VERSION}"

REGIONS = {
    "Russia": ["Belgorod", "Kursk", "Bryansk", "Rostov", "Voronezh", "Udmurtia", "Tatarstan",
               "Krasnodar", "Moscow", "Oryol", "Lipetsk", "Tula", "Kaluga", "Smolensk"],
    "Ukraine": ["Kharkiv", "Donetsk", "Zaporizhzhia", "Kherson", "Sumy", "Dnipropetrovsk", "Odesa",
                "Mykolaiv", "Kyiv", "Chernihiv", "Crimea", "Luhansk", "Poltava", "Lviv"],
}
PLACES = ["Izhevsk", "Shebekino", "Graivoron", "Novoshakhtinsk", "Taganrog", "Kupiansk", "Ижевск",
          "Белгород", "Sumy", "Nikopol", "Marhanets", "Kostiantynivka", "Pokrovsk", None, None]
WEAPONS = ["Lyutiy-type drone", "FPV drone", "Shahed-type drone", "Iskander-M", "KAB glide bomb",
           "122mm artillery", "drone", None]
OUTLETS = [("SHOT (Telegram)", "telegram", "https://t.me/shot_shot/"),
           ("Governor (Telegram)", "official", "https://t.me/gov/"),
           ("Suspilne", "media", "https://suspilne.media/"),
           ("RBC", "media", "https://www.rbc.ru/"),
           ("Ministry of Defence", "official", None),
           ("Local resident", "witness", None)]
WORDS = ("drone strike factory fire residential building car injured killed emergency services "
         "air defence debris fell according to the regional head reported damage windows power line "
         "удар дрона по заводу пострадали мирные жители повреждены дома").split()
TYPES = list(SUB_EVENT_TYPES)
WEIGHTS = [30 if t in ("Air/drone strike", "Shelling/artillery/missile attack") else
           10 if t in ("Disrupted weapons use", "Armed clash") else 1 for t in TYPES]


def _count(rng: random.Random) -> dict:
    roll = rng.random()
    if roll < 0.35:
        return {"min": None, "max": None, "note": rng.choice([None, "several"])}
    if roll < 0.55:
        return {"min": 0, "max": 0, "note": None}
    low = rng.randint(1, 12)
    if roll < 0.8:
        return {"min": low, "max": low, "note": None}
    if roll < 0.9:
        return {"min": low, "max": None, "note": "at least"}
    return {"min": low, "max": low + rng.randint(1, 10), "note": None}


def incident(rng: random.Random, now: str) -> dict:
    country = rng.choice(list(REGIONS))
    start = dt.date(2022, 2, 24) + dt.timedelta(days=rng.randrange(0, 1400))
    sources = []
    for _ in range(rng.choice([1, 1, 1, 2])):
        outlet, kind, url = rng.choice(OUTLETS)
        sources.append({
            "outlet": outlet, "kind": kind, "url": f"{url}{rng.randrange(10**6)}" if url else None,
            "published": start.isoformat(), "quote": " ".join(rng.choices(WORDS, k=rng.randint(0, 3))) or None,
        })
    has_coords = rng.random() < 0.8
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "revision": 1,
        "created_at": now,
        "updated_at": now,
        "title": " ".join(rng.choices(WORDS, k=rng.randint(4, 10))).capitalize(),
        "summary": " ".join(rng.choices(WORDS, k=rng.randint(4, 16))),
        "tags": sorted(set(rng.choices(["drone", "industrial", "civilian", "night", "border"], k=2))),
        "date": start.isoformat(),
        "date_end": None,
        "date_precision": rng.choice(["day", "day", "day", "month"]),
        "country": country,
        "region": rng.choice(REGIONS[country]),
        "place": rng.choice(PLACES),
        "latitude": round(rng.uniform(44, 56), 4) if has_coords else None,
        "longitude": round(rng.uniform(30, 53), 4) if has_coords else None,
        "geo_precision": "near" if has_coords else None,
        "event_type": rng.choices(TYPES, WEIGHTS)[0],
        "weapon": rng.choice(WEAPONS),
        "actor": rng.choice([None, "Armed Forces of Ukraine", "Russian Armed Forces"]),
        "attribution": rng.choice(["confirmed", "claimed", "suspected", "unknown"]),
        "target": rng.choice([None, "factory", "car", "apartment block", "substation"]),
        "target_kind": rng.choice([None, "industrial", "vehicle", "residential", "infrastructure"]),
        "killed": _count(rng),
        "injured": _count(rng),
        "verification": rng.choice(["unverified", "single-source", "corroborated", "confirmed"]),
        "sources": sources,
        **({"weapons_launched": {"min": n, "max": n, "note": None}} if (n := rng.choice([None, 1, 2, 3])) else {}),
    }


def journal_tables(size: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    now = "2026-11-01T12:00:00Z"
    incidents = {str(n): incident(rng, now) for n in range(1, size + 1)}
    return {"incidents": incidents, "history": {}, "meta": {"1": {"schema_version": SCHEMA_VERSION}}}


def write_journal(path: Path, size: int) -> Path:
    """A journal of ``size`` incidents at ``path`` (reused if already there)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(encode(journal_tables(size)))
    return path


if __name__ == "__main__":  # pragma: no cover
    import sys

    from store import Journal

    target = write_journal(Path(sys.argv[1]), int(sys.argv[2]))
    with Journal(target) as journal:
        print(len(journal), "incidents,", len(journal.bad_records()), "invalid,", target.stat().st_size, "bytes")
    del orjson
