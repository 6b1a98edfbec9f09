"""The cluster tests' log check notices a traceback in a component's stderr, and lets a declared one be."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cluster.topology import Cluster, Component, fail_on_unexpected_log, log_problems

RECORDS = """2026-12-07 03:45:15,123 msnqt.server WARNING storage failed while handling ADD: Redis: gone
2026-12-07 03:45:15,124 msnqt.server ERROR connection handler failed; closing this connection only
Traceback (most recent call last):
  File "connection.py", line 1, in run
TypeError: boom
2026-12-07 03:45:15,125 msnqt.server INFO failed sign-in for alice@hotmail.com at 127.0.0.1:5
2026-12-07 03:45:15,126 msnqt.server WARNING could not notify watchers
Traceback (most recent call last):
KeyError: 'x'
"""


def test_errors_and_tracebacks_are_problems_warnings_and_info_are_not() -> None:
    problems = log_problems(RECORDS)
    assert [p.splitlines()[0][24:] for p in problems] == [
        "msnqt.server ERROR connection handler failed; closing this connection only",
        "msnqt.server WARNING could not notify watchers"]
    assert problems[0].endswith("TypeError: boom")


def _crashed(tmp_path: Path) -> Cluster:
    """A cluster whose one 'component' is a real process that died of an uncaught exception."""
    log = tmp_path / "ns.log"
    with log.open("w") as stderr:
        process = subprocess.Popen([sys.executable, "-c", "raise ValueError('on purpose')"],
                                   stderr=stderr, text=True)
    process.wait(timeout=30)
    running = Cluster("", "", tmp_path / "secret.key")
    running.ns.append(Component("ns", process, log=log))
    return running


def test_a_traceback_in_a_components_stderr_fails_the_run(tmp_path: Path) -> None:
    running = _crashed(tmp_path)
    with pytest.raises(AssertionError, match="ValueError: on purpose"):
        fail_on_unexpected_log(running)
    fail_on_unexpected_log(running)  # judged once: the next test is not blamed for it


def test_a_declared_traceback_does_not(tmp_path: Path) -> None:
    running = _crashed(tmp_path)
    running.expect_log(r"ValueError: on purpose")
    fail_on_unexpected_log(running)
