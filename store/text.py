"""Checks shared by every text field: no control characters, no unencodable surrogates."""

from __future__ import annotations

import unicodedata

#: Characters allowed in multi-line fields (summary, quotes) besides printable text.
MULTILINE_ALLOWED = frozenset("\n\t")


def check_text(value: str, *, multiline: bool = False) -> str:
    """Return ``value`` if it holds no control characters; raise ``ValueError`` naming the first.

    Newlines and tabs are allowed when ``multiline`` (``\\r\\n`` is first folded to ``\\n``).
    Lone surrogates are refused too: they cannot be written as UTF-8.
    """
    allowed = MULTILINE_ALLOWED if multiline else frozenset()
    for index, char in enumerate(value):
        if char in allowed:
            continue
        category = unicodedata.category(char)
        if category == "Cc":
            raise ValueError(
                f"contains a control character (U+{ord(char):04X}) at position {index + 1}"
            )
        if category == "Cs":
            raise ValueError(f"contains an invalid character (U+{ord(char):04X}) at position {index + 1}")
    return value


def normalise_newlines(value: str) -> str:
    return value.replace("\r\n", "\n")


def search_fold(value: str) -> str:
    """Fold text for case-insensitive search: casefold, and treat Russian ё as е."""
    return value.casefold().replace("ё", "е")
