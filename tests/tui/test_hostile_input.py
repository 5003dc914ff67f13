"""Bad input, tried at scale: hostile values fed to the model, the count notation, the CLI and import.

Every value is either refused with a clear message (exit status 2, one prefixed line per problem,
naming the option or the row at fault, the journal byte-for-byte as it was) or accepted intact:
the stored text is the text given (stripped where the model strips), numbers are the numbers
given. Nothing crashes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from store import taxonomy
from store.counts import MAX_COUNT, Count
from store.models import SOURCE_KINDS, Incident, IncidentFields
from tui.cli import main

PREFIX = "incident-journal: "
PROJECT = Path(__file__).resolve().parents[2]
IZHEVSK = "78b9375e-f810-45cb-89db-0333a9e5afb0"

SETTINGS = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


# -- running the CLI in-process ---------------------------------------------------------------


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        # A terminal breaks lines at \n only (str.splitlines would also split at \x85, \x1c...).
        return self.err.rstrip("\n").split("\n") if self.err else []


def run_cli(journal: Path, *args: str) -> Result:
    """``main`` on ``journal``, output captured as text (any str, lone surrogates included)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(["--journal", str(journal), *args])
        except SystemExit as exc:
            code = exc.code
        except Exception as exc:  # what a user would see as a traceback
            raise AssertionError(
                f"main({[short(a) for a in args]}) raised {type(exc).__name__}: {exc} (a traceback for the user)"
            ) from exc
        else:  # pragma: no cover - main always exits
            raise AssertionError("main() returned without exiting")
    return Result(code if isinstance(code, int) else 0, out.getvalue(), err.getvalue())


def listing(journal: Path) -> dict[str, dict[str, Any]]:
    result = run_cli(journal, "list", "--format", "json")
    assert result.code == 0, result.err
    return {item["id"]: item for item in json.loads(result.out)}


class Seeded:
    """The bytes of a freshly seeded journal and its incidents as 'list --format json' shows them."""

    def __init__(self, content: bytes, incidents: dict[str, dict[str, Any]]):
        self.content = content
        self.incidents = incidents

    def __repr__(self) -> str:
        return f"<seeded journal: {len(self.incidents)} incidents>"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    path = tmp_path_factory.mktemp("seeded") / "journal.json"
    assert run_cli(path, "seed").code == 0
    return Seeded(path.read_bytes(), listing(path))


