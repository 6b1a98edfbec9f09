"""The protocol-neutral domain: accounts, lists, privacy, presence, switchboard sessions.

Nothing here knows the wire syntax or sockets. Storage and event routing are reached through the
small protocols in :mod:`.ports`, so another deployment (PostgreSQL, Redis) is an adapter, not a
rewrite.
"""
