"""The single privacy predicate (msnp2-reference §6.5).

It decides both who sees whom (ILN/NLN/FLN) and who may call whom (CAL), so the two can never
disagree.
"""

from __future__ import annotations

from collections.abc import Callable

from msnqt.protocol.codes import ListName, Privacy

from .model import PrivacyFacts, UserLists, handle_key


def allows(owner: UserLists, viewer: str) -> bool:
    """Whether the owner's settings let ``viewer`` see the owner and invite them to a chat."""
    return allows_by(facts_about(owner, viewer))


def facts_about(owner: UserLists, viewer: str) -> PrivacyFacts:
    """The rule's inputs, read from the owner's whole lists."""
    blocked, allowed = owner.contains(ListName.BLOCK, viewer), owner.contains(ListName.ALLOW, viewer)
    return PrivacyFacts(blocked, allowed, owner.blp)


def allows_by(facts: PrivacyFacts) -> bool:
    """:func:`allows` from the facts a store looked up for many owners at once
    (``AccountStore.privacy_towards``)."""
    return _decide(facts.blocked, facts.allowed, facts.blp)


def _decide(blocked: bool, allowed: bool, mode: Privacy) -> bool:
    """The rule itself, shared by both ways of looking the viewer up: BL wins, then AL, then BLP."""
    if blocked:
        return False
    return allowed or mode is Privacy.ALLOW_ALL


def viewer_check(owner: UserLists) -> Callable[[str], bool]:
    """:func:`allows` for many viewers of one owner: BL and AL are read into sets once.

    A status change asks this for every watcher, and a 1.0 client puts every FL contact on AL too,
    so scanning AL per watcher made one change cost O(contacts²) (bench/README.md, presence).
    """
    blocked = {handle_key(entry.handle) for entry in owner.members(ListName.BLOCK)}
    allowed = {handle_key(entry.handle) for entry in owner.members(ListName.ALLOW)}
    mode = owner.blp

    def check(viewer: str) -> bool:
        key = handle_key(viewer)
        return _decide(key in blocked, key in allowed, mode)

    return check