@contextlib.contextmanager
def fresh_journal(seed: Seeded) -> Iterator[Path]:
    """A seeded journal in its own temporary folder, for one example."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "journal.json"
        path.write_bytes(seed.content)
        yield path


def short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}…({len(text)} chars)"


def assert_refused(result: Result, journal: Path, before: bytes, files: set[str], names: set[str]) -> None:
    """Exit 2, every stderr line prefixed and naming one of ``names``; the journal untouched."""
    assert "Traceback" not in result.err
    assert result.code == 2, (result.code, result.err)
    assert result.out == "", f"printed {short(result.out)} although refused"
    lines = result.err_lines
    assert lines, "refused without a message"
    for line in lines:
        assert line.startswith(PREFIX), f"stderr line without the prefix: {short(line)} in {short(result.err)}"
        assert not any(unicodedata.category(c) == "Cc" for c in line), f"raw control character in {short(line)}"
        if names:
            assert any(name in line for name in names), f"{short(line)} names none of {sorted(names)}"
    assert journal.read_bytes() == before, "a refused command changed the journal"
    assert {p.name for p in journal.parent.iterdir()} == files, "a refused command left files behind"


# -- what accepted input must look like once stored -------------------------------------------

MULTILINE = {"summary", "quote"}


def assert_clean_text(value: Any, key: str = "") -> None:
    """No control character (but \\n and \\t in summary and quotes) and no lone surrogate."""
    if isinstance(value, str):
        allowed = "\n\t" if key in MULTILINE else ""
        bad = [c for c in value if c not in allowed and unicodedata.category(c) in ("Cc", "Cs")]
        assert not bad, f"{key} was stored with {bad[0]!r}: {short(value)}"
    elif isinstance(value, dict):
        for name, item in value.items():
            assert_clean_text(item, name)
    elif isinstance(value, list):
        for item in value:
            assert_clean_text(item, key)


#: An independent reading of the count notation (3, 1+, 2-5, ?, with an optional (note)).
_COUNT = re.compile(r"(?:(\?)|(\d+)\s*(?:(\+)|[-–—]\s*(\d+))?)?\s*(?:\(([^()]*)\))?")
UNKNOWN = {"min": None, "max": None, "note": None}


def expected_count(text: str) -> dict[str, Any]:
    match = _COUNT.fullmatch(text.strip())
    assert match is not None, f"{short(text)} was accepted as a count"
    _, low, plus, high, note = match.groups()
    note = (note.strip() or None) if note is not None else None
    if low is None:
        return {"min": None, "max": None, "note": note}
    if plus:
        return {"min": int(low), "max": None, "note": note}
    return {"min": int(low), "max": int(high if high is not None else low), "note": note}


def expected_count_json(given: Any) -> dict[str, Any]:
    if given is None:
        return UNKNOWN
    if isinstance(given, str):
        return expected_count(given)
    if isinstance(given, int) and not isinstance(given, bool):
        return {"min": given, "max": given, "note": None}
    if isinstance(given, dict):
        note = given.get("note")
        return {
            "min": given.get("min"),
            "max": given.get("max"),
            "note": (note.strip() or None) if isinstance(note, str) else note,
        }
    raise AssertionError(f"a {type(given).__name__} was accepted as a count: {short(given)}")


def optional_line(given: Any) -> Any:
    return (given.strip() or None) if isinstance(given, str) else given


def expected_tags(given: Any) -> list[str]:
    if isinstance(given, str):
        given = [part for part in re.split(r"[,\s]+", given) if part]
    assert isinstance(given, list), f"tags given as {short(given)} were accepted"
    return list(dict.fromkeys(tag.strip().lower() for tag in given))


def check_event_type(given: Any, stored: Any) -> None:
    if given is None or (isinstance(given, str) and not given.strip()):
        assert stored is None
        return
    assert isinstance(given, str), f"event_type {short(given)} was accepted"
    assert stored in taxonomy.SUB_EVENT_TYPES, stored
    assert stored.casefold().startswith(given.strip().casefold()), (given, stored)


def check_source(given: Any, stored: dict[str, Any]) -> None:
    assert isinstance(given, dict), f"a source given as {short(given)} was accepted"
    for key in given:
        assert key in ("outlet", "url", "kind", "published", "quote"), f"unknown source field {short(key)} accepted"
    assert stored["outlet"] == given["outlet"].strip()
    assert stored["url"] == optional_line(given.get("url"))
    assert stored["kind"] == given.get("kind", "other")
    published = given.get("published")
    assert stored["published"] == optional_line(published), (
        f"source published given as {short(published)} was stored as {stored['published']!r}"
    )
    quote = optional_line(given.get("quote"))
    assert stored["quote"] == (quote.replace("\r\n", "\n") if isinstance(quote, str) else quote)


def as_utc(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


EXACT_FIELDS = {"date_precision", "geo_precision", "attribution", "target_kind", "verification"}
NUMBER_FIELDS = {"latitude", "longitude", "revision"}
#: Counts a record leaves out while unknown.
PART_COUNTS = {"weapons_launched", "weapons_intercepted", "weapons_hit"}


def check_field(key: str, given: Any, stored: dict[str, Any]) -> None:
    """``given`` (a JSON value for ``key``) is what the stored record holds, as the model documents."""
    value = stored.get(key)
    where = f"{key}: given {short(given)}, stored {short(value)}"
    if key in ("title", "country", "region"):
        assert isinstance(given, str) and value == given.strip(), where
    elif key in ("place", "weapon", "actor", "target"):
        assert value == optional_line(given), where
    elif key == "summary":
        assert isinstance(given, str) and value == given.replace("\r\n", "\n"), where
    elif key in ("date", "date_end"):
        # Dates are text (YYYY-MM-DD); a number must not be read as a date.
        assert value == optional_line(given), where
    elif key == "tags":
        assert value == expected_tags(given), where
    elif key == "event_type":
        check_event_type(given, value)
    elif key in ("killed", "injured"):
        assert value == expected_count_json(given), where
    elif key in PART_COUNTS:
        assert stored.get(key, UNKNOWN) == expected_count_json(given), where
    elif key == "sources":
        assert isinstance(given, list) and len(value) == len(given), where
        for one_given, one_stored in zip(given, value, strict=False):
            check_source(one_given, one_stored)
    elif key in EXACT_FIELDS:
        assert value == given and type(value) is type(given), where
    elif key in NUMBER_FIELDS:
        if given is None and key != "revision":
            assert value is None, where
        else:
            assert isinstance(given, (int, float)) and not isinstance(given, bool), where
            assert value == given and math.isfinite(value), where
    elif key == "id":
        assert value == (str(uuid.UUID(given)) if given is not None else value), where
        uuid.UUID(value)
    elif key in ("created_at", "updated_at"):
        if isinstance(given, str):
            with contextlib.suppress(ValueError):
                expected = as_utc(given.strip())
                assert as_utc(value) == expected, where
    elif key == "casualty_status":
        pass  # derived from the counts; a given value is dropped on the way in
    else:
        raise AssertionError(f"unknown field {short(key)} was accepted")


# -- hostile values -----------------------------------------------------------------------------

CONTROL = [
    "\x00", "a\x00b", "\x1b[31mred\x1b[0m", "del\x7f", "nel\u0085x", "\u0085", "bell\x07", "two\nlines",
    "tab\there", "cr\rlf", "crlf\r\nnext", "\x1c\x1dedges\x1e\x1f", "\x0b\x0c", "x\x9b31m",
]
SURROGATES = ["\ud800", "a\udfffb", "\udc80x"]
HUGE = ["x" * 100_000, "Я" * 100_000, "🚀" * 100_000, "[/]" * 33_334, "1" * 100_000]
MARKUP = [
    "[/]", "[bold red]x", "[link=x]y[/link]", "[/bold]", "<b>x</b>", "%s%n", "{0}{}", "$(id)",
    "'; DROP TABLE incidents; --", "\\", '"', "-x", "--help", "|||", "[", "]",
]
WORDS = [
    "Удар по заводу", "Ижевск", "Ёлкино", "🚀💥", "👨\u200d👩\u200d👧", "z̷͖a̸l̵g̶o", "\u202eevil", "zero\u200bwidth",
    "\ufeffbom", "  padded  ", "\u3000ideo\u3000", "", " ", "\t", "İstanbul", "ß", "ﬁ",
]
NUMBERS = [
    "-1", "0", "1e9", "-1e9", "1e30", "nan", "inf", "-inf", "10" * 16, "٣", "３", "1_000", "0x10", "1,5",
    "2-5", "1+", "?", "? (several)", "5-2", "3 (\x00)",
]
DATES = [
    "2024-07-01", " 2024-07-01 ", "2024-7-1", "2024-13-01", "2024-02-30", "0001-01-01", "9999-12-31",
    "10000-01-01", "2024-07-01T00:00:00", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00",
    "2024-07-01T12:00:00+14:00", "20240701", "today", "٢٠٢٤-٠٧-٠١",
]
HOSTILE_TEXT = CONTROL + SURROGATES + HUGE + MARKUP + WORDS + NUMBERS + DATES

hostile_text = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=40),
    st.text(st.characters(categories=["Cc", "Cs", "Zs", "Zl", "Zp", "Cf"]), max_size=10),
    st.tuples(st.sampled_from(WORDS + MARKUP), st.sampled_from(CONTROL + SURROGATES)).map("".join),
)
small_text = st.one_of(st.sampled_from(CONTROL + SURROGATES + MARKUP + WORDS), st.text(max_size=8))

HOSTILE_JSON = [
    None, True, False, 0, -1, 1, 1.5, -0.0, 1e9, -1e9, 1e308, 10**30, -(10**30), 2**63, 2**64 - 1, 2**64,
    86_400, 1_720_000_000, float("nan"), float("inf"), float("-inf"), [], {}, [None], [[]], ["a", 1], [{}],
    {"": None}, {"min": -1}, {"min": 5, "max": 2}, {"min": True}, {"min": 1.0}, {"min": 10**30},
    {"note": 5}, {"note": "\x1b[31m"}, {"unknown": 1}, {"max": 3},
]
hostile_json = st.one_of(
    st.sampled_from(HOSTILE_JSON),
    hostile_text,
    st.integers(),
    st.floats(),
    st.lists(st.one_of(st.none(), st.booleans(), st.integers(), small_text), max_size=3),
    st.dictionaries(small_text, st.one_of(st.none(), st.integers(), small_text), max_size=3),
)


# -- valid values ---------------------------------------------------------------------------------

SAFE = ("L", "M", "N", "P", "S", "Zs")


def safe_text(max_size: int = 40, exclude: str = "") -> st.SearchStrategy[str]:
    return st.text(st.characters(categories=SAFE, exclude_characters=exclude), min_size=1, max_size=max_size).filter(
        str.strip
    )


line = st.one_of(
    st.sampled_from(["Drone strike on a depot", "  Удар по заводу 🚀 ", "[bold red]x[/] [link=x]", "Ижевск"]),
    safe_text(60),
)


def count_notations() -> st.SearchStrategy[str]:
    number = st.integers(0, MAX_COUNT)
    core = st.one_of(
        number.map(str),
        number.map(lambda n: f"{n}+"),
        st.tuples(number, number).map(lambda pair: f"{min(pair)}-{max(pair)}"),
        st.just("?"),
    )
    note = st.one_of(st.just(""), safe_text(30, exclude="()").map(lambda text: f" ({text})"))
    return st.tuples(core, note).map("".join)


sources = st.tuples(
    safe_text(30, exclude="|"),
    st.sampled_from(["", "https://t.me/shot_shot/1", "https://example.org/news?id=1", "http://ria.ru/x"]),
    st.sampled_from(["", *SOURCE_KINDS, "MEDIA"]),
).map("|".join)
tags = st.one_of(
    st.from_regex(r"[a-z0-9_][a-z0-9_:./-]{0,20}", fullmatch=True),
    st.sampled_from(["удар", "Дрон", "BORDER", "region:kursk"]),
)

VALID: dict[str, st.SearchStrategy[str]] = {
    "--title": line,
    "--date": st.dates().map(dt.date.isoformat),
    "--region": line,
    "--country": line,
    "--place": st.one_of(line, st.just("")),
    "--killed": count_notations(),
    "--injured": count_notations(),
    "--type": st.sampled_from([*taxonomy.SUB_EVENT_TYPES, "air", "SHELLING", "disrupted", "  grenade "]),
    "--launched": count_notations(),
    "--lat": st.floats(-90, 90).map(repr),
    "--lon": st.floats(-180, 180).map(repr),
    "--source": sources,
    "--tag": tags,
}

EXTRA_HOSTILE: dict[str, list[str]] = {
    "--date": DATES,
    "--killed": [
        "-1", "5-2", "10000001", "99999999999", "1+ (a(b))", "? (" + "n" * 201 + ")", "3 (\x1b[31m)", "1e3",
        "three", "½", "3.0", "+3", "1++", "--", "? ?", "(", "2 (\ud800)",
    ],
    "--lat": ["1e9", "-1e9", "nan", "inf", "-inf", "90.0000001", "-90.5", "1e-400", "0x1p3", "٣", "1_0", "", "1,5"],
    "--launched": ["-1", "5-2", "10000001", str(10**30), "1.5", "٣", "1_000", "three", "1e3"],
    "--type": ["", " ", "a", "s", "o", "bombing", "AIR/DRONE STRIKE", "Other", "air\x00"],
    "--source": [
        "a|b|c|d", "|https://t.me/x", "x|ftp://x.org", "x|https://", "x|http://[", "x|https://exa mple.org",
        "x|https://t.me/x|rumour", "x|javascript:alert(1)", "x|https://x.org/\x00", "x|https://ex\uff03ample.org",
        "", "|", "||",
    ],
    "--tag": ["", " ", "two words", "a,b", "x" * 41, "İ", "tag\x00", "#hash", "🚀", "a\nb"],
}
EXTRA_HOSTILE["--injured"] = EXTRA_HOSTILE["--killed"]
EXTRA_HOSTILE["--lon"] = [*EXTRA_HOSTILE["--lat"], "180.5", "-181"]


def hostile_for(option: str) -> st.SearchStrategy[str]:
    extra = EXTRA_HOSTILE.get(option)
    base: st.SearchStrategy[str] = hostile_text
    if option == "--source":
        part = st.one_of(hostile_text, st.just(""))
        base = st.one_of(
            hostile_text,
            st.tuples(part, st.just("https://t.me/x"), st.just("media")).map("|".join),
            st.tuples(st.just("SHOT"), part).map("|".join),
            st.tuples(st.just("SHOT"), st.just("https://t.me/x"), part).map("|".join),
        )
    if not extra:
        return base
    # flatmap, not one_of: one_of would flatten base's branches and draw the specific values rarely
    return st.booleans().flatmap(lambda specific: st.sampled_from(extra) if specific else base)


OPTIONS = list(VALID)
REPEATABLE = {"--source", "--tag"}
REQUIRED = {"--title", "--date", "--region", "--country"}
#: Besides itself, the options a refusal of an option may name.
RELATED = {"--lat": {"--lon"}, "--lon": {"--lat"}, "--date": {"--date-end"}}


@dataclass
class Command:
    values: dict[str, list[str]]  # option -> the values given, in order
    hostile: set[str]

    def argv(self) -> list[str]:
        return [part for option, values in self.values.items() for value in values for part in (option, value)]

    def blamable(self) -> set[str]:
        return {name for option in self.hostile for name in (option, *RELATED.get(option, ()))}


def option_values(draw: st.DrawFn, option: str, hostile: bool) -> list[str]:
    if option in REPEATABLE:
        values = draw(st.lists(VALID[option], min_size=1, max_size=3))
        if hostile:
            values[draw(st.integers(0, len(values) - 1))] = draw(hostile_for(option))
        return values
    return [draw(hostile_for(option) if hostile else VALID[option])]


@st.composite
def add_commands(draw: st.DrawFn) -> Command:
    hostile = draw(st.sets(st.sampled_from(OPTIONS), max_size=2))
    values: dict[str, list[str]] = {}
    coordinates = bool({"--lat", "--lon"} & hostile) or draw(st.booleans())
    for option in OPTIONS:
        if option in ("--lat", "--lon"):
            present = coordinates and (option in hostile or not hostile & {"--lat", "--lon"} or draw(st.booleans()))
        else:
            present = option in REQUIRED or option in hostile or draw(st.booleans())
        if present:
            values[option] = option_values(draw, option, option in hostile)
    return Command(values, hostile)


def check_cli_value(option: str, values: list[str], stored: dict[str, Any]) -> None:
    """An accepted option's value is stored intact (stripped where the model strips)."""
    value = values[-1]
    field = {"--lat": "latitude", "--lon": "longitude", "--type": "event_type", "--launched": "weapons_launched",
             "--source": "sources", "--tag": "tags"}.get(option, option[2:])
    where = f"{option} {short(values)} stored as {short(stored.get(field))}"
    if option in ("--title", "--region", "--country", "--date"):
        assert stored[field] == value.strip(), where
    elif option == "--place":
        assert stored[field] == (value.strip() or None), where
    elif option in ("--killed", "--injured"):
        assert stored[field] == expected_count(value), where
    elif option == "--launched":
        assert stored.get(field, UNKNOWN) == expected_count(value), where
    elif option == "--type":
        check_event_type(value, stored[field])
    elif option in ("--lat", "--lon"):
        assert stored[field] == float(value) and math.isfinite(stored[field]), where
    elif option == "--tag":
        assert stored[field] == list(dict.fromkeys(tag.strip().lower() for tag in values)), where
    elif option == "--source":
        assert len(stored[field]) == len(values), where
        for text, source in zip(values, stored[field], strict=False):
            parts = [part.strip() for part in text.split("|")]
            assert len(parts) <= 3, where
            assert source["outlet"] == parts[0], where
            assert source["url"] == ((parts[1] if len(parts) > 1 else "") or None), where
            if len(parts) == 3 and parts[2]:
                assert source["kind"] == parts[2].lower(), where
    else:  # pragma: no cover - every option in VALID is handled above
        raise AssertionError(option)


