"""Issue 11, item 8: an import names a few possible duplicates of each row, and counts the rest.

Rows on a date and place the journal already has many incidents for print the first three of
each row, then how many more that row has, 50 lines at most, then how many more in all;
``--errors-to FILE`` gets one line per row with its count.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import tui.cli
from store.exchange import DUPLICATES_PER_ROW

from .cli_runner import runner
from .test_cli_import_limits import GOOD, PREFIX, write_csv

STORED = 10
ROWS = 40


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    return tmp_path / "journal.json"


@pytest.fixture
def ij(journal, capsys):
    return runner(journal, capsys)


def test_each_row_names_its_first_duplicates_and_how_many_more(ij, tmp_path):
    crowded = [{**GOOD, "title": f"Earlier {n}", "place": "Sudzha"} for n in range(STORED)]
    assert ij("import", str(write_csv(tmp_path / "earlier.csv", crowded))).code == 0
    rows = [{**GOOD, "title": f"Report {n}", "place": "sudzha"} for n in range(ROWS)]
    errors = tmp_path / "errors.txt"
    result = ij("import", "--dry-run", "--errors-to", str(errors), str(write_csv(tmp_path / "rows.csv", rows)))
    assert result.code == 0, result.err
    more = STORED - DUPLICATES_PER_ROW
    assert all(line.startswith(f"{PREFIX}row 2: possible duplicate of ") and "“Earlier" in line
               for line in result.err_lines[:DUPLICATES_PER_ROW])
    assert result.err_lines[DUPLICATES_PER_ROW] == f"{PREFIX}row 2: … and {more} more possible duplicates"
    shown_rows = tui.cli.IMPORT_SHOWN // (DUPLICATES_PER_ROW + 1)
    assert len(result.err_lines) == shown_rows * (DUPLICATES_PER_ROW + 1) + 1
    assert result.err_lines[-1] == (
        f"{PREFIX}… and {(ROWS - shown_rows) * STORED} more possible duplicates (all {ROWS * STORED} are in {errors})"
    )
    assert result.out == f"would import {ROWS} new incidents; {ROWS * STORED} possible duplicates in {ROWS} rows\n"
    lines = errors.read_text(encoding="utf-8").splitlines()
    assert len(lines) == ROWS
    assert lines[0].startswith("row 2: possible duplicate of ")
    assert lines[0].count("possible duplicate of") == DUPLICATES_PER_ROW
    assert lines[0].endswith(f"; and {more} more possible duplicates")
