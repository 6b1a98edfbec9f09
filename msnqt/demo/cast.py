"""Who is in the demo: the user, the bots and one friend who is never online.

Plain hotmail.com handles, as every 1999 account was; nothing here ever leaves 127.0.0.1.
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "messenger"


@dataclass(frozen=True, slots=True)
class Person:
    handle: str
    friendly: str


USER = Person("you@hotmail.com", "Alex")
ANSWERER = Person("sarah@hotmail.com", "Sarah")
"""Answers every message, showing "is typing" first."""
MOODY = Person("mike@hotmail.com", "Mike")
"""Wanders through Away, Busy, On The Phone, offline and back."""
HOST = Person("jen@hotmail.com", "Jen")
"""Invites the user and Sarah into a three-person conversation soon after the user signs in."""
OFFLINE_FRIEND = Person("dave@hotmail.com", "Dave")
"""On the user's list but never signed in during the demo."""

BOTS = (ANSWERER, MOODY, HOST)
EVERYONE = (USER, *BOTS, OFFLINE_FRIEND)