# -- 1. add ------------------------------------------------------------------------------------------


@settings(max_examples=150, **SETTINGS)
@given(command=add_commands())
def test_add_stores_hostile_values_intact_or_refuses_them_naming_the_option(seeded: Seeded, command: Command):
    with fresh_journal(seeded) as journal:
        before, files = journal.read_bytes(), {p.name for p in journal.parent.iterdir()}
        # --no-lookup: the values are stored as typed (a place the gazetteer knows elsewhere would
        # be warned about, a declined one replaced by its name: tests/tui/test_cli_places.py).
        result = run_cli(journal, "add", "--no-lookup", *command.argv())
        event("refused" if result.code else "accepted")
        if result.code != 0:
            assert_refused(result, journal, before, files, command.blamable())
            assert command.hostile, f"valid input refused: {result.err}"
            return
        assert result.err == "", result.err
        new_id = result.out.strip()
        after = listing(journal)
    assert set(after) == set(seeded.incidents) | {new_id}
    assert all(after[key] == value for key, value in seeded.incidents.items()), "add changed another incident"
    stored = after[new_id]
    assert_clean_text(stored)
    for option, values in command.values.items():
        check_cli_value(option, values, stored)


def test_a_nul_byte_in_any_text_option_is_refused_naming_it(seeded: Seeded):
    """A shell cannot pass NUL in argv, but a script calling main() can."""
    base = {"--title": "x", "--date": "2024-07-01", "--region": "Kursk", "--country": "Russia"}
    for option in ["--title", "--region", "--country", "--place", "--date", "--killed", "--type", "--tag",
                   "--source", "--lat", "--launched"]:
        values = {**base, option: "a\x00b"}
        with fresh_journal(seeded) as journal:
            before, files = journal.read_bytes(), {p.name for p in journal.parent.iterdir()}
            argv = [part for key, value in values.items() for part in (key, value)]
            assert_refused(run_cli(journal, "add", *argv), journal, before, files, {option})


