"""Counting one scenario run: operations, latencies, errors, and the CPU both sides spent.

Every scenario produces the same JSON shape (see bench/README.md), so results from different
scenarios, targets and days can be read the same way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from . import procfs
from .stats import latency_summary

MAX_ERROR_SAMPLES = 5


@dataclass
class Recorder:
    scenario: str
    target: str
    server_pid: int | None = None
    operation: str = "operations"
    params: dict[str, Any] = field(default_factory=dict)
    ops: int = 0
    latencies: list[float] = field(default_factory=list)
    error_count: int = 0
    error_samples: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    _t0: float = 0.0
    _t1: float = 0.0
    _cpu0: float = 0.0
    _cpu1: float = 0.0
    _own0: float = 0.0
    _own1: float = 0.0
    _load_before: list[float] = field(default_factory=list)
    _started: str = ""

    def error(self, problem: BaseException | str) -> None:
        self.error_count += 1
        if len(self.error_samples) < MAX_ERROR_SAMPLES:
            text = problem if isinstance(problem, str) else f"{type(problem).__name__}: {problem}"
            self.error_samples.append(text)

    def start(self) -> None:
        """Begin the measured window (after any setup, so setup cost is not charged per operation)."""
        self._started = datetime.now(UTC).isoformat(timespec="seconds")
        self._load_before = procfs.loadavg()
        self._cpu0 = procfs.tree_cpu_seconds(self.server_pid) if self.server_pid else 0.0
        self._own0 = time.process_time()
        self._t0 = time.perf_counter()

    def stop(self) -> None:
        self._t1 = time.perf_counter()
        self._own1 = time.process_time()
        self._cpu1 = procfs.tree_cpu_seconds(self.server_pid) if self.server_pid else 0.0

    @property
    def elapsed(self) -> float:
        return max(self._t1 - self._t0, 1e-9)

    def result(self) -> dict[str, Any]:
        server_cpu = self._cpu1 - self._cpu0
        own_cpu = self._own1 - self._own0
        server: dict[str, Any] = {"pid": self.server_pid}
        if self.server_pid:
            server.update({
                "cpu_s": round(server_cpu, 3),
                "cpu_us_per_op": round(server_cpu / self.ops * 1e6, 2) if self.ops else None,
                "rss_mb": round(procfs.rss_bytes(self.server_pid) / 2**20, 1),
            })
        return {
            "scenario": self.scenario,
            "target": self.target,
            "started": self._started,
            "params": self.params,
            "seconds": round(self.elapsed, 3),
            "operation": self.operation,
            "ops": self.ops,
            "ops_per_s": round(self.ops / self.elapsed, 1),
            "latency": latency_summary(self.latencies),
            "errors": self.error_count,
            "error_samples": self.error_samples,
            "server": server,
            "loadgen": {"cpu_s": round(own_cpu, 3),
                        "cpu_us_per_op": round(own_cpu / self.ops * 1e6, 2) if self.ops else None},
            "machine": procfs.machine() | {"loadavg_before": self._load_before},
            **self.extra,
        }
