"""Text rules shared by every field and every output path.

``check_text``: what typed or imported text may hold (no control characters, no bidirectional
controls, no unencodable surrogates). ``printable``: any text, whatever a record holds, made
safe to show in a terminal (control characters written as escapes such as ``\\x1b``).
"""

from __future__ import annotations

import re
import unicodedata

#: Bidirectional embedding, override and isolate controls: they reorder what follows them on
#: screen, so a record could read differently from what it holds ("Trojan Source").
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
#: Control characters (Unicode category Cc), bidi controls and lone surrogates (Cs), which UTF-8
#: cannot hold.
_FORBIDDEN = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}\ud800-\udfff]")
_FORBIDDEN_MULTILINE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}\ud800-\udfff]")

#: What ``printable`` rewrites: C0 controls as ``\xNN`` (as Python and shells write them); DEL,
#: C1 controls, bidi controls, line and paragraph separators and lone surrogates as ``\uNNNN``,
#: which inside a JSON string is also the JSON escape of the same character (JSON output stays
#: valid JSON, and C0 controls never reach it unescaped).
_ESCAPES: dict[int, str] = {
    **{code: f"\\x{code:02x}" for code in range(0x20)},
    **{
        code: f"\\u{code:04x}"
        for code in (*range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029)
    },
}
_ESCAPES_MULTILINE = {code: text for code, text in _ESCAPES.items() if code not in (0x09, 0x0A)}
_SURROGATE = re.compile("[\ud800-\udfff]")


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
    if unicodedata.category(char) == "Cf":
        raise ValueError(
            f"contains a bidirectional control character (U+{ord(char):04X}) at position {position}"
        )
    raise ValueError(f"contains a control character (U+{ord(char):04X}) at position {position}")


def printable(value: str, *, multiline: bool = False) -> str:
    """``value`` safe to write to a terminal: every control character, bidi control and lone
    surrogate written as an escape (``\\x1b``, ``\\u202e``), so nothing in a record can move the
    cursor, clear the screen, set the title, write the clipboard or reorder the text.

    Newlines and tabs are kept when ``multiline``. Everything else is shown as it is.
    """
    escaped = value.translate(_ESCAPES_MULTILINE if multiline else _ESCAPES)
    return _SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", escaped)


def normalise_newlines(value: str) -> str:
    return value.replace("\r\n", "\n")


def search_fold(value: str) -> str:
    """Fold text for case-insensitive search: casefold, and treat Russian ё as е."""
    return value.casefold().replace("ё", "е")
