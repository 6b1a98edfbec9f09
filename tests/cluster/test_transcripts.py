"""The same transcripts as tests/server/test_transcripts.py, against a cluster (PostgreSQL + Redis ports)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from tests.cluster.harness import play_on_cluster
from tests.server.test_transcripts import TRANSCRIPTS
from tests.support.transcript import load_transcript


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
def test_transcript_on_a_cluster(path: Path, pg_dsn: str, redis_url: str, tmp_path: Path,
                                 aloop: asyncio.Runner, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="msnqt.server"):
        aloop.run(play_on_cluster(load_transcript(path), pg_dsn, redis_url, tmp_path / "secret.key"))
    assert [r.getMessage() for r in caplog.records if r.name.startswith("msnqt.server")] == []
