"""The real app in a real terminal (tmux), typed into as a person types, the journal read back.

tmux is on every machine here, CI included. The keys go through the terminal as bytes, at a
fast typist's pace and as pastes, exactly as a person's would; the test then reads the saved
journal file, not the screen.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from store import Journal
from store.seeds import seed_groups, seed_incidents

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Terminal:
    """One tmux session running one command, 140 x 45."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.name = f"ij-test-{uuid.uuid4().hex[:8]}"
        exports = " ".join(f"{key}={value}" for key, value in env.items())
        shell = f"{exports} {' '.join(command)}; echo EXITED-$?; sleep 60"
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", "140", "-y", "45", shell], check=True)

    def screen(self) -> str:
        done = subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True)
        return done.stdout

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def type(self, text: str, gap: float = 0.0) -> None:
        """``text`` as typed: all at once (a burst), or one key every ``gap`` seconds."""
        if not gap:
            subprocess.run(["tmux", "send-keys", "-t", self.name, "-l", text], check=True)
            return
        for char in text:
            subprocess.run(["tmux", "send-keys", "-t", self.name, "-l", char], check=True)
            time.sleep(gap)  # the typist's pace, not a wait for the app

    def paste(self, text: str) -> None:
        """A bracketed paste, as a terminal sends one."""
        buffer = f"b{self.name}"
        subprocess.run(["tmux", "set-buffer", "-b", buffer, text], check=True)
        subprocess.run(["tmux", "paste-buffer", "-p", "-b", buffer, "-t", self.name], check=True)

    def wait_for(self, text: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.screen():
                return
            time.sleep(0.05)
        pytest.fail(f"the terminal never showed {text!r}; it shows:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


@pytest.fixture
def terminal_journal(tmp_path: Path):
    path = tmp_path / "journal.json"
    with Journal(path) as journal:
        journal.import_groups(seed_groups())
        journal.import_incidents(seed_incidents())
    return path


def wait_for_saved(path: Path, title: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with Journal(path) as journal:
            found = [incident for incident in journal.all() if incident.title == title]
        if found:
            return found[0]
        time.sleep(0.1)
    return None


def test_a_journalist_types_a_report_into_the_real_app_and_every_key_is_saved(terminal_journal: Path):
    app = Terminal([sys.executable, "-m", "tui", "--journal", str(terminal_journal)],
                   {"TERM": "xterm-256color", "TEXTUAL_ANIMATIONS": "none"})
    try:
        app.wait_for("4 of 4 incidents")
        # n, then the title straight away: the keys wait for the form and land in its title.
        app.keys("n")
        app.type("Shahed strike on Odesa port", gap=0.02)
        app.keys("Tab")
        app.type("air", gap=0.02)  # the event type, by a word of it
        app.keys("Tab")
        app.type("Shahed drone")  # a field's text in one burst
        app.keys("Tab")
        app.type("2")
        app.keys("C-Down")  # When
        app.type("2025-03-12", gap=0.02)
        app.keys("C-Down")  # Where
        app.paste("Odesa")
        app.keys("Tab")
        app.type("Odesa Oblast", gap=0.02)
        app.keys("Tab")
        app.type("Ukraine", gap=0.02)
        app.keys("C-Down")  # Who
        app.type("Russian Armed Forces")
        app.keys("Tab")
        app.type("cla")
        app.keys("C-Down")  # Casualties
        app.type("2+", gap=0.02)
        app.keys("Tab")
        app.type("7 (including a child)")
        app.keys("C-o")  # a source; the cursor goes to its outlet
        app.type("Kyiv Independent", gap=0.02)
        app.keys("Tab")
        app.type("media")
        app.keys("Tab", "Tab")
        app.paste("https://kyivindependent.com/odesa-strike")
        app.keys("C-s")  # at once, behind everything queued
        saved = wait_for_saved(terminal_journal, "Shahed strike on Odesa port")
        assert saved is not None, app.screen()
        assert (saved.event_type, saved.weapon) == ("Air/drone strike", "Shahed drone")
        assert str(saved.weapons_launched) == "2"
        assert (str(saved.date), saved.date_precision) == ("2025-03-12", "day")
        assert (saved.place, saved.region, saved.country) == ("Odesa", "Odesa Oblast", "Ukraine")
        assert (saved.actor, saved.attribution) == ("Russian Armed Forces", "claimed")
        assert (str(saved.killed), str(saved.injured)) == ("2+", "7 (including a child)")
        [source] = saved.sources
        assert (source.outlet, source.kind, source.url) == (
            "Kyiv Independent", "media", "https://kyivindependent.com/odesa-strike"
        )
        # and an edit: clear the title, type at full speed, save at once
        app.wait_for("Incident ")
        app.keys("e")
        app.keys("C-u")
        app.type("Belgorod car strike APP-EDIT")
        app.keys("C-s")
        assert wait_for_saved(terminal_journal, "Belgorod car strike APP-EDIT") is not None, app.screen()
    finally:
        app.close()
