"""Every scenario under ``transcripts/`` played against the real server on 127.0.0.1:0."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from tests.server.harness import play
from tests.support.transcript import load_transcript

TRANSCRIPTS = sorted((Path(__file__).parent / "transcripts").glob("*.txt"))


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
def test_transcript(path: Path, tmp_path: Path, aloop: asyncio.Runner,
                    caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="msnqt.server"):
        aloop.run(play(load_transcript(path), tmp_path))
    # Bad input must be answered by design, never by a handler crashing into the safety net.
    assert [r.getMessage() for r in caplog.records if r.name.startswith("msnqt.server")] == []
