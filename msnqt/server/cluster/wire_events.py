"""Core events as JSON, for the trip from one process to another over Redis pub/sub.

One published message carries every envelope for one NS: a status change for watchers on another NS
is one message to that NS, not one per watcher (each message costs both ends a Redis round of work).
Inside it, a run of envelopes that carry the same event is one group with a list of keys: a presence fan-out
gives every watcher the same NLN, and decoding the event once per watcher was most of what the
receiving NS spent on a status change (bench/README.md, presence across two NS)."""

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


def _fields(event: Event) -> dict[str, Any]:
    return {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}


def encode(envelopes: list[Envelope]) -> str:
    """``[{"kind", "fields", "token", "keys": [...]}, ...]``: a run of envelopes with the same event and
    token is one group, so the order of every envelope is kept."""
    groups: list[tuple[Event, str | None, list[str]]] = []
    for envelope in envelopes:
        if groups and groups[-1][1] == envelope.token and groups[-1][0] == envelope.event:
            groups[-1][2].append(envelope.key)
        else:
            groups.append((envelope.event, envelope.token, [envelope.key]))
    return json.dumps([{"kind": type(event).__name__, "fields": _fields(event), "token": token, "keys": keys}
                       for event, token, keys in groups])


def decode(text: str) -> list[Envelope]:
    """The envelopes in ``text``; ValueError (or KeyError, TypeError) for anything else."""
    data = json.loads(text)
    if not isinstance(data, list):
        raise ValueError("not a list of event groups")
    envelopes: list[Envelope] = []
    for group in data:
        event = _event(group["kind"], group["fields"])
        token = group["token"]
        if token is not None and not isinstance(token, str):
            raise TypeError("a token is a string")
        envelopes.extend(Envelope(str(key), token, event) for key in group["keys"])
    return envelopes


def _event(kind_name: str, data: dict[str, Any]) -> Event:
    kind = _KINDS[kind_name]
    fields = dict(data)
    if kind is ContactOnline:
        fields["status"] = Status(fields["status"])
    if kind is Ring and fields.get("switchboard") is not None:
        host, port = fields["switchboard"]
        fields["switchboard"] = (str(host), int(port))
    event: Event = kind(**fields)
    return event
