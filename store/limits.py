"""Size limits on what the store reads.

A journal, a journal's backup or an import source bigger than ``MAX_INPUT_BYTES`` is refused
before it is read whole: a regular file by its size, standard input or a FIFO as soon as the bytes
read pass the limit. 2 GiB is generous (a million incidents take about a tenth of it) and keeps a
mistaken ``/dev/zero`` or a runaway file from taking the machine's memory.

Code reads the constant through the module (``limits.MAX_INPUT_BYTES``), so that tests can lower it
with ``monkeypatch.setattr(store.limits, "MAX_INPUT_BYTES", ...)``.
"""

from __future__ import annotations

#: The largest journal or import source the store reads, in bytes (2 GiB).
MAX_INPUT_BYTES = 2 * 1024**3
