"""Recording incidents at a fast typist's speed (issue 10): keys sent as a burst, not one by one.

``pilot.press`` waits for the app after every key, so it cannot see a key overtaking the ones
queued before it. These tests post the keys to the app all at once (``burst``), as a terminal
delivers fast typing or a paste, and then wait for what a person would look at.
"""

from __future__ import annotations

import asyncio

from textual import events
from textual.keys import _character_to_key

from store import Journal
from store.fields import FIELDS, GROUPS
from tests.store.conftest import stored_bytes
from tui.app import JournalApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.detail import DetailScreen
from tui.screens.edit import EditScreen
from tui.screens.list import ListScreen
from tui.widgets.form_fields import ChoiceInput, FieldInput
from tui.widgets.incident_list import IncidentList

from .conftest import form_ready, list_shown, notifications, showing, wait_until

IZHEVSK = "78b9375e-f810-45cb-89db-0333a9e5afb0"
SIZE = (130, 45)

#: A whole incident as a person types it, field by field: (keys, what the field then holds).
KYIV_INDEPENDENT = [
    ("Title", "Shahed strike on Odesa port"),
    ("Event type", "air"),
    ("Weapon", "Shahed drone"),
    ("Launched", "2"),
    ("Intercepted", ""),
    ("Hit", "2"),
    ("Target", "port"),
    ("Target kind", "inf"),
    ("Date", "2025-03-12"),
    ("Precision", ""),
    ("Until", ""),
    ("Place", "Odesa"),
    ("Region", "Odesa Oblast"),
    ("Country", "Ukraine"),
    ("Latitude", "46.48"),
    ("Longitude", "30.72"),
    ("Geo precision", "n"),
    ("Actor", "Russian Armed Forces"),
    ("Attribution", "cla"),
    ("Claimed by", ""),
    ("Killed", "2+"),
    ("Injured", "7 (including a child)"),
    ("Killed civilians", "2+"),
    ("Killed children", ""),
    ("Killed women", ""),
    ("Killed combatants", "0"),
    ("Injured civilians", "7"),
    ("Injured children", "1"),
    ("Injured women", ""),
    ("Injured combatants", ""),
]


def key_event(key: str) -> events.Event:
    """The event a terminal sends for ``key``: a character, or a key name such as ``tab``."""
    if len(key) == 1:
        return events.Key(_character_to_key(key), key)
    return events.Key(key, None)


def burst(app: JournalApp, *keys: str, paste: str | None = None) -> None:
    """Post every key at once, as fast typing arrives (a paste, if given, after the keys)."""
    posted = [key_event(key) for key in keys] + ([events.Paste(paste)] if paste is not None else [])
    # What the app will have received once these arrive (keys pressed with pilot.press before
    # a burst have arrived by then: press waits for the app).
    app.keys_expected = max(getattr(app, "keys_expected", 0), app.keys_received) + len(posted)  # type: ignore[attr-defined]
    for event in posted:
        app.post_message(event)


def typed(text: str) -> list[str]:
    return list(text)


def all_keys_handled(app: JournalApp) -> bool:
    """Every key posted so far has arrived and been handed on, and none is on its way."""
    return app.keys_received >= getattr(app, "keys_expected", 0) and app.keys_waiting == 0


def field(app: JournalApp, name: str) -> FieldInput:
    return app.screen.query_one(f"#f-{name}", FieldInput)


def saved_titled(journal: Journal, title: str):
    found = [incident for incident in Journal(journal.path).all() if incident.title == title]
    return found[0] if len(found) == 1 else None


async def open_app(pilot) -> None:
    await list_shown(pilot)


# -- every key before ctrl+s is saved --------------------------------------------------------------


async def test_a_burst_of_keys_then_ctrl_s_at_once_saves_every_key(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        await pilot.press("j")
        # e, clear the title (ctrl+u), type it at full speed and save at once: one burst.
        burst(app, "e", "ctrl+u", *typed("Belgorod car strike APP-EDIT"), "ctrl+s")
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, DetailScreen), what="saved")
    assert Journal(journal.path).get(IZHEVSK).title == "Belgorod car strike APP-EDIT"


async def test_a_bracketed_paste_then_ctrl_s_saves_the_paste(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        await pilot.press("j")
        burst(app, "e", "ctrl+u", paste="Pasted title, Izhevsk factory")
        burst(app, "ctrl+s")
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, DetailScreen), what="saved")
    assert Journal(journal.path).get(IZHEVSK).title == "Pasted title, Izhevsk factory"


