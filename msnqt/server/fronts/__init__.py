"""Thin MSNP2 adapters (DS, NS, SB) on asyncio streams: one explicit state machine each."""
