"""Demo mode: the bundled server in-process, a small cast of accounts, and bots that keep it alive.

App-level wiring below the GUI: it depends on the client engine and the server only, so ``msnqt.app``
can hand the GUI nothing but a "host:port" to sign in to.
"""

from .bots import AnsweringBot, HostBot, MoodyBot
from .cast import DEMO_PASSWORD, OFFLINE_FRIEND, USER, Person
from .timings import DemoTimings
from .world import DemoWorld, demo_world

__all__ = [
    "DEMO_PASSWORD",
    "OFFLINE_FRIEND",
    "USER",
    "AnsweringBot",
    "DemoTimings",
    "DemoWorld",
    "HostBot",
    "MoodyBot",
    "Person",
    "demo_world",
]
