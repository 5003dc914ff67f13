"""Issue 11, import and export: inputs too big, endless or not files; outputs that are not files.

Import: a device is refused before it is read, a file over ``store.limits.MAX_INPUT_BYTES`` too,
standard input as soon as it passes the limit; a FIFO is read. Problems, warnings and possible
duplicates are printed capped (the first 50, then how many more); ``--errors-to FILE`` writes them
all; no line is huge. Export: a device, a FIFO, a socket, ``/dev/stdout`` or a dangling symlink is
refused with one line and nothing is written; a symlink to a file writes the file and stays.
"""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import stat
import sys
import threading
from pathlib import Path

import pytest

import store.limits
import tui.cli

from .cli_runner import runner

PREFIX = "incident-journal: "
GOOD = {"title": "Drone strike on a depot", "date": "2024-07-03", "country": "Russia", "region": "Kursk"}
ROOT = os.geteuid() == 0


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    return tmp_path / "journal.json"


@pytest.fixture
def ij(journal, capsys):
    return runner(journal, capsys)


@pytest.fixture
def seeded(ij):
    assert ij("seed").code == 0


def write_csv(path: Path, rows: list[dict], columns: list[str] | None = None) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns or list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def character_device(path: Path) -> Path:
    """A character device of our own (a second /dev/null), so that nothing real is at stake."""
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return path


# -- what an import reads -----------------------------------------------------------------------


def test_importing_a_device_is_refused_with_one_line_before_it_is_read(ij, journal):
    result = ij("import", "/dev/null")
    assert result.code == 2
    assert result.err_lines == [f"{PREFIX}/dev/null is a device, not a file; nothing was imported"]
    assert not journal.exists()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(ij, journal, tmp_path, monkeypatch):
    big = tmp_path / "huge.csv"
    with open(big, "wb") as handle:
        os.truncate(handle.fileno(), 3 * 1024**3)  # sparse: 3 GB of nothing on disk

    def never(*args, **kwargs):
        raise AssertionError("the file was read")

    monkeypatch.setattr("store.exchange.source.Source._read_stream", never)
    result = ij("import", str(big))
    assert result.code == 2
    assert len(result.err_lines) == 1
    assert "huge.csv is larger than 2 GB" in result.err and "nothing was imported" in result.err
    assert not journal.exists()


def test_the_size_limit_is_the_store_constant(ij, journal, tmp_path, monkeypatch):
    assert store.limits.MAX_INPUT_BYTES == 2 * 1024**3
    path = write_csv(tmp_path / "rows.csv", [GOOD] * 40)
    monkeypatch.setattr(store.limits, "MAX_INPUT_BYTES", path.stat().st_size - 1)
    result = ij("import", str(path))
    assert result.code == 2 and len(result.err_lines) == 1 and "is larger than" in result.err
    monkeypatch.setattr(store.limits, "MAX_INPUT_BYTES", path.stat().st_size)
    assert ij("import", str(path)).code == 0


class Endless(io.RawIOBase):
    """Standard input that never ends: valid CSV rows, forever; counts what was read."""

    def __init__(self) -> None:
        self.given = 0
        self.header = b"title,date,country,region\r\n"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        line = self.header or b"Endless row,2024-07-03,Russia,Kursk\r\n"
        self.header = b""
        chunk = (line * (len(buffer) // len(line) + 1))[: len(buffer)] if not self.given else line
        chunk = chunk[: len(buffer)]
        buffer[: len(chunk)] = chunk
        self.given += len(chunk)
        return len(chunk)


def test_standard_input_is_refused_as_soon_as_it_passes_the_limit(ij, journal, monkeypatch):
    monkeypatch.setattr(store.limits, "MAX_INPUT_BYTES", 200_000)
    endless = Endless()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(endless), encoding="utf-8"))
    result = ij("import", "--format", "csv", "-")
    assert result.code == 2
    assert len(result.err_lines) == 1 and "standard input is larger than" in result.err
    assert endless.given < 200_000 + 2 * 1024**2  # a chunk or two past the limit, not everything
    assert not journal.exists()


def test_a_fifo_is_read_in_chunks_and_imported(ij, journal, tmp_path):
    fifo = tmp_path / "rows.fifo"
    os.mkfifo(fifo)
    rows = "title,date,country,region\r\n" + "".join(f"Row {n},2024-07-03,Russia,Kursk\r\n" for n in range(3_000))

    def feed() -> None:
        with open(fifo, "w", encoding="utf-8") as handle:
            handle.write(rows)

    writer = threading.Thread(target=feed)
    writer.start()
    result = ij("import", "--format", "csv", str(fifo))
    writer.join(timeout=30)
    assert result.code == 0, result.err
    assert result.out == "imported 3000 new incidents\n"


