"""The overview (``s``), export of the current view (command palette) and possible duplicates
named after a save, driven with keys as a person would.

The overview's figures are checked against what the test counts itself in the rows the list
shows; exported files are read back and compared with the list; duplicates are named in a toast.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import re
from pathlib import Path

import pytest
from textual import events
from textual.command import CommandInput, CommandPalette
from textual.widgets import Input, Select

import store.exchange
from store import Incident, IncidentFields, Journal
from store.taxonomy import SUB_EVENT_TYPES
from tests.store.conftest import stored_bytes
from tui.app import JournalApp
from tui.screens.detail import DetailScreen
from tui.screens.export import ExportScreen
from tui.screens.list import ListScreen
from tui.screens.overview import OverviewScreen
from tui.widgets.bar_chart import BarChart
from tui.widgets.incident_list import IncidentList

from .conftest import form_ready, header, list_shown, notifications, palette_offers, screen_text, showing, wait_until

SIZE = (120, 36)
IZHEVSK = "78b9375e-f810-45cb-89db-0333a9e5afb0"
IZHEVSK_TITLE = "Drone strike sets a factory on fire in Izhevsk"
BELGOROD = "9ccb6b32-da98-47df-8bc1-fcd75b62a9da"
MARKUP_REGION = "[bold]x[/]"
#: How the overview names each casualty status (what a person reads on the screen).
STATUS_LABELS = {
    "killed": "killed (1 or more)",
    "injured": "injured, none killed",
    "none": "no casualties",
    "unknown": "unknown",
}


def fields(**values) -> IncidentFields:
    data = {"title": "An incident", "date": "2024-07-01", "country": "Russia", "region": "Kursk"}
    data.update(values)
    return IncidentFields.model_validate(data)


# -- reading the screens -------------------------------------------------------------------------


def listing(app: JournalApp) -> IncidentList:
    return app.screen.query_one(IncidentList)


def shown_ids(app: JournalApp) -> list[str]:
    return [row.id for row in listing(app).incidents]


_BAR = re.compile(r"^[█▏▎▍▌▋▊▉]+$")


def chart(app: JournalApp, chart_id: str) -> list[tuple[str, int, str]]:
    """The rows a bar chart draws, read back from its lines: (label, value, note).

    A line is ``label  value  note  bar``, its columns two or more spaces apart.
    """
    widget = app.screen.query_one(f"#{chart_id}", BarChart)
    if not widget.bars:
        assert widget.render().plain == "none"
        return []
    rows = []
    for line in widget.render().plain.splitlines():
        label, value, *rest = re.split(r" {2,}", line.strip())
        assert value.replace(",", "").isdigit(), f"cannot read the chart line {line!r}"
        notes = [part for part in rest if not _BAR.match(part)]
        assert len(notes) <= 1, f"cannot read the chart line {line!r}"
        rows.append((label, int(value.replace(",", "")), notes[0] if notes else ""))
    return rows


def totals_lines(app: JournalApp) -> list[str]:
    return str(app.screen.query_one("#overview-totals").render()).splitlines()


async def paste(pilot, text: str) -> None:
    """Paste ``text`` into the field with the cursor, as a terminal delivers a paste; wait until it is there."""
    field = pilot.app.focused
    assert isinstance(field, Input), f"a paste with the cursor on {field!r}, not in a field"
    pilot.app._driver.send_message(events.Paste(text))  # noqa: SLF001
    await wait_until(pilot, lambda: text in field.value, what=f"the paste of {text[:40]!r} into #{field.id}")


async def clear_field(pilot, *keys: str) -> None:
    """Press ``keys`` (which empty the field with the cursor) and wait until it is empty."""
    field = pilot.app.focused
    await pilot.press(*keys)
    await wait_until(pilot, lambda: field.value == "", what=f"{' '.join(keys)} to empty #{field.id}")


def search_done(app: JournalApp, text: str) -> bool:
    """The search field holds ``text`` and the cursor is back in the (filtered) list."""
    return app.screen.query_one("#search", Input).value == text and isinstance(app.focused, IncidentList)


async def search(pilot, text: str) -> None:
    await pilot.press("slash", *text, "enter")
    await wait_until(pilot, lambda: search_done(pilot.app, text), what=f"the search for {text!r}")


async def pick_region(pilot, region: str) -> None:
    """``r``, then down to ``region`` in the picker (its options: All regions, then the regions)."""
    app = pilot.app
    names = [name for name, _ in app.journal.row_regions()]
    await pilot.press("r", *["down"] * (names.index(region) + 1), "enter")

    def picked() -> bool:
        picker = app.screen.query_one("#region-filter", Select)
        return picker.value == region and not picker.expanded and isinstance(app.focused, IncidentList)

    await wait_until(pilot, picked, what=f"the region {region!r} picked and the cursor back in the list")


def overview_drawn(app: JournalApp) -> bool:
    """The overview is on top with its figures counted and drawn."""
    return (
        showing(app, OverviewScreen)
        and not app.screen.query("#overview-counting")
        and bool(app.screen.query("#overview-totals"))
        and "By region" in screen_text(app)
    )


async def open_overview(pilot) -> None:
    await pilot.press("s")
    await wait_until(pilot, lambda: overview_drawn(pilot.app), what="the overview")


async def back_to_the_list(pilot) -> None:
    await pilot.press("escape")
    await wait_until(pilot, lambda: showing(pilot.app, ListScreen), what="the list again")


# -- what the test counts itself ------------------------------------------------------------------


def total(counts) -> str:
    """A sum of counts in the notation: exact, ``n+`` (at least), ``a-b``, ``?`` (all unknown)."""
    counts = list(counts)
    known = [count for count in counts if count.min is not None]
    if counts and not known:
        return "?"
    low = sum(count.min for count in known)
    if len(known) < len(counts) or any(count.max is None for count in known):
        return f"{low}+"
    high = sum(count.max for count in known)
    return str(low) if low == high else f"{low}-{high}"


def months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def counted(incidents: list[Incident]) -> dict:
    """The overview's figures, counted by hand from ``incidents``."""
    regions: dict[str, list[Incident]] = {}
    for incident in incidents:
        regions.setdefault(incident.region, []).append(incident)
    statuses = {label: 0 for label in STATUS_LABELS.values()}
    types: dict[str, int] = {}
    months: dict[str, int] = {}
    for incident in incidents:
        statuses[STATUS_LABELS[incident.casualty_status]] += 1
        name = incident.event_type or "(no event type)"
        types[name] = types.get(name, 0) + 1
        month = incident.date.isoformat()[:7]
        months[month] = months.get(month, 0) + 1
    timeline = []
    if months:
        timeline = [(month, months.get(month, 0)) for month in months_between(min(months), max(months))]
    return {
        "incidents": len(incidents),
        "killed": total(incident.killed for incident in incidents),
        "injured": total(incident.injured for incident in incidents),
        "regions": {
            name: (len(group), f"killed {total(i.killed for i in group)} · injured {total(i.injured for i in group)}")
            for name, group in regions.items()
        },
        "statuses": statuses,
        "types": types,
        "months": timeline,
    }


