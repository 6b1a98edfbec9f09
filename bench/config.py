"""What a load run is asked to do; filled from the command line or by bench.compare and the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from msnqt.protocol import split_address

from .peer import Address

Account = tuple[str, str]


@dataclass
class LoadConfig:
    target: Address
    accounts: list[Account] = field(default_factory=list)
    seconds: float = 5.0
    clients: int = 10
    contacts: int = 150
    """presence: how many contacts each user has on their FL (= watchers per status change)."""
    movers: int = 1
    """presence: how many users change status at the same time."""
    window: int = 32
    """relay: messages each sender may have in flight (sent, not yet received)."""
    ping_interval: float = 1.0
    """hold: seconds between PNGs on each held connection."""
    ramp_concurrency: int = 64
    """hold: sign-ins in progress at once while ramping up."""
    baseline: bool = False
    """relay: the target is bench.baseline (pairs by a PAIR line, no MSNP2 sign-in)."""
    server_pid: int | None = None
    drain_timeout: float = 5.0

    @property
    def target_text(self) -> str:
        return f"{self.target[0]}:{self.target[1]}"


def parse_target(text: str) -> Address:
    return split_address(text)


def read_accounts(path: Path) -> list[Account]:
    """``EMAIL<TAB>PASSWORD`` per line; blank lines and ``#`` comments skipped."""
    accounts: list[Account] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        email, sep, password = line.partition("\t")
        if not sep or not email or not password:
            raise ValueError(f"{path}:{number}: expected EMAIL<TAB>PASSWORD")
        accounts.append((email, password))
    return accounts
