"""The single privacy predicate (msnp2-reference §6.5).

It decides both who sees whom (ILN/NLN/FLN) and who may call whom (CAL), so the two can never
disagree.
"""

from __future__ import annotations

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


def watchers_facts(owner: UserLists) -> list[tuple[str, PrivacyFacts]]:
    """:func:`facts_about` for every entry of the owner's RL (who may watch them), in list order.

    A status change asks this for every watcher, and a 1.0 client puts every FL contact on AL too, so
    BL and AL are read into sets once: scanning AL per watcher made one change cost O(contacts²)
    (bench/README.md, presence). A cluster's store answers the same question in one query
    (``AccountStore.watchers_facts``) instead of reading the whole lists.
    """
    blocked = {handle_key(entry.handle) for entry in owner.members(ListName.BLOCK)}
    allowed = {handle_key(entry.handle) for entry in owner.members(ListName.ALLOW)}
    result = []
    for entry in owner.members(ListName.REVERSE):
        key = handle_key(entry.handle)
        result.append((entry.handle, shared_facts(key in blocked, key in allowed, owner.blp)))
    return result


_FACTS = {(blocked, allowed, mode): PrivacyFacts(blocked, allowed, mode)
          for blocked in (False, True) for allowed in (False, True) for mode in Privacy}


def shared_facts(blocked: bool, allowed: bool, mode: Privacy) -> PrivacyFacts:
    """The one (immutable) :class:`PrivacyFacts` for these values: a fan-out to 150 watchers needs
    at most eight distinct ones, not 150 new objects."""
    return _FACTS[blocked, allowed, mode]