def untruncated(shown: dict[str, int], names) -> dict[str, int]:
    """``shown`` with each label cut short (``…``) replaced by the one name of ``names`` it begins."""
    full = {}
    for label, value in shown.items():
        if label.endswith("\u2026"):
            candidates = [name for name in names if name.startswith(label[:-1])]
            assert len(candidates) == 1, f"{label!r} could be any of {candidates}"
            label = candidates[0]
        full[label] = value
    return full


def shown_figures(app: JournalApp) -> dict:
    """The overview's figures as the screen shows them (labels cut short read as the full name)."""
    assert isinstance(app.screen, OverviewScreen)
    first, casualties = totals_lines(app)[:2]
    incidents = re.match(r"([\d,]+) of [\d,]+ incidents?\b", first)
    killed_injured = re.match(r"killed (\S+) · injured (\S+)", casualties)
    assert incidents and killed_injured, totals_lines(app)
    regions = chart(app, "by-region")
    assert len({name for name, _, _ in regions}) == len(regions), "a region shown twice"
    return {
        "incidents": int(incidents[1].replace(",", "")),
        "killed": killed_injured[1],
        "injured": killed_injured[2],
        "regions": {name: (value, note) for name, value, note in regions},
        "statuses": {label: value for label, value, _ in chart(app, "by-status")},
        "types": untruncated({label: value for label, value, _ in chart(app, "by-event-type")},
                             [*SUB_EVENT_TYPES, "(no event type)"]),
        "months": [(label, value) for label, value, _ in chart(app, "by-month")],
    }


def list_incidents(app: JournalApp) -> list[Incident]:
    """The incidents the list shows (read before opening the overview)."""
    return [app.journal.get(incident_id) for incident_id in shown_ids(app)]


