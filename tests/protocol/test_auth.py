from __future__ import annotations

import re

from msnqt.protocol import md5_response, new_challenge, new_cookie


def test_md5_response_matches_the_reference_example() -> None:
    assert md5_response("1013928519.693957190", "alicepw") == "424977e28cde25117c5afda7500dce09"


def test_challenges_have_the_service_shape_and_do_not_repeat() -> None:
    challenges = {new_challenge() for _ in range(200)}
    assert len(challenges) == 200
    assert all(re.fullmatch(r"\d+\.\d+", c) for c in challenges)


def test_cookies_are_single_tokens_and_do_not_repeat() -> None:
    cookies = {new_cookie() for _ in range(200)}
    assert len(cookies) == 200
    assert all(c and c.isascii() and not any(ch.isspace() for ch in c) for c in cookies)
