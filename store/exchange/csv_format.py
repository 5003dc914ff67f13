"""CSV: one row per incident, one column per field (see ``store.exchange.flat``).

UTF-8 (with a byte-order mark for Excel if asked), RFC 4180 quoting, CRLF line ends. A text
cell that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return) is written with a ``'`` in front; so is one that starts with ``'`` and
then one of those (or a second ``'``), so that reading removes exactly the ``'`` writing added.
Numbers are written as numbers.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from store.exchange.batch import SHOWN_MAX, Candidate, ImportRejected, clip, names
from store.exchange.flat import (
    COLUMNS,
    DERIVED_COLUMNS,
    FLOAT_COLUMNS,
    INTEGER_COLUMNS,
    NOTATION_COLUMNS,
    candidate_from_flat,
    flat_record,
)
from store.exchange.source import CHUNK, Source
from store.models import Incident

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
#: A cell longer than this is taken for a broken file (the longest field, a summary, is 20,000).
CELL_MAX = 1_000_000


def neutralise(text: str) -> str:
    """``text`` made safe to open in a spreadsheet; ``restore`` undoes it exactly."""
    if text and (text[0] in FORMULA_STARTS or (text[0] == "'" and text[1:2] in (*FORMULA_STARTS, "'"))):
        return "'" + text
    return text


def restore(text: str) -> str:
    if text[:1] == "'" and text[1:2] in (*FORMULA_STARTS, "'") and text[1:2]:
        return text[1:]
    return text


def cell(value: Any) -> str:
    """What a CSV cell holds for ``value``: numbers as numbers, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    return neutralise(str(value))


def write_table(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], *, excel: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(column)) for column in columns])
    return ((BOM if excel else "") + buffer.getvalue()).encode("utf-8")


def write(incidents: Iterable[Incident], *, excel: bool = False) -> bytes:
    return write_table(COLUMNS, (flat_record(incident) for incident in incidents), excel=excel)


def lines(data: bytes | str | Source, name: str) -> Iterator[str]:
    """The lines of a UTF-8 file, read as they are needed (line ends kept, as ``csv`` wants
    them; a byte-order mark removed). Bytes that are not UTF-8 refuse the file, naming the first."""
    if isinstance(data, str):
        yield from io.StringIO(data.removeprefix(BOM), newline="")
        return
    source = data if isinstance(data, Source) else Source(io.BytesIO(data), name, len(data))
    text = io.TextIOWrapper(source, encoding="utf-8", newline="")
    text._CHUNK_SIZE = CHUNK  # type: ignore[attr-defined]  # fewer, larger reads
    try:
        first = True
        for line in text:
            if first:
                line, first = line.removeprefix(BOM), False
            yield line
    except UnicodeDecodeError as exc:
        offset = source.consumed - len(exc.object) + exc.start
        raise ImportRejected(
            f"{name} is not UTF-8 text (byte {offset + 1:,} cannot be read); save it as CSV UTF-8"
        ) from None
    finally:
        with contextlib.suppress(ValueError, OSError):  # already closed by whoever opened it
            text.detach()  # not closed here: that is for whoever opened the source


def delimiter(header: str) -> str:
    """``,`` unless the header has none and is split by ``;`` (Excel in much of Europe) or tabs."""
    if "," not in header:
        for other in (";", "\t"):
            if other in header:
                return other
    return ","


