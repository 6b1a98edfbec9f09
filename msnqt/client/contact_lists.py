"""The contact lists: SYN into the cache, the list requests, and the client-side rules around them.

* ``add_contact(h)`` on FL also sends ``ADD AL h`` unless h is on BL or already on AL, as the 1.0 client
  did (msnp2-reference §3.2 ADD, §9); the server must not do it implicitly.
* GTC logic (§6.4) is client-side: ``ADD 0 RL`` from someone on neither AL nor BL gives
  ``AddedBy(needs_prompt=True)`` with GTC A; with GTC N the engine silently sends ``ADD AL``. The same
  check runs after every SYN for RL entries on neither AL nor BL (people who added us while offline).
* A contact's new name seen in presence is stored on the server (``REA``) once we are online.
"""

from __future__ import annotations

import logging

from msnqt.protocol.codes import ListName, Privacy, ReverseListPrompt
from msnqt.protocol.commands import (
    Add,
    AddRequest,
    Blp,
    BlpRequest,
    Gtc,
    GtcRequest,
    Lst,
    Rea,
    ReaRequest,
    Rem,
    RemRequest,
    Syn,
)
from msnqt.protocol.names import friendly_fits, is_valid_handle, same_handle

from . import events as ev
from .connection import Connection
from .engine_core import EngineCore
from .errors import MessengerError, ProtocolViolation, ServerError
from .model import ListCache
from .states import NsState
from .sync import MAX_SYN_REPLY_LINES, SynProgress

log = logging.getLogger("msnqt.client")


