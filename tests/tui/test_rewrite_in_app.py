"""A journal file rewritten by hand while the app has it open (issue 12): the change shows within
the app's next looks, worked out in a child process; the app never parses the file, so no key
waits for that."""

from __future__ import annotations

import store.storage
from tests.store.test_rewrite import rewrite_by_hand
from tui.app import JournalApp

from .conftest import list_shown, screen_text, wait_until

IZHEVSK = "78b9375e-f810-45cb-89db-0333a9e5afb0"


def retitle(data) -> None:
    for record in data["incidents"].values():
        if record["id"] == IZHEVSK:
            record["title"] = "Edited by hand in the file"


async def test_a_file_rewritten_by_hand_shows_its_change_without_a_parse_in_the_app(journal, monkeypatch):
    monkeypatch.setattr(JournalApp, "WATCH_INTERVAL", 0.05)
    assert journal.fold()  # the seeds written into the file, for the hand to edit
    app = JournalApp(journal)
    async with app.run_test(size=(130, 40), notifications=True) as pilot:
        await list_shown(pilot)
        parses = []
        real_decode = store.storage.decode
        monkeypatch.setattr(store.storage, "decode", lambda *a, **k: parses.append(a) or real_decode(*a, **k))
        rewrite_by_hand(journal.path, retitle)
        await wait_until(pilot, lambda: "Edited by hand in the file" in screen_text(app), what="the change listed")
        assert parses == []
        assert not journal.rewritten_elsewhere()
        await pilot.press("r")  # the keys go on as before