# -- 2. import -----------------------------------------------------------------------------------------


def seed_like_row(incident_id: str) -> dict[str, Any]:
    return {
        "id": incident_id,
        "revision": 1,
        "created_at": "2024-07-02T09:30:00+00:00",
        "updated_at": "2024-07-02T09:30:00+00:00",
        "title": "Drone strike sets a factory on fire in Izhevsk",
        "summary": "A drone strike hit a factory.\n\n\tSeveral people were injured.",
        "tags": ["factory", "fire"],
        "date": "2024-07-01",
        "date_end": None,
        "date_precision": "month",
        "country": "Russia",
        "region": "Udmurtia",
        "place": "Izhevsk",
        "latitude": 56.8498,
        "longitude": 53.2045,
        "geo_precision": "near",
        "event_type": "Air/drone strike",
        "weapon": "Lyutiy-type drone",
        "weapons_launched": {"min": 3, "max": 3, "note": None},
        "actor": "Armed Forces of Ukraine",
        "attribution": "claimed",
        "target": "factory",
        "target_kind": "industrial",
        "killed": {"min": 1, "max": None, "note": None},
        "injured": {"min": None, "max": None, "note": "several"},
        "verification": "corroborated",
        "sources": [
            {"outlet": "SHOT (Telegram)", "url": "https://t.me/shot_shot/1", "kind": "telegram",
             "published": "2024-07-01", "quote": "There are casualties."},
        ],
    }


