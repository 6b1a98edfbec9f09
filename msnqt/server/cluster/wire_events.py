"""Core events as JSON, for the trip from one process to another over Redis pub/sub.

One published message carries a list of envelopes: a status change for watchers on another NS is one
message to that NS, not one per watcher (each message costs both ends a Redis round of work)."""

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


def _as_json(envelope: Envelope) -> dict[str, Any]:
    fields = {f.name: getattr(envelope.event, f.name) for f in dataclasses.fields(envelope.event)}
    return {"key": envelope.key, "token": envelope.token, "kind": type(envelope.event).__name__,
            "fields": fields}


def encode(envelopes: list[Envelope]) -> str:
    return json.dumps([_as_json(envelope) for envelope in envelopes])


def decode(text: str) -> list[Envelope]:
    """The envelopes in ``text`` (a list, or one envelope alone); ValueError (or KeyError, TypeError)
    for anything else."""
    data = json.loads(text)
    return [_from_json(item) for item in (data if isinstance(data, list) else [data])]


def _from_json(data: dict[str, Any]) -> Envelope:
    kind = _KINDS[data["kind"]]
    fields = dict(data["fields"])
    if kind is ContactOnline:
        fields["status"] = Status(fields["status"])
    if kind is Ring and fields.get("switchboard") is not None:
        host, port = fields["switchboard"]
        fields["switchboard"] = (str(host), int(port))
    return Envelope(str(data["key"]), data["token"], kind(**fields))
