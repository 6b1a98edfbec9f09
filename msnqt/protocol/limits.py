"""Hard limits of MSNP2 (msnp2-reference §7) and the caps that keep a peer from growing our memory."""

MAX_LINE_BYTES = 4096
"""A command line, CRLF included. The draft sets no limit; 4 KiB is far above any legal line."""

MAX_SB_PAYLOAD = 1664
"""Largest MSG payload a switchboard relays (observed 2003; the SB closes on anything larger)."""

SMALL_SB_PAYLOAD = 462
"""The Go MSNP2 server's MSG limit (msnp2-reference §8.4): the 1.0 client's 400 characters and a 62-byte
header. A client that learned a server closes on more sends at most this much per MSG there."""

MAX_NS_PAYLOAD = 8192
"""Largest MSG payload a client accepts from the NS (profile and mail notifications are small)."""

MAX_TRID = 4_294_967_295
MAX_HANDLE_BYTES = 129
MAX_FRIENDLY_BYTES = 387
"""Friendly names are limited *after* URL-encoding."""

FL_LIMIT = 150
"""Forward-list size; ADD FL beyond it is answered with 210."""

TYPING_REPEAT_SECONDS = 5.0
SB_COOKIE_LIFETIME_SECONDS = 120.0
SB_AUTH_TIMEOUT_SECONDS = 60.0

# --- what a client accepts from a server (msnqt's own caps; docs/limits.md) ----------------------------
# A server (or whoever answers on its port) must not be able to grow a client's memory without end: each
# buffer it can fill has a cap far above anything a real server sends, and going past it closes the
# connection with a clear error instead of running the machine out of memory.

MAX_LIST_ENTRIES = 10_000
"""Entries per list (FL/AL/BL/RL). MSNP2 caps FL at 150 and documents no AL/BL/RL cap; later servers
allowed FL 1,000 and Escargot AL 1,500. Ten thousand leaves room for any of them."""

MAX_EARLY_LINES = 100
"""Unsolicited lines kept while signing in (a real server sends one or two: profile and mail MSG)."""

MAX_REPLY_LINES = 1_000
"""Lines one request may collect (FND results, IRO roll call); SYN is bounded by MAX_LIST_ENTRIES."""

MAX_CONVERSATIONS = 100
"""Switchboard sessions a client keeps at once; invitations (RNG) beyond it are not answered."""

MAX_PARTICIPANTS = 100
"""People in one switchboard session as a client sees it; a session claiming more is left."""
