"""One contract, every store: SQLite (one process) and PostgreSQL (the cluster).

Stores are tested as their drivers offer them (:class:`BlockingStore`); the core awaits them through
``store.threaded``, which runs these very calls on the store's worker thread. SQLite is also tested as
the server serves it (``sqlite-served``: :class:`LoopReadStore`, its cheap reads made on the event loop
through a second connection, its writes on the worker), behind the same synchronous face.

Each test opens the store through a ``Backing``, which can open further, independent handles on the same
data (another process, a restart), because that is what the semantics are about: what one handle
committed, another sees; list versions only go up, even when two writers race.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pytest

from msnqt.protocol.codes import ListName, Privacy, ReverseListPrompt
from msnqt.server.core.errors import AccountError
from msnqt.server.core.model import Account, ListChange, PrivacyFacts, Profile, UserLists
from msnqt.server.core.ports import BlockingStore
from msnqt.server.core.privacy import allows, allows_by
from msnqt.server.store import SqliteStore
from msnqt.server.store.postgres_store import PostgresStore
from msnqt.server.store.threaded import LoopReadStore

R = TypeVar("R")


class Opener(Protocol):
    def __call__(self, *, tracked: bool = True) -> BlockingStore: ...



ALICE, BOB, CAROL = "Alice@Hotmail.com", "bob@hotmail.com", "carol@hotmail.com"


class Served:
    """The SQLite store as the server serves it (:class:`LoopReadStore`), behind :class:`BlockingStore`'s
    synchronous face: each request-path call is awaited on this handle's own event loop, administration
    runs on the worker as the server runs it."""

    def __init__(self, store: SqliteStore) -> None:
        self._loop = asyncio.new_event_loop()
        self._backend = store
        self._served = LoopReadStore(store)

    def _wait(self, call: Coroutine[Any, Any, R]) -> R:
        return self._loop.run_until_complete(call)

    def create_account(self, handle: str, password: str, friendly: str, profile: Profile) -> Account:
        return self._served.blocking(self._backend.create_account, handle, password, friendly, profile)

    def remove_account(self, handle: str) -> None:
        self._served.blocking(self._backend.remove_account, handle)

    def set_password(self, handle: str, password: str) -> None:
        self._served.blocking(self._backend.set_password, handle, password)

    def accounts(self) -> list[Account]:
        return self._served.blocking(self._backend.accounts)

    def account(self, handle: str) -> Account | None:
        return self._wait(self._served.account(handle))

    def password(self, handle: str) -> str | None:
        # What a sign-in reads: the password comes with the account (one read on the loop).
        account, password = self._wait(self._served.credentials(handle))
        assert (account is None) == (password is None)
        return password

    def lists(self, handle: str) -> UserLists:
        return self._wait(self._served.lists(handle))

    def privacy_towards(self, owners: Sequence[str], viewer: str) -> list[PrivacyFacts | None]:
        return self._wait(self._served.privacy_towards(owners, viewer))

    def watchers_facts(self, owner: str) -> list[tuple[str, PrivacyFacts]]:
        return self._wait(self._served.watchers_facts(owner))

    def add_entry(self, owner: str, list_name: ListName, contact: Account, friendly: str) -> ListChange:
        return self._wait(self._served.add_entry(owner, list_name, contact, friendly))

    def remove_entry(self, owner: str, list_name: ListName, contact: str) -> ListChange:
        return self._wait(self._served.remove_entry(owner, list_name, contact))

    def set_gtc(self, owner: str, value: ReverseListPrompt) -> int:
        return self._wait(self._served.set_gtc(owner, value))

    def set_blp(self, owner: str, value: Privacy) -> int:
        return self._wait(self._served.set_blp(owner, value))

    def rename_self(self, owner: str, friendly: str) -> int:
        return self._wait(self._served.rename_self(owner, friendly))

    def rename_contact(self, owner: str, contact: str, friendly: str) -> int:
        return self._wait(self._served.rename_contact(owner, contact, friendly))

    def search(self, profile: Profile, limit: int) -> Sequence[Account]:
        return self._wait(self._served.search(profile, limit))

    def record_invitation(self, sender: str, address: str) -> None:
        self._wait(self._served.record_invitation(sender, address))

    def close(self) -> None:
        self._served.close()
        self._loop.close()


@pytest.fixture(params=["sqlite", "sqlite-served", "postgres"])
def backing(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens handles on one fresh store of the parametrised kind; closes them all afterwards."""
    opened: list[BlockingStore] = []
    if request.param == "sqlite":
        def make() -> BlockingStore:
            return SqliteStore.open(tmp_path)
    elif request.param == "sqlite-served":
        def make() -> BlockingStore:
            return Served(SqliteStore.open(tmp_path))
    else:
        dsn = request.getfixturevalue("pg_dsn")
        PostgresStore.initialise(dsn, tmp_path / "secret.key")[0].close()

        def make() -> BlockingStore:
            return PostgresStore.open(dsn, tmp_path / "secret.key")

    def open_handle(*, tracked: bool = True) -> BlockingStore:
        """A new handle; untracked ones are closed by whoever opened them (a thread, for SQLite)."""
        store = make()
        if tracked:
            opened.append(store)
        return store

    yield open_handle
    for store in opened:
        store.close()