class ContactLists(EngineCore):
    """List sync and list requests of a ``Messenger``."""

    async def set_friendly_name(self, name: str) -> None:
        if not name.strip() or not friendly_fits(name):
            raise ServerError(209, "REA")
        ns = self._require_ns()
        (reply,) = await ns.request(lambda t: ReaRequest(t, self._handle, name),
                                    timeout=self._request_timeout)
        if isinstance(reply, Rea) and same_handle(reply.handle, self._handle):
            self._cache.version = reply.version
            self._friendly = reply.friendly
            self.emit(ev.MyNameChanged(reply.friendly))

    async def add_contact(self, handle: str, list_name: ListName = ListName.FORWARD,
                          friendly: str | None = None) -> None:
        """ADD; on FL also ADD AL (unless on BL or AL already), as 1.0 did. Raises ServerError."""
        if list_name is ListName.REVERSE:
            raise ValueError("the reverse list is maintained by the server")
        if not is_valid_handle(handle):
            raise ServerError(208, "ADD")
        await self._add(handle, list_name, friendly or handle)
        if list_name is ListName.FORWARD and not self._cache.has(ListName.BLOCK, handle) \
                and not self._cache.has(ListName.ALLOW, handle):
            try:
                await self._add(handle, ListName.ALLOW, friendly or handle)
            except ServerError as exc:
                if exc.code not in (215, 219):
                    raise

    async def block(self, handle: str) -> None:
        """What 1.0's "Block" did: take ``handle`` off the allow list (if there) and put it on the block
        list, so the 219 "on the opposite list" refusal never reaches the user."""
        if self._cache.has(ListName.BLOCK, handle):
            return
        if self._cache.has(ListName.ALLOW, handle):
            await self.remove_contact(handle, ListName.ALLOW)
        await self._add(handle, ListName.BLOCK, self._stored_name(handle))

    async def unblock(self, handle: str) -> None:
        """The reverse of :meth:`block`: off the block list, onto the allow list."""
        if self._cache.has(ListName.BLOCK, handle):
            await self.remove_contact(handle, ListName.BLOCK)
        if not self._cache.has(ListName.ALLOW, handle):
            await self._add(handle, ListName.ALLOW, self._stored_name(handle))

    def _stored_name(self, handle: str) -> str:
        contact = self.contact(handle)
        return contact.friendly if contact is not None else handle

    async def remove_contact(self, handle: str, list_name: ListName = ListName.FORWARD) -> None:
        if list_name is ListName.REVERSE:
            raise ValueError("the reverse list is maintained by the server")
        ns = self._require_ns()
        (reply,) = await ns.request(lambda t: RemRequest(t, list_name, handle), timeout=self._request_timeout)
        if isinstance(reply, Rem):
            self._cache.version = reply.version
            self._cache.drop(reply.list_name, reply.handle)
            self.emit(self._notification.membership(reply.handle))

    async def set_privacy(self, mode: Privacy) -> None:
        ns = self._require_ns()
        if mode == self._cache.blp:
            return
        (reply,) = await ns.request(lambda t: BlpRequest(t, mode), timeout=self._request_timeout)
        if isinstance(reply, Blp):
            self._cache.version, self._cache.blp = reply.version, reply.setting
            self.emit(ev.PrivacyChanged(self._cache.blp, self._cache.gtc))

    async def set_reverse_prompt(self, mode: ReverseListPrompt) -> None:
        ns = self._require_ns()
        if mode == self._cache.gtc:
            return
        (reply,) = await ns.request(lambda t: GtcRequest(t, mode), timeout=self._request_timeout)
        if isinstance(reply, Gtc):
            self._cache.version, self._cache.gtc = reply.version, reply.setting
            self.emit(ev.PrivacyChanged(self._cache.blp, self._cache.gtc))

    async def _add(self, handle: str, list_name: ListName, friendly: str) -> None:
        ns = self._require_ns()
        (reply,) = await ns.request(lambda t: AddRequest(t, list_name, handle, friendly),
                                    timeout=self._request_timeout)
        if isinstance(reply, Add):
            self._cache.version = reply.version
            self._cache.put(reply.list_name, reply.handle, reply.friendly)
            self.emit(self._notification.membership(reply.handle))
            if reply.list_name is ListName.FORWARD:  # the ILN that follows ADD FL may have come first
                online_name = self._presence.get(reply.handle.lower(), (None, ""))[1]
                store = self._notification.new_name_to_store(reply.handle, online_name)
                if store is not None:
                    self._store_name_later(store.handle, store.friendly)

    async def _reverse_list_check(self, handle: str, friendly: str, *,
                                  notify_only_when_prompting: bool) -> None:
        """§6.4: someone has us on their FL. Ask (GTC A), or allow silently (GTC N)."""
        needs_prompt, allow = self._notification.reverse_decision(handle)
        if allow:
            try:
                await self._add(handle, ListName.ALLOW, friendly)
            except MessengerError as exc:
                log.warning("could not allow %s: %s", handle, exc)
        if needs_prompt or not notify_only_when_prompting:
            self.emit(ev.AddedBy(handle, friendly, needs_prompt))

    async def _synchronise(self, ns: Connection) -> None:
        await self._fetch_lists(ns)
        self.emit(ev.ListsLoaded())
        self.emit(ev.PrivacyChanged(self._cache.blp, self._cache.gtc))
        for handle, friendly in list(self._cache.entries[ListName.REVERSE].items()):
            if not self._cache.has(ListName.ALLOW, handle) and not self._cache.has(ListName.BLOCK, handle):
                await self._reverse_list_check(handle, friendly, notify_only_when_prompting=True)

    async def _fetch_lists(self, ns: Connection) -> bool:
        """SYN with the cached version; the lists and settings that come back replace the cache.
        True when they came (a server that resends them every time, §8.2 D9, sends them here too)."""
        cached = self._cache.version
        self._syn_stragglers = []
        try:
            replies = await ns.request(lambda t: Syn(t, cached), timeout=self._request_timeout,
                                       done=SynProgress(cached), max_replies=MAX_SYN_REPLY_LINES)
        except BaseException:
            self._syn_stragglers = None
            raise
        syn = next((r for r in replies if isinstance(r, Syn)), None)  # E18 put LST lines first
        if syn is None:
            raise ProtocolViolation(f"no SYN in the answer to SYN: {type(replies[0]).__name__}")
        late, self._syn_stragglers = self._syn_stragglers, None
        if len(replies) > 1 or late:
            fresh = ListCache(version=syn.version, gtc=self._cache.gtc, blp=self._cache.blp)
            for line in [*replies, *(late or [])]:
                if isinstance(line, Gtc):
                    fresh.gtc = line.setting
                elif isinstance(line, Blp):
                    fresh.blp = line.setting
                elif isinstance(line, Lst) and line.handle is not None:
                    fresh.put(line.list_name, line.handle, line.friendly or line.handle)
            self._cache.version, self._cache.gtc, self._cache.blp = fresh.version, fresh.gtc, fresh.blp
            self._cache.entries = fresh.entries
            return True
        return False

    def _store_name_later(self, handle: str, friendly: str) -> None:
        """A contact's new name seen in presence goes to the server (REA) once we are online."""
        self._renames[handle] = friendly
        if self._sm.state is NsState.ONLINE:
            self._flush_renames_soon()

    def _flush_renames_soon(self) -> None:
        if self._renames and (self._rename_task is None or self._rename_task.done()):
            self._rename_task = self._spawn(self._flush_renames())

    async def _flush_renames(self) -> None:
        while self._renames and self._sm.state is NsState.ONLINE:
            handle = next(iter(self._renames))
            friendly = self._renames.pop(handle)
            try:
                ns = self._require_ns()
                (reply,) = await ns.request(lambda t, h=handle, f=friendly: ReaRequest(t, h, f),  # type: ignore[misc]
                                            timeout=self._request_timeout)
            except MessengerError as exc:
                log.info("could not store the new name of %s: %s", handle, exc)
                continue
            if isinstance(reply, Rea):
                self._cache.version = reply.version
                for name in ListName:
                    if self._cache.has(name, reply.handle):
                        self._cache.put(name, reply.handle, reply.friendly)
