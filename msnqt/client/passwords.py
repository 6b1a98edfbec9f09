"""Which password stores count as a keyring, and the one key msnqt keeps a password under.

Shared by the GUI's "Remember my password" and ``msnqt-cli --keyring``, so both follow one rule and find
each other's passwords. Only the operating system's own secret stores count (toolchain-notes §11): left
alone, ``keyring`` picks whatever backend is installed with the highest priority, and with
``keyrings.alt`` present that is ``PlaintextKeyring``, which writes the password base64-encoded to a file.
Anything that is not on the list below is treated as no keyring at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # keyring itself is imported on use: ``msnqt-cli --help`` and the server never load it
    import keyring.backend

SERVICE = "msnqt"

REAL_KEYRINGS = {
    "keyring.backends.SecretService.Keyring": "Secret Service",
    "keyring.backends.libsecret.Keyring": "Secret Service",
    "keyring.backends.kwallet.DBusKeyring": "KWallet",
    "keyring.backends.kwallet.DBusKeyringKWallet4": "KWallet",
    "keyring.backends.macOS.Keyring": "macOS Keychain",
    "keyring.backends.Windows.WinVaultKeyring": "Windows Credential Locker",
}
"""Backend classes (module.qualname) that keep secrets in a real, access-controlled system store."""


NO_KEYRING = ("no system keyring (such as GNOME Keyring, KWallet, the macOS Keychain or the Windows "
              "Credential Locker) is available")


def account_key(account: str) -> str:
    """The key a password is stored under: sign-in names are case-insensitive, so ``Alice@Hotmail.com``
    and ``alice@hotmail.com`` are one account and one keyring entry."""
    return account.strip().lower()


def backend_name(backend: object) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


if TYPE_CHECKING:
    Backend = keyring.backend.KeyringBackend


def system_keyring(ring: Backend | None = None) -> Backend | None:
    """The real system keyring among what ``keyring`` chose (``ring``, default ``keyring.get_keyring()``),
    or None. A chainer (several backends at once) counts only through its best real member, so a password
    can never fall through to a plain-text store behind it."""
    import keyring

    ring = keyring.get_keyring() if ring is None else ring
    candidates = getattr(ring, "backends", None) if backend_name(ring).endswith(".ChainerBackend") else [ring]
    for candidate in candidates or ():
        if backend_name(candidate) in REAL_KEYRINGS:
            return candidate
    return None


def why_not_a_keyring(ring: Backend | None = None) -> str:
    """One sentence for a user: why passwords cannot be remembered with what ``keyring`` chose."""
    import keyring

    ring = keyring.get_keyring() if ring is None else ring
    if backend_name(ring).startswith(("keyring.backends.fail.", "keyring.backends.null.",
                                      "keyring.backends.chainer.")):
        return NO_KEYRING
    return f"{NO_KEYRING}; {type(ring).__name__} is not a secure keyring and is not used"
