"""The engine's exceptions, each with one plain-English sentence a GUI can show as is.

Why a hierarchy rather than error codes: the GUI, the CLI and the bots all need to tell "wrong password"
from "server down" from "network down" without knowing MSNP2 numbers, and each needs a sentence for the
user. ``ServerError`` keeps the numeric code for callers that care (205 "no such user" on ADD, ...).
"""

from __future__ import annotations

import ipaddress

from msnqt.protocol.codes import ErrorCode

UNAVAILABLE_CODES = frozenset({
    ErrorCode.SERVER_BUSY, ErrorCode.SERVER_UNAVAILABLE, ErrorCode.SERVER_GOING_DOWN,
    ErrorCode.NOT_ACCEPTING_NEW_USERS, ErrorCode.INTERNAL_SERVER, ErrorCode.DB_SERVER,
    602, 603, 707, 710, 711, 712, 714, 910, 912, 914, 915, 916, 918, 919, 921, 922,
})
"""Codes that mean "the service cannot take you now": the user can only try again later."""

_SERVER_ERROR_MESSAGES: dict[int, str] = {
    200: "The server did not understand a request from this program.",
    201: "The server refused a request because one of its values is not valid.",
    205: "There is no MSN Messenger account with that e-mail address.",
    206: "The e-mail address is missing its domain name.",
    207: "You are already signed in.",
    208: "That e-mail address is not valid.",
    209: "That name is not allowed. Please choose another one.",
    210: "Your contact list is full. Remove someone before adding a new contact.",
    215: "That person is already on the list.",
    216: "That person is not on the list.",
    217: "That person is not online, or is not accepting messages from you.",
    218: "That setting is already in effect.",
    219: "That person cannot be on your allow list and your block list at the same time.",
    280: "The conversation could not be started. Please try again.",
    281: "The conversation could not be started. Please try again.",
    300: "Some required information is missing.",
    301: "Too many people match your search. Please be more specific.",
    302: "You are not signed in.",
    713: "You are doing that too quickly. Please wait a moment and try again.",
    715: "The server did not expect that request right now.",
    913: "You cannot do that while you appear offline.",
}


_CONTEXT_MESSAGES: dict[tuple[str, int], str] = {
    ("CAL", 215): "That person is already in this conversation.",
    ("CAL", 216): "That person is not online, or is not accepting messages from you.",
    ("CAL", 205): "That person is not online, or is not accepting messages from you.",
    # 207 is "already signed in" after USR; Escargot sends it, bare, for an unknown address (§8.2 D14, D22)
    ("CAL", 207): "There is no MSN Messenger account with that e-mail address.",
    ("ADD", 207): "There is no MSN Messenger account with that e-mail address.",
    ("ADD", 201): "That e-mail address is not valid.",
    ("USR", 911): "The conversation could not be joined. Please try again.",
    ("ANS", 911): "The conversation could not be joined. Please try again.",
}
"""Where the same code means something else depending on the request it answers."""


_UNSUPPORTED_MESSAGES = {
    "FND": "This server has no member directory, so people cannot be searched for.",
    "URL": "This server does not offer Hotmail or MSN web pages.",
    "SND": "This server cannot send invitations by e-mail.",
}


class MessengerError(Exception):
    """Base of everything the engine raises."""

    @property
    def user_message(self) -> str:
        return "Something went wrong while talking to the MSN Messenger Service."


class AuthenticationFailed(MessengerError):
    """911: wrong password or unknown account (the server does not say which, on purpose)."""

    @property
    def user_message(self) -> str:
        return "The e-mail address or password is incorrect."


class ServerUnavailable(MessengerError):
    """600/601/604/920 and friends, or the server closed the connection during sign-in."""

    def __init__(self, code: int | None = None, detail: str = "") -> None:
        super().__init__(f"server unavailable ({code})" if code is not None
                         else detail or "server unavailable")
        self.code = code

    @property
    def user_message(self) -> str:
        return "The MSN Messenger Service is temporarily unavailable. Please try again later."


class ConnectionFailed(MessengerError):
    """The TCP connection could not be made or was lost (refused, unreachable, reset)."""

    def __init__(self, host: str, port: int, detail: str = "") -> None:
        super().__init__(f"could not connect to {host}:{port}" + (f": {detail}" if detail else ""))
        self.host = host
        self.port = port
        self.detail = detail

    @property
    def user_message(self) -> str:
        if _is_this_computer(self.host):  # the network is not the problem: nothing listens here
            return (f"Could not connect to {self.host}:{self.port}: no server is running at that address "
                    "on this computer.")
        return f"Could not connect to {self.host}:{self.port}. Check your network connection."