STORE_KEYS = ["id", "revision", "created_at", "updated_at"]
FIELD_PATHS = [key for key in seed_like_row(IZHEVSK) if key not in STORE_KEYS] + [
    "killed.min", "killed.max", "killed.note", "injured.note", "sources.0.outlet", "sources.0.url",
    "sources.0.kind", "sources.0.published", "sources.0.quote", "sources.1", "casualty_status", "<extra>",
]
ALL_PATHS = STORE_KEYS + FIELD_PATHS
MISSING = object()
#: Values aimed at one field, drawn as often as all the generic hostile values together.
SPECIFIC: dict[str, list[Any]] = {
    "id": [IZHEVSK.upper(), "{" + IZHEVSK + "}", "urn:uuid:" + IZHEVSK, "", "not-a-uuid",
           "00000000-0000-0000-0000-000000000000", "7" * 64, str(uuid.uuid4()).upper(), 123, None],
    "revision": [0, -1, 1.0, True, "1", 2**63 - 1, 2**64 - 1, 2**64, 10**30],
    "created_at": [*DATES, "2024-07-01T09:30:00Z", "9999-12-31T23:59:59Z", "2024-02-30T00:00:00Z", "now", 0, -1,
                   10**20, 1e308],
    "date": [*DATES, 0, 86_400, -86_400, 1.0, True],
    "date_end": [*DATES, "2024-06-30", 0],
    "sources.0.published": [*DATES, 0, 86_400],
    "latitude": [90, -90, 90.0000001, -90.5, 1e9, -1e9, True, "50", 2**64, 5e-324, -0.0],
    "longitude": [180, -180, 180.5, 1e9, True, "30", 2**64, None],
    "weapons_launched": [0, 1, 100_000, -1, 1.0, 2.5, True, "3", "2-5 (x)", "three", 2**64 - 1, None],
    "killed": [
        *EXTRA_HOSTILE["--killed"], 3, 0, -1, MAX_COUNT, MAX_COUNT + 1, "1+", "2-5 (two to five)", "? (several)"
    ],
    "tags": ["a, b", "x" * 41, ["a"] * 51, ["A", "a"], [""], ["two words"], [1], "", ["İ"], ["удар"]],
    "event_type": ["", " ", "air", "AIR", "a", "s", "bombing", 5, ["Air/drone strike"]],
}
SPECIFIC["updated_at"] = SPECIFIC["created_at"]
SPECIFIC["injured"] = SPECIFIC["killed"]


def is_index(part: str) -> bool:
    return part.isascii() and part.isdigit()


def replace(row: dict[str, Any], path: str, value: Any) -> None:
    """Put ``value`` at a dotted ``path`` (``MISSING`` removes it); a path already replaced away is skipped.

    Replacements come in any order, so an earlier one may have turned a parent into something the
    path no longer fits: ``killed`` into a list (then ``killed.min`` is skipped), ``sources`` into a
    dict or a number (then ``sources.0.url`` is skipped). Only a path that still fits is changed.
    """
    *parents, last = path.split(".")
    target: Any = row
    for part in parents:
        if isinstance(target, list) and is_index(part) and int(part) < len(target):
            target = target[int(part)]
        elif isinstance(target, dict) and part in target:
            target = target[part]
        else:
            return
    if isinstance(target, list):
        if value is MISSING or not is_index(last):
            return
        if int(last) < len(target):
            target[int(last)] = value
        else:
            target.append(value)
    elif isinstance(target, dict):
        if value is MISSING:
            target.pop(last, None)
        else:
            target[last] = value