def test_deeply_nested_json_is_one_line(ij, journal, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000)
    result = ij("import", str(path))
    assert result.code == 2
    assert len(result.err_lines) == 1 and "deep.json is not valid JSON" in result.err
    assert len(result.err) < 300


@pytest.mark.parametrize("error", [MemoryError, RecursionError])
def test_running_out_of_memory_or_depth_while_importing_is_one_line(ij, journal, tmp_path, monkeypatch, error):
    def exhausted(*args, **kwargs):
        raise error()

    monkeypatch.setattr(tui.cli, "plan_import", exhausted)
    result = ij("import", str(write_csv(tmp_path / "rows.csv", [GOOD])))
    assert result.code in (1, 2)
    assert len(result.err_lines) == 1 and "rows.csv" in result.err and "nothing was imported" in result.err
    assert not journal.exists()


# -- what an import prints ----------------------------------------------------------------------


def bad_rows(count: int) -> list[dict]:
    return [{**GOOD, "title": f"Row {n}", "date": "not a date"} for n in range(count)]


def test_problems_are_printed_capped_and_all_go_to_errors_to(ij, journal, tmp_path):
    path = write_csv(tmp_path / "bad.csv", bad_rows(1_000))
    result = ij("import", str(path))
    assert result.code == 2
    assert len(result.err_lines) == tui.cli.IMPORT_SHOWN + 2
    assert result.err_lines[tui.cli.IMPORT_SHOWN] == (
        f"{PREFIX}… and 950 more problems (--errors-to FILE writes them all)"
    )
    assert result.err_lines[-1] == f"{PREFIX}{path}: 1,000 of 1,000 rows are invalid; nothing was imported"
    errors = tmp_path / "errors.txt"
    result = ij("import", "--errors-to", str(errors), str(path))
    assert result.code == 2
    assert f"all 1,000 are in {errors}" in result.err
    lines = errors.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1_000
    assert lines[0].startswith("row 2: date: ") and lines[-1].startswith("row 1001: date: ")
    assert not journal.exists()


def test_skipped_rows_are_printed_capped_and_the_valid_ones_imported(ij, journal, tmp_path):
    path = write_csv(tmp_path / "mixed.csv", [GOOD] + bad_rows(300))
    errors = tmp_path / "errors.txt"
    result = ij("import", "--skip-invalid", "--errors-to", str(errors), str(path))
    assert result.code == 0, result.err
    skipped = [line for line in result.err_lines if line.startswith(f"{PREFIX}skipped row")]
    assert len(skipped) == tui.cli.IMPORT_SHOWN
    assert f"{PREFIX}… and 250 more problems (all 300 are in {errors})" in result.err_lines
    assert result.out == "imported 1 new incident; 300 invalid rows skipped\n"
    assert len(errors.read_text(encoding="utf-8").splitlines()) == 300


def test_possible_duplicates_are_printed_capped(ij, journal, tmp_path):
    assert ij("add", "--title", "First report", "--date", "2024-07-03", "--country", "Russia",
              "--region", "Kursk", "--place", "Sudzha").code == 0
    rows = [{**GOOD, "title": f"Report {n}", "place": "Sudzha"} for n in range(300)]
    errors = tmp_path / "errors.txt"
    result = ij("import", "--errors-to", str(errors), str(write_csv(tmp_path / "rows.csv", rows)))
    assert result.code == 0, result.err
    duplicates = [line for line in result.err_lines if "possible duplicate of" in line]
    assert len(duplicates) == tui.cli.IMPORT_SHOWN
    assert result.err_lines[-1] == f"{PREFIX}… and 250 more possible duplicates (all 300 are in {errors})"
    assert result.out.endswith("; 300 possible duplicates\n")
    lines = errors.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 300 and all("possible duplicate of" in line for line in lines)


def test_a_warning_about_many_unknown_columns_is_one_short_line(ij, journal, tmp_path):
    columns = ["title", "date", "country", "region", *(f"extra_column_{n}" for n in range(100_000))]
    path = tmp_path / "wide.csv"
    path.write_text(",".join(columns) + "\r\n" + "Wide,2024-07-03,Russia,Kursk\r\n", encoding="utf-8")
    result = ij("import", str(path))
    assert result.code == 0, result.err
    (warning,) = result.err_lines
    assert warning.startswith(f"{PREFIX}warning: {path}: columns 'extra_column_0', 'extra_column_1',")
    assert "and 99,990 more are not an incident field; ignored" in warning
    assert len(warning) < 1_000


