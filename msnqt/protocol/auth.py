"""MD5 authentication (msnp2-reference §2.2) and the random tokens servers hand out.

Tokens come from :mod:`secrets` because a guessable switchboard cookie would let anyone join a
conversation, and a repeated challenge would make a captured response replayable.
"""

from __future__ import annotations

import hashlib
import secrets


def md5_response(challenge: str, password: str) -> str:
    """``md5(challenge + password)`` as lower-case hex: what the client sends in ``USR t MD5 S``."""
    return hashlib.md5((challenge + password).encode("utf-8")).hexdigest()


def new_challenge() -> str:
    """A fresh ``<digits>.<digits>`` challenge, the shape the 1.0-era service used."""
    return f"{secrets.randbelow(10**10)}.{secrets.randbelow(10**9):09d}"


def new_cookie() -> str:
    """An opaque, single-use token (about 83 random bits) for ``XFR SB`` / ``RNG``."""
    return f"{secrets.randbelow(10**10)}.{secrets.randbelow(10**10)}.{secrets.randbelow(10**5)}"
