"""Scripted ``C:``/``S:`` transcripts run against a real peer over TCP (reusable by any layer).

A transcript reads like the conversations in msnp2-reference §2. One step per line::

    # comment (blank lines are ignored too)
    !directive args...          setup, handled by the caller's callback before anything is sent
    A/NS connect ns             open connection "A/NS" to the address held in variable ``ns``
    A/NS C: VER 1 MSNP2 CVR0    send one line (CRLF added)
    A/NS S: VER 1 MSNP2         read one line and match it
    A/SB C: MSG 3 N *           a MSG line whose payload is the next P: step of that connection;
    A/SB P: b'MIME-Version: 1.0\\r\\n...'   ``*`` as the length is replaced by the payload size;
                                ``b'x' * 1665`` is accepted for long payloads
    B/SB S: MSG alice@x.com Alice 71
    B/SB P: b'...'              the payload read after a received MSG line must match this
    A/NS sign-in h pw           shorthand for connect ns, VER 1, USR 2 I, USR 3 S, USR OK and the
                                profile MSG (MSNP2 servers; TrIDs 1-3, so continue at 4)
    A/NS closed                 the peer must close the connection (EOF, nothing else first)
    C/SB drop                   abort our side (an abrupt TCP drop)
    C/SB close                  close our side cleanly

Placeholders, in ``S:`` lines and received payloads: ``{name}`` captures one token the first time
and must match the same text later; ``{*}`` matches any token; ``{name:int}`` captures a decimal
number only; ``{name!=other}`` captures a token that must differ from the one captured as
``other`` (e.g. a fresh challenge). In ``C:`` lines and sent payloads: ``{name}`` is replaced by the
captured value and ``{md5 name secret}`` by md5(value + secret).
Callers pre-bind variables such as ``{ds}``, ``{ns}`` and ``{sb}`` (``host:port``).

Steps run strictly in order. Lines on different connections are independent streams, so a script
orders cross-connection effects by reading the reply that proves the server got there first (a
``PNG``/``QNG`` pair is a handy barrier that also proves nothing else was sent in between).
"""

from __future__ import annotations

import ast
import asyncio
import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

_STEP = re.compile(r"^(?P<label>\S+)\s+(?:(?P<dir>[CSP]):\s?(?P<text>.*)"
                   r"|(?P<verb>connect|closed|drop|close|sign-in)(?:\s+(?P<arg>.+))?)$")
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


class TranscriptError(AssertionError):
    """The peer did not behave as the transcript says (or the transcript itself is malformed)."""


@dataclass
class Step:
    lineno: int
    label: str
    kind: str  # "C", "S", "connect", "closed", "drop", "close"
    text: str = ""
    payload: str | None = None  # the P: template (latin-1 text of the bytes literal)


@dataclass
class Transcript:
    name: str
    directives: list[tuple[int, str, list[str]]] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)


def parse_transcript(text: str, name: str = "<transcript>") -> Transcript:
    transcript = Transcript(name)
    last_line_step: dict[str, Step] = {}
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("!"):
            words = line[1:].split()
            transcript.directives.append((lineno, words[0], words[1:]))
            continue
        match = _STEP.match(line)
        if match is None:
            raise TranscriptError(f"{name}:{lineno}: cannot parse {raw!r}")
        label = match["label"]
        if match["dir"] == "P":
            owner = last_line_step.get(label)
            if owner is None or owner.payload is not None or not owner.text.startswith("MSG "):
                raise TranscriptError(f"{name}:{lineno}: P: must follow a MSG line of {label}")
            owner.payload = _payload_literal(match["text"], f"{name}:{lineno}").decode("latin-1")
            continue
        if match["dir"]:
            step = Step(lineno, label, match["dir"], match["text"].strip())
            last_line_step[label] = step
        elif match["verb"] == "sign-in":
            transcript.steps.extend(_sign_in(lineno, label, (match["arg"] or "").split()))
            continue
        else:
            step = Step(lineno, label, match["verb"], match["arg"] or "")
        transcript.steps.append(step)
    return transcript


def _payload_literal(text: str, where: str) -> bytes:
    """A bytes literal, or ``b'...' * N`` for long payloads."""
    try:
        tree = ast.parse(text.strip(), mode="eval").body
        if isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Mult):
            value = ast.literal_eval(tree.left) * ast.literal_eval(tree.right)
        else:
            value = ast.literal_eval(tree)
    except (SyntaxError, ValueError, TypeError):
        value = None
    if not isinstance(value, bytes):
        raise TranscriptError(f"{where}: P: needs a bytes literal (optionally `* count`)")
    return value


def _sign_in(lineno: int, label: str, args: list[str]) -> list[Step]:
    if len(args) != 2:
        raise TranscriptError(f"line {lineno}: sign-in needs a handle and a password")
    handle, password = args
    challenge = f"_challenge_{label}_{lineno}"
    profile = ("MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsprofile; charset=UTF-8\r\n"
               "LoginTime: {*}\r\n\r\n")
    return [
        Step(lineno, label, "connect", "ns"),
        Step(lineno, label, "C", "VER 1 MSNP2 CVR0"),
        Step(lineno, label, "S", "VER 1 MSNP2"),
        Step(lineno, label, "C", f"USR 2 MD5 I {handle}"),
        Step(lineno, label, "S", f"USR 2 MD5 S {{{challenge}}}"),
        Step(lineno, label, "C", f"USR 3 MD5 S {{md5 {challenge} {password}}}"),
        Step(lineno, label, "S", "USR 3 OK {*} {*}"),
        Step(lineno, label, "S", "MSG Hotmail Hotmail {*}", profile),
    ]