def test_a_huge_cell_quoted_in_a_message_is_cut_short(ij, journal, tmp_path):
    header = "event_id_cnty,event_date,sub_event_type,country,admin1,time_precision,event_type"
    huge = "9" * 1_000_000
    path = tmp_path / "acled.csv"
    path.write_text(f"{header}\r\nRUS1,2025-07-03,Air/drone strike,Russia,Kursk,{huge},{'x' * 500_000}\r\n")
    result = ij("import", "--format", "acled", str(path))
    assert result.code == 2
    assert len(result.err_lines) == 3
    assert all(len(line) <= tui.cli.LINE_MAX + len(PREFIX) for line in result.err_lines)
    assert "time_precision" in result.err and "…" in result.err


def test_errors_to_a_device_is_refused_and_nothing_is_imported(ij, journal, tmp_path):
    device = character_device(tmp_path / "null") if ROOT else Path("/dev/null")
    result = ij("import", "--errors-to", str(device), str(write_csv(tmp_path / "rows.csv", [GOOD])))
    assert result.code == 2
    assert len(result.err_lines) == 1 and result.err.startswith(f"{PREFIX}--errors-to: ") and "device" in result.err
    assert stat.S_ISCHR(device.stat().st_mode)
    assert not journal.exists()


def test_progress_follows_reading_and_saving_on_a_terminal(ij, journal, tmp_path, monkeypatch):
    monkeypatch.setattr(tui.cli, "PROGRESS_FROM", 5)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    rows = [{**GOOD, "title": f"Row {n}"} for n in range(1_500)]
    result = ij("import", str(write_csv(tmp_path / "rows.csv", rows)))
    assert result.code == 0, result.err
    assert "checking rows.csv [" in result.err and "100% 1,500 rows" in result.err
    assert "saving 1500 incidents [" in result.err and "1,500/1,500" in result.err


# -- where an export writes ---------------------------------------------------------------------


def refused(result, *words: str) -> None:
    assert result.code == 2, result.err
    assert len(result.err_lines) == 1 and result.err.startswith(f"{PREFIX}-o: "), result.err
    for word in words:
        assert word in result.err


@pytest.mark.skipif(not ROOT, reason="creating a device node needs root")
def test_export_to_a_device_is_refused_and_the_device_stays(ij, tmp_path, seeded):
    device = character_device(tmp_path / "null")
    refused(ij("export", "-o", str(device)), "is a device", "use -o - for standard output")
    assert stat.S_ISCHR(device.stat().st_mode)


@pytest.mark.skipif(not ROOT, reason="only root could replace /dev/full")
def test_export_to_dev_full_is_refused_before_writing(ij, seeded):
    refused(ij("export", "-o", "/dev/full"), "/dev/full is a device")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_export_to_a_fifo_or_a_socket_is_refused(ij, tmp_path, seeded):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    refused(ij("export", "--format", "csv", "-o", str(fifo)), "FIFO")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    sock_path = tmp_path / "out.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        refused(ij("export", "--format", "csv", "-o", str(sock_path)), "socket")
        assert stat.S_ISSOCK(sock_path.stat().st_mode)


def test_export_to_dev_stdout_is_refused_with_the_way_to_standard_output(ij, seeded):
    refused(ij("export", "-o", "/dev/stdout"), "use -o - for standard output")
    assert os.path.islink("/dev/stdout")
    result = ij("export", "-o", "-")
    assert result.code == 0 and len(json.loads(result.out)) == 4


def test_export_through_a_symlink_writes_its_file_and_keeps_the_symlink(ij, tmp_path, seeded):
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    result = ij("export", "-o", str(link))
    assert result.code == 0, result.err
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes().startswith(b"id,title,")


def test_export_through_a_dangling_symlink_is_refused(ij, tmp_path, seeded):
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "nowhere.csv")
    refused(ij("export", "-o", str(link)), "does not exist")
    assert link.is_symlink() and not (tmp_path / "nowhere.csv").exists()


async def test_the_export_dialog_refuses_the_same_targets_beside_the_field(tmp_path, monkeypatch):
    from store import Journal
    from tui.app import JournalApp
    from tui.screens.export import ExportScreen

    from .conftest import list_shown
    from .test_exchange_screens import SIZE, export_error, open_export, type_file_name

    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "nowhere.json")
    monkeypatch.chdir(tmp_path)
    journal = Journal(tmp_path / "journal.json")
    journal.import_incidents([])
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await open_export(pilot, "JSON")
        for name, words in ((str(fifo), "FIFO"), ("/dev/stdout", "use -o - for standard output"),
                            (str(dangling), "does not exist")):
            await type_file_name(pilot, name, pasted=True)
            assert isinstance(app.screen, ExportScreen), name
            assert words in export_error(app), (name, export_error(app))
            await pilot.press("enter")  # a second Enter does not write it either
            await pilot.pause()
            assert isinstance(app.screen, ExportScreen) and words in export_error(app)
    assert stat.S_ISFIFO(fifo.stat().st_mode) and dangling.is_symlink() and not (tmp_path / "nowhere.json").exists()
    assert os.path.islink("/dev/stdout")
