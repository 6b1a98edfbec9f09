"""VER and INF handling shared by the DS and the NS (msnp2-reference §3.1, §10.2)."""

from __future__ import annotations

from enum import Enum

from msnqt.protocol import Ver

DIALECT = "MSNP2"
VERSION_CHECK = "CVR0"
AUTH_PACKAGE = "MD5"


class Negotiated(Enum):
    MSNP2 = "MSNP2"
    VERSION_CHECK_ONLY = "CVR0"
    REFUSED = "0"


def negotiate(request: Ver) -> Negotiated:
    """MSNP2 when offered; CVR0 alone gets the version-check sub-protocol; anything else is refused."""
    offered = {d.upper() for d in request.dialects}
    if DIALECT in offered:
        return Negotiated.MSNP2
    if VERSION_CHECK in offered:
        return Negotiated.VERSION_CHECK_ONLY
    return Negotiated.REFUSED


def version_check_reply(fields: tuple[str, ...]) -> tuple[str, ...]:
    """CVQ/CVR answer: recommend and require the version the client reports (always accepted)."""
    version = fields[5] if len(fields) >= 6 else "1.0.0863"
    url = "http://messenger.msn.com"
    return (version, version, version, url, url)
