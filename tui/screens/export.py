"""``ExportScreen``: write the incidents the list shows to a file, in one of the exchange formats.

Opened from the command palette ("Export current view as …"). A problem with the file name
or the write is shown under the field and the dialog stays as typed; an existing file is
replaced only after a second Enter. The records are checked and written in a thread, with a
progress bar; ``Esc`` stops an export until it starts writing, and then nothing is written.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Select, Static
from textual.worker import get_current_worker

from store import Incident, JournalError
from store.exchange import CSV_FORMATS, SUFFIXES, export_file, export_target_problem, incidents_from_records
from store.rows import IncidentRow
from store.text import printable
from tui.screens.base import JournalModal
from tui.widgets.form_fields import PastedEscapedInput

FORMAT_CHOICES = (
    ("CSV: one row per incident, every field", "csv"),
    ("ACLED CSV: ACLED's 31 columns", "acled"),
    ("GeoJSON: points for QGIS and other GIS", "geojson"),
    ("JSON: every field, lossless", "json"),
)
#: Records checked between two moves of the progress bar.
PROGRESS_STEP = 1_000
FORMAT_NAMES = {"csv": "CSV", "acled": "ACLED CSV", "geojson": "GeoJSON", "json": "JSON"}
#: The command palette's names (the ACLED one without "CSV", so that "export csv" finds CSV).
PALETTE_NAMES = {
    "csv": "Export current view as CSV",
    "acled": "Export current view in ACLED's columns",
    "geojson": "Export current view as GeoJSON",
    "json": "Export current view as JSON",
}


def default_file_name(fmt: str, today: dt.date | None = None) -> str:
    stem = "incidents-acled" if fmt == "acled" else "incidents"
    return f"{stem}-{(today or dt.date.today()).isoformat()}{SUFFIXES[fmt]}"


class ExportScreen(JournalModal[Path | None]):
    """Export ``rows`` (the list's valid rows); dismisses with the file written, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, rows: list[IncidentRow], fmt: str = "csv", *, skipped_invalid: int = 0, filters: str = ""
    ) -> None:
        super().__init__()
        self.rows = rows
        self.fmt = fmt
        self.skipped_invalid = skipped_invalid
        self.filters = filters
        self._replace_confirmed: Path | None = None
        self.busy = False
        self._phase = threading.Lock()
        self._writing = False

    def compose(self) -> ComposeResult:
        count = len(self.rows)
        invalid = f"; {self.skipped_invalid} invalid left out" if self.skipped_invalid else ""
        with Vertical(id="export-box"):
            yield Static(Content(f"Export the {count:,} incident{'s' if count != 1 else ''} the list shows{invalid}"),
                         id="export-heading")
            yield Static(Content(printable(f"Shown: {self.filters}")), id="export-filters")
            yield Label("Format")
            yield Select(FORMAT_CHOICES, value=self.fmt, allow_blank=False, id="export-format")
            yield Label("File")
            yield PastedEscapedInput(default_file_name(self.fmt), id="export-path")
            yield Static(id="export-destination")
            yield Static(classes="field-error", id="export-error")
            yield Checkbox("For Excel: start with a byte-order mark", id="export-excel",
                           disabled=self.fmt not in CSV_FORMATS)
            yield ProgressBar(id="export-progress", show_eta=False)
            with Horizontal(id="export-buttons"):
                yield Button("Export", variant="primary", id="export-go")
                yield Button("Cancel", id="export-cancel")
            yield Static(Content("Enter exports · Esc cancels · Tab moves between the fields"), id="export-keys")

    def on_mount(self) -> None:
        self.query_one("#export-progress", ProgressBar).display = False
        self.query_one("#export-destination", Static).update(Content(printable(self.destination_text())))
        path = self.query_one("#export-path", Input)
        path.focus()
        path.cursor_position = len(path.value)

    # -- the form --------------------------------------------------------------------------

    @on(Select.Changed, "#export-format")
    def _format_chosen(self, event: Select.Changed) -> None:
        previous, self.fmt = self.fmt, str(event.value)
        path = self.query_one("#export-path", Input)
        if path.value == default_file_name(previous):
            path.value = default_file_name(self.fmt)
        elif path.value.endswith(SUFFIXES[previous]):
            path.value = path.value[: -len(SUFFIXES[previous])] + SUFFIXES[self.fmt]
        self.query_one("#export-excel", Checkbox).disabled = self.fmt not in CSV_FORMATS
        self.show_error("")

    @on(Input.Changed, "#export-path")
    def _path_typed(self) -> None:
        self._replace_confirmed = None
        self.show_error("")
        self.query_one("#export-destination", Static).update(Content(printable(self.destination_text())))

    def destination_text(self) -> str:
        """Where the typed name puts the file: relative names are in the current folder."""
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            return ""
        try:
            path = self.resolve(text)
        except (OSError, RuntimeError, ValueError):
            return ""
        return f"Writes {path}"

    @staticmethod
    def resolve(text: str) -> Path:
        path = Path(text).expanduser()
        return path if path.is_absolute() else Path.cwd() / path

    def show_error(self, message: str) -> None:
        """Say what is wrong under the field (a file name or an error may hold anything: escaped)."""
        error = self.query_one("#export-error", Static)
        error.update(Content(printable(message, multiline=True)))
        error.set_class(bool(message), "-shown")

    def target(self) -> Path | None:
        """The file to write, or None after saying (under the field) what is wrong with it."""
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self.show_error("Type the name of the file to write.")
            return None
        try:
            path = self.resolve(text)
        except (OSError, RuntimeError, ValueError) as exc:  # ~nosuchuser
            self.show_error(f"Cannot write {text!r}: {exc}.")
            return None
        problem = export_target_problem(path, self.journal.path)
        if problem:
            self.show_error(problem[0].upper() + problem[1:] + ".")
            return None
        if path.exists() and self._replace_confirmed != path:
            self._replace_confirmed = path
            self.show_error(f"{text} exists. Press Enter again to replace it.")
            return None
        return path

    # -- exporting -------------------------------------------------------------------------

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-go")
    def action_export(self) -> None:
        if self.busy:
            return
        path = self.target()
        if path is None:
            return
        excel = self.query_one("#export-excel", Checkbox).value and self.fmt in CSV_FORMATS
        # Copies taken here, in the app's thread: a save meanwhile cannot change them half-way.
        records = self.journal.records(row.id for row in self.rows)
        self.busy = True
        self.show_error("")
        for widget in self.query("Select, Input, Checkbox, Button#export-go"):
            widget.disabled = True
        progress = self.query_one("#export-progress", ProgressBar)
        progress.update(total=len(records), progress=0)
        progress.display = True
        self.write_file(records, self.fmt, path, excel)

    @work(thread=True, exclusive=True, group="export")
    def write_file(self, records: list[dict], fmt: str, path: Path, excel: bool) -> None:
        """Check the records through the model, then write them; stops early if cancelled."""
        worker = get_current_worker()
        incidents: list[Incident] = []
        invalid = 0
        for start in range(0, len(records), PROGRESS_STEP):
            if worker.is_cancelled:
                return
            chunk, bad = incidents_from_records(records[start : start + PROGRESS_STEP])
            incidents.extend(chunk)
            invalid += bad
            self.app.call_from_thread(self.advance, min(start + PROGRESS_STEP, len(records)))
        with self._phase:  # from here on the file is written whatever happens (see action_cancel)
            if worker.is_cancelled:
                return
            self._writing = True
        try:
            export_file(incidents, fmt, path, excel=excel)
        except JournalError as exc:
            self.app.call_from_thread(self.failed, str(exc))
            return
        except OSError as exc:
            self.app.call_from_thread(self.failed, f"cannot write {path}: {exc.strerror or exc}")
            return
        self.app.call_from_thread(self.done, path, len(incidents), invalid)

    def advance(self, done: int) -> None:
        if self.is_attached:
            self.query_one("#export-progress", ProgressBar).update(progress=done)

    def failed(self, message: str) -> None:
        self.busy = self._writing = False
        for widget in self.query("Select, Input, Checkbox, Button#export-go"):
            widget.disabled = widget.id == "export-excel" and self.fmt not in CSV_FORMATS
        self.query_one("#export-progress", ProgressBar).display = False
        self.show_error(f"Not exported: {message}")
        self.query_one("#export-path", Input).focus()  # Enter tries again

    def done(self, path: Path, count: int, invalid: int) -> None:
        left_out = f" ({invalid} invalid left out)" if invalid else ""
        self.app.notify(
            f"Exported {count:,} incident{'s' if count != 1 else ''} to {path} as {FORMAT_NAMES[self.fmt]}{left_out}",
            markup=False,
        )
        if self.is_attached:
            self.dismiss(path)

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        """Close the dialog; an export under way stops before it writes (nothing is written)."""
        if self.busy:
            with self._phase:
                if self._writing:  # too late to stop: the dialog closes once the file is whole
                    self.show_error("Writing the file; it is nearly done.")
                    return
                self.workers.cancel_group(self, "export")
            self.app.notify("Export cancelled; no file was written.", markup=False)
        self.dismiss(None)