def _community(backing: Opener) -> BlockingStore:
    store = backing()
    store.create_account(ALICE, "alicepw", "Alice Liddell", Profile("Alice", "Liddell", country="UK"))
    store.create_account(BOB, "bobpw", "Bob", Profile())
    store.create_account(CAROL, "carolpw", "Carol", Profile("Carol", "Liddell"))
    return store


def _names(store: BlockingStore, owner: str, list_name: ListName) -> list[tuple[str, str]]:
    return [(e.handle, e.friendly) for e in store.lists(owner).members(list_name)]


def test_lists_settings_and_versions_survive_reopening(backing: Opener) -> None:
    store = _community(backing)
    bob = store.account(BOB)
    assert bob is not None
    change = store.add_entry("alice@hotmail.com", ListName.FORWARD, bob, "Bobby")
    assert (change.version, change.counterpart_version) == (1, 1)
    assert store.set_blp(ALICE, Privacy.BLOCK_ALL) == 2
    assert store.set_gtc(ALICE, ReverseListPrompt.NEVER) == 3
    assert store.rename_contact(ALICE, BOB, "Robert") == 4
    store.close()

    reopened = backing()
    alice = reopened.lists("ALICE@hotmail.com")
    assert alice.version == 4
    assert (alice.blp, alice.gtc) == (Privacy.BLOCK_ALL, ReverseListPrompt.NEVER)
    assert _names(reopened, ALICE, ListName.FORWARD) == [(BOB, "Robert")]
    assert _names(reopened, BOB, ListName.REVERSE) == [(ALICE, "Alice Liddell")]
    assert reopened.lists(BOB).version == 1


def test_handles_are_case_insensitive_and_unique(backing: Opener) -> None:
    store = _community(backing)
    account = store.account("ALICE@HOTMAIL.COM")
    assert account is not None and account.handle == ALICE
    with pytest.raises(AccountError) as taken:
        store.create_account("alice@hotmail.com", "x", "x", Profile())
    assert taken.value.reason == "exists"
    assert [a.handle for a in store.accounts()] == [ALICE, BOB, CAROL]


def test_passwords_round_trip_and_change(backing: Opener) -> None:
    store = _community(backing)
    assert store.password("alice@hotmail.com") == "alicepw"
    store.set_password(ALICE, "new secret")
    assert backing().password(ALICE) == "new secret"
    assert store.password("nobody@hotmail.com") is None


def test_list_order_is_kept_and_removal_takes_both_sides(backing: Opener) -> None:
    store = _community(backing)
    bob, carol = store.account(BOB), store.account(CAROL)
    assert bob is not None and carol is not None
    store.add_entry(ALICE, ListName.FORWARD, carol, "Carol")
    store.add_entry(ALICE, ListName.FORWARD, bob, "Bob")
    store.add_entry(ALICE, ListName.ALLOW, bob, "Bob")
    assert _names(store, ALICE, ListName.FORWARD) == [(CAROL, "Carol"), (BOB, "Bob")]
    change = store.remove_entry(ALICE, ListName.FORWARD, "BOB@hotmail.com")
    assert (change.version, change.counterpart_version) == (4, 2)
    assert _names(store, BOB, ListName.REVERSE) == []
    assert _names(store, ALICE, ListName.ALLOW) == [(BOB, "Bob")]


def test_removing_an_account_takes_it_off_other_lists(backing: Opener) -> None:
    store = _community(backing)
    bob = store.account(BOB)
    assert bob is not None
    store.add_entry(ALICE, ListName.FORWARD, bob, "Bob")
    store.record_invitation(BOB, "friend@example.com")
    store.remove_account(BOB)
    assert store.lists(ALICE).members(ListName.FORWARD) == []
    assert store.lists(ALICE).version == 2
    assert store.account(BOB) is None
    with pytest.raises(AccountError):
        store.remove_account(BOB)


def test_directory_search_matches_fields_case_insensitively(backing: Opener) -> None:
    store = _community(backing)
    assert [a.handle for a in store.search(Profile("alice", "LIDDELL"), 10)] == [ALICE]
    assert [a.handle for a in store.search(Profile(lname="liddell"), 10)] == [ALICE, CAROL]
    assert [a.handle for a in store.search(Profile(lname="liddell"), 1)] == [ALICE]
    assert list(store.search(Profile("alice", "liddell", country="US"), 10)) == []


def test_changes_committed_by_another_handle_are_seen(backing: Opener) -> None:
    """An NS must not serve lists another process (the CLI, another NS) has changed since."""
    server_side = _community(backing)
    bob = server_side.account(BOB)
    assert bob is not None
    server_side.add_entry(ALICE, ListName.FORWARD, bob, "Bob")
    assert len(server_side.lists(ALICE).members(ListName.FORWARD)) == 1
    backing().remove_account(BOB)
    assert server_side.lists(ALICE).members(ListName.FORWARD) == []