async def test_editing_keys_keep_their_place_among_typed_ones(journal):
    # Backspace is handled by a binding that used to run after the keys typed behind it.
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        burst(app, "n", *typed("ba"), "backspace", "c", "left", "left", "x", "end", "!")
        await wait_until(pilot, lambda: all_keys_handled(app) and form_ready_any(app), what="the form")
        assert field(app, "title").value == "xbc!"


async def test_keys_typed_while_the_form_opens_land_in_its_first_field(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        list_before = app.screen
        burst(app, "n", *typed("Typed straight after n"))
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, EditScreen), what="the form")
        assert field(app, "title").value == "Typed straight after n"
        # and none of those letters reached the list underneath (j, k, d, e, s… are its keys)
        assert list_before.query_one("#search").value == ""
        assert app.screen.changed_fields == ["title"]  # taken as a change: Esc would ask


async def test_text_typed_at_once_counts_as_a_change_so_escape_asks(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        burst(app, "n", *typed("Odesa"), "escape")
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, ConfirmScreen),
                         what="Discard changes? asked")
        burst(app, "n", *typed(" port"), "escape", "y")
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, ListScreen), what="discarded")
    assert saved_titled(journal, "Odesa port") is None


async def test_a_whole_incident_typed_field_by_field_at_20_ms_a_key_is_saved_exactly(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        keys = ["n"]
        for _, text in KYIV_INDEPENDENT:
            keys += [*typed(text), "tab"]
        keys.append("ctrl+s")
        for key in keys:  # a key every 20 ms, as a fast typist types (pacing, not waiting)
            burst(app, key)
            await asyncio.sleep(0.02)
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, DetailScreen), what="saved",
                         timeout=60)  # a guard only: a busy machine takes a while for 150 keys
    saved = saved_titled(journal, "Shahed strike on Odesa port")
    assert saved is not None
    assert (saved.event_type, saved.weapon) == ("Air/drone strike", "Shahed drone")
    assert (str(saved.weapons_launched), str(saved.weapons_intercepted), str(saved.weapons_hit)) == ("2", "?", "2")
    assert (saved.target, saved.target_kind) == ("port", "infrastructure")
    assert (str(saved.date), saved.date_precision, saved.date_end) == ("2025-03-12", "day", None)
    assert (saved.place, saved.region, saved.country) == ("Odesa", "Odesa Oblast", "Ukraine")
    assert (saved.latitude, saved.longitude, saved.geo_precision) == (46.48, 30.72, "near")
    assert (saved.actor, saved.attribution) == ("Russian Armed Forces", "claimed")
    assert (str(saved.killed), str(saved.injured)) == ("2+", "7 (including a child)")
    harm = [str(getattr(saved, f"{harm}_{who}")) for harm in ("killed", "injured")
            for who in ("civilians", "children", "women", "combatants")]
    assert harm == ["2+", "?", "?", "0", "7", "1", "?", "?"]


async def test_keys_sent_as_one_burst_with_tabs_land_in_their_fields(journal):
    # A field's text sent at once, then Tab, then the next field's: nothing lands in the wrong field.
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        keys = ["n"]
        for _, text in KYIV_INDEPENDENT:
            keys += [*typed(text), "tab"]
        burst(app, *keys)
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, EditScreen), what="the form")
        values = app.screen.current_values()
        assert values["weapon"] == "Shahed drone"
        assert values["actor"] == "Russian Armed Forces"
        assert values["killed"] == "2+"
        assert (values["weapons_launched"], values["weapons_hit"]) == ("2", "2")
        assert (values["killed_combatants"], values["injured_children"]) == ("0", "1")
        assert values["region"] == "Odesa Oblast"
        assert values["event_type"] == "Air/drone strike"  # resolved as the focus left it


async def test_enter_in_a_dialog_answers_after_the_keys_before_it(journal):
    # y in "Delete this incident?" right behind d: the dialog gets it, not the list.
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        burst(app, "j", "d", "y", "u")
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, ListScreen) and
                         IZHEVSK in Journal(journal.path), what="deleted, then undone")
        assert any("Restored" in message for message in notifications(app))


# -- the form opens at once ------------------------------------------------------------------------


