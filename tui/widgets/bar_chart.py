"""``BarChart``: one labelled horizontal bar per row, scaled to the width it is given.

Labels and figures are drawn as plain text (never parsed as markup): they come from the data,
so they are escaped as ``store.text.printable`` does (a region's name may hold anything). A line
never wraps: where the width is short, labels are cut, then the bars left out, then notes cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from store.text import printable

EIGHTHS = " ▏▎▍▌▋▊▉"
#: Labels may take a third of the width, and at least this many cells, before they are cut.
LABEL_MIN = 16
#: Cells between two columns; the bars get at least ``MIN_BAR`` cells.
GAP = 2
MIN_BAR = 4


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    #: Written after the number, e.g. the casualties of a region.
    note: str = ""


def bar_text(value: int, largest: int, width: int) -> str:
    """A bar ``width * value / largest`` cells long, to an eighth of a cell; never empty for a value."""
    if largest <= 0 or width <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / largest * width * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[part] if part else "")


def _fit(text: str, width: int) -> str:
    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    cut = text
    while cut and cell_len(cut) > width - 1:
        cut = cut[:-1]
    return cut + "…" + " " * (width - 1 - cell_len(cut))


class BarChart(Widget):
    """Rows of ``label  value  note  ████``: the text in aligned columns, so each figure reads next
    to its label, then the bars, sharing one scale (the largest value's) in the width left."""

    COMPONENT_CLASSES = {"bar-chart--bar"}

    def __init__(
        self, bars: Sequence[Bar], *, id: str | None = None, classes: str | None = None, empty: str = "none"
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.bars = list(bars)
        #: What the chart says when it has no bars.
        self.empty = empty

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self.bars))

    def render(self) -> Text:
        if not self.bars:
            return Text(self.empty, style="dim")
        width = self.size.width or 80
        labels = [printable(bar.label) for bar in self.bars]
        notes = [printable(bar.note) for bar in self.bars]
        label_width = min(max(map(cell_len, labels)), max(LABEL_MIN, width // 3))
        number_width = max(len(f"{bar.value:,}") for bar in self.bars)
        note_width = max(map(cell_len, notes))
        text_width = label_width + GAP + number_width + GAP + (note_width + GAP if note_width else 0)
        # A line longer than the width would wrap: the labels give way first (down to LABEL_MIN),
        # then the bars, then the notes (cut with "…").
        excess = text_width + MIN_BAR - width
        if excess > 0:
            cut = min(excess, max(0, label_width - LABEL_MIN))
            label_width, text_width, excess = label_width - cut, text_width - cut, excess - cut
        bar_width = max(MIN_BAR, width - text_width)
        if excess > 0:
            bar_width, excess = 0, excess - MIN_BAR
            if excess > 0 and note_width:
                note_width = max(1, note_width - excess)
        largest = max(bar.value for bar in self.bars)
        bar_style = self.get_component_rich_style("bar-chart--bar")
        text = Text(no_wrap=True, overflow="ellipsis")
        for position, (bar, label, note) in enumerate(zip(self.bars, labels, notes, strict=True)):
            if position:
                text.append("\n")
            text.append(_fit(label, label_width) + " " * GAP)
            text.append(f"{bar.value:>{number_width},}" + " " * GAP, style="bold")
            if note_width:
                text.append(_fit(note, note_width) + " " * GAP, style="dim" if bar.value == 0 else "")
            if bar_width:
                text.append(bar_text(bar.value, largest, bar_width), style=bar_style)
        return text
