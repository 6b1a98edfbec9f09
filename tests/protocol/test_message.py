"""MSG bodies: the §2 payloads parse and rebuild byte for byte; headers survive; text splits safely."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msnqt.protocol import (
    MAX_PLAIN_TEXT_BYTES,
    MAX_SB_PAYLOAD,
    PLAIN_TEXT_HEADER,
    InvalidMessage,
    MessageBody,
    build_message,
    mail_summary_payload,
    parse_message,
    plain_text_payload,
    profile_payload,
    split_text,
    typing_payload,
)

from .test_transcript import M1, M2, M3, P1, P2, PAYLOADS


@pytest.mark.parametrize("payload_id", sorted(PAYLOADS))
def test_reference_payloads_rebuild_byte_for_byte(payload_id: str) -> None:
    payload = PAYLOADS[payload_id][1]
    parsed = parse_message(payload)
    assert build_message(parsed.headers, parsed.body) == payload


def test_plain_text_message() -> None:
    body = parse_message(M3)
    assert body.is_plain_text and not body.is_typing
    assert body.content_type == "text/plain" and body.charset == "utf-8"
    assert body.text() == "Hi Alice é"
    assert plain_text_payload("Hello Bob") == M1
    assert plain_text_payload("Hi Alice é") == M3


def test_typing_profile_and_mail_payloads_match_the_reference() -> None:
    assert typing_payload("bob@hotmail.com") == M2
    assert parse_message(M2).is_typing
    assert parse_message(M2).header("typinguser") == "bob@hotmail.com"
    assert profile_payload(932688000) == P1
    assert mail_summary_payload(2, 0) == P2


def test_unknown_headers_are_kept_in_order() -> None:
    payload = b"MIME-Version: 1.0\r\nX-Zzz: 1\r\nContent-Type: text/plain\r\nX-Aaa: two words\r\n\r\nhi"
    parsed = parse_message(payload)
    assert [name for name, _ in parsed.headers] == ["MIME-Version", "X-Zzz", "Content-Type", "X-Aaa"]
    assert parsed.header("x-aaa") == "two words"
    assert parsed.header("Missing") is None
    assert build_message(parsed.headers, parsed.body) == payload


@pytest.mark.parametrize(
    ("value", "content_type", "charset"),
    [
        ("TEXT/Plain;Charset=UTF-8", "text/plain", "utf-8"),
        ("text/plain ; charset = utf-8 ", "text/plain", "utf-8"),
        ('text/plain; charset="UTF-8"', "text/plain", "utf-8"),
        ("text/plain", "text/plain", "iso-8859-1"),
    ],
)
def test_content_type_is_parsed_leniently(value: str, content_type: str, charset: str) -> None:
    parsed = MessageBody((("Content-Type", value),), b"")
    assert (parsed.content_type, parsed.charset) == (content_type, charset)


def test_missing_charset_means_latin_1() -> None:
    parsed = parse_message(b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nd\xe9j\xe0")
    assert parsed.text() == "déjà"


def test_undecodable_body_and_unknown_charset_never_raise() -> None:
    assert parse_message(PLAIN_TEXT_HEADER + b"\xff").text() == "\ufffd"
    odd = parse_message(b"Content-Type: text/plain; charset=x-nonsense\r\n\r\nok")
    assert odd.text() == "ok"


def test_no_content_type() -> None:
    parsed = parse_message(b"MIME-Version: 1.0\r\n\r\n")
    assert parsed.content_type == "" and not parsed.is_plain_text


def test_bare_lf_headers_are_tolerated() -> None:
    parsed = parse_message(b"MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n\nhi\r\nthere")
    assert parsed.is_plain_text and parsed.body == b"hi\r\nthere"


@pytest.mark.parametrize("payload", [b"", b"hello", b"\r\nbody", b"MIME-Version: 1.0\r\n",
                                     b"no colon here\r\n\r\nbody"])
def test_payload_without_a_header_block_is_invalid(payload: bytes) -> None:
    with pytest.raises(InvalidMessage):
        parse_message(payload)


def test_build_message_refuses_a_header_that_would_break_the_block() -> None:
    with pytest.raises(ValueError):
        build_message([("X", "a\r\nInjected: 1")])


def test_plain_text_normalises_line_ends() -> None:
    assert plain_text_payload("a\nb\r\nc\rd") == PLAIN_TEXT_HEADER + b"a\r\nb\r\nc\r\nd"


def test_plain_text_limit() -> None:
    assert len(PLAIN_TEXT_HEADER) == 62
    assert MAX_PLAIN_TEXT_BYTES == MAX_SB_PAYLOAD - 62 == 1602


def test_split_text_short_text_is_one_chunk() -> None:
    assert split_text("hello") == ["hello"]
    assert split_text("") == []


def test_split_text_prefers_whitespace() -> None:
    assert split_text("aaaa bbbb cccc", max_bytes=10) == ["aaaa bbbb ", "cccc"]


def test_split_text_never_cuts_a_character() -> None:
    chunks = split_text("é" * 10, max_bytes=5)
    assert chunks == ["éé"] * 5


def test_split_text_keeps_crlf_together() -> None:
    chunks = split_text("abc\ndef", max_bytes=4)
    assert "".join(chunks) == "abc\r\ndef"
    assert all(not c.endswith("\r") for c in chunks)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # no wall-clock limits on a busy CI
@given(st.text(st.characters(codec="utf-8"), max_size=400), st.integers(4, 64))
def test_split_text_loses_nothing_and_fits(text: str, max_bytes: int) -> None:
    chunks = split_text(text, max_bytes)
    normalised = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    assert "".join(chunks) == normalised
    for chunk in chunks:
        assert chunk
        assert len(plain_text_payload(chunk)) - len(PLAIN_TEXT_HEADER) <= max_bytes