# -- the overview ---------------------------------------------------------------------------------


@pytest.fixture
def varied(journal: Journal) -> Journal:
    """The article's four incidents and four more: several regions, months, statuses, types."""
    journal.add(fields(title="Shelling of Shebekino", region="Belgorod", place="Shebekino", date="2024-09-14",
                       event_type="Shelling/artillery/missile attack", killed="2", injured="3-5"))
    journal.add(fields(title="Drone hits a substation", region="Belgorod", date="2024-09-20",
                       event_type="Air/drone strike", killed="1+", injured="?"))
    journal.add(fields(title="Drone debris falls on a house", region="Kursk", date="2024-07-20",
                       event_type="Air/drone strike", killed="0", injured="0"))
    journal.add(fields(title="Explosion at a depot", region="Udmurtia", date="2024-10-03",
                       killed="?", injured="1"))
    return journal


async def test_overview_figures_are_those_of_the_list_and_follow_its_filters(varied):
    app = JournalApp(varied)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        everything = list_incidents(app)
        assert len(everything) == 8
        await open_overview(pilot)
        unfiltered = shown_figures(app)
        assert unfiltered == counted(everything)
        # What a person checks first, written out.
        assert unfiltered["incidents"] == 8
        assert unfiltered["regions"]["Belgorod"] == (3, "killed 3+ · injured 5+")
        assert unfiltered["regions"]["Kursk"] == (1, "killed 0 · injured 0")
        by_size = [value for _, value, _ in chart(app, "by-region")]
        assert by_size == sorted(by_size, reverse=True), "regions with most incidents first"
        assert unfiltered["months"] == [("2024-07", 5), ("2024-08", 0), ("2024-09", 2), ("2024-10", 1)]
        assert "every incident" in screen_text(app)
        await back_to_the_list(pilot)

        await search(pilot, "drone")
        drones = list_incidents(app)
        assert 0 < len(drones) < len(everything)
        await open_overview(pilot)
        searched = shown_figures(app)
        assert searched == counted(drones)
        assert searched != unfiltered
        assert "search \u201cdrone\u201d" in screen_text(app)
        await back_to_the_list(pilot)

        await pick_region(pilot, "Belgorod")
        both = list_incidents(app)
        assert {incident.region for incident in both} == {"Belgorod"} and 0 < len(both) < len(drones)
        await open_overview(pilot)
        narrowed = shown_figures(app)
        assert narrowed == counted(both)
        assert list(narrowed["regions"]) == ["Belgorod"]
        assert narrowed["incidents"] == len(both)
        text = screen_text(app)
        assert "region Belgorod" in text and "search \u201cdrone\u201d" in text


async def test_escape_returns_to_the_list_with_its_filter_and_row(varied):
    app = JournalApp(varied)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await search(pilot, "drone")
        await pick_region(pilot, "Belgorod")
        rows = shown_ids(app)
        assert len(rows) >= 2
        await pilot.press("j")
        await wait_until(pilot, lambda: listing(app).cursor == 1, what="j to move the cursor down")
        chosen = listing(app).highlighted.id
        assert chosen == rows[1]
        before = header(app)
        await open_overview(pilot)
        await pilot.press("escape")
        await wait_until(pilot, lambda: showing(app, ListScreen) and isinstance(app.focused, IncidentList),
                         what="the list again, with the cursor in it")
        assert app.screen.query_one("#search", Input).value == "drone"
        assert app.screen.query_one("#region-filter", Select).value == "Belgorod"
        assert shown_ids(app) == rows
        assert listing(app).highlighted.id == chosen
        assert header(app) == before
        assert isinstance(app.focused, IncidentList)


