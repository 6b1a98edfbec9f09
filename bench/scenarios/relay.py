"""``relay``: P pairs in switchboard sessions send each other plain-text MSGs with a bounded window.

Each direction of a pair is a *lane*: the sender keeps at most ``window`` messages in flight (sent, not
yet received by the other side) and tops the window up in one write when half of it has arrived.
Messages are ``MSG t U n`` (no ACK traffic), so the server's work is one decode + one relay per message.
Send-to-receive latency is measured per message (TCP keeps a lane in order, so a FIFO of send times
suffices), and the sequence number in each body is checked so loss or reordering counts as an error.

Against ``bench.baseline`` (``--baseline``) the same bytes flow, but the pair meets with a ``PAIR key``
line instead of signing in, and the receiver sees the sender's own ``MSG t U n`` lines echoed verbatim.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import deque

from msnqt.protocol import Chg, Command, MsgRelay, MsgSend, encode, plain_text_payload
from msnqt.protocol.codes import AckMode, Status
from msnqt.protocol.commands import Channel, Sender

from ..config import LoadConfig
from ..peer import Peer, open_switchboard, sign_in
from ..recorder import Recorder
from ._common import FAILURES, bounded, need_accounts

SETUP_CONCURRENCY = 16
BODY_TEXT = "The quick brown fox jumps over the lazy dog, message number "
SEQ_DIGITS = 10
SEQ_END = b"\r\n"
"""Each body ends with a line end, so a *line* relay (the baseline) never holds a message back."""


def _body(seq: int) -> str:
    return f"{BODY_TEXT}{seq:0{SEQ_DIGITS}d}\r\n"


class Lane:
    """One direction of one pair: sender peer → receiver peer."""

    def __init__(self, sender: Peer, receiver: Peer, window: int, recorder: Recorder) -> None:
        self.sender = sender
        self.window = window
        self.recorder = recorder
        self.sent_at: deque[float] = deque()
        self.next_seq = 0
        self.expected_seq = 0
        self.running = True
        self.drained: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        receiver.on_event = self.on_event

    @property
    def in_flight(self) -> int:
        return len(self.sent_at)

    def top_up(self) -> None:
        """Send enough messages to fill the window, in one write."""
        count = self.window - len(self.sent_at)
        if count <= 0 or not self.running:
            return
        chunks = []
        for _ in range(count):
            payload = plain_text_payload(_body(self.next_seq))
            chunks.append(encode(MsgSend(self.sender.next_trid(), AckMode.UNACKNOWLEDGED, payload)))
            self.next_seq += 1
        transport = self.sender.transport
        if transport is None or transport.is_closing():
            self.recorder.error("sender connection closed")
            self.stop()
            return
        now = time.perf_counter()
        self.sent_at.extend([now] * count)
        transport.write(b"".join(chunks))

    def on_event(self, command: Command) -> None:
        kind = type(command)
        if kind is not MsgRelay and kind is not MsgSend:
            return
        payload: bytes = command.payload  # type: ignore[union-attr]
        now = time.perf_counter()
        if not self.sent_at:
            self.recorder.error("a message arrived that was never sent")
            return
        self.recorder.latencies.append(now - self.sent_at.popleft())
        self.recorder.ops += 1
        seq = int(payload[-SEQ_DIGITS - len(SEQ_END):-len(SEQ_END)])
        if seq != self.expected_seq:
            self.recorder.error(f"message {seq} arrived where {self.expected_seq} was due")
        self.expected_seq = seq + 1
        if self.running:
            if len(self.sent_at) <= self.window // 2:
                self.top_up()
        elif not self.sent_at and not self.drained.done():
            self.drained.set_result(None)

    def stop(self) -> None:
        self.running = False
        if not self.sent_at and not self.drained.done():
            self.drained.set_result(None)


async def _msnp2_pairs(config: LoadConfig, pairs: int) -> list[tuple[Peer, Peer, list[Peer]]]:
    """Sign both users of each pair in, make them visible, open a switchboard between them."""
    accounts = need_accounts(config, pairs * 2)
    result: list[tuple[Peer, Peer, list[Peer]]] = []

    async def one(index: int) -> None:
        (email_a, pass_a), (email_b, pass_b) = accounts[2 * index], accounts[2 * index + 1]
        ns_a = await sign_in(config.target, email_a, pass_a)
        ns_b = await sign_in(config.target, email_b, pass_b)
        await asyncio.gather(ns_a.request(lambda t: Chg(t, Status.ONLINE)),
                             ns_b.request(lambda t: Chg(t, Status.ONLINE)))
        sb_a, sb_b = await open_switchboard(ns_a, ns_b, email_a, email_b)
        result.append((sb_a, sb_b, [ns_a, ns_b, sb_a, sb_b]))

    await bounded(range(pairs), SETUP_CONCURRENCY, one)
    return result


async def _baseline_pairs(config: LoadConfig, pairs: int) -> list[tuple[Peer, Peer, list[Peer]]]:
    """Connect both ends of each pair to the baseline relay and introduce them with a PAIR line."""
    result: list[tuple[Peer, Peer, list[Peer]]] = []
    tag = os.urandom(4).hex()
    for index in range(pairs):
        a = await Peer.connect(config.target, Channel.SB, Sender.CLIENT)
        b = await Peer.connect(config.target, Channel.SB, Sender.CLIENT)
        for peer in (a, b):
            assert peer.transport is not None
            peer.transport.write(f"PAIR {tag}-{index}\r\n".encode())
        result.append((a, b, [a, b]))
    return result


async def run(config: LoadConfig, recorder: Recorder) -> None:
    pairs = max(1, config.clients // 2)
    recorder.params.update({"pairs": pairs, "window": config.window, "baseline": config.baseline,
                            "payload_bytes": len(plain_text_payload(_body(0)))})
    connections: list[Peer] = []
    try:
        setup = _baseline_pairs if config.baseline else _msnp2_pairs
        built = await setup(config, pairs)
        lanes: list[Lane] = []
        for a, b, owned in built:
            connections.extend(owned)
            lanes.append(Lane(a, b, config.window, recorder))
            lanes.append(Lane(b, a, config.window, recorder))
        recorder.start()
        for lane in lanes:
            lane.top_up()
        await asyncio.sleep(config.seconds)  # the lanes run on callbacks; this is the measured window
        for lane in lanes:
            lane.stop()
        try:
            await asyncio.wait_for(asyncio.gather(*(lane.drained for lane in lanes)), config.drain_timeout)
        except TimeoutError:
            lost = sum(lane.in_flight for lane in lanes)
            recorder.error(f"{lost} messages not delivered within {config.drain_timeout}s")
        recorder.stop()
    except FAILURES as exc:
        recorder.error(exc)
    finally:
        for peer in connections:
            peer.close()
