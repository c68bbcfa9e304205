"""A token is verified once, then recognised until it expires, never after."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from auth.tokens import InvalidToken, TokenClaims, TokenVerifier, mint_token
from domain.enums import Role

SECRET = "cache-test-secret-" + "c" * 40


def test_a_remembered_token_still_expires() -> None:
    verifier = TokenVerifier(algorithms=("HS256",), secret=SECRET, leeway_seconds=0)
    token, _ = mint_token(
        TokenClaims("nurse", Role.HEALTH_STAFF, "712"), secret=SECRET, ttl=timedelta(seconds=1)
    )
    # given a token verified once (and so remembered)
    first = verifier.verify(token)
    assert verifier.verify(token) is first
    # when its expiry passes, then it is refused although it was remembered
    time.sleep(1.2)
    with pytest.raises(InvalidToken, match="expired"):
        verifier.verify(token)


def test_a_forged_twin_is_not_taken_for_a_remembered_token() -> None:
    verifier = TokenVerifier(algorithms=("HS256",), secret=SECRET)
    token, _ = mint_token(
        TokenClaims("nurse", Role.HEALTH_STAFF, "712"), secret=SECRET, ttl=timedelta(hours=1)
    )
    verifier.verify(token)
    # the same header and claims signed with another key is another string: checked afresh
    forged, _ = mint_token(
        TokenClaims("nurse", Role.HEALTH_STAFF, "712"), secret="x" * 48, ttl=timedelta(hours=1)
    )
    with pytest.raises(InvalidToken):
        verifier.verify(forged)
