"""The command line and the app with journal files that are not what they seem, and with hostile
text in a journal (issue 11): one clear line on stderr and a non-zero exit, nothing written in
the wrong place, and nothing from a record reaching the terminal as a control sequence."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import store.journal
from store import IncidentFields, Journal
from store.storage import backup_path
from tui.app import JournalApp

from .cli_runner import runner
from .conftest import header, list_shown, notifications, wait_until
from .test_entry import all_keys_handled, burst, typed

ADD = ["add", "--title", "Shelling of a market", "--date", "2024-07-03", "--region", "Belgorod",
       "--country", "Russia"]
#: What a hostile journal held when tried: clear the screen, set the title, write the clipboard
#: (OSC 52), a C1 CSI, and a right-to-left override.
HOSTILE = "\x1b[2J\x1b]0;owned\x07\x1b]52;c;cHduZWQ=\x07\x9b31m\u202e"
ESCAPED = "\\x1b[2J\\x1b]0;owned\\x07\\x1b]52;c;cHduZWQ=\\x07\\u009b31m\\u202e"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    return tmp_path / "journal.json"


@pytest.fixture
def ij(journal: Path, capsys: pytest.CaptureFixture[str]):
    return runner(journal, capsys)


def one_error_line(result) -> str:
    assert result.code != 0
    assert result.out == ""
    (line,) = result.err_lines
    assert line.startswith("incident-journal: ") and "Traceback" not in line
    return line


def saved_twice(ij) -> None:
    assert ij(*ADD).code == 0
    assert ij(*ADD[:2], "Second", *ADD[3:]).code == 0


# -- 1. an empty journal --------------------------------------------------------------------


def test_check_refuses_an_emptied_journal_and_says_how_to_restore_the_backup(ij, journal: Path) -> None:
    saved_twice(ij)
    journal.write_bytes(b"")
    line = one_error_line(ij("check"))
    assert line == (
        f"incident-journal: {journal} is empty but its backup journal.json.bak holds 1 incident; nothing "
        f"was changed. To go back to the backup: cp -p {backup_path(journal)} {journal} (to start an empty "
        "journal instead, remove journal.json.bak)"
    )
    one_error_line(ij(*ADD))
    assert journal.read_bytes() == b"" and "Shelling" in backup_path(journal).read_text()


async def test_the_app_refuses_to_save_into_a_journal_emptied_while_open(tmp_path: Path) -> None:
    path = tmp_path / "journal.json"
    for title in ("Drone strike on a factory", "Shelling of a market"):  # two folds: a .bak
        with Journal(path) as first:
            first.add(IncidentFields(title=title, date="2024-07-01", country="Russia", region="Udmurtia"))
    backup = backup_path(path)
    kept = backup.read_bytes()
    journal = Journal(path)
    app = JournalApp(journal)
    async with app.run_test(size=(130, 40)) as pilot:
        await list_shown(pilot)
        path.write_bytes(b"")
        assert app.check_for_changes() is False
        await wait_until(pilot, lambda: any("is empty but its backup" in n for n in notifications(app)),
                         what="the toast saying the journal is empty and its backup holds incidents")
        # A new incident typed and saved at once, from the selected one: refused, and said why.
        burst(app, "N", *typed("After the file was emptied"), "ctrl+s")
        await wait_until(pilot, lambda: all_keys_handled(app) and sum(
            "is empty but its backup" in n for n in notifications(app)) >= 2, what="the save refused")
    journal.close()
    assert path.read_bytes() == b""
    assert backup.read_bytes() == kept


# -- 2 and 3. symlinks, devices, FIFOs ------------------------------------------------------


def test_add_through_a_symlinked_journal_writes_the_real_one(ij, tmp_path: Path) -> None:
    real = tmp_path / "real" / "journal.json"
    link = tmp_path / "link" / "journal.json"
    real.parent.mkdir()
    link.parent.mkdir()
    assert ij(*ADD, path=real).code == 0
    link.symlink_to(real)
    assert ij(*ADD[:2], "Through the link", *ADD[3:], path=link).code == 0
    assert link.is_symlink()
    titles = sorted(r["title"] for r in json.loads(real.read_text())["incidents"].values())
    assert titles == ["Shelling of a market", "Through the link"]


#: Character devices to make in a test's own folder (major, minor): the real /dev/null, /dev/zero
#: and /dev/full are never given to the code under test, so that a regression cannot replace them
#: (or read /dev/zero until memory runs out).
DEVICES = {"null": (1, 3), "zero": (1, 5), "full": (1, 7)}


def run_limited(*args: str) -> subprocess.CompletedProcess:
    """The CLI in a child process with at most 1 GB of memory and 60 s: a regression that reads
    an endless device fails the test instead of taking the machine."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3))

    return subprocess.run(
        [sys.executable, "-c", "from tui.cli import main; main()", *args],
        capture_output=True, text=True, timeout=60, cwd=Path(__file__).resolve().parents[2], preexec_fn=limit,
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
@pytest.mark.parametrize("device", list(DEVICES))
@pytest.mark.parametrize("command", [ADD, ["list"], ["check"]], ids=["add", "list", "check"])
def test_a_device_as_the_journal_is_refused_in_one_line(tmp_path: Path, device: str, command: list[str]) -> None:
    node = tmp_path / device
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(*DEVICES[device]))
    inode = node.stat().st_ino
    done = run_limited("--journal", str(node), *command)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"incident-journal: {node} is a character device, not a regular file; it was not read\n"
    assert stat.S_ISCHR(node.stat().st_mode) and node.stat().st_ino == inode


