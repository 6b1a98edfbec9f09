"""Server settings: where the data lives, where to listen, and the tunables tests shrink.

The defaults are the 1999-faithful values from msnp2-reference §7 and §10; tests pass small timers so
they finish in seconds without sleeping.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from msnqt.protocol.limits import (
    FL_LIMIT,
    MAX_SB_PAYLOAD,
    SB_AUTH_TIMEOUT_SECONDS,
    SB_COOKIE_LIFETIME_SECONDS,
)

from .core.limits import DEFAULT_RATE_LIMITS, RateLimits


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """Everything :class:`msnqt.server.MsnServer` needs to start."""

    data_dir: Path | None
    """The one-process store (SQLite and its key file); None when ``postgres`` names the store."""
    host: str = "127.0.0.1"
    ds_port: int = 1863
    ns_port: int = 1864
    sb_port: int = 1865
    cookie_lifetime: float = SB_COOKIE_LIFETIME_SECONDS
    sb_auth_timeout: float = SB_AUTH_TIMEOUT_SECONDS
    fl_limit: int = FL_LIMIT
    sb_max_payload: int = MAX_SB_PAYLOAD
    fnd_max_results: int = 100
    login_timeout: float = 60.0
    """DS and NS sockets that have not signed in after this many seconds are closed (like the SB's)."""
    cal_limit_per_minute: int = 30
    """More CALs than this from one user (all their switchboards together) within 60 s are answered
    713 (calling too fast); refused calls count."""
    ring_limit_per_minute: int = 10
    """More rings than this for one callee within 60 s, whoever calls from wherever, are answered 713:
    each ring makes the callee's client open a socket."""
    rate_limits: RateLimits = DEFAULT_RATE_LIMITS
    """Per-user allowances for the costly NS commands (core/limits.py); beyond them 713."""
    login_free_failures: int = 3
    """Wrong passwords per account, and per source address, before sign-ins are throttled."""
    login_lockout_account_cap: float = 60.0
    """Longest lock of one account (doubling from 1 s per further failure): short, as anyone can
    trigger it, and it also keeps the owner out."""
    login_lockout_address_cap: float = 900.0
    """Longest lock of one source address: long, as it only hurts whoever guesses from there."""
    max_connections_per_address: int = 256
    """Open sockets (DS, NS and SB together) from one source address; beyond it, closed at once."""
    max_connections: int | None = None
    """Open sockets in all; None: the open-files limit (raised to its hard limit at start) less 64."""
    max_switchboards_per_user: int = 50
    """Switchboard sessions one user may be in at once; beyond it, XFR and ANS are answered 713."""
    sb_idle_timeout: float = 600.0
    """A switchboard connection that neither sent nor was sent anything for this long (checked each
    period, so after one to two periods) is closed; the others in the session get BYE."""
    session_max_participants: int = 20
    """A CAL (or ANS) that would grow a switchboard session beyond this many people is answered 713."""
    postgres: str | None = None
    """A PostgreSQL DSN: accounts live there instead of in ``data_dir`` (docs/cluster.md)."""
    key_file: Path | None = None
    """The password key for a PostgreSQL store; None where no password is read (DS, SB)."""