def _is_this_computer(host: str) -> bool:
    """A loopback address or name (no network between us and it)."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class ConnectionLost(ConnectionFailed):
    """An established connection closed under us (EOF, reset, missed keep-alive)."""

    def __init__(self, host: str, port: int, detail: str = "") -> None:
        super().__init__(host, port, detail)
        self.args = (f"connection to {host}:{port} lost" + (f": {detail}" if detail else ""),)

    @property
    def user_message(self) -> str:
        return f"The connection to {self.host}:{self.port} was lost. Check your network connection."


class PingDropped(ConnectionLost):
    """The server closed the notification connection right after our PNG (the Go server, §8.4): the
    engine signs in again without PNG; a user never sees this one."""


class ProtocolViolation(MessengerError):
    """The server sent something MSNP2 does not allow where it was sent."""

    @property
    def user_message(self) -> str:
        # not "try again later": the same server will send the same reply again
        return ("The server sent a reply this program does not understand. "
                "It may not be an MSN Messenger 1.0 (MSNP2) server.")


class ServerOverLimit(ProtocolViolation):
    """The server sent more of something than the client keeps (``protocol/limits.py``): the connection is
    closed rather than letting a broken or hostile server grow this process without end."""

    def __init__(self, what: str, limit: int) -> None:
        super().__init__(f"the server sent more than {limit} {what}")
        self.what, self.limit = what, limit

    @property
    def user_message(self) -> str:
        return (f"The server sent more {self.what} than this program accepts (at most {self.limit:,}), "
                "so the connection was closed.")


class RequestTimeout(MessengerError):
    """No (complete) reply to a request within its timeout."""

    def __init__(self, command: str = "", timeout: float = 0.0) -> None:
        super().__init__(f"no reply to {command or 'request'} within {timeout:g}s")
        self.command = command
        self.timeout = timeout

    @property
    def user_message(self) -> str:
        return "The MSN Messenger Service did not answer in time. Please try again."


class Unsupported(MessengerError):
    """A request this server never answers (Escargot: ``FND`` gets no reply at all, §8.3), found out by a
    bounded wait and then remembered (``quirks.py``); asking again would not help, so the message says so."""

    def __init__(self, command: str) -> None:
        super().__init__(f"the server does not answer {command}")
        self.command = command

    @property
    def user_message(self) -> str:
        return _UNSUPPORTED_MESSAGES.get(self.command, "This server does not offer that service.")


class ServerError(MessengerError):
    """Any other numeric reply to a request (205, 215, 217, ...)."""

    def __init__(self, code: int, command: str = "") -> None:
        super().__init__(f"server answered {code} to {command or 'a request'}")
        self.code = code
        self.command = command

    @property
    def user_message(self) -> str:
        return _CONTEXT_MESSAGES.get((self.command, self.code)) or _SERVER_ERROR_MESSAGES.get(
            self.code, f"The MSN Messenger Service reported an error ({self.code}).")


class Undelivered(MessengerError):
    """A message that did not reach anybody; ``text`` is the whole text the caller tried to send."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"message not delivered: {reason}")
        self.text = text
        self.reason = reason

    @property
    def user_message(self) -> str:
        return "The following message could not be delivered to all recipients: " + _preview(self.text)


class SignedInElsewhere(MessengerError):
    """OUT OTH: the same account signed in from another place; the engine does not reconnect."""

    @property
    def user_message(self) -> str:
        return "You have been signed out because you signed in at another location."


class InvalidServerAddress(MessengerError):
    """The server setting is not ``HOST`` or ``HOST:PORT``."""

    def __init__(self, address: str) -> None:
        super().__init__(f"not a server address (HOST:PORT): {address!r}")
        self.address = address

    @property
    def user_message(self) -> str:
        return f'"{self.address}" is not a valid server address. Use HOST or HOST:PORT.'


class NotSignedIn(MessengerError):
    """A call that needs the notification server while there is no session."""

    @property
    def user_message(self) -> str:
        return "You are not signed in to the MSN Messenger Service."


class SignInCancelled(NotSignedIn):
    """``sign_out`` was called while ``sign_in`` was still running."""

    @property
    def user_message(self) -> str:
        return "Sign-in was cancelled."


def _preview(text: str, limit: int = 80) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def error_for_code(code: int, command: str = "") -> MessengerError:
    """Map a numeric reply to the exception a GUI can phrase."""
    if code == ErrorCode.AUTHENTICATION_FAILED:
        return AuthenticationFailed(f"server answered 911 to {command or 'a request'}")
    if code in UNAVAILABLE_CODES:
        return ServerUnavailable(code)
    return ServerError(code, command)
