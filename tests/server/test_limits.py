"""The CAL allowance refills as the minute slides on (the transcript covers the refusal on the wire)."""

from __future__ import annotations

from msnqt.server.core.limits import SlidingWindow


def test_calls_beyond_the_limit_are_refused_until_the_window_slides() -> None:
    now = [0.0]
    window = SlidingWindow(2, 60.0, clock=lambda: now[0])
    assert [window.allow(), window.allow(), window.allow()] == [True, True, False]
    now[0] = 59.0
    assert not window.allow()  # still within the minute of the first two
    now[0] = 60.5
    # Everything from 0 s aged out; the refused attempt at 59 s still counts, so one more fits.
    assert [window.allow(), window.allow()] == [True, False]
    now[0] = 121.0
    assert window.allow()
