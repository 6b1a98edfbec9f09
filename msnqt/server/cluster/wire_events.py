"""Core events as JSON, for the trip from one process to another over Redis pub/sub."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from msnqt.protocol.codes import Status

from ..core.events import AddedBy, ContactOffline, ContactOnline, Event, RemovedBy, Ring, SignedOut

_KINDS: dict[str, type[Any]] = {kind.__name__: kind for kind in
                                (ContactOnline, ContactOffline, AddedBy, RemovedBy, Ring, SignedOut)}


@dataclasses.dataclass(frozen=True, slots=True)
class Envelope:
    """An event for the session of ``key`` on one NS; ``token`` pins one session (an OUT OTH kick must
    not end the new session that caused it), None means whichever is current there."""

    key: str
    token: str | None
    event: Event


def encode(envelope: Envelope) -> str:
    fields = {f.name: getattr(envelope.event, f.name) for f in dataclasses.fields(envelope.event)}
    return json.dumps({"key": envelope.key, "token": envelope.token,
                       "kind": type(envelope.event).__name__, "fields": fields})


def decode(text: str) -> Envelope:
    """The envelope in ``text``; ValueError (or KeyError, TypeError) for anything else."""
    data = json.loads(text)
    kind = _KINDS[data["kind"]]
    fields = dict(data["fields"])
    if kind is ContactOnline:
        fields["status"] = Status(fields["status"])
    if kind is Ring and fields.get("switchboard") is not None:
        host, port = fields["switchboard"]
        fields["switchboard"] = (str(host), int(port))
    return Envelope(str(data["key"]), data["token"], kind(**fields))
