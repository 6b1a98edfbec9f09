"""Who is in the demo: the user, the bots and one friend who is never online.

Plain hotmail.com handles, as every 1999 account was; nothing here ever leaves 127.0.0.1.
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "messenger"


@dataclass(frozen=True, slots=True)
class Directory:
    """What the member directory (``FND``) knows of someone: Find a Contact searches these."""

    fname: str
    lname: str
    city: str = ""
    state: str = ""
    country: str = "US"


@dataclass(frozen=True, slots=True)
class Person:
    handle: str
    friendly: str
    directory: Directory | None = None


USER = Person("you@hotmail.com", "Alex", Directory("Alex", "Smith", "Redmond", "WA"))
ANSWERER = Person("sarah@hotmail.com", "Sarah", Directory("Sarah", "Jones", "Seattle", "WA"))
"""Answers every message, showing "is typing" first."""
MOODY = Person("mike@hotmail.com", "Mike", Directory("Mike", "Brown", "Portland", "OR"))
"""Goes through Away, Busy, On The Phone, offline and back once, slowly, then stays online."""
HOST = Person("jen@hotmail.com", "Jen", Directory("Jen", "Miller", "Vancouver", "BC", "CA"))
"""Invites the user and Sarah into a three-person conversation soon after the user signs in."""
OFFLINE_FRIEND = Person("dave@hotmail.com", "Dave", Directory("Dave", "Wilson", "Austin", "TX"))
"""On the user's list but never signed in during the demo."""

NEWCOMER = Person("erin@hotmail.com", "Erin", Directory("Erin", "Example", "Seattle", "WA"))
"""In the member directory but on nobody's list: Find a Contact ("Erin Example") finds someone new."""

BOTS = (ANSWERER, MOODY, HOST)
EVERYONE = (USER, *BOTS, OFFLINE_FRIEND)