@pytest.mark.parametrize("command", [ADD, ["list"], ["check"]], ids=["add", "list", "check"])
def test_a_fifo_as_the_journal_is_refused_and_never_waited_on(tmp_path: Path, command: list[str]) -> None:
    fifo = tmp_path / "journal.json"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-c", "from tui.cli import main; main()", "--journal", str(fifo), *command],
        capture_output=True, text=True, timeout=60, cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 1
    assert done.stderr == f"incident-journal: {fifo} is a FIFO (named pipe), not a regular file; it was not read\n"


# -- 4. a record key found twice ------------------------------------------------------------


def test_check_names_a_record_key_found_twice_and_add_keeps_both(ij, journal: Path) -> None:
    saved_twice(ij)
    text = journal.read_text()
    journal.write_text(text.replace('"2": {', '"1": {'))
    result = ij("check")
    assert result.code == 1
    assert result.out == (
        f"{journal}: table 'incidents': record '1' is in the file more than once; each is kept, "
        "this one as record '2'\n"
    )
    assert "every record is kept" in result.err
    assert ij(*ADD[:2], "Third", *ADD[3:]).code == 0
    assert ij("check").code == 0
    assert len(json.loads(journal.read_text())["incidents"]) == 3


# -- 7. too deep, out of memory -------------------------------------------------------------


def _deep(path: Path) -> None:
    text = path.read_text()
    path.write_text(text.replace('"title":', '"deep": ' + "[" * 1020 + "]" * 1020 + ', "title":', 1))


def test_a_record_nested_1020_levels_deep_gives_one_line_not_a_traceback(ij, journal: Path) -> None:
    saved_twice(ij)
    _deep(journal)
    line = one_error_line(ij(*ADD))
    assert "record '1' is nested too deeply to be written (more than 250 levels); fix or remove it by hand" in line


def test_check_reports_a_backup_nested_too_deeply(ij, journal: Path) -> None:
    saved_twice(ij)
    _deep(backup_path(journal))
    journal.write_text("{ not json")
    result = ij("check")
    assert result.code == 1 and result.out == ""
    assert len(result.err_lines) == 2
    assert "is nested too deeply to be written (more than 250 levels)" in result.err_lines[1]