@st.composite
def hostile_rows(draw: st.DrawFn, incident_id: str, paths: list[str]) -> dict[str, Any]:
    row = seed_like_row(incident_id)
    if "id" not in paths:
        row = {key: value for key, value in row.items() if key not in STORE_KEYS}
    for path in draw(st.lists(st.sampled_from(paths), min_size=1, max_size=3, unique=True)):
        if path == "<extra>":
            key = draw(small_text.filter(lambda key: key not in row))
            row[key] = draw(hostile_json)
            continue
        values = [hostile_json, st.just(MISSING)]
        if path in SPECIFIC:
            values.append(st.sampled_from(SPECIFIC[path]))
        if path == "sources.1":
            values.append(st.fixed_dictionaries({"outlet": hostile_json}, optional={"url": hostile_json,
                          "kind": hostile_json, "quote": hostile_json, "published": hostile_json}))
        elif path in ("killed", "injured"):
            values.append(count_notations())
        replace(row, path, draw(st.sampled_from(values).flatmap(lambda strategy: strategy)))
    return row


def walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def strict_json(rows: list[Any]) -> bool:
    """Whether the file is JSON a strict parser reads: no NaN/Infinity, no lone surrogates."""
    for item in walk(rows):
        if isinstance(item, float) and not math.isfinite(item):
            return False
        if isinstance(item, str) and any(unicodedata.category(c) == "Cs" for c in item):
            return False
    return True


@dataclass
class ImportFile:
    rows: list[Any]
    hostile: int  # row number (from 1) of the hostile row
    non_objects: set[int]
    clean_ids: set[str]
    ascii: bool


@st.composite
def import_files(draw: st.DrawFn) -> ImportFile:
    ids = draw(st.lists(st.uuids(version=4).map(str), min_size=3, max_size=3, unique=True))
    clean = [seed_like_row(incident_id) for incident_id in ids[: draw(st.integers(0, 2))]]
    hostile = draw(hostile_rows(ids[2], ALL_PATHS))
    non_objects = draw(st.lists(st.one_of(st.none(), st.booleans(), st.integers(), hostile_text,
                                          st.lists(st.integers(), max_size=2)), max_size=1))
    entries = draw(st.permutations([("clean", row) for row in clean] + [("hostile", hostile)]
                                   + [("other", value) for value in non_objects]))
    rows = [value for _, value in entries]
    return ImportFile(
        rows=rows,
        hostile=next(n for n, (kind, _) in enumerate(entries, start=1) if kind == "hostile"),
        non_objects={n for n, (kind, _) in enumerate(entries, start=1) if kind == "other"},
        clean_ids={row["id"] for row in clean},
        ascii=draw(st.booleans()),
    )


_ROW = re.compile(r"^incident-journal: row (\d+)\b")


@settings(max_examples=150, **SETTINGS)
@given(case=import_files())
def test_import_stores_every_row_intact_or_refuses_naming_the_bad_rows(seeded: Seeded, case: ImportFile):
    text = json.dumps(case.rows, ensure_ascii=case.ascii or not strict_json(case.rows))
    rows = json.loads(text)  # what the file holds (a JSON reading of the Python values)
    with fresh_journal(seeded) as journal:
        before, files = journal.read_bytes(), {p.name for p in journal.parent.iterdir()}
        source = journal.parent / "rows.json"
        source.write_bytes(text.encode("utf-8"))
        files.add(source.name)
        result = run_cli(journal, "import", str(source))
        event("not strict JSON" if not strict_json(rows) else "refused" if result.code else "accepted")
        if not strict_json(rows):
            assert_refused(result, journal, before, files, set())
            assert "not valid JSON" in result.err and len(result.err_lines) == 1, result.err
            return
        if result.code != 0:
            assert_refused(result, journal, before, files, set())
            *row_lines, summary = result.err_lines
            named = set()
            for row_line in row_lines:
                match = _ROW.match(row_line)
                assert match, f"an error line that names no row: {short(row_line)}"
                named.add(int(match[1]))
            assert case.non_objects <= named, f"non-object rows {case.non_objects} not named: {result.err}"
            assert named <= case.non_objects | {case.hostile}, f"a valid row was blamed: {result.err}"
            assert f"{len(named)} of {len(rows)} rows are invalid" in summary
            assert "nothing was imported" in summary
            return
        assert not case.non_objects, "a file with non-object rows was imported"
        after = listing(journal)
    assert all(after[key] == value for key, value in seeded.incidents.items()), "import changed an incident"
    row = rows[case.hostile - 1]
    given_id = row.get("id")
    skipped = isinstance(given_id, str) and str(uuid.UUID(given_id)) in seeded.incidents
    new_ids = set(after) - set(seeded.incidents)
    assert case.clean_ids <= new_ids
    expected_added = len(case.clean_ids) + (0 if skipped else 1)
    assert len(new_ids) == expected_added, (new_ids, result.out)
    plural = "" if expected_added == 1 else "s"
    assert result.out.startswith(f"imported {expected_added} new incident{plural}"), result.out
    for number, one_row in enumerate(rows, start=1):
        if number == case.hostile and skipped:
            continue
        if number == case.hostile and not isinstance(given_id, str):
            [stored_id] = new_ids - case.clean_ids
        else:
            stored_id = str(uuid.UUID(one_row["id"]))
        stored = after[stored_id]
        assert_clean_text(stored)
        for key, value in one_row.items():
            check_field(key, value, stored)


# -- 3. the model and the count notation, directly ---------------------------------------------------


@settings(max_examples=150, **SETTINGS)
@given(data=st.data())
def test_incident_fields_refuse_or_keep_hostile_values(data: st.DataObject):
    row = data.draw(hostile_rows(IZHEVSK, FIELD_PATHS))
    try:
        fields = IncidentFields.model_validate(row)
    except ValidationError:
        event("refused")
        return
    event("accepted")
    dumped = fields.model_dump(mode="json")
    assert_clean_text(dumped)
    for key, value in row.items():
        check_field(key, value, dumped)


