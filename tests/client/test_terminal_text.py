"""terminal_text: any text becomes one printable, tab-free line, and the escaping is unambiguous."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msnqt.client.terminal import terminal_text


@pytest.mark.parametrize(("text", "shown"), [
    ("Alice Liddell", "Alice Liddell"),
    ("café 😀 👨\u200d👩\u200d👧", "café 😀 👨\u200d👩\u200d👧"),  # joiners kept: emoji stay whole
    ("a\r\nb\rc\nd", "a\\nb\\nc\\nd"),
    ("tab\there", "tab\\there"),
    ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
    ("\x9b2J\x7f", "\\x9b2J\\x7f"),
    ("\u202eevil\u2028\u2029", "\\u202eevil\\u2028\\u2029"),
    ("back\\slash\\n", "back\\\\slash\\\\n"),
    ("lone \udcff surrogate", "lone \\udcff surrogate"),
])
def test_examples(text: str, shown: str) -> None:
    assert terminal_text(text) == shown


@given(st.text())
def test_output_is_one_printable_line_without_tabs(text: str) -> None:
    shown = terminal_text(text)
    assert "\t" not in shown and "\n" not in shown and "\r" not in shown
    assert all(unicodedata.category(c) not in ("Cc", "Cs", "Zl", "Zp") for c in shown)
    shown.encode("utf-8")  # printable on any UTF-8 terminal (no lone surrogates)


@given(st.text(), st.text())
def test_different_texts_without_line_breaks_stay_different(a: str, b: str) -> None:
    """Escaping is reversible (apart from CR/CRLF, shown as a line break): a name cannot imitate another."""
    a, b = a.replace("\r", ""), b.replace("\r", "")
    if a != b:
        assert terminal_text(a) != terminal_text(b)
