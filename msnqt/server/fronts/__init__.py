"""Thin MSNP2 adapters (DS, NS, SB), one asyncio.Protocol per socket: one explicit state machine each."""
