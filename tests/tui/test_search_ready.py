"""Search stays ready between keys (issue 12): the list's rows are numbered for the search index
in the background once it is built, again after every change and after a new order, so that the
first key of a search never waits for it (at 100,000 rows, tens of milliseconds)."""

from __future__ import annotations

import datetime as dt

import pytest

from store import IncidentFields, Journal
from tui.app import JournalApp

from .conftest import header, list_shown, wait_until
from .test_entry import all_keys_handled, burst

SIZE = (130, 40)


@pytest.fixture(autouse=True)
def no_polling(monkeypatch) -> None:
    monkeypatch.setattr(JournalApp, "WATCH_INTERVAL", 3600.0)


def search_ready(journal: Journal, order: str = "date") -> bool:
    """Whether ``order``'s rows are numbered already (a first step not taken to the end keeps nothing)."""
    return next(journal.prepare_search(order), "ready") == "ready"


async def test_rows_are_numbered_for_search_after_opening_a_change_and_a_new_order(journal: Journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await wait_until(pilot, lambda: search_ready(journal), what="rows numbered after opening")

        with Journal(journal.path) as elsewhere:  # another program adds an incident
            depot = IncidentFields(title="Shelling of a depot", date=dt.date(2024, 7, 2), region="Belgorod",
                                   country="Russia")
            elsewhere.add(depot)
        assert app.check_for_changes()
        assert not search_ready(journal)  # the rows changed: their numbers are to be read again
        await wait_until(pilot, lambda: search_ready(journal), what="rows numbered after a change")

        burst(app, "o")  # sorted by region
        await wait_until(pilot, lambda: search_ready(journal, "region"), what="rows numbered in the new order")

        burst(app, "slash", *"depot", "enter")
        await wait_until(pilot, lambda: all_keys_handled(app) and header(app).startswith("1 of "), what="found")
        assert "sorted by region" in header(app)
