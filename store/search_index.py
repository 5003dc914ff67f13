"""``SearchIndex``: the rows holding every search word, found without reading each row's text.

A row's search text (``IncidentRow.haystack``, folded) is cut into its words: runs without
whitespace. The index keeps each distinct word once, with the rows that hold it, and for each
piece of 1, 2 or 3 characters of those words the words holding it. A search word (it holds no
whitespace: ``str.split``) occurs in a row exactly when it occurs within one of the row's words,
so the rows holding it are the rows of the indexed words containing it: those of 3 characters or
fewer are looked up whole, a longer one is narrowed by its trigrams and checked against each
candidate word (a few hundred, not 100,000 rows). A search word is never found across two fields
(joined by a newline) or two words, as with the plain search.

Rows by number: each row added gets the next number (its id is kept once, in a list); numbers are
not reused, a changed row is taken out and added again. A word's rows are bitmaps in chunks of
``CHUNK`` numbers (Python ints), in a dict by chunk: a rare word costs a small int or two, one in
half the rows ``rows / 16`` bytes, and joining two words is one ``&`` or ``|`` per chunk.

``narrow(rows, words)`` turns those numbers back into ``rows`` in their own order without a Python
step per row: the numbers of a list of rows it was given are kept (a copy of the list tells it is
the same one), so typing on in a search costs a few C-speed passes over the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import compress, repeat
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from store.rows import IncidentRow

#: Row numbers per bitmap chunk.
CHUNK = 1024
_SHIFT = CHUNK.bit_length() - 1
_MASK = CHUNK - 1
_BITS = f"0{CHUNK}b"
#: ``format(bits, _BITS)`` reversed is one ASCII "0" or "1" per row number; this makes it 0 or 1.
_ZERO_ONE = bytes.maketrans(b"01", b"\x00\x01")
_NO_ROWS = bytes(CHUNK)
#: Row lists whose numbers are kept (of those given: each order's whole list; and of the results
#: returned), and words whose rows are kept (typing on repeats the words before the last).
_POOLS_KEPT = 4
_WORDS_KEPT = 256

#: What may stand around a word in a row's text without making it another word: "Odesa," is Odesa.
WORD_EDGES = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~«»“”„‘’…—–"

Bitmap = dict[int, int]  # chunk -> bits: row number ``chunk * CHUNK + i`` is in when bit ``i`` is set


class HasId(Protocol):
    @property
    def id(self) -> str: ...


Row = TypeVar("Row", bound=HasId)
_row_id = attrgetter("id")


def pieces(word: str) -> set[str]:
    """Every run of 1, 2 or 3 characters in ``word``."""
    size = len(word)
    return {word[i : i + n] for n in (1, 2, 3) for i in range(size - n + 1)}


def _or_into(found: Bitmap, other: Bitmap) -> None:
    for chunk, bits in other.items():
        found[chunk] = found.get(chunk, 0) | bits


def _and(one: Bitmap, other: Bitmap) -> Bitmap:
    if len(other) < len(one):
        one, other = other, one
    both = {}
    for chunk, bits in one.items():
        common = bits & other.get(chunk, 0)
        if common:
            both[chunk] = common
    return both


class _Pool:
    """A list of rows ``narrow`` was given, as it was then, and its rows' numbers (-1: not held)."""

    __slots__ = ("rows", "numbers", "gather", "unsure")

    def __init__(self, rows: list, numbers: tuple[int, ...]) -> None:
        self.rows = rows
        self.numbers = numbers
        self.gather = itemgetter(*numbers) if len(numbers) > 1 else None
        self.unsure = -1 in numbers


