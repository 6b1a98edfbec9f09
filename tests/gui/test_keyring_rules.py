"""Which password stores count as a keyring, and the one key the GUI and ``msnqt-cli --keyring`` share.

keyrings.alt's PlaintextKeyring is the real thing here (installed for the tests): with it importable,
``keyring`` picks it as the default on a machine without a Secret Service, and it would write the password
base64-encoded to ``$XDG_DATA_HOME/python_keyring`` (toolchain-notes §11).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest

from msnqt.client import passwords
from msnqt.client.cli import main as cli_main
from msnqt.gui.app.credentials import CredentialError, KeyringCredentials
from tests.support.fakeserver import unused_port
from tests.support.keyrings import MemoryKeyring
from tests.support.qt import wait_until


@pytest.fixture
def keyring_backend() -> Iterator[Any]:
    """Whatever a test sets with ``keyring.set_keyring`` is undone afterwards."""
    previous = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(previous)


@pytest.fixture
def plaintext_keyring(keyring_backend: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """keyrings.alt's PlaintextKeyring as keyring's choice, writing under a throw-away XDG_DATA_HOME."""
    from keyrings.alt.file import PlaintextKeyring

    data = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    keyring_backend(PlaintextKeyring())
    return data


def test_a_plain_text_store_disables_remembering_and_stores_nothing(
        gui_app: Any, qloop: Any, plaintext_keyring: Path) -> None:
    store = KeyringCredentials()

    async def scenario() -> None:
        availability = await store.availability()
        assert not availability.usable
        assert "PlaintextKeyring is not a secure keyring" in availability.reason
        with pytest.raises(CredentialError):
            await store.save("alice@hotmail.com", "s3cret")
        assert await store.load("alice@hotmail.com") is None
        await store.forget("alice@hotmail.com")

    qloop.run(scenario())
    written = [p for p in plaintext_keyring.rglob("*") if p.is_file()] if plaintext_keyring.exists() else []
    assert written == []


def test_the_log_on_dialog_says_why_the_box_is_disabled(
        gui_app: Any, qloop: Any, settings: Any, plaintext_keyring: Path) -> None:
    from tests.gui.test_widgets_fake_engine import make_window

    window, _ = make_window(settings, credentials=KeyringCredentials())

    async def scenario() -> None:
        window.sign_in_link.linkActivated.emit("sign-in")
        await wait_until(lambda: window.logon_dialog is not None and window.logon_dialog.isVisible())

    qloop.run(scenario())
    dialog = window.logon_dialog
    assert dialog is not None
    assert not dialog.remember_check.isEnabled()
    assert "not a secure keyring" in dialog.remember_check.toolTip()
    dialog.reject()


def test_the_cli_refuses_a_plain_text_store_even_when_it_holds_the_password(plaintext_keyring: Path) -> None:
    from keyrings.alt.file import PlaintextKeyring

    PlaintextKeyring().set_password(passwords.SERVICE, "alice@hotmail.com", "s3cret")  # as another tool did
    err = io.StringIO()
    code = cli_main(["--server", f"127.0.0.1:{unused_port()}", "--user", "alice@hotmail.com", "--keyring",
                     "status"], stdin=io.StringIO(""), stdout=io.StringIO(), stderr=err)
    assert code == 1
    assert err.getvalue().count("\n") == 1
    assert "not a secure keyring" in err.getvalue()


def test_the_cli_finds_the_password_the_gui_remembered_whatever_the_case(
        gui_app: Any, qloop: Any, keyring_backend: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ring = MemoryKeyring()  # stands in for the Secret Service: this machine has none
    monkeypatch.setitem(passwords.REAL_KEYRINGS, passwords.backend_name(ring), "test keyring")
    keyring_backend(ring)
    qloop.run(KeyringCredentials().save("Alice@Hotmail.com", "s3cret"))

    err = io.StringIO()
    code = cli_main(["--server", f"127.0.0.1:{unused_port()}", "--user", "ALICE@hotmail.COM", "--keyring",
                     "--timeout", "5", "status"], stdin=io.StringIO(""), stdout=io.StringIO(), stderr=err)
    # The password was found (no "no password" complaint); only then does it try the (closed) port.
    assert code == 1, err.getvalue()
    assert "no password" not in err.getvalue() and "keyring" not in err.getvalue()
    assert ring.data == {(passwords.SERVICE, "alice@hotmail.com"): "s3cret"}
