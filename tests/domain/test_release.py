"""The release rule `vn-moh-2022-release`, boundary by boundary (CLINICAL.md)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.enums import TestKind, TestOutcome, TestSupervision
from domain.release import TestFact, day, release

START = date(2022, 2, 1)  # day 1
NEG, POS, INV = TestOutcome.NEGATIVE, TestOutcome.POSITIVE, TestOutcome.INVALID
STAFF, SUPERVISED, SELF = (
    TestSupervision.STAFF,
    TestSupervision.SELF_SUPERVISED,
    TestSupervision.SELF,
)


def taken(on_day: int, result: TestOutcome, supervision: TestSupervision = STAFF, *,
         confirmed: bool = False, kind: TestKind = TestKind.RAPID_ANTIGEN) -> TestFact:  # fmt: skip
    return TestFact(kind, result, day(START, on_day), supervision, confirmed)


# (tests, vaccination doses, today's day number) -> (release due, earliest release day,
# test still required)
TABLE = [
    ([], 2, 7, False, 7, True),
    ([taken(6, NEG)], 2, 7, False, 7, True),  # day 6: too early
    ([taken(7, NEG)], 2, 7, True, 7, False),  # day 7: releases that day
    ([taken(7, NEG, SUPERVISED)], 0, 7, True, 7, False),
    ([taken(7, NEG, SELF)], 2, 7, False, 7, True),  # unconfirmed self-test
    ([taken(7, NEG, SELF, confirmed=True)], 2, 7, True, 7, False),
    ([taken(7, INV)], 2, 8, False, 7, True),
    ([taken(7, POS)], 2, 9, False, 10, False),  # vaccinated: day 10
    ([taken(7, POS)], 2, 10, True, 10, False),
    ([taken(7, POS)], 1, 13, False, 14, False),  # not fully vaccinated: day 14
    ([taken(7, POS)], 1, 14, True, 14, False),
    ([taken(7, POS, SELF)], 1, 14, False, 7, True),  # an unconfirmed positive moves nothing
    ([taken(7, POS), taken(8, NEG)], 0, 8, True, 8, False),  # a later negative ends it
    ([taken(6, POS), taken(9, NEG, kind=TestKind.PCR)], 0, 9, True, 9, False),
]


@pytest.mark.parametrize(("tests", "doses", "today", "due", "earliest", "needs_test"), TABLE)
def test_release_boundaries(
    tests: list[TestFact], doses: int, today: int, due: bool, earliest: int, needs_test: bool
) -> None:
    judged = release(START, tests, doses)
    assert judged.due(day(START, today)) is due
    assert judged.earliest_release_on == day(START, earliest)
    assert (judged.required_test is not None) is needs_test
    assert judged.day_number(day(START, today)) == today
    assert judged.rule_set == "vn-moh-2022-release"


@given(
    st.lists(
        st.builds(
            taken,
            st.integers(1, 20),
            st.sampled_from(list(TestOutcome)),
            st.sampled_from(list(TestSupervision)),
            confirmed=st.booleans(),
        ),
        max_size=6,
    ),
    st.integers(0, 4),
)
def test_release_follows_the_first_counted_test_from_day_7(
    tests: list[TestFact], doses: int
) -> None:
    judged = release(START, tests, doses)
    counted = [t for t in tests if t.counts and t.taken_on >= day(START, 7)]
    negatives = sorted(t.taken_on for t in counted if t.result is NEG)
    if negatives:  # released the day of the first counted negative test
        assert judged.due_on == judged.earliest_release_on == negatives[0]
    elif any(t.result is POS for t in counted):  # day 10 or 14, no further test
        assert judged.due_on == judged.earliest_release_on
        assert judged.due_on == day(START, 10 if doses >= 2 else 14)
    else:  # a test on or after day 7 is still needed
        assert judged.due_on is None
        assert judged.required_test is TestKind.RAPID_ANTIGEN
        assert judged.earliest_release_on == day(START, 7)
