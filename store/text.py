"""Checks shared by every text field: no control characters, no unencodable surrogates."""

from __future__ import annotations

import re
import unicodedata

#: Control characters (Unicode category Cc) and lone surrogates (Cs), which UTF-8 cannot hold.
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_FORBIDDEN_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def check_text(value: str, *, multiline: bool = False) -> str:
    """Return ``value`` if it holds no control characters; raise ``ValueError`` naming the first.

    Newlines and tabs are allowed when ``multiline`` (``\\r\\n`` is first folded to ``\\n``).
    Lone surrogates are refused too: they cannot be written as UTF-8.
    """
    found = (_FORBIDDEN_MULTILINE if multiline else _FORBIDDEN).search(value)
    if found is None:
        return value
    char, position = found.group(), found.start() + 1
    if unicodedata.category(char) == "Cs":
        raise ValueError(f"contains an invalid character (U+{ord(char):04X}) at position {position}")
    raise ValueError(f"contains a control character (U+{ord(char):04X}) at position {position}")


def normalise_newlines(value: str) -> str:
    return value.replace("\r\n", "\n")


def search_fold(value: str) -> str:
    """Fold text for case-insensitive search: casefold, and treat Russian ё as е."""
    return value.casefold().replace("ё", "е")