def test_writes_on_an_unknown_account_change_nothing(backing: Opener) -> None:
    store = _community(backing)
    ghost = store.account(BOB)
    assert ghost is not None
    backing().remove_account(BOB)
    with pytest.raises(AccountError):
        store.add_entry(ALICE, ListName.FORWARD, ghost, "Bob")
    assert store.lists(ALICE).version == 0
    assert store.lists(ALICE).members(ListName.FORWARD) == []


def test_versions_stay_monotonic_when_two_writers_race(backing: Opener) -> None:
    """Two NS processes at once: one edits alice's FL (which writes bob's RL), the other bob's FL (which
    writes alice's RL). Every change gets its own version; none is lost; nothing deadlocks."""
    _community(backing).close()
    rounds = 15
    seen: dict[str, list[int]] = {ALICE: [], BOB: []}
    errors: list[BaseException] = []

    def churn(owner: str, other: str) -> None:
        store = backing(tracked=False)
        try:
            contact = store.account(other)
            assert contact is not None
            for _ in range(rounds):
                seen[owner].append(store.add_entry(owner, ListName.FORWARD, contact, other).version)
                seen[owner].append(store.remove_entry(owner, ListName.FORWARD, other).version)
        except BaseException as exc:  # reported below: a thread cannot fail the test itself
            errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=churn, args=(ALICE, BOB)),
               threading.Thread(target=churn, args=(BOB, ALICE))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    final = backing()
    for owner in (ALICE, BOB):
        assert seen[owner] == sorted(set(seen[owner])), f"{owner}'s versions went back or repeated"
        # Each of the owner's own changes and each RL change caused by the other one bumped it once.
        assert final.lists(owner).version == 4 * rounds


def test_privacy_towards_one_viewer_agrees_with_each_owners_lists(backing: Opener) -> None:
    """What a sign-in asks for all online contacts at once must say what each one's lists say."""
    store = _community(backing)
    dave = store.create_account("dave@hotmail.com", "davepw", "Dave", Profile())
    alice, carol = store.account(ALICE), store.account(CAROL)
    assert alice is not None and carol is not None
    store.add_entry(BOB, ListName.BLOCK, alice, "Alice")      # Bob blocks Alice
    store.add_entry(CAROL, ListName.ALLOW, alice, "Alice")    # Carol allows Alice, blocks everyone else
    store.set_blp(CAROL, Privacy.BLOCK_ALL)
    store.add_entry(CAROL, ListName.BLOCK, dave, "Dave")      # (about someone else: not about Alice)
    owners = [BOB, "CAROL@hotmail.com", "dave@hotmail.com", "nobody@hotmail.com"]
    facts = store.privacy_towards(owners, "Alice@Hotmail.com")
    assert facts[:3] == [PrivacyFacts(True, False, Privacy.ALLOW_ALL),
                         PrivacyFacts(False, True, Privacy.BLOCK_ALL),
                         PrivacyFacts(False, False, Privacy.ALLOW_ALL)]
    assert facts[3] is None
    assert [allows_by(f) for f in facts[:3]] == [allows(store.lists(o), ALICE) for o in owners[:3]]
    assert store.privacy_towards([], ALICE) == []


def test_watchers_facts_name_each_reverse_entry_with_what_the_owners_lists_say(backing: Opener) -> None:
    """What every presence change asks: who has the owner on their FL (RL order), and whether the owner's
    BL, AL and BLP let each of them see the owner, exactly as the whole lists say."""
    store = _community(backing)
    dave = store.create_account("Dave@Hotmail.com", "davepw", "Dave", Profile())
    alice, bob, carol = store.account(ALICE), store.account(BOB), store.account(CAROL)
    assert alice is not None and bob is not None and carol is not None
    assert store.watchers_facts(ALICE) == []
    for watcher in (carol, bob, dave):                           # RL order: Carol, Bob, Dave
        store.add_entry(watcher.handle, ListName.FORWARD, alice, "Alice")
    store.add_entry(ALICE, ListName.BLOCK, bob, "Bob")
    store.add_entry(ALICE, ListName.ALLOW, carol, "Carol")
    store.add_entry(ALICE, ListName.FORWARD, dave, "Dave")       # FL says nothing about privacy
    store.set_blp(ALICE, Privacy.BLOCK_ALL)
    facts = store.watchers_facts("alice@hotmail.com")
    assert facts == [(CAROL, PrivacyFacts(False, True, Privacy.BLOCK_ALL)),
                     (BOB, PrivacyFacts(True, False, Privacy.BLOCK_ALL)),
                     ("Dave@Hotmail.com", PrivacyFacts(False, False, Privacy.BLOCK_ALL))]
    assert [allows_by(f) for _, f in facts] == [allows(store.lists(ALICE), w) for w, _ in facts]
    assert [e.handle for e in store.lists(ALICE).members(ListName.REVERSE)] == [w for w, _ in facts]
    with pytest.raises(AccountError):
        store.watchers_facts("nobody@hotmail.com")