@settings(max_examples=150, **SETTINGS)
@given(data=st.data())
def test_incident_refuses_or_keeps_hostile_store_fields(data: st.DataObject):
    row = data.draw(hostile_rows(IZHEVSK, STORE_KEYS))
    row.setdefault("created_at", "2024-07-02T09:30:00Z")
    row.setdefault("updated_at", "2024-07-02T09:30:00Z")
    try:
        incident = Incident.model_validate(row)
    except ValidationError:
        event("refused")
        return
    event("accepted")
    record = incident.record()
    for key, value in row.items():
        if key == "id" and value is None:
            continue  # the journal fills in a missing id, the model does not
        check_field(key, value, record)


@settings(max_examples=150, **SETTINGS)
@given(text=st.one_of(hostile_text, count_notations(), st.sampled_from(EXTRA_HOSTILE["--killed"])))
def test_count_parse_refuses_with_value_error_or_reads_the_notation(text: str):
    try:
        count = Count.parse(text)
    except ValueError as exc:
        assert str(exc), "refused without a message"
        event("refused")
        return
    event("accepted")
    dumped = count.model_dump()
    assert dumped == expected_count(text), (text, dumped)
    assert_clean_text(dumped)
    assert all(v is None or 0 <= v <= MAX_COUNT for v in (count.min, count.max))


@settings(max_examples=150, **SETTINGS)
@given(value=st.one_of(hostile_json, st.dictionaries(st.sampled_from(["min", "max", "note"]), hostile_json)))
def test_count_model_refuses_or_keeps_hostile_json(value: Any):
    try:
        count = Count.model_validate(value)
    except ValidationError:
        event("refused")
        return
    event("accepted")
    dumped = count.model_dump()
    assert dumped == expected_count_json(value), (value, dumped)
    assert_clean_text(dumped)
    assert all(v is None or (type(v) is int and 0 <= v <= MAX_COUNT) for v in (count.min, count.max))
    assert count.min is not None or count.max is None
    assert count.max is None or count.max >= count.min


# -- 4. edit -----------------------------------------------------------------------------------------

SEED_IDS = [
    "78b9375e-f810-45cb-89db-0333a9e5afb0",
    "9ccb6b32-da98-47df-8bc1-fcd75b62a9da",
    "32047f98-ec01-4a69-a671-58ddae647c0d",
    "6452587f-76cc-4f94-bd58-d2ac3372af27",
]
FIELD_OF = {"--lat": "latitude", "--lon": "longitude", "--type": "event_type", "--launched": "weapons_launched",
            "--source": "sources", "--tag": "tags"}


@dataclass
class Edit:
    target: str  # the ID argument as typed
    command: Command


@st.composite
def edits(draw: st.DrawFn) -> Edit:
    kind = draw(st.sampled_from(["id", "id", "prefix", "hostile"]))
    if kind == "hostile":
        target = draw(hostile_text)
    else:
        target = draw(st.sampled_from(SEED_IDS))
        target = target[: draw(st.integers(1, 8))].upper() if kind == "prefix" else target
    options = draw(st.lists(st.sampled_from(OPTIONS), min_size=1, max_size=2, unique=True))
    hostile = {option for option in options if draw(st.booleans())}
    values = {option: option_values(draw, option, option in hostile) for option in options}
    return Edit(target, Command(values, hostile))


@settings(max_examples=150, **SETTINGS)
@given(edit=edits())
def test_edit_changes_only_the_given_field_or_refuses_leaving_the_file_as_it_was(seeded: Seeded, edit: Edit):
    wanted = edit.target.strip().lower()
    matches = [incident_id for incident_id in SEED_IDS if wanted and incident_id.startswith(wanted)]
    with fresh_journal(seeded) as journal:
        before, files = journal.read_bytes(), {p.name for p in journal.parent.iterdir()}
        # An ID that looks like an option goes after '--', as a person would type it.
        if edit.target.startswith("-"):
            result = run_cli(journal, "edit", "--no-lookup", *edit.command.argv(), "--", edit.target)
        else:
            result = run_cli(journal, "edit", "--no-lookup", edit.target, *edit.command.argv())
        event("unknown id" if len(matches) != 1 else "refused" if result.code else "accepted")
        if len(matches) != 1:
            assert_refused(result, journal, before, files, set())
            return
        if result.code != 0:
            names = edit.command.blamable() | ({"--date-end"} if "--date" in edit.command.values else set())
            # New sources without the one that claims the attribution (Izhevsk's SHOT): refused too.
            dangling = "--source" in edit.command.values and "--claimed-by" in result.err
            assert_refused(result, journal, before, files, names | ({"--claimed-by"} if dangling else set()))
            assert edit.command.hostile or "--date-end" in result.err or dangling, f"valid edit refused: {result.err}"
            return
        after = listing(journal)
    [incident_id] = matches
    assert result.out.startswith(f"updated {incident_id} (revision 2)"), result.out
    for other in set(SEED_IDS) - {incident_id}:
        assert after[other] == seeded.incidents[other], "edit changed another incident"
    old, new = seeded.incidents[incident_id], after[incident_id]
    edited = {FIELD_OF.get(option, option[2:]) for option in edit.command.values}
    for key in set(old) - edited - {"revision", "updated_at", "updated_by", "casualty_status"}:
        assert new[key] == old[key], f"{key} changed although only {sorted(edited)} were given"
    assert new["revision"] == old["revision"] + 1
    assert_clean_text(new)
    for option, values in edit.command.values.items():
        check_cli_value(option, values, new)


