"""The overview (``s``) shows who was harmed and the weapons (schema 3): civilian killed and
injured totals with children, by region and per month, and weapons launched against intercepted
per month, as a person reads them on the screen."""

from __future__ import annotations

from rich.cells import cell_len

from tui.app import JournalApp
from tui.widgets.bar_chart import BarChart

from .conftest import list_shown, screen_text
from .test_exchange_screens import (
    MARKUP_REGION,
    SIZE,
    back_to_the_list,
    chart,
    fields,
    open_overview,
    pick_region,
    totals_lines,
)


def add_harmed(journal) -> None:
    """Four incidents in three regions and two months; the figures below are counted by hand."""
    journal.add(fields(title="A", region="Udmurtia", date="2024-07-01", killed="3", injured="5+",
                       killed_civilians="2", killed_children="1", injured_civilians="4+",
                       weapons_launched="3", weapons_intercepted="2"))
    journal.add(fields(title="B", region="Udmurtia", date="2024-07-10", killed="0", injured="0"))
    journal.add(fields(title="C", region="Kursk", date="2024-07-20", killed="1+", injured="2-5",
                       injured_civilians="0-2", weapons_intercepted="61+ (over 60)"))
    journal.add(fields(title="D", region="Belgorod", date="2024-09-01", killed="2", injured="?",
                       killed_children="2", weapons_launched="0"))


async def test_the_overview_shows_civilians_children_and_weapons(empty_journal):
    add_harmed(empty_journal)
    app = JournalApp(empty_journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await open_overview(pilot)
        lines = totals_lines(app)
        assert lines[0].startswith("4 of 4 incidents")
        assert lines[1] == "killed 6+ · injured 7+  (1 with injured unknown)"
        # civilians killed: 2 + 0 + ? + 2+ (the children); injured: 4+ + 0 + 0-2 + ?
        assert lines[2] == "civilians killed 4+ · injured 4+  (1 with killed unknown, 1 with injured unknown)"
        # children killed: 1 + 0 + ? + 2; injured: ? + 0 + ? + ?
        assert lines[3] == "children killed 3+ · injured 0+  (1 with killed unknown, 3 with injured unknown)"
        # launched: 3 + ? + 61+ (at least those intercepted) + 0; intercepted: 2 + ? + 61+ + 0
        assert lines[4] == (
            "weapons launched 64+ · intercepted 63+  (1 with launched unknown, 1 with intercepted unknown)"
        )
        # incidents harming civilians first; the regions no incident gives a figure for are left out
        assert chart(app, "civilians-by-region") == [
            ("Udmurtia", 1, "killed 2, children 1 · injured 4+, children 0+"),
            ("Belgorod", 1, "killed 2+, children 2 · injured ?, children ?"),
            ("Kursk", 0, "killed ?, children ? · injured 0-2, children ?"),
        ]
        assert chart(app, "civilians-by-month") == [
            ("2024-07", 1, "killed 2+, children 1+ · injured 4+, children 0+"),
            ("2024-09", 1, "killed 2+, children 2 · injured ?, children ?"),
        ]
        assert chart(app, "weapons-by-month") == [
            ("2024-07", 2, "launched 64+ · intercepted 63+"),
            ("2024-09", 1, "launched 0 · intercepted 0"),
        ]
        text = screen_text(app)
        assert "Civilians by region" in text and "launched 64+ · intercepted 63+" in text


async def test_the_harm_figures_follow_the_list_filter(empty_journal):
    add_harmed(empty_journal)
    app = JournalApp(empty_journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pick_region(pilot, "Belgorod")
        await open_overview(pilot)
        lines = totals_lines(app)
        assert lines[0].startswith("1 of 4 incidents")
        assert lines[2:5] == [
            "civilians killed 2+ · injured ?  (1 with injured unknown)",
            "children killed 2 · injured ?  (1 with injured unknown)",
            "weapons launched 0 · intercepted 0",
        ]
        assert chart(app, "civilians-by-region") == [("Belgorod", 1, "killed 2+, children 2 · injured ?, children ?")]
        assert chart(app, "weapons-by-month") == [("2024-09", 1, "launched 0 · intercepted 0")]


async def test_a_view_without_harm_figures_says_so(empty_journal):
    empty_journal.add(fields(title="A", region="Kursk", killed="1", injured="?"))
    empty_journal.add(fields(title="B", region="Kursk", killed="0", injured="0"))
    app = JournalApp(empty_journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await open_overview(pilot)
        assert totals_lines(app)[2:5] == [
            # killed 1 (civilians not given) and 0 (nobody, so no civilian); injured ? and 0
            "civilians killed 0+ · injured 0+  (1 with killed unknown, 1 with injured unknown)",
            "children killed 0+ · injured 0+  (1 with killed unknown, 1 with injured unknown)",
            "weapons launched ? · intercepted ?  (2 with launched unknown, 2 with intercepted unknown)",
        ]
        for chart_id in ("civilians-by-region", "civilians-by-month", "weapons-by-month"):
            widget = app.screen.query_one(f"#{chart_id}", BarChart)
            assert widget.bars == [] and widget.render().plain == "no incident shown gives these figures"
        assert screen_text(app).count("no incident shown gives these figures") == 3


async def test_a_region_name_in_the_civilians_chart_is_shown_literally(empty_journal):
    empty_journal.add(fields(title="[/] closing [bold red]tag", region=MARKUP_REGION, killed="1",
                             killed_civilians="1"))
    app = JournalApp(empty_journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await open_overview(pilot)
        assert chart(app, "civilians-by-region") == [
            (MARKUP_REGION, 1, "killed 1, children ? · injured ?, children ?"),
        ]
        assert MARKUP_REGION in screen_text(app)
        await back_to_the_list(pilot)


async def test_in_a_narrow_terminal_every_chart_line_fits(empty_journal):
    add_harmed(empty_journal)
    empty_journal.add(fields(title="E", region="Белгородская область, длинное имя", date="2025-01-01",
                             killed="12+", killed_civilians="10+", killed_children="3", injured="3-40",
                             injured_civilians="2-30", injured_children="0-10"))
    app = JournalApp(empty_journal)
    async with app.run_test(size=(60, 40)) as pilot:
        await list_shown(pilot)
        await open_overview(pilot)
        for widget in app.screen.query(BarChart):
            lines = widget.render().plain.splitlines()
            assert len(lines) == len(widget.bars)  # a line that wrapped would hide the rows below it
            assert all(cell_len(line) <= widget.size.width for line in lines), (widget.id, lines)
        # the labels and then the bars give way before the figures are cut
        assert chart(app, "weapons-by-month")[0] == ("2024-07", 2, "launched 64+ · intercepted 63+")
        assert chart(app, "civilians-by-month")[-1][:2] == ("2025-01", 1)