async def test_overview_adds_up_uncertain_counts(empty_journal):
    journal = empty_journal
    journal.add(fields(title="A", region="Kursk", killed="1+", injured="2"))
    journal.add(fields(title="B", region="Kursk", killed="2", injured="?"))
    journal.add(fields(title="C", region="Kursk", killed="?", injured="? (several)"))
    journal.add(fields(title="D", region="Oryol", killed="?", injured="?"))
    journal.add(fields(title="E", region="Tula", killed="2-5", injured="0"))
    journal.add(fields(title="F", region="Tula", killed="1", injured="0"))
    journal.add(fields(title="G", region="Tula", killed="0", injured="0"))
    journal.add(fields(title="H", region="Bryansk", killed="0", injured="3"))
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await open_overview(pilot)
        regions = {name: (value, note) for name, value, note in chart(app, "by-region")}
        assert regions == {
            "Kursk": (3, "killed 3+ · injured 2+"),  # 1+ plus 2 plus unknown
            "Oryol": (1, "killed ? · injured ?"),  # unknown stays unknown, not 0
            "Tula": (3, "killed 3-6 · injured 0"),  # 2-5 plus 1 plus 0
            "Bryansk": (1, "killed 0 · injured 3"),
        }
        lines = totals_lines(app)
        assert lines[0].startswith("8 of 8 incidents")
        assert lines[1] == "killed 6+ · injured 5+  (2 with killed unknown, 3 with injured unknown)"
        statuses = {label: value for label, value, _ in chart(app, "by-status")}
        assert statuses == {STATUS_LABELS["killed"]: 4, STATUS_LABELS["injured"]: 1,
                            STATUS_LABELS["none"]: 1, STATUS_LABELS["unknown"]: 2}
        text = screen_text(app)
        assert "killed 3+ · injured 2+" in text and "killed ? · injured ?" in text


async def test_overview_of_a_view_with_nothing_in_it(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await search(pilot, "zzz")
        assert shown_ids(app) == []
        await open_overview(pilot)
        assert totals_lines(app)[0].startswith(f"0 of {len(journal)} incidents")
        assert chart(app, "by-region") == chart(app, "by-event-type") == chart(app, "by-month") == []
        assert all(value == 0 for _, value, _ in chart(app, "by-status"))
        assert "search \u201czzz\u201d" in screen_text(app)
        await back_to_the_list(pilot)


async def test_overview_shows_markup_in_a_region_literally(empty_journal):
    journal = empty_journal
    journal.add(fields(title="[/] closing [bold red]tag", region=MARKUP_REGION, killed="1"))
    journal.add(fields(title="Elsewhere", region="Kursk"))
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await open_overview(pilot)
        assert MARKUP_REGION in [name for name, _, _ in chart(app, "by-region")]
        assert MARKUP_REGION in screen_text(app)
        await back_to_the_list(pilot)
        await pick_region(pilot, MARKUP_REGION)
        await search(pilot, "[/]")
        assert len(shown_ids(app)) == 1
        await open_overview(pilot)
        text = screen_text(app)
        assert f"region {MARKUP_REGION}" in text
        assert "search \u201c[/]\u201d" in text
        assert chart(app, "by-region") == [(MARKUP_REGION, 1, "killed 1 · injured ?")]


# -- export from the command palette ----------------------------------------------------------------


def csv_ids(path: Path, column: str = "id") -> list[str]:
    return [row[column] for row in csv.DictReader(io.StringIO(path.read_text("utf-8-sig")))]


READERS = {
    "CSV": lambda path: csv_ids(path),
    "ACLED CSV": lambda path: csv_ids(path, "event_id_cnty"),
    "GeoJSON": lambda path: [feature["id"] for feature in json.loads(path.read_text("utf-8"))["features"]],
    "JSON": lambda path: [incident["id"] for incident in json.loads(path.read_text("utf-8"))],
}
FORMATS = {"CSV": "csv", "ACLED CSV": "acled", "GeoJSON": "geojson", "JSON": "json"}
#: What a person types in the palette for each format.
COMMANDS = {
    "CSV": "Export current view as CSV",
    "ACLED CSV": "Export current view in ACLED's columns",
    "GeoJSON": "Export current view as GeoJSON",
    "JSON": "Export current view as JSON",
}


async def open_export(pilot, name: str = "CSV", *, typed: bool = False, words: str | None = None) -> ExportScreen:
    """``ctrl+p``, the command's name (or ``words``; pasted, or typed key by key), Enter: the dialog."""
    app = pilot.app
    words = words or COMMANDS[name]
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: showing(app, CommandPalette) and isinstance(app.focused, CommandInput),
                     what="the command palette")
    if typed:
        await pilot.press(*words)
    else:
        await paste(pilot, words)
    await wait_until(pilot, lambda: palette_offers(app, words, COMMANDS[name]),
                     what=f"the palette to offer {COMMANDS[name]!r} first for {words!r}")
    await pilot.press("enter")
    await wait_until(pilot, lambda: showing(app, ExportScreen), what=f"the export dialog, from {words!r}")
    assert app.screen.fmt == FORMATS[name], f"{name!r} opened the export as {app.screen.fmt}"
    return app.screen