# -- bugs found by the tests above, pinned as plain examples --------------------------------------------


@pytest.fixture
def journal_copy(seeded: Seeded, tmp_path: Path) -> Path:
    path = tmp_path / "journal.json"
    path.write_bytes(seeded.content)
    return path


def write_rows(folder: Path, rows: list[dict[str, Any]]) -> Path:
    path = folder / "rows.json"
    path.write_text(json.dumps(rows))
    return path


@pytest.mark.parametrize("stamp", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"])
def test_import_of_a_timestamp_at_the_calendar_edge_is_refused_not_a_crash(journal_copy: Path, stamp: str):
    before = journal_copy.read_bytes()
    row = {**seed_like_row(str(uuid.uuid4())), "created_at": stamp}
    result = run_cli(journal_copy, "import", str(write_rows(journal_copy.parent, [row])))
    assert result.code == 2, result.err
    assert result.err_lines[0].startswith(f"{PREFIX}row 1") and "created_at" in result.err_lines[0], result.err
    assert journal_copy.read_bytes() == before


def test_an_incident_imported_with_the_largest_revision_can_still_be_edited_or_is_refused(journal_copy: Path):
    incident_id = str(uuid.uuid4())
    row = {**seed_like_row(incident_id), "revision": 2**64 - 1}
    imported = run_cli(journal_copy, "import", str(write_rows(journal_copy.parent, [row])))
    if imported.code != 0:  # refusing such a revision on the way in is fine too
        assert imported.code == 2 and "revision" in imported.err, imported.err
        return
    before = journal_copy.read_bytes()
    result = run_cli(journal_copy, "edit", incident_id, "--killed", "2")
    assert result.code in (0, 1, 2), result.err
    if result.code != 0:
        assert all(line.startswith(PREFIX) for line in result.err_lines), result.err
        assert journal_copy.read_bytes() == before


@pytest.mark.parametrize("key", ["a\nb", "x\r\x1b[2Kforged line", "\x00"])
def test_an_unknown_field_name_is_reported_without_raw_control_characters(journal_copy: Path, key: str):
    before = journal_copy.read_bytes()
    row = {**seed_like_row(str(uuid.uuid4())), key: 1}
    result = run_cli(journal_copy, "import", str(write_rows(journal_copy.parent, [row])))
    assert result.code == 2
    for err_line in result.err_lines:
        assert err_line.startswith(PREFIX), f"stderr line without the prefix: {err_line!r}"
        assert not any(unicodedata.category(c) == "Cc" for c in err_line), f"raw control character: {err_line!r}"
    assert journal_copy.read_bytes() == before


@pytest.mark.parametrize(("path", "value"), [("date", 0), ("date", 86_400 * 19_905), ("sources.0.published", 0)])
def test_a_number_is_not_read_as_a_date_on_import(journal_copy: Path, path: str, value: int):
    before = journal_copy.read_bytes()
    row = seed_like_row(str(uuid.uuid4()))
    replace(row, path, value)
    result = run_cli(journal_copy, "import", str(write_rows(journal_copy.parent, [row])))
    assert result.code == 2, f"the number {value} was imported as a date"
    assert path.split(".")[0] in result.err and "row 1" in result.err
    assert journal_copy.read_bytes() == before


def test_a_basic_iso_date_as_timestamp_is_not_read_as_seconds_since_1970(journal_copy: Path):
    """'20240701' is ISO 8601 (basic format) for 1 July 2024: store that day or refuse it."""
    incident_id = str(uuid.uuid4())
    row = {**seed_like_row(incident_id), "created_at": "20240701"}
    result = run_cli(journal_copy, "import", str(write_rows(journal_copy.parent, [row])))
    if result.code != 0:
        assert result.code == 2 and "created_at" in result.err, result.err
        return
    stored = listing(journal_copy)[incident_id]["created_at"]
    assert stored.startswith("2024-07-01"), f"created_at '20240701' was stored as {stored}"


SLOW_LIMIT = 5  # seconds; a count is read in microseconds, so this only trips on runaway matching


@pytest.mark.parametrize(
    "expression", ["' ' * 100_000 + 'x'", "'1' + ' ' * 100_000 + 'x'", "'? ' + '\\t' * 100_000 + '!'"]
)
def test_a_huge_count_is_refused_promptly(expression: str):
    code = (
        "from store.counts import Count\n"
        f"try:\n    Count.parse({expression})\nexcept ValueError:\n    print('refused')\n"
    )
    try:
        result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True,
                                timeout=SLOW_LIMIT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"Count.parse({expression}) still running after {SLOW_LIMIT} s")
    assert result.stdout.strip() == "refused", result.stderr


def test_add_with_a_huge_whitespace_count_is_refused_promptly(tmp_path: Path):
    journal = tmp_path / "journal.json"
    argv = [sys.executable, "-m", "tui", "--journal", str(journal), "add", "--title", "x", "--date", "2024-07-01",
            "--region", "Kursk", "--country", "Russia", "--killed", " " * 100_000 + "x"]
    try:
        result = subprocess.run(argv, cwd=PROJECT, capture_output=True, text=True, timeout=SLOW_LIMIT,
                                env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    except subprocess.TimeoutExpired:
        pytest.fail(f"'add --killed <100,000 spaces>x' still running after {SLOW_LIMIT} s")
    assert result.returncode == 2 and result.stderr.startswith(f"{PREFIX}--killed"), result.stderr
    assert not journal.exists()
