"""``msnqt-cli``: sign in from a script, print contacts, send one message, chat, or listen.

    msnqt-cli --server HOST:PORT --user EMAIL status
    msnqt-cli --server HOST:PORT --user EMAIL send TO TEXT
    msnqt-cli --server HOST:PORT --user EMAIL chat TO [TO...]
    msnqt-cli --server HOST:PORT --user EMAIL listen [--seconds N] [--retries N]

The password is read from the first line of stdin, or with ``--keyring`` from the OS keyring (service
"msnqt"); never from the command line, where other users could read it in the process list.

Output, one line each, flushed at once: ``status`` prints ``EMAIL<TAB>STATUS<TAB>FRIENDLY NAME`` per
contact; ``listen`` prints ``FROM<TAB>TEXT`` per message, ``+ EMAIL`` when someone joins a conversation
with you, ``- EMAIL`` when they leave it, and ``* EMAIL<TAB>STATUS`` per presence change (starting with the
contacts already online when it signs in). ``chat`` sends every further line of stdin (after the password)
as one message to one conversation with the TOs, prints the fate of each line in order, as
``delivered<TAB>TEXT`` or ``undelivered<TAB>REASON<TAB>TEXT`` (REASON as ``Undelivered.reason``: nak,
left, not_online, no_answer, connection_lost, ...), prints messages, joins and leaves as ``listen`` does,
and at the end of stdin leaves the conversation and signs out; it exits 1 if any line was not delivered.
Blank lines are not sent. A lost connection is re-made up to ``--retries`` times by
``listen``; when that fails, it ends with exit status 1 and one line on stderr.
STATUS is the MSNP2 code (NLN BSY IDL BRB AWY PHN LUN, FLN = offline). ``status`` signs in as Appear
Offline (HDN) so that checking the list does not announce you to your contacts.

In every field (names and message text alike) a backslash is written ``\\\\``, a line break ``\\n``, a
tab ``\\t`` and any other control or bidi character ``\\xHH``/``\\uHHHH`` (``terminal.py``): one message
is always one line, and no name can forge a line, shift a column or send the terminal a control sequence.

Exit status: 0 on success, 1 on a failure (one line on stderr, e.g. wrong password, message not
delivered), 2 on bad usage.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import NoReturn, TextIO

from msnqt.protocol.codes import Status
from msnqt.protocol.names import is_valid_handle

from . import events as ev
from .conversation import Conversation, refusal_reason
from .errors import MessengerError, Undelivered
from .login import parse_server_address
from .messenger import Messenger
from .passwords import SERVICE as KEYRING_SERVICE
from .terminal import terminal_text

PROG = "msnqt-cli"


class UsageError(Exception):
    """Bad command line: reported in one line, exit status 2."""


class CliFailure(Exception):
    """A failure that is already phrased for the user: one line, exit status 1."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Scriptable MSN Messenger (MSNP2) client. "
                    "The password is read from stdin, or from the OS keyring with --keyring.",
        epilog="output (tab-separated, one line each):\n"
               "  status   EMAIL STATUS FRIENDLY-NAME\n"
               "           (STATUS: NLN BSY IDL BRB AWY PHN LUN, FLN = offline)\n"
               "  chat     delivered TEXT  or  undelivered REASON TEXT  per line of stdin,\n"
               "           in order; messages, joins and leaves as listen prints them\n"
               "  listen   FROM TEXT  per message\n"
               "           + EMAIL  joined a conversation,  - EMAIL  left it\n"
               "           * EMAIL STATUS  per presence change\n"
               "  (in every field \\ is written \\\\, a line break \\n, a tab \\t and\n"
               "   other control characters \\xHH or \\uHHHH)\n"
               "exit status: 0 ok, 1 failure (one line on stderr) or a chat line not delivered,\n"
               "2 bad usage")
    parser.add_argument("--server", required=True, metavar="HOST:PORT",
                        help="dispatch server (or a notification server that answers directly)")
    parser.add_argument("--user", required=True, metavar="EMAIL", help="your sign-in name")
    parser.add_argument("--keyring", action="store_true",
                        help=f'take the password from the OS keyring (service "{KEYRING_SERVICE}")')
    parser.add_argument("--timeout", type=float, default=15.0, metavar="SECONDS",
                        help="how long to wait for each server reply (default 15)")
    parser.add_argument("--debug", action="store_true",
                        help="log the protocol trace (passwords redacted) to stderr and the log file "
                             "(~/.local/state/msnqt/msnqt-cli.log)")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     parser_class=_Parser)
    commands.add_parser("status", help="print each contact: EMAIL<TAB>STATUS<TAB>FRIENDLY NAME")
    send = commands.add_parser("send", help="send one message; exit 1 if it was not delivered")
    send.add_argument("to", metavar="TO")
    send.add_argument("text", metavar="TEXT")
    chat = commands.add_parser(
        "chat", help="send each further line of stdin as a message to TO; print each one's fate")
    chat.add_argument("to", metavar="TO", nargs="+", help="who to talk to (all in one conversation)")
    listen = commands.add_parser("listen", help="print messages and presence changes as they come")
    listen.add_argument("--seconds", type=float, default=None, metavar="N",
                        help="stop after N seconds (default: until interrupted)")
    listen.add_argument("--retries", type=int, default=5, metavar="N",
                        help="reconnect at most N times after a lost connection (2, 4, 8, ... s apart), "
                             "then fail with exit status 1 (default 5)")
    return parser


