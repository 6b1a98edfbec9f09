"""What the machine and a process cost, read from /proc (Linux).

The load generator and the server share two cores with whatever else runs, so wall-clock throughput
alone says little: CPU seconds charged to the server process per operation is the steadier number.
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path
from typing import Any

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` in seconds (children excluded); 0.0 when it cannot be read."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    # The command name may hold spaces: fields are counted after the closing parenthesis.
    fields = text[text.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _parent(pid: int) -> int | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(text[text.rindex(")") + 2:].split()[1])


def descendants(pid: int) -> list[int]:
    """Every living descendant of ``pid`` (children, their children, ...)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            parent = _parent(int(entry.name))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        below = children.get(todo.pop(), [])
        found.extend(below)
        todo.extend(below)
    return found


def tree_cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` and of every living descendant (a ``bench.cluster`` target: its DS, NS
    and SB processes, PostgreSQL with its backends, Redis). For a single-process server it equals
    :func:`cpu_seconds`. Descendants that exited during a window are not counted (none do in a run)."""
    return sum(cpu_seconds(p) for p in [pid, *descendants(pid)])


def rss_bytes(pid: int) -> int:
    """Resident set size of ``pid`` (VmRSS), 0 when it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def loadavg() -> list[float]:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return []


def machine() -> dict[str, Any]:
    """Facts a reader needs to compare two result files."""
    return {
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "loadavg": loadavg(),
    }