def load_transcript(path: Path) -> Transcript:
    return parse_transcript(path.read_text(encoding="utf-8"), path.name)


class _Peer:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer


class TranscriptRunner:
    def __init__(self, transcript: Transcript, variables: dict[str, str], *, timeout: float = 5.0) -> None:
        self.transcript = transcript
        self.vars = dict(variables)
        self.timeout = timeout
        self.peers: dict[str, _Peer] = {}

    def _where(self, step: Step) -> str:
        return f"{self.transcript.name}:{step.lineno} [{step.label}]"

    # --- substitution and matching -------------------------------------------------------------------

    def _fill(self, template: str, step: Step) -> str:
        def replace(match: re.Match[str]) -> str:
            words = match[1].split()
            if words[0] == "md5" and len(words) == 3:
                return hashlib.md5((self._value(words[1], step) + words[2]).encode()).hexdigest()
            return self._value(words[0], step)
        return _PLACEHOLDER.sub(replace, template)

    def _value(self, name: str, step: Step) -> str:
        if name not in self.vars:
            raise TranscriptError(f"{self._where(step)}: {{{name}}} used before it was captured")
        return self.vars[name]

    def _match(self, template: str, actual: str, step: Step, token: str = r"\S+") -> None:
        pattern: list[str] = []
        names: list[str] = []
        pos = 0
        for placeholder in _PLACEHOLDER.finditer(template):
            pattern.append(re.escape(template[pos:placeholder.start()]))
            name = placeholder[1]
            if name == "*":
                pattern.append(f"(?:{token})")
            elif name in self.vars:
                pattern.append(re.escape(self.vars[name]))
            elif name.endswith(":int"):
                pattern.append(r"(\d+)")
                names.append(name[:-4])
            else:
                pattern.append(f"({token})")
                names.append(name)
            pos = placeholder.end()
        pattern.append(re.escape(template[pos:]))
        found = re.fullmatch("".join(pattern), actual, re.S)
        if found is None:
            raise TranscriptError(f"{self._where(step)}:\n  expected {template!r}\n  received {actual!r}")
        for name, value in zip(names, found.groups(), strict=True):
            own, _, other = name.partition("!=")
            if other and self.vars.get(other) == value:
                raise TranscriptError(f"{self._where(step)}: {own} repeats {other} ({value!r})")
            self.vars[own] = value

    # --- steps ---------------------------------------------------------------------------------------

    async def run(self) -> dict[str, str]:
        try:
            for step in self.transcript.steps:
                await self._step(step)
        finally:
            for peer in self.peers.values():
                peer.writer.close()
        return self.vars

    def _peer(self, step: Step) -> _Peer:
        peer = self.peers.get(step.label)
        if peer is None:
            raise TranscriptError(f"{self._where(step)}: no open connection {step.label}")
        return peer

    async def _step(self, step: Step) -> None:
        if step.kind == "connect":
            host, _, port = self._value(step.text, step).rpartition(":")
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), self.timeout)
            self.peers[step.label] = _Peer(reader, writer)
        elif step.kind == "C":
            await self._send(step)
        elif step.kind == "S":
            await self._expect(step)
        elif step.kind == "closed":
            await self._expect_close(step)
        elif step.kind in ("drop", "close"):
            peer = self.peers.pop(step.label)
            if step.kind == "drop":
                peer.writer.transport.abort()
            else:
                peer.writer.close()
            await peer.writer.wait_closed()

    async def _send(self, step: Step) -> None:
        peer = self._peer(step)
        line = self._fill(step.text, step)
        data = b""
        if step.payload is not None:
            data = self._fill(step.payload, step).encode("latin-1")
            if line.endswith(" *"):
                line = f"{line[:-1]}{len(data)}"
        peer.writer.write(line.encode("utf-8") + b"\r\n" + data)
        await peer.writer.drain()

    async def _read(self, step: Step, reader: Callable[[], Awaitable[bytes]]) -> bytes:
        try:
            result = await asyncio.wait_for(reader(), self.timeout)
        except TimeoutError:
            raise TranscriptError(f"{self._where(step)}: nothing arrived within {self.timeout}s") from None
        except asyncio.IncompleteReadError as exc:
            raise TranscriptError(
                f"{self._where(step)}: connection closed; got {exc.partial!r}, wanted {step.text!r}"
            ) from None
        return result

    async def _expect(self, step: Step) -> None:
        peer = self._peer(step)
        raw = await self._read(step, lambda: peer.reader.readuntil(b"\r\n"))
        actual = raw[:-2].decode("utf-8", "replace")
        self._match(step.text, actual, step)
        if actual.startswith("MSG "):
            size = int(actual.rsplit(" ", 1)[1])
            payload = await self._read(step, lambda: peer.reader.readexactly(size))
            if step.payload is not None:
                self._match(step.payload, payload.decode("latin-1"), step, token=r"[^\s]+")

    async def _expect_close(self, step: Step) -> None:
        peer = self._peer(step)
        try:
            rest = await asyncio.wait_for(peer.reader.read(65536), self.timeout)
        except TimeoutError:
            raise TranscriptError(f"{self._where(step)}: the peer did not close the connection") from None
        except ConnectionResetError:
            rest = b""
        if rest:
            raise TranscriptError(f"{self._where(step)}: expected a close, received {rest!r}")
        self.peers.pop(step.label).writer.close()


async def run_transcript(transcript: Transcript, variables: dict[str, str], *,
                         timeout: float = 5.0) -> dict[str, str]:
    """Run every step; return the variables captured along the way. Raises TranscriptError."""
    return await TranscriptRunner(transcript, variables, timeout=timeout).run()