def main(argv: list[str] | None = None, *, stdin: TextIO | None = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr
    _quiet_engine_logs()
    try:
        args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
        _check_usage(args)
        source = stdin or sys.stdin
        password = _password(args, source)
        return asyncio.run(_run(args, password, out, source))
    except UsageError as exc:
        _say(err, f"{PROG}: {exc} (see {PROG} --help)")
        return 2
    except CliFailure as exc:
        _say(err, f"{PROG}: {exc}")
        return 1
    except MessengerError as exc:
        _say(err, f"{PROG}: {exc.user_message}")
        return 1
    except KeyboardInterrupt:
        return 130


def _quiet_engine_logs() -> None:
    """The engine's warnings are for a log, not for a script's stderr, which gets one line per failure.

    Without a handler, Python prints WARNING records to stderr ("last resort"), and whether one is logged
    can depend on timing (a lost connection seen online or during sign-in). Records still propagate to any
    handler the host application installed."""
    engine = logging.getLogger("msnqt")
    if not any(isinstance(handler, logging.NullHandler) for handler in engine.handlers):
        engine.addHandler(logging.NullHandler())


def _check_usage(args: argparse.Namespace) -> None:
    try:
        parse_server_address(args.server)
    except MessengerError as exc:
        raise UsageError(str(exc)) from None
    if not is_valid_handle(args.user):
        raise UsageError(f"not an e-mail address: {args.user!r}")
    recipients = [args.to] if args.command == "send" else args.to if args.command == "chat" else []
    for handle in recipients:
        if not is_valid_handle(handle):
            raise UsageError(f"not an e-mail address: {handle!r}")
    if args.timeout <= 0 or (args.command == "listen" and args.seconds is not None and args.seconds < 0):
        raise UsageError("times must be positive")
    if args.command == "listen" and args.retries < 0:
        raise UsageError("--retries must be 0 or more")


def _password(args: argparse.Namespace, stdin: TextIO) -> str:
    if args.keyring:
        from .passwords import account_key, system_keyring, why_not_a_keyring

        try:
            ring = system_keyring()
            if ring is None:
                raise CliFailure(f"cannot use --keyring: {why_not_a_keyring()}")
            # The key the GUI's "Remember my password" uses: one entry per account, whatever the case.
            password = ring.get_password(KEYRING_SERVICE, account_key(args.user))
        except CliFailure:
            raise
        except Exception as exc:  # keyring backends raise many kinds of errors
            raise CliFailure(f"the OS keyring is not available ({type(exc).__name__})") from None
        if not password:
            raise CliFailure(f"no password for {args.user} in the OS keyring")
        return str(password)
    if _is_terminal(stdin):  # typed by a person: do not echo it
        import getpass

        try:
            password = getpass.getpass(f"Password for {args.user}: ")
        except EOFError:
            password = ""
    else:
        password = stdin.readline().rstrip("\r\n")
    if not password:
        raise CliFailure("no password: write it as the first line on standard input, or use --keyring")
    return password


async def _run(args: argparse.Namespace, password: str, out: TextIO, stdin: TextIO) -> int:
    status = Status.HIDDEN if args.command == "status" else Status.ONLINE
    retries = args.retries if args.command == "listen" else 0
    messenger = Messenger(args.server, request_timeout=args.timeout, auto_reconnect=retries > 0,
                          max_reconnect_attempts=retries)
    listener = _Listener(messenger, out) if args.command == "listen" else None
    chat = _Chat(messenger, args.to, out) if args.command == "chat" else None
    await messenger.sign_in(args.user, password, status=status)
    try:
        if args.command == "status":
            for contact in messenger.contacts():
                _say(out, contact.handle, contact.status.value, contact.friendly)
            return 0
        if args.command == "send":
            return await _send(messenger, args.to, args.text)
        if chat is not None:
            return await chat.run(stdin)
        assert listener is not None
        return await listener.run(args.seconds)
    finally:
        await messenger.sign_out()


async def _send(messenger: Messenger, to: str, text: str) -> int:
    try:
        conversation = await messenger.start_conversation(to)
    except MessengerError as exc:
        raise CliFailure(f"could not reach {to}: {exc.user_message}") from None
    try:
        await conversation.send_text(text)
    except Undelivered as exc:
        raise CliFailure(f"message to {to} was not delivered ({exc.reason})") from None
    return 0


class _Listener:
    """Prints messages and presence changes. Subscribed *before* sign-in, so the contacts already
    online at sign-in are printed too (as changes from offline) and no change can slip through."""

    def __init__(self, messenger: Messenger, out: TextIO) -> None:
        self._messenger = messenger
        self._out = out
        self._stop = asyncio.Event()
        self._failure: list[str] = []
        self._last_status: dict[str, Status] = {}
        self._unsubscribe = messenger.subscribe(self._on_event)

    def _on_event(self, event: ev.Event) -> None:
        if _print_conversation_event(self._out, event):
            return
        match event:
            case ev.ContactChanged(contact=contact):
                key = contact.handle.lower()
                if self._last_status.get(key, Status.OFFLINE) != contact.status:
                    self._last_status[key] = contact.status
                    if self._messenger.signed_in or contact.status is not Status.OFFLINE:
                        # (not the "everyone offline" of a lost connection that is being re-made)
                        _say(self._out, f"* {contact.handle}", contact.status.value)
            case ev.SignedOut(reason=reason) if reason != "user":
                self._failure.append(_signed_out_because(reason))
                self._stop.set()
            case _:
                pass

    async def run(self, seconds: float | None) -> int:
        try:
            with _on_stop_signals(self._stop.set), contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), seconds)
        finally:
            self._unsubscribe()
        if self._failure:
            raise CliFailure(self._failure[0])
        return 0


