"""The transcript runner fails when the server says something else (so a green transcript means something)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.server.harness import play
from tests.support.transcript import TranscriptError, parse_transcript


@pytest.mark.parametrize("script, complaint", [
    ("A/DS connect ds\nA/DS C: VER 1 MSNP2\nA/DS S: VER 1 CVR0\n", "expected 'VER 1 CVR0'"),
    ("A/DS connect ds\nA/DS C: VER 1 MSNP2\nA/DS closed\n", "expected a close"),
    ("A/DS connect ds\nA/DS C: VER 1 MSNP2\nA/DS S: VER 1 MSNP2\nA/DS S: INF 2 MD5\n", "nothing arrived"),
    ("!account a@b.com pw A\nA/NS connect ns\nA/NS C: VER 1 MSNP2\nA/NS S: VER 1 MSNP2\n"
     "A/NS C: USR 2 MD5 I a@b.com\nA/NS S: USR 2 MD5 S {x}\nA/NS C: USR 3 MD5 I a@b.com\n"
     "A/NS S: USR 3 MD5 S {y!=x}\n", None),
])
def test_a_wrong_expectation_fails(script: str, complaint: str | None, tmp_path: Path,
                                   aloop: asyncio.Runner) -> None:
    transcript = parse_transcript(script, "probe")
    if complaint is None:  # the second USR I in CHALLENGED is out of state: the NS closes
        with pytest.raises(TranscriptError, match="connection closed"):
            aloop.run(play(transcript, tmp_path))
        return
    with pytest.raises(TranscriptError, match=complaint):
        aloop.run(play(transcript, tmp_path, timeout=0.5))


def test_a_repeated_value_is_caught(tmp_path: Path, aloop: asyncio.Runner) -> None:
    script = ("A/DS connect ds\nA/DS C: VER 1 MSNP2\nA/DS S: VER {v} {d}\n"
              "B/DS connect ds\nB/DS C: VER 1 MSNP2\nB/DS S: VER {w} {e!=d}\n")
    with pytest.raises(TranscriptError, match="e repeats d"):
        aloop.run(play(parse_transcript(script, "probe"), tmp_path))
