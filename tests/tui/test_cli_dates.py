"""``add --date`` and ``edit --date`` take a date as precise as it is known: a day, a month or a year."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .cli_runner import runner

BASE = ["--title", "Shelling of a village", "--region", "Kharkiv", "--country", "Ukraine"]


@pytest.fixture
def journal_file(tmp_path: Path) -> Path:
    return tmp_path / "journal.json"


@pytest.fixture
def ij(journal_file: Path, capsys: pytest.CaptureFixture[str]):
    return runner(journal_file, capsys)


def shown(ij, incident_id: str) -> dict:
    result = ij("show", incident_id, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def added(ij, *args: str) -> dict:
    result = ij("add", *BASE, *args)
    assert result.code == 0, result.err
    return shown(ij, result.out.strip())


@pytest.mark.parametrize(
    ("args", "date", "date_end", "precision"),
    [
        (["--date", "2025-03-12"], "2025-03-12", None, "day"),
        (["--date", "2025-03"], "2025-03-01", None, "month"),
        (["--date", "2025"], "2025-01-01", None, "year"),
        (["--date", "2025-03", "--date-end", "2025-04"], "2025-03-01", "2025-04-30", "month"),
        (["--date", "2025", "--date-end", "2025"], "2025-01-01", "2025-12-31", "year"),
        (["--date", "2025-03-12", "--precision", "month"], "2025-03-12", None, "month"),
        (["--date", "2025", "--precision", "day"], "2025-01-01", None, "year"),
    ],
)
def test_add_takes_a_day_a_month_or_a_year(ij, args: list[str], date: str, date_end: str | None, precision: str):
    item = added(ij, *args)
    assert (item["date"], item["date_end"], item["date_precision"]) == (date, date_end, precision)


def test_list_shows_a_month_as_a_month(ij):
    added(ij, "--date", "2025-03")
    result = ij("list")
    assert result.code == 0, result.err
    assert "2025-03 " in result.out and "2025-03-01" not in result.out


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--date", "2025-13"], "incident-journal: --date: '2025-13' is not a date; use YYYY-MM-DD, YYYY-MM or YYYY"),
        (["--date", "2025", "--precision", "month"],
         "incident-journal: --date: 2025 names a year; give the month too (YYYY-MM) or choose precision year"),
        (["--date", "2025-03-12", "--date-end", "2025", "--precision", "month"],
         "incident-journal: --date-end: 2025 names a year; give the month too (YYYY-MM) or choose precision year"),
    ],
)
def test_add_refuses_a_bad_date_in_one_line_naming_the_option(ij, journal_file: Path, args: list[str], line: str):
    result = ij("add", *BASE, *args)
    assert result.code == 2
    assert result.err_lines == [line]
    assert not journal_file.exists() or "Shelling" not in journal_file.read_text(encoding="utf-8")


def test_edit_to_a_year_sets_the_precision(ij):
    item = added(ij, "--date", "2025-03-12")
    result = ij("edit", item["id"], "--date", "2024")
    assert result.code == 0, result.err
    edited = shown(ij, item["id"])
    assert (edited["date"], edited["date_precision"]) == ("2024-01-01", "year")
