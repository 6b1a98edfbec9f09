"""Text from the network made safe to print on a terminal: one field, one line, no control sequences.

Why: a friendly name or a message is chosen by someone else. Printed raw, ``%0A`` forges a second contact
line in ``msnqt-cli status``, a tab shifts the columns a script splits on, ``ESC ]0;...BEL`` retitles the
terminal and ``ESC [2J`` wipes it, and a bidi override makes a line read differently from what it says.
Every field the CLI prints goes through :func:`terminal_text`, so none of that can reach the terminal
while the text stays readable and reversible (``\\`` is doubled, so an escape can never be faked).
"""

from __future__ import annotations

import re
import unicodedata

_KEPT_FORMAT = frozenset("\u200c\u200d")
"""Zero-width (non-)joiners: format characters that emoji sequences and several scripts need."""

_NAMED = {"\\": "\\\\", "\n": "\\n", "\t": "\\t"}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _needs_escape(char: str) -> bool:
    category = unicodedata.category(char)
    if category == "Cf":
        return char not in _KEPT_FORMAT
    return category in ("Cc", "Cs", "Zl", "Zp")


def _escape(char: str) -> str:
    named = _NAMED.get(char)
    if named is not None:
        return named
    if not _needs_escape(char):
        return char
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def terminal_text(text: str) -> str:
    """``text`` as one printable line: ``\\`` -> ``\\\\``, any line break -> ``\\n``, tab -> ``\\t``,
    other control, format (bidi), separator and surrogate characters -> ``\\xHH``/``\\uHHHH``."""
    if text.isprintable() and "\\" not in text:
        return text  # the common case: nothing to escape (isprintable is False for every escaped class)
    return "".join(_escape(char) for char in _LINE_BREAK.sub("\n", text))