def export_error(app: JournalApp) -> str:
    error = app.screen.query_one("#export-error")
    return str(error.render()) if error.display and error.has_class("-shown") else ""


def export_answered(app: JournalApp) -> bool:
    """The dialog has answered an Enter: it closed (the file is written), or it says what is wrong."""
    return not isinstance(app.screen, ExportScreen) or bool(export_error(app))


async def type_file_name(pilot, text: str, *, pasted: bool = False) -> None:
    """Clear the file field (the cursor starts at its end), type (or paste) ``text``, then Enter;
    wait for the answer (the dialog closed, or a message under the field)."""
    app = pilot.app
    field = app.focused
    assert isinstance(field, Input) and field.id == "export-path"
    await clear_field(pilot, "ctrl+u")
    if pasted:
        await paste(pilot, text)
    else:
        await pilot.press(*text)
    # Typing clears what the dialog said about the name before: the next message is the answer.
    await wait_until(pilot, lambda: field.value == text and not export_error(app), what=f"{text[:40]!r} typed")
    await pilot.press("enter")
    await wait_until(pilot, lambda: export_answered(app), what=f"the export dialog to answer {text[:40]!r}")


async def test_export_from_the_palette_writes_what_the_filtered_list_shows_in_each_format(
    journal, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await search(pilot, "shot")
        shown = shown_ids(app)
        assert 0 < len(shown) < len(journal)
        for number, name in enumerate(FORMATS):
            dialog = await open_export(pilot, name)
            assert dialog.query_one("#export-format", Select).value == FORMATS[name]
            text = screen_text(app)
            assert f"Export the {len(shown)} incidents the list shows" in text
            assert "search \u201cshot\u201d" in text
            await type_file_name(pilot, f"v{number}.out")
            target = tmp_path / f"v{number}.out"
            assert target.exists(), f"{name}: {export_error(app)}"
            assert sorted(READERS[name](target)) == sorted(shown), name
            await wait_until(pilot, lambda: showing(app, ListScreen), what="the list after the export")
            toast = notifications(app)[-1]
            assert toast.startswith(f"Exported {len(shown)} incidents to {target} as {name}"), toast
            # The list is as it was.
            assert shown_ids(app) == shown
            assert app.screen.query_one("#search", Input).value == "shot"


async def test_export_with_no_filter_writes_every_incident_to_an_absolute_path(journal, tmp_path):
    target = tmp_path / "every incident.geojson"
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await open_export(pilot, "GeoJSON")
        assert "every incident (no filters)" in screen_text(app)
        await type_file_name(pilot, str(target), pasted=True)
        assert target.exists(), export_error(app)
        document = json.loads(target.read_text("utf-8"))
        assert document["type"] == "FeatureCollection"
        assert sorted(f["id"] for f in document["features"]) == sorted(i.id for i in journal.all())
        izhevsk = next(f for f in document["features"] if f["id"] == IZHEVSK)
        assert izhevsk["geometry"] == {"type": "Point", "coordinates": [53.2045, 56.8498]}
        assert any("Exported 4 incidents" in m for m in notifications(app))


async def test_export_asks_before_replacing_a_file(journal, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first, second = tmp_path / "out.csv", tmp_path / "other.csv"
    first.write_text("what was here\n", "utf-8")
    second.write_text("kept too\n", "utf-8")
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await pick_region(pilot, "Belgorod")
        assert shown_ids(app) == [BELGOROD]
        await open_export(pilot, "CSV", typed=True)
        await type_file_name(pilot, "out.csv")
        assert isinstance(app.screen, ExportScreen)
        assert "exists" in export_error(app) and "Enter again" in export_error(app)
        assert "out.csv exists" in screen_text(app)
        # Another existing file after the question: asked about again, not replaced on one Enter.
        await type_file_name(pilot, "other.csv")
        assert isinstance(app.screen, ExportScreen)
        assert "other.csv exists" in export_error(app)
        assert first.read_text("utf-8") == "what was here\n"
        assert second.read_text("utf-8") == "kept too\n"
        assert not any(m.startswith("Exported") for m in notifications(app))
        await pilot.press("enter")
        await wait_until(pilot, lambda: showing(app, ListScreen), what="the export to replace other.csv")
        assert csv_ids(second) == [BELGOROD]
        assert first.read_text("utf-8") == "what was here\n"
        assert any("Exported 1 incident " in m for m in notifications(app))


async def test_export_says_what_is_wrong_with_the_file_name_and_writes_nothing(journal, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    before = sorted(path.name for path in tmp_path.iterdir())
    journal_bytes = stored_bytes(journal.path)
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await search(pilot, "drone")
        shown = shown_ids(app)
        await open_export(pilot, "JSON")
        await type_file_name(pilot, "no-such-folder/out.json", pasted=True)
        assert isinstance(app.screen, ExportScreen)
        message = export_error(app)
        assert "does not exist" in message and "no-such-folder" in message
        assert "does not exist" in screen_text(app)
        assert app.screen.query_one("#export-path", Input).value == "no-such-folder/out.json"
        assert not (tmp_path / "no-such-folder").exists()
        await type_file_name(pilot, "")
        assert "Type the name" in export_error(app)
        await type_file_name(pilot, "folder")
        assert "folder" in export_error(app) and "file name" in export_error(app)
        for odd in ("~nosuchuser-here/out.csv", "x" * 300 + ".csv", "folder/../nosuch/out.csv"):
            await type_file_name(pilot, odd, pasted=True)
            assert isinstance(app.screen, ExportScreen), odd  # said under the field, not a crash
            assert export_error(app).startswith("Cannot write"), (odd, export_error(app))
        await type_file_name(pilot, str(journal.path), pasted=True)
        assert "journal" in export_error(app)
        app.screen.show_error("")  # so that the answer to the next Enter can be seen coming
        await pilot.press("enter")  # a second Enter does not replace the journal either
        await wait_until(pilot, lambda: export_answered(app), what="the answer to a second Enter")
        assert isinstance(app.screen, ExportScreen)
        assert "journal" in export_error(app)
        assert stored_bytes(journal.path) == journal_bytes
        await pilot.press("escape")
        await wait_until(pilot, lambda: showing(app, ListScreen), what="the list after Esc")
        assert shown_ids(app) == shown
        assert app.screen.query_one("#search", Input).value == "drone"
        assert not any(m.startswith("Exported") for m in notifications(app))
    assert sorted(path.name for path in tmp_path.iterdir()) == before


async def test_a_failed_export_says_why_and_leaves_the_file_as_it_was(journal, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "out.json"
    target.write_text("[]\n", "utf-8")
    real_write = store.exchange.atomic_write_bytes
    failing = {"on": True}

    def write(path, data):
        if failing["on"]:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real_write(path, data)

    monkeypatch.setattr(store.exchange, "atomic_write_bytes", write)
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await open_export(pilot, "JSON")
        await type_file_name(pilot, "out.json")
        await pilot.press("enter")  # yes, replace it
        await wait_until(pilot, lambda: "Not exported" in export_error(app) or not isinstance(app.screen, ExportScreen),
                         what="the export to fail")
        assert isinstance(app.screen, ExportScreen)
        assert "Not exported" in export_error(app) and "No space left" in export_error(app)
        assert target.read_text("utf-8") == "[]\n"
        assert not any(m.startswith("Exported") for m in notifications(app))
        assert app.screen.query_one("#export-path", Input).value == "out.json"
        assert app.focused is app.screen.query_one("#export-path", Input), (
            f"after a failed export the cursor should be back in the file field, not on {app.focused!r}"
        )
        # Room again: Enter tries once more, as typed.
        failing["on"] = False
        await pilot.press("enter")
        await wait_until(pilot, lambda: showing(app, ListScreen), what="the second try to export")
        assert len(json.loads(target.read_text("utf-8"))) == 4


# -- possible duplicates, named after a save ----------------------------------------------------------


async def fill(pilot, widget_id: str, text: str, *, clear: bool = True) -> None:
    """Put the cursor in a form field, clear it (if asked) and paste ``text``."""
    widget = pilot.app.screen.query_one(widget_id, Input)
    widget.focus()
    await wait_until(pilot, lambda: pilot.app.focused is widget, what=f"the cursor in {widget_id}")
    if clear:
        await clear_field(pilot, "end", "ctrl+u")
    await paste(pilot, text)


async def new_incident(pilot, *, title: str, date: str, region: str, place: str) -> None:
    await pilot.press("n")
    await wait_until(pilot, lambda: form_ready(pilot.app), what="the form for a new incident")
    for widget_id, text in (("#f-title", title), ("#f-date", date), ("#f-region", region),
                            ("#f-country", "Russia"), ("#f-place", place)):
        await fill(pilot, widget_id, text, clear=False)  # a new incident's fields start empty


def duplicate_toasts(app: JournalApp):
    return [n for n in app._notifications if "duplicate" in f"{n.title} {n.message}"]  # noqa: SLF001


async def save(pilot) -> None:
    """``ctrl+s``; wait for the detail of the saved incident (every save here is valid)."""
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: showing(pilot.app, DetailScreen), what="the saved incident's detail")


async def test_saving_a_new_incident_on_the_same_date_and_place_names_the_other(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await new_incident(pilot, title="Factory in Izhevsk hit again", date="2024-07-01",
                           region="Udmurtia", place="Izhevsk")
        await save(pilot)
        assert isinstance(app.screen, DetailScreen), "the incident is saved all the same"
        assert len(journal) == 5
        toasts = duplicate_toasts(app)
        assert len(toasts) == 1
        toast = toasts[0]
        assert toast.severity == "warning"
        assert "possible duplicate" in f"{toast.title} {toast.message}".lower()
        assert IZHEVSK_TITLE in toast.message
        assert "same date and place" in toast.message
        # one toast: what was saved, and its duplicate
        assert toast.message.startswith("Saved \u201cFactory in Izhevsk hit again\u201d")


async def test_a_new_incident_with_nothing_in_common_gives_no_duplicate_toast(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        # The place of another incident (Izhevsk), on another day: not a duplicate.
        await new_incident(pilot, title="Izhevsk a month later", date="2024-08-01", region="Udmurtia",
                           place="Izhevsk")
        await save(pilot)
        assert isinstance(app.screen, DetailScreen)
        assert len(journal) == 5
        assert any(m.startswith("Saved \u201cIzhevsk a month later\u201d") for m in notifications(app))
        assert duplicate_toasts(app) == []
        assert not any(n.severity == "warning" for n in app._notifications)  # noqa: SLF001


async def test_a_source_url_already_in_the_journal_is_a_possible_duplicate(journal):
    journal.add(fields(title="Report with a link", date="2024-05-02", region="Kursk", place="Rylsk",
                       sources=[{"outlet": "Example News", "url": "https://www.example.org/news/1"}]))
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await new_incident(pilot, title="Same story, other words", date="2024-06-10", region="Bryansk",
                           place="Klintsy")
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: "s-outlet" in app.focused.classes, what="a new source row, its outlet field")
        await paste(pilot, "Example News")
        url = app.screen.query_one(".s-url", Input)
        url.focus()
        await wait_until(pilot, lambda: app.focused is url, what="the cursor in the source's URL")
        await paste(pilot, "http://example.org/news/1/")
        await save(pilot)
        assert isinstance(app.screen, DetailScreen)
        toasts = duplicate_toasts(app)
        assert len(toasts) == 1 and "Report with a link" in toasts[0].message
        assert "source URL" in toasts[0].message


async def test_editing_without_touching_date_place_or_sources_gives_no_duplicate_toast(journal):
    # Two incidents already share date and place: an edit of one's title must not warn again.
    journal.add(IncidentFields.model_validate(
        {**journal.get(IZHEVSK).fields_record(), "title": "[bold]Izhevsk[/] again, other outlet"}))
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        position = shown_ids(app).index(IZHEVSK)
        await pilot.press(*["down"] * position)
        await wait_until(pilot, lambda: listing(app).highlighted.id == IZHEVSK, what="the cursor on Izhevsk")
        await pilot.press("e")
        await wait_until(pilot, lambda: form_ready(app), what="the edit form")
        await fill(pilot, "#f-title", "Factory in Izhevsk set on fire by drones")
        await fill(pilot, "#f-weapon", "drone")
        await save(pilot)
        assert isinstance(app.screen, DetailScreen)
        assert journal.get(IZHEVSK).title == "Factory in Izhevsk set on fire by drones"
        saved = "Saved \u201cFactory in Izhevsk set on fire by drones\u201d"
        assert any(m.startswith(saved) for m in notifications(app))
        assert duplicate_toasts(app) == []


async def test_editing_the_place_into_another_incidents_names_it_literally(journal):
    journal.add(fields(title="[bold]Izhevsk[/]", date="2024-07-01", region="Udmurtia",
                       place="Izhevsk"))
    app = JournalApp(journal)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await list_shown(pilot)
        position = shown_ids(app).index(BELGOROD)
        await pilot.press(*["down"] * position)
        await wait_until(pilot, lambda: listing(app).highlighted.id == BELGOROD, what="the cursor on Belgorod")
        await pilot.press("e")
        await wait_until(pilot, lambda: form_ready(app), what="the edit form")
        await fill(pilot, "#f-place", "Izhevsk")
        await save(pilot)
        assert isinstance(app.screen, DetailScreen)
        messages = [toast.message for toast in duplicate_toasts(app)]
        assert len(messages) == 1
        assert IZHEVSK_TITLE in messages[0] and "[bold]Izhevsk[/]" in messages[0]
        await wait_until(pilot, lambda: "\u201c[bold]Izhevsk[/]\u201d" in screen_text(app),
                         what="the toast naming the other incident literally")


@pytest.mark.parametrize(
    ("words", "name"),
    [("export csv", "CSV"), ("export json", "JSON"), ("export acled", "ACLED CSV"), ("geojson", "GeoJSON")],
)
async def test_the_palette_finds_each_export_by_the_words_a_person_types(journal, words, name):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await open_export(pilot, name, typed=True, words=words)


async def test_a_large_list_is_counted_in_the_background_to_the_same_figures(varied, monkeypatch):
    """From ``COUNT_AT_ONCE`` rows on, the screen opens at once saying it counts, then shows the figures."""
    import tui.screens.overview

    app = JournalApp(varied)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        everything = list_incidents(app)
        monkeypatch.setattr(tui.screens.overview, "COUNT_AT_ONCE", 0)
        await open_overview(pilot)  # the figures replace "Counting …" once counted
        assert not app.screen.query("#overview-counting")
        assert shown_figures(app) == counted(everything)


async def test_the_overview_dates_are_as_precise_as_the_incidents(empty_journal):
    journal = empty_journal
    journal.add(fields(title="Known to the month", date="2024-07-01", date_precision="month"))
    journal.add(fields(title="Known to the year", date="2025-01-01", date_precision="year"))
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await open_overview(pilot)
        assert totals_lines(app)[0] == "2 of 2 incidents  ·  2024-07 to 2025"
        await back_to_the_list(pilot)
        journal.add(fields(title="Known to the day", date="2024-07-01"))
        app.screen.reload()
        await wait_until(pilot, lambda: "3 of 3 incidents" in header(app), what="the list with the third incident")
        await open_overview(pilot)
        assert totals_lines(app)[0] == "3 of 3 incidents  ·  2024-07-01 to 2025"


async def test_the_export_dialog_says_where_the_file_goes(journal, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await open_export(pilot, "CSV")
        await pilot.press("ctrl+u", *"sub/out.csv")
        destination = app.screen.query_one("#export-destination")
        await wait_until(pilot, lambda: str(destination.render()).endswith("out.csv"),
                         what="the destination of sub/out.csv")
        shown = str(destination.render())
        assert shown == f"Writes {tmp_path / 'sub' / 'out.csv'}"


async def test_escape_stops_an_export_under_way_and_nothing_is_written(journal, tmp_path, monkeypatch):
    import threading

    import tui.screens.export

    checking, release, checked = threading.Event(), threading.Event(), threading.Event()
    real = tui.screens.export.incidents_from_records

    def slow(records):
        checking.set()
        release.wait(timeout=30)  # until the person has pressed Esc
        try:
            return real(records)
        finally:
            checked.set()

    monkeypatch.setattr(tui.screens.export, "incidents_from_records", slow)
    target = tmp_path / "out.json"
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot)
        await open_export(pilot, "JSON")
        await clear_field(pilot, "ctrl+u")
        await paste(pilot, str(target))
        await pilot.press("enter")
        # Waiting on the event here would stop the app's loop, and with it the Enter on its way.
        await wait_until(pilot, checking.is_set, what="the export to start checking the records")
        assert app.screen.query_one("#export-progress").display
        await pilot.press("escape")
        await wait_until(pilot, lambda: showing(app, ListScreen), what="Esc to close the export dialog")
        release.set()
        await wait_until(pilot, checked.is_set, what="the export thread to go on")
        await app.workers.wait_for_complete()
        await pilot.pause()  # what the thread hands back to the app, if anything (nothing, here)
        assert any("cancelled" in message and "no file was written" in message for message in notifications(app))
        assert not any(message.startswith("Exported") for message in notifications(app))
    assert not target.exists()
    assert [path.name for path in tmp_path.iterdir() if "out.json" in path.name] == []
