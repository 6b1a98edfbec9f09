"""The contact-management calls the dialogs make, in one place: each talks to the signed-in engine and turns
a failure into one sentence (``ActionFailed``), so a dialog only decides how to show the sentence.

Kept apart from :mod:`msnqt.gui.session.state` (which owns sign-in) so that the Add a Contact wizard, the
right-click menu, the "has added you" prompt and the Privacy tab share the same behaviour.
"""

from __future__ import annotations

from typing import Any

from msnqt.gui.app.engine import DirectoryHit, Engine
from msnqt.gui.app.errors import user_message
from msnqt.gui.session.state import GuiSession
from msnqt.protocol.codes import ListName, Privacy, ReverseListPrompt

LIST_WORDS = {
    ListName.FORWARD: "My contact list",
    ListName.ALLOW: "My Allow List",
    ListName.BLOCK: "My Block List",
    ListName.REVERSE: "Has me on their contact list",
}


class ActionFailed(Exception):
    """A readable sentence for the user, plus the server's numeric code when there was one."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class ContactActions:
    def __init__(self, session: GuiSession) -> None:
        self.session = session

    def _engine(self) -> Engine:
        if self.session.messenger is None:
            raise ActionFailed("You are not signed in.")
        return self.session.messenger

    async def _run(self, fallback: str, call: Any, *args: Any) -> Any:
        try:
            return await call(*args)
        except ActionFailed:
            raise
        except Exception as exc:  # the UI boundary: the engine's own sentence, or the fallback
            code = getattr(exc, "code", None)
            raise ActionFailed(user_message(exc, fallback), code if isinstance(code, int) else None) from exc

    # --- the lists ------------------------------------------------------------------------------
    def lists_of(self, handle: str) -> frozenset[ListName]:
        engine = self.session.messenger
        contact = engine.contact(handle) if engine is not None else None
        return frozenset(contact.lists) if contact is not None else frozenset()

    def members(self, list_name: ListName) -> list[tuple[str, str]]:
        """(handle, friendly) on ``list_name``, sorted by name as the user reads them."""
        engine = self.session.messenger
        if engine is None:
            return []
        people = engine.list_members(list_name)
        ordered = sorted(people, key=lambda c: (c.friendly.casefold(), c.handle))
        return [(c.handle, c.friendly) for c in ordered]

    @property
    def server_is_local(self) -> bool:
        """True for a server on this computer (the demo, the bundled one): nothing it "sends" leaves it."""
        host = self.session.server.rsplit(":", 1)[0].strip("[]").lower()
        return host in ("localhost", "::1") or host.startswith("127.")

    @property
    def privacy(self) -> Privacy:
        engine = self.session.messenger
        return engine.privacy if engine is not None else Privacy.ALLOW_ALL

    @property
    def reverse_prompt(self) -> ReverseListPrompt:
        engine = self.session.messenger
        return engine.reverse_prompt if engine is not None else ReverseListPrompt.ASK

    # --- changes --------------------------------------------------------------------------------
    async def add(self, handle: str) -> None:
        """ADD FL (and AL, the 1.0 habit the engine keeps)."""
        await self._run("The contact could not be added.", self._engine().add_contact, handle.strip())

    async def delete(self, handle: str) -> None:
        await self._run("The contact could not be deleted.", self._engine().remove_contact, handle)

    async def block(self, handle: str) -> None:
        await self._run("The contact could not be blocked.", self._engine().block, handle)

    async def unblock(self, handle: str) -> None:
        await self._run("The contact could not be unblocked.", self._engine().unblock, handle)

    async def find(self, fname: str, lname: str, city: str, state: str, country: str) -> list[DirectoryHit]:
        fields = [v.strip() or "*" for v in (fname, lname, city, state, country)]
        hits = await self._run("The member directory could not be searched.", self._engine().find, *fields)
        return list(hits)

    async def invite(self, address: str) -> None:
        await self._run("The e-mail invitation could not be sent.", self._engine().invite_by_email,
                        address.strip())

    async def set_privacy(self, mode: Privacy) -> None:
        await self._run("Your privacy setting could not be changed.", self._engine().set_privacy, mode)

    async def set_reverse_prompt(self, mode: ReverseListPrompt) -> None:
        await self._run("Your privacy setting could not be changed.", self._engine().set_reverse_prompt, mode)

    async def rename_me(self, name: str) -> None:
        await self._run("Your name could not be changed.", self._engine().set_friendly_name, name.strip())