@contextlib.contextmanager
def _on_stop_signals(stop: Callable[[], object]) -> Iterator[None]:
    """SIGINT and SIGTERM end a long-running command the way EOF or ``--seconds`` does (sign out, exit
    code as usual) instead of a traceback; where the loop cannot take signal handlers, the defaults stay."""
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, stop)
        loop.add_signal_handler(signal.SIGTERM, stop)
    try:
        yield
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)
            loop.remove_signal_handler(signal.SIGTERM)


class _Chat:
    """One conversation driven by stdin: each line is a message, and its fate is printed in order.

    Lines are sent as they come (the engine keeps their wire order and judges each in its own delivery
    window), and the fates are printed in the order of the lines. Subscribed before sign-in, like the
    listener, so nothing said to us is missed.
    """

    def __init__(self, messenger: Messenger, recipients: list[str], out: TextIO) -> None:
        self._messenger = messenger
        self._recipients = recipients
        self._out = out
        self._conversation: Conversation | None = None
        self._opening = asyncio.Lock()
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        self._failure: list[str] = []
        self._unsubscribe = messenger.subscribe(self._on_event)

    def _on_event(self, event: ev.Event) -> None:
        if _print_conversation_event(self._out, event):
            return
        if isinstance(event, ev.SignedOut) and event.reason != "user":
            self._failure.append(_signed_out_because(event.reason))
            self._lines.put_nowait(None)

    async def run(self, stdin: TextIO) -> int:
        loop = asyncio.get_running_loop()
        # a thread, as stdin may be a terminal, a pipe or a file; daemon, so a read still blocked at the
        # end (signed out elsewhere) does not keep the process alive
        threading.Thread(target=_read_lines, args=(stdin, loop, self._lines), daemon=True,
                         name="msnqt-cli-stdin").start()
        try:
            with _on_stop_signals(lambda: self._lines.put_nowait(None)):
                with contextlib.suppress(MessengerError):  # an unreachable TO is reported per line
                    await self._open()
                fates: asyncio.Queue[asyncio.Task[tuple[list[str], bool]] | None] = asyncio.Queue()
                printing = asyncio.ensure_future(self._print_fates(fates))
                while (line := await self._lines.get()) is not None:
                    if line.strip():
                        fates.put_nowait(asyncio.ensure_future(self._send(line)))
                fates.put_nowait(None)
                all_delivered = await printing
                if self._conversation is not None:
                    await self._conversation.leave()
        finally:
            self._unsubscribe()
        if self._failure:
            raise CliFailure(self._failure[0])
        return 0 if all_delivered else 1

    async def _open(self) -> Conversation:
        """The conversation with the recipients, started (and everyone invited) on first use."""
        async with self._opening:
            if self._conversation is not None:
                return self._conversation
            refusal: MessengerError | None = None
            for first in self._recipients:
                try:
                    conversation = await self._messenger.start_conversation(first)
                except MessengerError as exc:
                    refusal = refusal or exc
                    continue
                self._conversation = conversation
                for other in self._recipients:
                    if other != first:
                        with contextlib.suppress(MessengerError):  # called again when the SB re-opens
                            await conversation.invite(other)
                return conversation
            assert refusal is not None
            raise refusal

    async def _send(self, line: str) -> tuple[list[str], bool]:
        """Send one line; its fate as the fields to print, and whether it was delivered."""
        try:
            conversation = await self._open()
            await conversation.send_text(line)
        except Undelivered as exc:
            return ["undelivered", exc.reason, line], False
        except MessengerError as exc:  # nobody could be called, or we were signed out
            return ["undelivered", refusal_reason(exc), line], False
        return ["delivered", line], True

    async def _print_fates(self, fates: asyncio.Queue[asyncio.Task[tuple[list[str], bool]] | None]) -> bool:
        all_delivered = True
        while (sending := await fates.get()) is not None:
            fate, delivered = await sending
            _say(self._out, *fate)
            all_delivered = all_delivered and delivered
        return all_delivered


