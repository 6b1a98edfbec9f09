"""The codec's own exception types.

Everything the codec raises derives from :class:`ProtocolError`, so a connection handler can catch one
type and decide between an error reply and a clean close. :class:`FramingError` means the byte stream
itself can no longer be trusted (the decoder is poisoned and the connection must close); the other
errors concern one line and are reported inside :class:`msnqt.protocol.commands.Malformed` so the
peer can be answered and the connection can go on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .commands import Command


class ProtocolError(Exception):
    """Base of every error the codec raises or reports."""


class FramingError(ProtocolError):
    """The stream is broken; nothing after this point can be parsed.

    ``decoded`` holds the commands that the same ``feed`` call completed *before* the break, in order: a
    peer's valid message must not vanish because a later line in the same read was bad, so a consumer
    handles these and then closes.
    """

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.decoded: list[Command] = []


class LineTooLong(FramingError):
    """A command line exceeded ``MAX_LINE_BYTES`` without a line end."""


class PayloadTooLarge(FramingError):
    """A MSG announced a payload larger than the decoder's ``max_payload``."""


class BadPayloadLength(FramingError):
    """A MSG length field that is not a non-negative decimal number."""


class MalformedCommand(ProtocolError):
    """A known command with the wrong number or shape of fields."""


class InvalidTrId(MalformedCommand):
    """A TrID that is not a decimal integer in 0..4294967295."""


class InvalidHandle(MalformedCommand):
    """A handle that is longer than 129 bytes or not e-mail shaped."""


class InvalidFriendlyName(MalformedCommand):
    """A friendly name that is too long after encoding or whose %XX decoding is not valid UTF-8."""


class InvalidStatus(MalformedCommand):
    """A status code outside NLN BSY IDL BRB AWY PHN LUN HDN (FLN where it is not allowed)."""


class InvalidListName(MalformedCommand):
    """A list name outside FL AL BL RL."""


class InvalidAckMode(MalformedCommand):
    """A MSG ack mode other than U, N or A (the SB closes on it)."""


class InvalidMessage(ProtocolError):
    """A MSG payload whose MIME header block cannot be parsed."""
