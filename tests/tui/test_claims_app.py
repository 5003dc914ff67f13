"""Issue 13 in the app: the group of claims in the detail and ``g`` then ``[``/``]`` within it,
the list's "civ" marker, its civilian-harm and group filters, and a source's claims typed in the
form. Keys go as bursts, as a person types them."""

from __future__ import annotations

from store import Journal
from tui.app import JournalApp
from tui.screens.detail import DetailScreen
from tui.screens.edit import EditScreen
from tui.screens.list import ListScreen
from tui.widgets.incident_list import IncidentList

from .conftest import form_ready, header, list_shown, screen_text, showing, wait_until
from .test_entry import all_keys_handled, burst, typed

IZHEVSK = "78b9375e-f810-45cb-89db-0333a9e5afb0"
BELGOROD = "9ccb6b32-da98-47df-8bc1-fcd75b62a9da"
CRIMEA = "32047f98-ec01-4a69-a671-58ddae647c0d"
ROSTOV = "6452587f-76cc-4f94-bd58-d2ac3372af27"
SIZE = (140, 50)


def listed_ids(app) -> list[str]:
    screen = next(screen for screen in app.screen_stack if isinstance(screen, ListScreen))
    return [row.id for row in screen.query_one(IncidentList).incidents]


def on_row(app, incident_id: str) -> list[str]:
    """The keys that put the list's cursor on ``incident_id`` (g, then j as often as needed)."""
    return ["g", *["j"] * listed_ids(app).index(incident_id)]


async def test_the_detail_shows_the_group_and_g_then_brackets_move_within_it(journal: Journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        burst(app, *on_row(app, CRIMEA), "enter")
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, DetailScreen), what="the detail")
        text = screen_text(app)
        assert "Group:         Russian defence ministry: over 60 drones shot down, night of 1 July" in text
        assert "Totals:        intercepted 61+ (over 60)" in text
        assert "Drones shot down over Rostov region" in text  # the other incident of the group
        # The group's incidents newest first, as the list orders them: ] to the next, [ to the one before.
        order = [row.id for row in journal.group_members(journal.get(CRIMEA).group or "")]
        assert sorted(order) == sorted([CRIMEA, ROSTOV])
        burst(app, "g", "right_square_bracket" if order[0] == CRIMEA else "left_square_bracket")
        await wait_until(pilot, lambda: all_keys_handled(app) and app.screen.current == ROSTOV,
                         what="moved to the other incident of the group")
        burst(app, "g", "e")  # g then anything else: no move within the group is pending
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, EditScreen), what="the form")
        assert app.screen_stack[-2].within_group is False


async def test_the_list_marks_civilian_harm_and_filters_by_it_and_by_group(journal: Journal):
    journal.update(journal.get(BELGOROD).with_changes(injured_civilians="2"))
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        lines = [line for line in screen_text(app).splitlines() if "Drone strike on a car" in line]
        assert lines and " civ " in lines[0]
        assert not any(" civ " in line for line in screen_text(app).splitlines() if "Izhevsk" in line)
        burst(app, "v", "down", "enter")  # the civilian-harm picker: its second choice
        await wait_until(pilot, lambda: all_keys_handled(app) and listed_ids(app) == [BELGOROD],
                         what="only the incident that harmed civilians")
        burst(app, "x")
        await wait_until(pilot, lambda: all_keys_handled(app) and len(listed_ids(app)) == 4, what="cleared")
        burst(app, *on_row(app, ROSTOV), "w")  # the highlighted incident's group
        await wait_until(pilot, lambda: all_keys_handled(app) and sorted(listed_ids(app)) == sorted([CRIMEA, ROSTOV]),
                         what="the group's incidents")
        assert "group: Russian defence ministry" in header(app)
        burst(app, "w")  # again: everything
        await wait_until(pilot, lambda: all_keys_handled(app) and len(listed_ids(app)) == 4, what="all again")


async def test_a_sources_claims_typed_in_the_form_are_saved_and_kept_through_edits(journal: Journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        burst(app, *on_row(app, BELGOROD), "e")
        await wait_until(pilot, lambda: all_keys_handled(app) and form_ready(app), what="the form")
        burst(app, "ctrl+o", *typed("Governor (Telegram)"))
        await wait_until(pilot, lambda: all_keys_handled(app) and app.focused is not None
                         and "s-outlet" in app.focused.classes, what="a new source")
        row = app.screen.query_one("#f-sources").rows[-1]
        app.screen.set_focus(row.query_one(".s-killed"))
        burst(app, *typed("0"), "tab", *typed("2"), "tab", *typed("Armed Forces of Ukraine"), "ctrl+s")
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, DetailScreen), what="saved")
    source = Journal(journal.path).get(BELGOROD).sources[-1]
    assert (source.outlet, str(source.killed), str(source.injured), source.blames) == (
        "Governor (Telegram)", "0", "2", "Armed Forces of Ukraine")


async def test_ctrl_f_sets_killed_and_injured_to_the_range_across_the_sources(journal: Journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await list_shown(pilot)
        burst(app, *on_row(app, IZHEVSK), "e")
        await wait_until(pilot, lambda: all_keys_handled(app) and form_ready(app), what="the form")
        rows = app.screen.query_one("#f-sources").rows
        rows[0].query_one(".s-injured").load("")  # (the seed's "? (there are casualties, no figure)")
        app.screen.set_focus(rows[0].query_one(".s-killed"))
        burst(app, *typed("1"), "tab", *typed("2"))
        await wait_until(pilot, lambda: all_keys_handled(app))
        app.screen.set_focus(rows[1].query_one(".s-killed"))
        burst(app, *typed("3 (SHOT)"), "ctrl+f", "ctrl+s")  # the save key right behind: it saves what ctrl+f set
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, DetailScreen), what="saved")
    saved = Journal(journal.path).get(IZHEVSK)
    assert (str(saved.killed), str(saved.injured)) == ("1-3", "2")
    assert [str(source.killed) for source in saved.sources] == ["1", "3 (SHOT)"]


async def test_g_then_a_bracket_passes_over_an_invalid_member_of_the_group(tmp_path):
    import json

    from .conftest import seeded

    seeded(tmp_path / "journal.json").close()
    path = tmp_path / "journal.json"
    tables = json.loads(path.read_text())
    for record in tables["incidents"].values():
        if record["id"] == ROSTOV:
            record["killed"] = "lots"  # broken by hand: the only other member of the group
    path.write_text(json.dumps(tables))
    journal = Journal(path)
    app = JournalApp(journal)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await list_shown(pilot)
        app.push_screen(DetailScreen(listed_ids(app), CRIMEA))
        await wait_until(pilot, lambda: showing(app, DetailScreen), what="the detail")
        burst(app, "g", "left_square_bracket", "g", "right_square_bracket")
        await wait_until(pilot, lambda: all_keys_handled(app) and len(app._notifications) >= 2,  # noqa: SLF001
                         what="both moves answered")
        assert showing(app, DetailScreen) and app.screen.current == CRIMEA  # not closed, not moved
    journal.close()
