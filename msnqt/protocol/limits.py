"""Hard limits of MSNP2 (msnp2-reference §7) and the caps that keep a peer from growing our memory."""

MAX_LINE_BYTES = 4096
"""A command line, CRLF included. The draft sets no limit; 4 KiB is far above any legal line."""

MAX_SB_PAYLOAD = 1664
"""Largest MSG payload a switchboard relays (observed 2003; the SB closes on anything larger)."""

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