def _read_lines(stdin: TextIO, loop: asyncio.AbstractEventLoop, lines: asyncio.Queue[str | None]) -> None:
    """In a thread: hand each line of ``stdin`` to the loop, then None at the end."""
    try:
        for line in iter(stdin.readline, ""):
            loop.call_soon_threadsafe(lines.put_nowait, line.rstrip("\r\n"))
        loop.call_soon_threadsafe(lines.put_nowait, None)
    except RuntimeError:
        pass  # the loop is gone: the chat ended first (signed out elsewhere)
    except (OSError, ValueError, UnicodeDecodeError):  # unreadable or closed stdin: its end
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(lines.put_nowait, None)


def _print_conversation_event(out: TextIO, event: ev.Event) -> bool:
    """Print a message, a join or a leave (as ``listen`` and ``chat`` show them); False for anything else."""
    match event:
        case ev.MessageReceived(sender=sender, text=text):
            _say(out, sender, text)
        case ev.ParticipantJoined(handle=handle):
            _say(out, f"+ {handle}")
        case ev.ParticipantLeft(handle=handle):
            _say(out, f"- {handle}")
        case _:
            return False
    return True


def _signed_out_because(reason: str) -> str:
    return "signed out: " + {"elsewhere": "you signed in at another location",
                             "shutdown": "the server is shutting down"}.get(reason, "the connection was lost")


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _say(stream: TextIO, *fields: str) -> None:
    """Write one line: the fields, each made terminal-safe, separated by tabs. Every output goes here."""
    line = "\t".join(terminal_text(field) for field in fields)
    try:
        stream.write(line + "\n")
        stream.flush()
    except (BrokenPipeError, ValueError):
        pass
