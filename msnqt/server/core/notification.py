"""The notification domain: sign-in, lists, settings, presence fan-out and directory search.

Protocol-neutral: methods take and return plain values, raise :class:`Refused` with the MSNP2 code to
answer, and push :mod:`events` to other users through the :class:`Router`. Every list change is
committed by the store before the method returns, so the caller's acknowledgement is never ahead of
the disk.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from msnqt.protocol.auth import md5_response
from msnqt.protocol.codes import ErrorCode, ListName, Privacy, ReverseListPrompt, Status

from .errors import AccountError, Refused, StoreError
from .events import AddedBy, ContactOffline, ContactOnline, Event, RemovedBy, Ring, SignedOut
from .model import Account, ListEntry, Presence, Profile, UserLists, handle_key, printable_name
from .ports import AccountStore, Listener, PresenceBook, Router, SessionRef
from .privacy import allows, allows_by

View = dict[str, ContactOnline]
"""What each watcher (by handle key) currently sees of one user; absent = offline."""

HandleCheck = Callable[[str], bool]
DECOY_PASSWORD = "no account has this password"

log = logging.getLogger("msnqt.server")


def _drop(task: asyncio.Future[Any]) -> None:
    """A look-up whose answer is not needed: stopped, and its failure (if any) taken, not left for
    asyncio to log as never retrieved."""
    if not task.done():
        task.cancel()
    elif not task.cancelled():
        task.exception()


@dataclass(frozen=True, slots=True)
class InitialPresence:
    """One ILN line: a contact who is visibly online to the user."""

    status: Status
    handle: str
    friendly: str


@dataclass(frozen=True, slots=True)
class AddOutcome:
    version: int
    handle: str
    friendly: str
    initial: InitialPresence | None


class NotificationCore:
    def __init__(self, store: AccountStore, router: Router, presence: PresenceBook, *,
                 fl_limit: int, fnd_max_results: int, valid_handle: HandleCheck) -> None:
        self.store = store
        self.router = router
        self.presence = presence
        self._fl_limit = fl_limit
        self._fnd_max = fnd_max_results
        self._valid_handle = valid_handle
        self._mailboxes: dict[str, tuple[int, int]] = {}

    # --- sign-in and sign-out --------------------------------------------------------------------------

    async def verify(self, handle: str, challenge: str, response: str) -> Account | None:
        """The account if ``response`` is md5(challenge + password); None for any failure.

        An unknown account goes through the same steps (a decoy password, the same hash and
        comparison), and any response, even one that is not hex or not ASCII, is simply wrong: how
        the check ends must not tell whether the account exists.
        """
        account, password = await self.store.credentials(handle)
        expected = md5_response(challenge, DECOY_PASSWORD if password is None else password).encode()
        matches = hmac.compare_digest(expected, response.lower().encode("utf-8", "surrogateescape"))
        return account if matches and account is not None and password is not None else None

    async def sign_in(self, account: Account, listener: Listener) -> SessionRef:
        """Make ``listener`` the session for ``account``; an older session gets OUT OTH and FLN.

        The kick is a routed event (``Router.send_to``), so it reaches the older session wherever it
        lives: in this process, or on another NS of a cluster. Everything that reads the store happens
        before anything changes, so a failed read leaves the older session signed in and routed to,
        rather than half replaced. Returns the new session's name, for :meth:`sign_out`.
        """
        before = await self._view(account.handle)
        session, previous = await self.router.attach(account.handle, listener)
        if previous is not None:
            await self.presence.remove(account.handle)
            await self._publish(account.handle, before, {})
            await self.router.send_to(account.handle, previous, SignedOut("OTH"))
        await self.presence.put(Presence(account.handle, account.friendly))
        return session

    async def sign_out(self, handle: str, session: SessionRef) -> None:
        """Forget the session (if it is still the current one) and tell watchers it is gone."""
        if not await self.router.detach(handle, session):
            return
        try:
            before = await self._view(handle)
        except (StoreError, AccountError) as exc:
            # Who watches cannot be worked out (store failing, or the account was just removed), but
            # the user must not linger as an online ghost that CAL would ring forever.
            log.warning("could not tell watchers that %s signed out: %s", handle, exc)
            before = {}
        finally:
            await self.presence.remove(handle)
        await self._publish(handle, before, {})

    def shut_down(self) -> None:
        """OUT SSD to the sessions of THIS process, which is stopping; the other NS processes of a
        cluster keep theirs. Only queues lines, so it runs synchronously from the shutdown path."""
        self.router.end_local(SignedOut("SSD"))

    def mailbox(self, handle: str) -> tuple[int, int] | None:
        return self._mailboxes.get(handle_key(handle))

    def set_mailbox(self, handle: str, inbox_unread: int, folders_unread: int) -> None:
        self._mailboxes[handle_key(handle)] = (inbox_unread, folders_unread)

    # --- presence ------------------------------------------------------------------------------------

    async def _view(self, handle: str) -> View:
        """For each watcher of ``handle`` (signed in, past first CHG, has them on FL): what they see."""
        me = await self.presence.get(handle)
        if me is None or not me.visible:
            return {}
        return self._seen(me, await self._watching(handle))

    async def _watching(self, handle: str) -> list[str]:
        """The handle keys of everyone who sees ``handle`` while it is visibly online: signed in, past
        their first CHG, ``handle`` on their FL (so on its RL), and let through by its privacy."""
        allowed = [watcher for watcher, facts in await self.store.watchers_facts(handle) if allows_by(facts)]
        presences = await self.presence.get_many(allowed)
        return [handle_key(watcher) for watcher, presence in zip(allowed, presences, strict=True)
                if presence is not None and presence.status is not None]

    @staticmethod
    def _seen(me: Presence, watching: list[str]) -> View:
        if not me.visible or me.status is None:
            return {}
        seen = ContactOnline(me.handle, me.status, me.friendly)
        return dict.fromkeys(watching, seen)

    async def _republish(self, handle: str, before: View) -> None:
        """After a commit: tell watchers what changed.

        The change is durable and is about to be acknowledged, so a failed re-read here is logged
        instead of becoming a 501 that the client would take for "not done".
        """
        try:
            after = await self._view(handle)
        except (StoreError, AccountError):
            log.exception("committed a change for %s but could not notify watchers", handle)
            return
        await self._publish(handle, before, after)

    async def _publish(self, handle: str, before: View, after: View) -> None:
        """Send NLN where a watcher's view appeared or changed, FLN where it vanished (one batch)."""
        deliveries: list[tuple[str, Event]] = [(key, seen) for key, seen in after.items()
                                               if before.get(key) != seen]
        deliveries += [(key, ContactOffline(before[key].handle)) for key in before.keys() - after.keys()]
        if deliveries:
            await self.router.send_all(deliveries)

    async def set_status(self, handle: str, status: Status) -> list[InitialPresence] | None:
        """Apply CHG; on the first CHG return the ILN list (possibly empty), later None."""
        if status not in (Status.ONLINE, Status.BUSY, Status.IDLE, Status.BE_RIGHT_BACK, Status.AWAY,
                          Status.ON_THE_PHONE, Status.OUT_TO_LUNCH, Status.HIDDEN):
            raise Refused(ErrorCode.INVALID_PARAMETER)
        # A status change does not change who watches: one look at the lists and the watchers serves
        # both views (before and after). It is asked while the new status is written: across processes
        # each is a round trip (PostgreSQL; Redis), and a change then waits for the slower one only
        # (a 150-watcher cluster's p99 9 ms, against 13 ms one after the other). One task, not two:
        # asyncio.gather's two cost one process 1.07x the CPU per change. Its answer is not needed
        # (nor its failure) while the user stays out of sight.
        asking = asyncio.ensure_future(self._watching(handle))
        try:
            was = await self.presence.change_status(handle, status)
        except BaseException:
            _drop(asking)
            raise
        if was is None:
            _drop(asking)
            raise Refused(ErrorCode.NOT_LOGGED_IN)
        now = Presence(was.handle, was.friendly, status)
        try:
            if not was.visible and status is Status.HIDDEN:
                _drop(asking)
                watching: list[str] = []
            else:
                watching = await asking
            initial = await self._initial_presence(handle) if was.status is None else None
        except BaseException:
            # Nothing was said yet: undo, so a retry is the same change again (and a first CHG again,
            # with its ILN) and watchers hear of it.
            await self.presence.change_status(handle, was.status)
            raise
        await self._publish(handle, self._seen(was, watching), self._seen(now, watching))
        return initial

    async def _initial_presence(self, handle: str) -> list[InitialPresence]:
        """ILN: the FL contacts visible to ``handle``; presence for all of them in one look-up, then the
        lists (privacy) only of those who are online."""
        return await self._visible_among((await self.store.lists(handle)).members(ListName.FORWARD), handle)

    async def _visible_among(self, entries: Sequence[ListEntry], handle: str) -> list[InitialPresence]:
        """Those of ``entries`` (FL contacts of ``handle``) visibly online to ``handle``."""
        online = [other for other in await self.presence.get_many([e.handle for e in entries])
                  if other is not None and other.visible and other.status is not None]
        facts = await self.store.privacy_towards([other.handle for other in online], handle)
        return [InitialPresence(other.status, other.handle, other.friendly)
                for other, fact in zip(online, facts, strict=True)
                if other.status is not None and fact is not None and allows_by(fact)]

    async def presence_again(self, handle: str) -> list[ContactOnline | ContactOffline]:
        """All that ``handle`` should now see of its FL contacts, for a session that may have missed NLN
        and FLN (on a cluster, its NS stopped hearing its event channel for a while and events published
        meanwhile went to nobody): NLN for each contact visible to it, FLN for each other one. Nothing
        before its first CHG: that CHG brings the ILN anyway."""
        me = await self.presence.get(handle)
        if me is None or me.status is None:
            return []
        entries = (await self.store.lists(handle)).members(ListName.FORWARD)
        visible = {handle_key(i.handle): i for i in await self._visible_among(entries, handle)}
        said: list[ContactOnline | ContactOffline] = []
        for entry in entries:
            seen = visible.get(handle_key(entry.handle))
            said.append(ContactOffline(entry.handle) if seen is None
                        else ContactOnline(seen.handle, seen.status, seen.friendly))
        return said

    async def _visible_to(self, contact: str, viewer: str) -> InitialPresence | None:
        other = await self.presence.get(contact)
        if other is None or not other.visible or other.status is None:
            return None
        if not allows(await self.store.lists(contact), viewer):
            return None
        return InitialPresence(other.status, other.handle, other.friendly)

    async def _presence_of(self, handle: str) -> Presence:
        me = await self.presence.get(handle)
        if me is None:
            raise Refused(ErrorCode.NOT_LOGGED_IN)
        return me

    # --- the switchboard's view (core.switchboard.Directory) ----------------------------------------------

    async def presence_of(self, handle: str) -> Presence | None:
        return await self.presence.get(handle)

    async def account(self, handle: str) -> Account | None:
        return await self.store.account(handle)

    async def ring(self, handle: str, ring: Ring) -> bool:
        """Deliver an invitation to ``handle``'s NS session (RNG); False when nobody is signed in."""
        return await self.router.send(handle, ring)

    async def status(self, handle: str) -> Status | None:
        me = await self.presence.get(handle)
        return None if me is None else me.status

    async def friendly(self, handle: str) -> str:
        me = await self.presence.get(handle)
        if me is not None:
            return me.friendly
        account = await self.store.account(handle)
        return handle if account is None else account.friendly

    async def may_call(self, caller: str, callee: str) -> bool:
        """CAL permission: the callee is visibly online and allows the caller (same rule as presence)."""
        return (await self._visible_to(callee, caller)) is not None

    # --- lists and settings --------------------------------------------------------------------------

    async def lists(self, handle: str) -> UserLists:
        return await self.store.lists(handle)

    async def add(self, owner: str, list_name: ListName, target: str, friendly: str) -> AddOutcome:
        if list_name is ListName.REVERSE:
            raise Refused(None, close=True)
        if not self._valid_handle(target) or handle_key(target) == handle_key(owner):
            raise Refused(ErrorCode.INVALID_PARAMETER)
        if not printable_name(friendly):
            raise Refused(ErrorCode.INVALID_FRIENDLY_NAME)
        account = await self.store.account(target)
        if account is None:
            raise Refused(ErrorCode.INVALID_USER)
        lists = await self.store.lists(owner)
        if lists.contains(list_name, target):
            raise Refused(ErrorCode.ALREADY_THERE)
        opposite = {ListName.ALLOW: ListName.BLOCK, ListName.BLOCK: ListName.ALLOW}.get(list_name)
        if opposite is not None and lists.contains(opposite, target):
            raise Refused(ErrorCode.ALREADY_IN_OPPOSITE_LIST)
        if list_name is ListName.FORWARD and len(lists.members(ListName.FORWARD)) >= self._fl_limit:
            raise Refused(ErrorCode.LIST_FULL)
        before = await self._view(owner)
        try:
            change = await self.store.add_entry(owner, list_name, account, friendly)
        except AccountError:
            # Removed by `msnqt-server user remove` since the lookup above; nothing was written.
            raise Refused(ErrorCode.INVALID_USER) from None
        await self._republish(owner, before)
        initial = None
        if list_name is ListName.FORWARD:
            if change.counterpart_version is not None:
                me = await self._presence_of(owner)
                added = AddedBy(change.counterpart_version, me.handle, me.friendly)
                await self.router.send(account.handle, added)
            if (await self.status(owner)) is not None:
                initial = await self._initial_after_commit(account.handle, owner)
        return AddOutcome(change.version, account.handle, friendly, initial)

    async def _initial_after_commit(self, contact: str, viewer: str) -> InitialPresence | None:
        """The ILN after a committed ADD FL; if it cannot be read now, the next NLN will say it."""
        try:
            return await self._visible_to(contact, viewer)
        except (StoreError, AccountError):
            log.exception("added %s for %s but could not read their presence", contact, viewer)
            return None

    async def remove(self, owner: str, list_name: ListName, target: str) -> tuple[int, str]:
        if list_name is ListName.REVERSE:
            raise Refused(None, close=True)
        entry = self._entry(await self.store.lists(owner), list_name, target)
        if entry is None:
            raise Refused(ErrorCode.NOT_ON_LIST)
        before = await self._view(owner)
        change = await self.store.remove_entry(owner, list_name, entry.handle)
        await self._republish(owner, before)
        if list_name is ListName.FORWARD and change.counterpart_version is not None:
            me = await self._presence_of(owner)
            await self.router.send(entry.handle, RemovedBy(change.counterpart_version, me.handle))
        return change.version, entry.handle

    @staticmethod
    def _entry(lists: UserLists, list_name: ListName, handle: str) -> ListEntry | None:
        key = handle_key(handle)
        return next((e for e in lists.members(list_name) if handle_key(e.handle) == key), None)

    async def set_gtc(self, owner: str, value: ReverseListPrompt) -> int:
        if (await self.store.lists(owner)).gtc is value:
            raise Refused(ErrorCode.ALREADY_IN_THE_MODE)
        return await self.store.set_gtc(owner, value)

    async def set_blp(self, owner: str, value: Privacy) -> int:
        if (await self.store.lists(owner)).blp is value:
            raise Refused(ErrorCode.ALREADY_IN_THE_MODE)
        before = await self._view(owner)
        version = await self.store.set_blp(owner, value)
        await self._republish(owner, before)
        return version

    async def rename(self, owner: str, target: str, friendly: str) -> tuple[int, str]:
        """REA: rename oneself (watchers get NLN) or the stored name of a contact; 209 for a name
        with control characters (it would be stored, and shown to everyone watching)."""
        if not printable_name(friendly):
            raise Refused(ErrorCode.INVALID_FRIENDLY_NAME)
        if handle_key(target) == handle_key(owner):
            me = await self._presence_of(owner)
            before = await self._view(owner)
            version = await self.store.rename_self(owner, friendly)
            me.friendly = friendly
            await self.presence.put(me)
            await self._republish(owner, before)
            return version, me.handle
        entry = (await self.store.lists(owner)).find(target)
        if entry is None:
            raise Refused(ErrorCode.NOT_ON_LIST)
        return await self.store.rename_contact(owner, entry.handle, friendly), entry.handle

    # --- services --------------------------------------------------------------------------------------

    async def find(self, profile: Profile) -> list[Account]:
        """FND: both names are required; more than ``fnd_max_results`` hits is 301.

        City and state may only narrow a search in the US (msnp2-reference §3.2 FND, after [Y] and
        [G]), so a query naming them with any other country, or none, is 201.
        """
        if not profile.fname or not profile.lname:
            raise Refused(ErrorCode.INVALID_PARAMETER)
        if (profile.city or profile.state) and profile.country.upper() != "US":
            raise Refused(ErrorCode.INVALID_PARAMETER)
        hits = list(await self.store.search(profile, self._fnd_max + 1))
        if len(hits) > self._fnd_max:
            raise Refused(ErrorCode.TOO_MANY_RESULTS)
        return hits

    async def invite(self, sender: str, address: str) -> None:
        """SND: record the invitation; this server never sends mail."""
        if not self._valid_handle(address):
            raise Refused(ErrorCode.BAD_PARAMETERS)
        await self.store.record_invitation(sender, address)
