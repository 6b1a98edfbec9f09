"""The single privacy predicate (msnp2-reference §6.5).

It decides both who sees whom (ILN/NLN/FLN) and who may call whom (CAL), so the two can never
disagree.
"""

from __future__ import annotations

from msnqt.protocol.codes import ListName, Privacy

from .model import UserLists


def allows(owner: UserLists, viewer: str) -> bool:
    """Whether the owner's settings let ``viewer`` see the owner and invite them to a chat."""
    if owner.contains(ListName.BLOCK, viewer):
        return False
    if owner.contains(ListName.ALLOW, viewer):
        return True
    return owner.blp is Privacy.ALLOW_ALL
