"""The multi-process deployment: DS, NS and SB as separate processes sharing PostgreSQL and Redis.

docs/cluster.md describes the topology. This package implements the core's ports (``core.ports``) over
Redis (routing, presence, cookies, liveness) and assembles one role per process; the core and the fronts
are the same code the one-process server runs.
"""