class SearchIndex:
    """Words of each row's search text -> the rows holding them (see the module's docstring).

    ``add(row_id, text)`` adds a row or replaces what it held; ``remove(row_id)`` takes it out.
    ``build_steps(pairs)`` adds many rows, one per step, for work done in slices between keys;
    until it has run to the end ``ready`` is False and ``IncidentFilter.select_rows`` does not use
    the index. ``narrow(rows, words)`` keeps the rows holding every word, in their order;
    ``candidates(words)`` is the ids of all such rows.
    """

    def __init__(self) -> None:
        self._word_rows: dict[str, Bitmap] = {}
        self._piece_words: dict[str, set[str]] = {}
        self._numbers: dict[str, int] = {}
        self._ids: list[str | None] = []  # by row number; None once taken out
        self._texts: list[str | None] = []  # what each number was added with, to take it out again
        # A build adds rows a chunk at a time: each word's rows within the chunk, then the words.
        self._building = False
        self._pending_chunk = -1
        self._pending: dict[str, int] = {}
        self._gone: set[str] = set()  # taken out while a build runs: the build does not add them
        self._pools: list[_Pool] = []  # lists of rows given (each order's whole list)
        self._results: list[_Pool] = []  # lists of rows ``narrow`` returned (typing on narrows them)
        self._word_cache: dict[str, Bitmap] = {}
        self.ready = False
        self.version = 0  # bumped by every change: lists of rows numbered before are numbered again

    def __len__(self) -> int:
        return len(self._numbers)

    def __contains__(self, row_id: object) -> bool:
        return row_id in self._numbers

    # -- changes ----------------------------------------------------------------------------------

    def _number(self, row_id: str, text: str) -> int:
        number = len(self._ids)
        self._ids.append(row_id)
        self._texts.append(text)
        self._numbers[row_id] = number
        return number

    def _changed(self) -> None:
        self.version += 1
        self._pools.clear()
        self._results.clear()
        self._word_cache.clear()

    def _put(self, word: str, chunk: int, bits: int) -> None:
        rows = self._word_rows.get(word)
        if rows is None:
            self._word_rows[word] = {chunk: bits}
            piece_words = self._piece_words
            for piece in pieces(word):
                holders = piece_words.get(piece)
                if holders is None:
                    piece_words[piece] = {word}
                else:
                    holders.add(word)
        else:
            rows[chunk] = rows.get(chunk, 0) | bits

    def add(self, row_id: str, text: str) -> None:
        """Index ``text`` (the row's folded search text) as ``row_id``'s, replacing what it had."""
        self._flush()
        if row_id in self._numbers:
            self.remove(row_id)
        self._gone.discard(row_id)
        number = self._number(row_id, text)
        chunk, bit = number >> _SHIFT, 1 << (number & _MASK)
        for word in set(text.split()):
            self._put(word, chunk, bit)
        self._changed()

    def remove(self, row_id: str) -> None:
        """Take ``row_id`` out (nothing happens if it is not in)."""
        self._flush()
        if self._building:
            self._gone.add(row_id)
        number = self._numbers.pop(row_id, None)
        if number is None:
            return
        text = self._texts[number] or ""
        self._ids[number] = self._texts[number] = None
        chunk, keep = number >> _SHIFT, ~(1 << (number & _MASK))
        for word in set(text.split()):
            rows = self._word_rows[word]
            bits = rows[chunk] & keep
            if bits:
                rows[chunk] = bits
                continue
            del rows[chunk]
            if not rows:
                del self._word_rows[word]
                for piece in pieces(word):
                    holders = self._piece_words[piece]
                    holders.discard(word)
                    if not holders:
                        del self._piece_words[piece]
        self._changed()

    def added(self, row: IncidentRow) -> None:
        """A record put in the journal (``Journal._apply`` keeps every derived structure so)."""
        self.add(row.id, row.haystack)

    def removed(self, row: IncidentRow) -> None:
        """A record taken out of the journal (or replaced)."""
        self.remove(row.id)

    def build_steps(self, pairs: Iterable[tuple[str, str]]) -> Iterator[None]:
        """Add each ``(row_id, text)``, one per step; ``ready`` once all are in.

        ``add`` and ``remove`` may be called between steps (a save during the build): a row they
        added is newer than the build's and is kept; one they took out is not added by the build.
        """
        self._building = True  # from now, not from the first step: a save may come before it
        return self._build(pairs)

    def _build(self, pairs: Iterable[tuple[str, str]]) -> Iterator[None]:
        try:
            for row_id, text in pairs:
                if row_id not in self._numbers and row_id not in self._gone:
                    number = self._number(row_id, text)
                    if number >> _SHIFT != self._pending_chunk:
                        self._flush()
                        self._pending_chunk = number >> _SHIFT
                    bit, pending = 1 << (number & _MASK), self._pending
                    for word in set(text.split()):
                        pending[word] = pending.get(word, 0) | bit
                yield
            self._flush()
        finally:
            self._building = False
            self._gone.clear()
        self._changed()
        self.ready = True

    def _flush(self) -> None:
        """Put the rows a build has numbered but not yet indexed under their words."""
        if self._pending:
            chunk, pending, self._pending = self._pending_chunk, self._pending, {}
            for word, bits in pending.items():
                self._put(word, chunk, bits)
            self._changed()

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str]]) -> SearchIndex:
        """An index of ``(row_id, text)`` pairs, built at once."""
        index = cls()
        for _ in index.build_steps(pairs):
            pass
        return index

    # -- searches ---------------------------------------------------------------------------------

    def _words_containing(self, word: str) -> set[str]:
        if len(word) <= 3:
            return self._piece_words.get(word, set())
        holders = []
        for i in range(len(word) - 2):
            found = self._piece_words.get(word[i : i + 3])
            if found is None:
                return set()
            holders.append(found)
        holders.sort(key=len)  # the rarest first
        return {candidate for candidate in holders[0].intersection(*holders[1:]) if word in candidate}

    def _rows_of_word(self, word: str) -> Bitmap:
        rows = self._word_cache.get(word)
        if rows is None:
            rows = {}
            for holder in self._words_containing(word):
                _or_into(rows, self._word_rows[holder])
            if len(self._word_cache) >= _WORDS_KEPT:
                self._word_cache.clear()
            self._word_cache[word] = rows
        return rows

    def _rows_of_name(self, name: str) -> Bitmap:
        """The rows holding ``name`` as a whole word (punctuation around it aside)."""
        cache_key = "\n" + name  # no search word holds a newline
        rows = self._word_cache.get(cache_key)
        if rows is None:
            rows = {}
            for holder in self._words_containing(name):
                if holder.strip(WORD_EDGES) == name:
                    _or_into(rows, self._word_rows[holder])
            if len(self._word_cache) >= _WORDS_KEPT:
                self._word_cache.clear()
            self._word_cache[cache_key] = rows
        return rows

    def _rows_of(self, words: Iterable[str], alternatives: Mapping[str, Sequence[str]] | None = None) -> Bitmap | None:
        """The numbers of the rows holding every one of ``words`` (or, for a word in
        ``alternatives``, one of its alternatives as a whole word); None for no words."""
        self._flush()
        found: Bitmap | None = None
        for word in sorted(set(words), key=len, reverse=True):  # the longest (rarest) first
            rows = self._rows_of_word(word)
            if alternatives and alternatives.get(word):
                rows = dict(rows)
                for name in alternatives[word]:
                    _or_into(rows, self._rows_of_name(name))
            found = rows if found is None else _and(found, rows)
            if not found:
                return {}
        return found

    def candidates(self, words: Iterable[str]) -> set[str] | None:
        """The ids of the rows holding every one of ``words`` (folded, without whitespace); None
        for no words."""
        found = self._rows_of(words)
        if found is None:
            return None
        ids, result = self._ids, set[str | None]()
        for chunk, bits in found.items():
            start = chunk << _SHIFT
            result.update(compress(ids[start : start + CHUNK], self._chunk_selector(bits)))
        return {row_id for row_id in result if row_id is not None}

    def narrow(
        self, rows: list[Row], words: Sequence[str], alternatives: Mapping[str, Sequence[str]] | None = None
    ) -> tuple[list[Row], bool] | None:
        """The ``rows`` (in their order) holding every one of ``words`` (or one of its
        ``alternatives`` as a whole word), and whether some row is not held by the index (kept,
        to be checked word by word); None for no words."""
        found = self._rows_of(words, alternatives)
        if found is None:
            return None
        pool = self._pool(rows)
        if not found or not rows:
            return [], False
        # One byte per row number (0 or 1), the last one (-1) for rows the index does not hold.
        parts = [_NO_ROWS] * ((len(self._ids) >> _SHIFT) + 1)
        for chunk, bits in found.items():
            parts[chunk] = self._chunk_selector(bits)
        selector = b"".join(parts)[: len(self._ids)] + b"\x01"
        keep = bytes(pool.gather(selector)) if pool.gather else selector[pool.numbers[0] : pool.numbers[0] + 1]
        kept = list(compress(pool.rows, keep))
        self._remember(self._results, _Pool(kept, tuple(compress(pool.numbers, keep))))
        return list(kept), pool.unsure

    def _pool(self, rows: list[Row]) -> _Pool:
        for kept in (self._results, self._pools):
            for pool in kept:
                if len(pool.rows) == len(rows) and pool.rows == rows:  # C speed: the same objects
                    return pool
        number_of = self._numbers.get
        pool = _Pool(list(rows), tuple(map(number_of, map(_row_id, rows), repeat(-1))))
        self._remember(self._pools, pool)
        return pool

    def prepare_steps(self, rows: list[Row], step: int = 5_000) -> Iterator[None]:
        """Number ``rows`` (a list the next search will start from: each order's whole list) in
        steps of ``step`` rows, so that search's first key does not (at 100,000 rows that is tens of
        milliseconds). For a background step after a change; a change meanwhile makes it moot.
        Nothing is done before the index is ready, or for a list numbered already."""
        if not self.ready or any(len(pool.rows) == len(rows) and pool.rows == rows for pool in self._pools):
            return
        version, number_of, numbers = self.version, self._numbers.get, list[int]()
        for start in range(0, len(rows), step):
            numbers.extend(map(number_of, map(_row_id, rows[start : start + step]), repeat(-1)))
            yield
        if self.version == version and len(numbers) == len(rows):
            self._remember(self._pools, _Pool(list(rows), tuple(numbers)))

    @staticmethod
    def _remember(kept: list[_Pool], pool: _Pool) -> None:
        if len(kept) >= _POOLS_KEPT:
            del kept[0]
        kept.append(pool)

    @staticmethod
    def _chunk_selector(bits: int) -> bytes:
        return format(bits, _BITS)[::-1].encode("ascii").translate(_ZERO_ONE)

    def figures(self) -> dict[str, int]:
        """How many words, pieces, chunk bitmaps and row numbers the index holds (for the bench)."""
        return {
            "words": len(self._word_rows),
            "pieces": len(self._piece_words),
            "chunks": sum(len(rows) for rows in self._word_rows.values()),
            "numbers": len(self._ids),
            "rows": len(self._numbers),
        }
