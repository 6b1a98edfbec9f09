"""Benchmarks for msnqt (not part of the installed package): ``python -m bench.load`` and friends.

Speed is measured here and never asserted in tests; see bench/README.md for what each number means.
"""
