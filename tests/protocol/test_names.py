"""Friendly-name encoding, handle checks and addresses as peers see them on the wire."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msnqt.protocol import (
    InvalidFriendlyName,
    InvalidHandle,
    MalformedCommand,
    check_handle,
    decode_friendly,
    encode_friendly,
    friendly_fits,
    is_valid_handle,
    same_handle,
    split_address,
)
from msnqt.protocol.names import clip_friendly, decode_received_friendly


@pytest.mark.parametrize(
    ("name", "wire"),
    [
        ("Alice Liddell", "Alice%20Liddell"),
        ("bob@hotmail.com", "bob@hotmail.com"),
        ("100%", "100%25"),
        ("é", "%C3%A9"),
        ("a\r\nb\tc\x7f", "a%0D%0Ab%09c%7F"),
        ("(x)*!~'", "(x)*!~'"),
    ],
)
def test_encode_friendly(name: str, wire: str) -> None:
    assert encode_friendly(name) == wire
    assert decode_friendly(wire) == name


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # no wall-clock limits on a busy CI
@given(st.text(st.characters(codec="utf-8")))
def test_encoded_names_have_no_whitespace_and_decode_back(name: str) -> None:
    wire = encode_friendly(name)
    assert wire.isascii() and not any(c.isspace() for c in wire)
    assert decode_friendly(wire) == name


def test_decoding_is_lenient() -> None:
    assert decode_friendly("%c3%a9%40") == "é@"
    assert decode_friendly("50%") == "50%"
    assert decode_friendly("50%zz%4") == "50%zz%4"
    assert decode_friendly("raw é") == "raw é"  # servers that send UTF-8 unencoded


@pytest.mark.parametrize("wire", ["%C3", "%FF", "%C3%28", "%ED%A0%80"])
def test_invalid_utf8_is_refused(wire: str) -> None:
    with pytest.raises(InvalidFriendlyName):
        decode_friendly(wire)


def test_friendly_limit_counts_encoded_bytes() -> None:
    assert friendly_fits("x" * 387)
    assert not friendly_fits("x" * 388)
    assert friendly_fits("é" * 64)  # 384 encoded bytes
    assert not friendly_fits("é" * 65)
    assert not friendly_fits(" " * 130)


def test_lone_surrogate_from_a_widget_does_not_crash_encoding() -> None:
    assert encode_friendly("a\ud800") == "a?"


@pytest.mark.parametrize("handle", ["alice@hotmail.com", "A.B-c+d@sub.example.org", "x@y.zz"])
def test_valid_handles(handle: str) -> None:
    assert is_valid_handle(handle)
    assert check_handle(handle) == handle


@pytest.mark.parametrize(
    "handle", ["alice", "@hotmail.com", "alice@", "alice@hotmail", "a b@c.de", "a@@b.cd", "ä@b.cd", "a@-b.cd",
               "a" * 120 + "@hotmail.c"],
)
def test_invalid_handles(handle: str) -> None:
    assert not is_valid_handle(handle)
    with pytest.raises(InvalidHandle):
        check_handle(handle)


def test_handle_length_limit_is_129_bytes() -> None:
    assert is_valid_handle("a" * 119 + "@hotmail.c")
    with pytest.raises(InvalidHandle, match="129"):
        check_handle("a" * 120 + "@hotmail.c")


def test_same_handle_ignores_case() -> None:
    assert same_handle("Alice@Hotmail.com", "alice@hotmail.COM")
    assert not same_handle("alice@hotmail.com", "alice2@hotmail.com")


def test_split_address() -> None:
    assert split_address("10.0.0.3:1864") == ("10.0.0.3", 1864)
    assert split_address("ns.example") == ("ns.example", 1863)
    assert split_address("ns.example", default_port=5) == ("ns.example", 5)


@pytest.mark.parametrize("address", ["host:0", "host:65536", "host:abc", ":1863", ""])
def test_split_address_refuses_garbage(address: str) -> None:
    with pytest.raises(MalformedCommand):
        split_address(address)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(st.characters(codec="utf-8")) | st.binary().map(lambda b: b.decode("latin-1")))
def test_names_from_a_server_always_decode_and_fit(wire: str) -> None:
    """The client's decoding of what a server sends: never raises, never leaves a surrogate, always fits
    the limit (so it can be sent back), and agrees with the strict decoding whenever that one accepts."""
    name = decode_received_friendly(wire)
    assert friendly_fits(name)
    name.encode("utf-8")  # no lone surrogates for a widget or a terminal
    try:
        strict = decode_friendly(wire)
    except InvalidFriendlyName:
        return
    assert name == clip_friendly(strict)
    if friendly_fits(strict):
        assert name == strict


def test_clip_friendly_cuts_at_a_character() -> None:
    assert clip_friendly("x" * 400) == "x" * 387
    assert clip_friendly("a" + "é" * 70) == "a" + "é" * 64  # 1 + 64 * 6 = 385; one more would be 391
    assert clip_friendly("short") == "short"