async def test_the_form_is_built_once_and_opening_it_mounts_nothing(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        form = await wait_until(pilot, lambda: app.form_screen().is_mounted and app.form_screen(),
                                what="the form built while the list is idle")
        await pilot.press("j", "e")  # an incident with two sources: two source rows are made, once
        await wait_until(pilot, lambda: form_ready(app) and len(form.query_one("#f-sources").rows) == 2)
        await pilot.press("escape")
        await wait_until(pilot, lambda: showing(app, ListScreen))
        widgets = len(list(form.query("*")))
        for keys in (["n"], ["e"], ["N"], ["k", "e"]):
            await pilot.press(*keys)
            await wait_until(pilot, lambda: form_ready(app), what=f"the form after {keys}")
            assert app.screen is form
            assert len(list(form.query("*"))) == widgets  # filled in, not built again
            await pilot.press("escape")
            await wait_until(pilot, lambda: showing(app, ListScreen) or showing(app, DetailScreen))
            if showing(app, DetailScreen):
                await pilot.press("escape")
                await wait_until(pilot, lambda: showing(app, ListScreen))


# -- the form reads as a person records an incident ---------------------------------------------------


async def test_the_form_is_grouped_and_ctrl_arrows_jump_between_groups(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        await pilot.press("j", "e")
        await wait_until(pilot, lambda: form_ready(app))
        form = app.screen
        for group in GROUPS:
            box = form.query_one(f"#group-{group.lower()}")
            assert box.border_title == group
            names = [spec.name for spec in FIELDS if spec.group == group]
            assert [widget.id for widget in box.query(".form-row > *") if widget.id] == [f"f-{n}" for n in names]
        visited = []
        for _ in GROUPS:
            visited.append(form._group_of(app.focused))  # noqa: SLF001
            await pilot.press("ctrl+down")
        assert visited == list(range(len(GROUPS)))
        await pilot.press("ctrl+up")  # from Notes back to Sources (Izhevsk has two), then Casualties
        assert form._group_of(app.focused) == GROUPS.index("Sources")  # noqa: SLF001
        await pilot.press("ctrl+up")
        assert form._group_of(app.focused) == GROUPS.index("Casualties")  # noqa: SLF001
        assert "Next group" in str(form.query_one("Footer").render()) or any(
            binding.description == "Next group" for binding in form.BINDINGS  # type: ignore[union-attr]
        )


# -- choices by typing -----------------------------------------------------------------------------


async def test_air_in_the_event_type_is_air_drone_strike_and_the_matches_show(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        burst(app, "n", "tab", *typed("air"))
        await wait_until(pilot, lambda: all_keys_handled(app) and form_ready_any(app))
        hint = str(app.screen.query_one("#form-hint").render())
        assert "Air/drone strike" in hint
        burst(app, "tab")
        await wait_until(pilot, lambda: all_keys_handled(app))
        assert field(app, "event_type").value == "Air/drone strike"
        for typed_text, meant in (("shell", "Shelling/artillery/missile attack"),
                                  ("art", "Shelling/artillery/missile attack"),
                                  ("remote", "Remote explosive/landmine/IED")):
            event_type = field(app, "event_type")
            event_type.load(typed_text)
            assert event_type.matches() == [meant]
        precision = field(app, "date_precision")
        assert isinstance(precision, ChoiceInput)
        for letter, meant in (("d", "day"), ("w", "week"), ("m", "month"), ("y", "year")):
            precision.load(letter)
            assert precision.matches() == [meant]


async def test_an_ambiguous_choice_is_named_beside_its_field_on_save(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        await pilot.press("j", "e")
        await wait_until(pilot, lambda: form_ready(app))
        field(app, "attribution").load("c")
        field(app, "target_kind").load("zzz")
        before = stored_bytes(journal.path)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen.query_one("#e-attribution").has_class("-shown"))
        message = str(app.screen.query_one("#e-attribution").render())
        assert "confirmed" in message and "claimed" in message
        assert "residential" in str(app.screen.query_one("#e-target_kind").render())
        assert field(app, "attribution").value == "c"  # the form as typed
    assert stored_bytes(journal.path) == before


async def test_up_and_down_step_through_a_choice(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: form_ready(app))
        app.screen.set_focus(field(app, "verification"))
        await pilot.press("down")
        assert field(app, "verification").value == "single-source"
        await pilot.press("up", "up")
        assert field(app, "verification").value == "disputed"


# -- suggestions from the journal ------------------------------------------------------------------


async def test_region_place_country_actor_weapon_and_outlet_complete_with_tab(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        await wait_until(pilot, lambda: journal.suggest("region", "U") == "Udmurtia",
                         what="the journal's values indexed between keys")
        await pilot.press("n")
        await wait_until(pilot, lambda: form_ready(app))
        for name, start, whole in (("region", "udm", "Udmurtia"), ("place", "Izh", "Izhevsk"),
                                   ("country", "Rus", "Russia"), ("actor", "Armed", "Armed Forces of Ukraine"),
                                   ("weapon", "Lyu", "Lyutiy-type drone")):
            app.screen.set_focus(field(app, name))
            burst(app, *typed(start), "tab")
            await wait_until(pilot, lambda: all_keys_handled(app))
            assert field(app, name).value == whole, name  # as the journal spells it
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: app.focused is not None and app.focused.has_class("s-outlet"))
        burst(app, *typed("SH"), "tab")
        await wait_until(pilot, lambda: all_keys_handled(app))
        assert app.screen.query_one(".s-outlet", FieldInput).value == "SHOT (Telegram)"


async def test_a_partial_region_with_no_completion_is_kept_as_typed(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: form_ready(app))
        app.screen.set_focus(field(app, "region"))
        burst(app, *typed("Zaporizhzhia"), "tab")
        await wait_until(pilot, lambda: all_keys_handled(app))
        assert field(app, "region").value == "Zaporizhzhia"


# -- new from the selected one ------------------------------------------------------------------------


async def test_shift_n_starts_a_new_incident_from_the_selected_one(journal):
    template = journal.get(IZHEVSK)
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        burst(app, "j", "N", *typed("Second drone hits a warehouse in Izhevsk"), "ctrl+s")
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, DetailScreen), what="saved")
        assert any("possible duplicate" in message for message in notifications(app))
    saved = saved_titled(journal, "Second drone hits a warehouse in Izhevsk")
    assert saved is not None and saved.id != IZHEVSK
    for name in ("date", "date_precision", "place", "region", "country", "latitude", "longitude",
                 "geo_precision", "event_type", "weapon", "actor", "attribution", "sources"):
        assert getattr(saved, name) == getattr(template, name), name
    assert str(saved.killed) == "?" and str(saved.injured) == "?"
    assert saved.target is None and saved.summary == "" and str(saved.weapons_launched) == "?"


async def test_shift_n_in_the_detail_too(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        await pilot.press("j", "enter")
        await wait_until(pilot, lambda: showing(app, DetailScreen))
        await pilot.press("N")
        await wait_until(pilot, lambda: form_ready(app))
        assert field(app, "title").value == ""
        assert field(app, "place").value == "Izhevsk"
        assert "from" in str(app.screen.query_one("#form-heading").render())


# -- after a save; save and new; duplicates before the save -----------------------------------------------


async def test_a_save_says_where_it_went_and_its_duplicates_in_one_toast(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        await wait_until(pilot, lambda: journal.duplicates_so_far(
            journal.get(IZHEVSK).date, "Izhevsk") != [], what="the duplicate index built")
        burst(app, "n", *typed("Another report of the Izhevsk strike"), "tab")
        await wait_until(pilot, lambda: all_keys_handled(app) and form_ready_any(app))
        for name, text in (("date", "2024-07"), ("place", "izhevsk"), ("region", "Udmurtia"), ("country", "Russia")):
            app.screen.set_focus(field(app, name))
            burst(app, *typed(text))
            await wait_until(pilot, lambda: all_keys_handled(app))
        # named before the save, as the date and place are typed
        warning = app.screen.query_one("#form-duplicates")
        assert warning.display and "Drone strike sets a factory on fire in Izhevsk" in str(warning.render())
        before = len(notifications(app))
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: showing(app, DetailScreen), what="saved")
        toasts = notifications(app)[before:]
        assert len(toasts) == 1
        assert "Saved" in toasts[0] and journal.path.name in toasts[0] and "1 possible duplicate" in toasts[0]


async def test_save_and_new_starts_the_next_incident_at_once(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        keys = ["n", *typed("First of a wave"), "ctrl+down", *typed("2024-07-02")]
        keys += ["ctrl+down", "tab", *typed("Kursk"), "tab", *typed("Russia"), "ctrl+n"]
        keys += [*typed("Second of a wave"), "ctrl+down", *typed("2024-07-02")]
        keys += ["ctrl+down", "tab", *typed("Kursk"), "tab", *typed("Russia"), "ctrl+s"]
        burst(app, *keys)
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, DetailScreen), what="both saved")
    assert saved_titled(journal, "First of a wave") is not None
    assert saved_titled(journal, "Second of a wave") is not None


# -- dates as precise as known; counts start empty ---------------------------------------------------------


async def test_a_month_typed_as_the_date_sets_the_precision_and_empty_counts_mean_unknown(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: form_ready(app))
        assert field(app, "killed").value == "" and field(app, "injured").value == ""
        assert "unknown" in field(app, "killed").placeholder
        keys = [*typed("Month only"), "ctrl+down", *typed("2025-03")]
        keys += ["ctrl+down", "tab", *typed("Odesa Oblast"), "tab", *typed("Ukraine"), "ctrl+s"]
        burst(app, *keys)
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, DetailScreen), what="saved")
    saved = saved_titled(journal, "Month only")
    assert (str(saved.date), saved.date_precision) == ("2025-03-01", "month")
    assert str(saved.killed) == "?" and str(saved.injured) == "?"