def read_table(data: bytes | str | Source, name: str) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header and the rows of a CSV file, each with its spreadsheet row number (header: 1).

    The header is read at once; the rows as they are asked for, so a file of any length takes
    the memory of one row. Rows whose cells are all blank are passed over. A broken file is
    refused as a whole (``ImportRejected``, raised when the reading reaches the fault).
    """
    text = lines(data, name)
    first = next(text, "")
    if not first:
        raise ImportRejected(f"{name} is empty; the first row must name the columns")
    csv.field_size_limit(CELL_MAX)
    reader = csv.reader(itertools.chain([first], text), strict=True, delimiter=delimiter(first))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRejected(f"{name} is empty; the first row must name the columns") from None
    except csv.Error as exc:
        raise ImportRejected(f"{name}: row 1 cannot be read as CSV ({clip(str(exc), SHOWN_MAX)})") from None
    header = [column.strip() for column in header]
    seen: set[str] = set()
    for column in header:
        if not column:
            raise ImportRejected(f"{name}: the header (row 1) has an empty column name")
        if column in seen:
            raise ImportRejected(f"{name}: the header (row 1) names column {names([column])} twice")
        seen.add(column)
    return header, _rows(reader, header, name)


def _rows(reader: Iterator[list[str]], header: list[str], name: str) -> Iterator[tuple[int, dict[str, str]]]:
    number = 1
    try:
        for cells in reader:
            number += 1
            if not any(value.strip() for value in cells):
                continue
            if len(cells) > len(header) and any(value.strip() for value in cells[len(header):]):
                raise ImportRejected(
                    f"{name}: row {number} has {len(cells):,} cells but the header names {len(header):,} columns"
                )
            yield number, dict(zip(header, cells, strict=False))  # a short row lacks the last columns
    except csv.Error as exc:  # raised while reading the row after the last one read
        reason = clip(str(exc), SHOWN_MAX)
        raise ImportRejected(f"{name}: row {number + 1} cannot be read as CSV ({reason})") from None


def _number(text: str, integer: bool) -> int | float:
    value = float(text)  # raises ValueError on anything but a number
    if not math.isfinite(value):
        raise ValueError
    if integer:
        if value != int(value):
            raise ValueError
        return int(text) if text.lstrip("+-").isdigit() else int(value)
    return value


def typed_row(number: int, cells: Mapping[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Cells made native: numbers parsed, text restored. Returns the row and its problems."""
    row: dict[str, Any] = {}
    problems = []
    for column, text in cells.items():
        if column in INTEGER_COLUMNS or column in FLOAT_COLUMNS:
            text = text.strip()
            if not text:
                row[column] = None
                continue
            try:
                row[column] = _number(text, column in INTEGER_COLUMNS)
            except (ValueError, OverflowError):
                kind = "a whole number" if column in INTEGER_COLUMNS else "a number"
                problems.append((column, f"{text[:40]!r} is not {kind}"))
        else:
            row[column] = restore(text)
    return row, problems


KNOWN_COLUMNS = frozenset(COLUMNS) | NOTATION_COLUMNS | DERIVED_COLUMNS


def read(data: bytes | str | Source, name: str, warnings: list[str] | None = None) -> Iterator[Candidate]:
    """The rows of a CSV file as candidates, read one at a time (the header at once: a file
    without the columns an import needs is refused before any row is read)."""
    header, rows = read_table(data, name)
    unknown = [column for column in header if column not in KNOWN_COLUMNS]
    if unknown and warnings is not None:
        warnings.append(
            f"{name}: column{'s' if len(unknown) > 1 else ''} {names(unknown)} "
            f"{'are' if len(unknown) > 1 else 'is'} not an incident field; ignored"
        )
    if "title" not in header and "id" not in header:  # with ids, rows may only update some fields
        raise ImportRejected(
            f"{name} has no 'title' column; is it an ACLED file? (use --format acled)"
            if "event_id_cnty" in header
            else f"{name} has no 'title' column; the first row must name the columns ({', '.join(COLUMNS[:5])}, ...)"
        )
    return _candidates(rows)


def _candidates(rows: Iterator[tuple[int, dict[str, str]]]) -> Iterator[Candidate]:
    for number, cells in rows:
        row, problems = typed_row(number, {k: v for k, v in cells.items() if k in KNOWN_COLUMNS})
        candidate = candidate_from_flat(number, row)
        for column, message in problems:
            candidate.problem(column, message)
        yield candidate
