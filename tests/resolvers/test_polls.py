"""Subscribers of one key share one poller: values are computed once per interval."""

from __future__ import annotations

import asyncio
import time

from resolvers.polls import SharedPolls

EVERY = 0.05


class Source:
    """A value that changes when told to, counting how often it was computed."""

    def __init__(self) -> None:
        self.value = 0
        self.computed = 0

    async def __call__(self) -> int:
        self.computed += 1
        return self.value


async def test_followers_share_one_poller_and_see_only_changes() -> None:
    polls, source = SharedPolls(), Source()
    first = polls.follow("area", source, EVERY)
    second = polls.follow("area", source, EVERY)
    # when two followers start, both get the current value from one poller
    assert await anext(first) == 0
    assert await anext(second) == 0
    assert polls.running() == 1
    # when several rounds pass without a change, nothing more is sent and the value was
    # computed once per round, not once per follower (a loaded machine makes fewer rounds,
    # never more: so wait for rounds to happen, and bound them by the time that passed)
    started = time.monotonic()
    deadline = started + 10
    while source.computed < 4 and time.monotonic() < deadline:  # noqa: ASYNC110 - polling
        await asyncio.sleep(EVERY)
    rounds = (time.monotonic() - started) / EVERY
    assert 4 <= source.computed <= rounds + 2
    # when the value changes, each follower gets it once
    source.value = 1
    assert await asyncio.wait_for(anext(first), 10) == 1
    assert await asyncio.wait_for(anext(second), 10) == 1
    # when the last follower leaves, the poller stops
    await first.aclose()
    assert polls.running() == 1
    await second.aclose()
    assert polls.running() == 0
    computed = source.computed
    await asyncio.sleep(EVERY * 3)
    assert source.computed == computed


async def test_a_late_follower_gets_the_latest_value_at_once() -> None:
    polls, source = SharedPolls(), Source()
    source.value = 7
    early = polls.follow("area", source, 10)
    assert await anext(early) == 7
    late = polls.follow("area", source, 10)
    assert await asyncio.wait_for(anext(late), 10) == 7
    assert source.computed == 1
    await early.aclose()
    await late.aclose()