# -- messages that say what to do --------------------------------------------------------------------------


async def test_messages_beside_fields_are_ours(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        await pilot.press("j", "e")
        await wait_until(pilot, lambda: form_ready(app))
        field(app, "title").load("x" * 600)
        field(app, "latitude").load("95")
        field(app, "weapons_hit").load("-1")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen.query_one("#e-title").has_class("-shown"))
        messages = {name: str(app.screen.query_one(f"#e-{name}").render())
                    for name in ("title", "latitude", "weapons_hit")}
    assert "200" in messages["title"] and "600" in messages["title"]
    assert "90" in messages["latitude"] and "95" in messages["latitude"]
    assert "negative" in messages["weapons_hit"]
    for message in messages.values():
        for library_words in ("Input should", "Value should", "after validation"):
            assert library_words not in message


# -- nothing destructive on one key; one-line fields say when a paste had several --------------------------


async def test_tab_never_stops_on_a_button_and_removing_a_source_asks(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        await pilot.press("j", "e")
        await wait_until(pilot, lambda: form_ready(app))
        # Tab follows the screen's focus chain (a few presses show it), and no Button is in it: a
        # cycle of 60 presses, one at a time, took 20 s of the suite for the same answer.
        chain = app.screen.focus_chain
        assert chain and not any(type(widget).__name__ == "Button" for widget in chain)
        start = chain.index(app.focused)
        for step in range(1, 6):
            await pilot.press("tab")
            assert app.focused is app.screen.focus_chain[(start + step) % len(app.screen.focus_chain)]
        app.screen.set_focus(app.screen.query_one(".s-url"))
        burst(app, "ctrl+r", "enter")  # Enter is not yes
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, ConfirmScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: showing(app, EditScreen))
        assert len(app.screen.query_one("#f-sources").rows) == 2


