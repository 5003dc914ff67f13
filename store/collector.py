"""Pausing Python's cyclic garbage collector while many objects without cycles are built.

Reading a file of 100,000 incidents makes millions of dicts, strings and models; each time a
generation fills up, the collector walks every one of them again, for nothing (none of them
form cycles). Paused, an import of 100,000 CSV rows takes about a third less time. They are
still freed by reference counting; the collector resumes as it was.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused(when: bool = True) -> Iterator[None]:
    """The collector off inside the block (if ``when`` and it was on), then as it was."""
    if not when or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