def test_running_out_of_memory_is_one_line(ij, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_memory(*_args, **_kwargs):
        raise MemoryError

    monkeypatch.setattr(store.journal.Journal, "add", no_memory)
    assert one_error_line(ij(*ADD)).startswith("incident-journal: out of memory; nothing was saved")


# -- 6. text that reaches the terminal ------------------------------------------------------


def hostile_journal(ij, journal: Path) -> str:
    """A journal whose records and history hold control sequences, as a hand edit leaves them;
    returns the id of the incident whose title holds them."""
    saved_twice(ij)
    listed = json.loads(ij("list", "--format", "json").out)
    second = next(item["id"] for item in listed if item["title"] == "Second")
    assert ij("edit", second, "--title", "Second, edited").code == 0
    assert ij("delete", "--yes", second).code == 0
    data = json.loads(journal.read_text())
    for table in ("incidents", "history"):
        for document in data[table].values():
            record = document.get("record", document) or {}
            if "title" in record:
                record["title"] = record["title"] + HOSTILE
    data["incidents"]["99"] = {"id": "not-an-id" + HOSTILE, "title": "x"}
    journal.write_text(json.dumps(data))
    return second


@pytest.mark.parametrize("command", ["deleted", "check", "history"])
def test_control_sequences_in_a_journal_are_printed_escaped(ij, journal: Path, command: str) -> None:
    second = hostile_journal(ij, journal)
    args = {"history": ["history", second]}.get(command, [command])
    result = ij(*args)
    shown = result.out + result.err
    assert ESCAPED in shown, shown
    assert not any(char in shown for char in RAW)


def test_bidi_controls_typed_on_the_command_line_are_refused(ij, journal: Path) -> None:
    result = ij(*ADD[:2], "Strike\u202eevil", *ADD[3:])
    assert result.code == 2
    assert "--title: contains a bidirectional control character (U+202E) at position 7" in result.err
    assert "\u202e" not in result.err
    assert not journal.exists()


def test_bidi_controls_in_an_imported_file_are_refused(ij, journal: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("title,date,country,region\nStrike \u2067on\u2069 a car,2024-07-01,Russia,Belgorod\n")
    result = ij("import", str(source))
    assert result.code == 2
    assert "row 2" in result.err and "bidirectional control character (U+2067)" in result.err
    assert not any(char in result.err for char in RAW + ("\u2067",))
    assert not journal.exists()


async def test_the_app_says_when_the_file_holds_a_record_key_twice_and_shows_both(tmp_path: Path) -> None:
    path = tmp_path / "journal.json"
    with Journal(path) as first:
        for title in ("Drone strike on a factory", "Shelling of a market"):
            first.add(IncidentFields(title=title, date="2024-07-01", country="Russia", region="Udmurtia"))
    path.write_text(path.read_text().replace('"2": {', '"1": {'))
    with Journal(path) as journal:
        app = JournalApp(journal)
        async with app.run_test(size=(130, 40)) as pilot:
            await list_shown(pilot)
            await wait_until(pilot, lambda: any("record '1' is in the file more than once" in n
                                                for n in notifications(app)), what="the warning toast")
            assert "2 of 2 incidents" in header(app)


def test_backup_writes_one_complete_file_while_the_journal_is_open_elsewhere(ij, journal: Path, tmp_path: Path) -> None:
    saved_twice(ij)
    holder = Journal(journal)  # the app, say: nothing is folded meanwhile
    assert ij(*ADD[:2], "Third", *ADD[3:]).code == 0
    copy = tmp_path / "copy.json"
    result = ij("backup", str(copy))
    assert result.code == 0 and result.err == f"wrote 3 incidents to {copy}\n"
    titles = sorted(record["title"] for record in json.loads(copy.read_text())["incidents"].values())
    assert titles == ["Second", "Shelling of a market", "Third"]
    holder.close()