async def test_a_paste_of_several_lines_into_a_one_line_field_keeps_them_and_says_so(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        burst(app, "n", paste="Drone strike\non a car\nin Belgorod region")
        await wait_until(pilot, lambda: all_keys_handled(app) and form_ready_any(app))
        assert field(app, "title").value == "Drone strike on a car in Belgorod region"
        note = await wait_until(pilot, lambda: app.screen.query_one("#e-title"), what="the note beside the title")
        await wait_until(pilot, lambda: note.has_class("-shown"), what="the note shown")
        assert "3 lines" in str(note.render())


# -- the focus is never lost ---------------------------------------------------------------------------------


async def test_after_deleting_the_last_visible_row_and_undoing_the_list_has_the_focus(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        await pilot.press("slash", *"Brechalov", "enter")
        await wait_until(pilot, lambda: len(app.screen.query_one(IncidentList).incidents) == 1)
        burst(app, "d", "y")
        await wait_until(pilot, lambda: all_keys_handled(app) and IZHEVSK not in Journal(journal.path))
        assert app.focused is not None and app.focused.display
        burst(app, "u")
        await wait_until(pilot, lambda: all_keys_handled(app) and IZHEVSK in Journal(journal.path))
        assert isinstance(app.focused, IncidentList)
        burst(app, "enter")
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, DetailScreen))


async def test_a_picker_changes_no_filter_unless_opened_and_takes_typing(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        burst(app, "r", "escape", "down", "enter")  # opened and left: Enter opens the incident, no filter
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, DetailScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: showing(app, ListScreen))
        assert app.screen.incident_filter.region is None
        for _ in range(8):
            await pilot.press("tab")
            assert "Select" not in type(app.focused).__name__
        burst(app, "r", *typed("ros"), "enter")
        await wait_until(pilot, lambda: all_keys_handled(app) and app.screen.incident_filter.region == "Rostov",
                         what="typing 'ros' in the region picker picks Rostov")
        assert isinstance(app.focused, IncidentList)


def form_ready_any(app: JournalApp) -> bool:
    """The form is on top and taking keys, wherever the cursor is."""
    return showing(app, EditScreen) and app.focused is not None


async def test_the_palette_names_keys_as_they_are_pressed_and_formats_with_the_right_article(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        helps = {command.title: command.help for command in app.get_system_commands(app.screen)}
    assert helps["Help"] == "key: ?"
    assert helps["New from this"] == "key: N"
    assert "to an ACLED CSV file" in helps["Export current view in ACLED's columns"]
    assert "to a CSV file" in helps["Export current view as CSV"]
    assert not any("question_mark" in text or " a ACLED" in text for text in helps.values())


async def test_summary_quote_and_tags_typed_in_a_burst_then_ctrl_s_are_saved_whole(journal):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        await pilot.press("j", "e")
        await wait_until(pilot, lambda: form_ready(app))
        quote = app.screen.query_one("#f-sources").rows[1].query_one(".s-quote")
        app.screen.set_focus(quote)
        await wait_until(pilot, lambda: app.focused is quote)
        keys = [*typed("Three Lyutiy drones"), "enter", *typed("hit the plant")]
        keys += ["ctrl+down", *typed("Line one"), "enter", *typed("line two")]
        keys += ["tab", "ctrl+u", *typed("strike, izhevsk")]
        burst(app, *keys, "ctrl+s")
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, DetailScreen), what="saved")
    saved = Journal(journal.path).get(IZHEVSK)
    assert saved.sources[1].quote == "Three Lyutiy drones\nhit the plant"
    assert saved.summary.startswith("Line one\nline two")  # typed where the cursor was: the start
    assert saved.tags == ["strike", "izhevsk"]


async def test_keys_typed_right_after_slash_go_to_the_search_not_the_list(journal):
    # "/" moves the focus by a callback on the app's queue; "s" on the list would open the overview.
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        burst(app, "slash", *typed("SHOT telegram"))
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, ListScreen))
        await wait_until(pilot, lambda: app.screen.incident_filter.text == "SHOT telegram",
                         what="the whole search typed into the search field")
        assert app.screen.query_one("#search").value == "SHOT telegram"


def counting_searches(monkeypatch) -> list[str]:
    """The search text of every query the list makes from now on."""
    searched: list[str] = []
    real = Journal.query_rows

    def query_rows(self, incident_filter=None, order="date"):
        searched.append(incident_filter.text if incident_filter is not None else "")
        return real(self, incident_filter, order)

    monkeypatch.setattr(Journal, "query_rows", query_rows)
    return searched


async def test_a_search_typed_as_a_burst_runs_once_and_enter_then_acts_on_its_result(journal, monkeypatch):
    # At 100,000 incidents each search costs tens of milliseconds: a burst must not pay one per key.
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        searched = counting_searches(monkeypatch)
        burst(app, "slash", *typed("factory"), "enter", "enter")
        await wait_until(pilot, lambda: all_keys_handled(app) and showing(app, DetailScreen),
                         what="Enter on the search, then Enter opening the one incident found")
        assert app.screen.incident.id == IZHEVSK
        assert [text for text in searched if text] == ["factory"]


async def test_a_search_typed_key_by_key_narrows_the_list_at_every_key(journal, monkeypatch):
    app = JournalApp(journal)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        await pilot.press("slash")
        await wait_until(pilot, lambda: app.focused is not None and app.focused.id == "search", what="the search")
        searched = counting_searches(monkeypatch)
        for n, key in enumerate("izh", start=1):
            await pilot.press(key)
            await wait_until(pilot, lambda n=n: app.screen.incident_filter.text == "izh"[:n], what="each key searched")
        assert [text for text in searched if text] == ["i", "iz", "izh"]
