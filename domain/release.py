"""Release from home isolation, rule set `vn-moh-2022-release` (CLINICAL.md, "Follow-up
tests and release"): when a patient may leave isolation, computed from the tests taken.

Every boundary is data in `ReleaseRules`; a deployment (or an older case) can be judged by
another version without a code change. Days count from day 1, the local day of the first
positive test."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from domain.enums import TestKind, TestOutcome, TestSupervision


@dataclass(frozen=True)
class ReleaseRules:
    """One versioned release rule."""

    version: str
    test_from_day: int  # a qualifying negative test on or after this day ends isolation
    test_kinds: frozenset[TestKind]  # tests that qualify
    vaccinated_end_day: int  # still positive: isolation ends on this day (fully vaccinated)
    unvaccinated_end_day: int  # … or this one (others), without a further test
    fully_vaccinated_doses: int


VN_MOH_2022_RELEASE = ReleaseRules(
    version="vn-moh-2022-release",
    test_from_day=7,
    test_kinds=frozenset({TestKind.RAPID_ANTIGEN, TestKind.PCR}),
    vaccinated_end_day=10,
    unvaccinated_end_day=14,
    fully_vaccinated_doses=2,
)


@dataclass(frozen=True)
class TestFact:
    """A recorded test as the rule sees it: `taken_on` is the local day it was taken."""

    __test__ = False  # not a pytest test class

    kind: TestKind
    result: TestOutcome
    taken_on: date
    supervision: TestSupervision
    confirmed: bool  # a SELF test counts only once staff have confirmed it

    @property
    def counts(self) -> bool:
        return self.supervision is not TestSupervision.SELF or self.confirmed


@dataclass(frozen=True)
class Release:
    """Where a patient stands against the rule: the first day release may happen, the day
    from which it is due (None while a test is still needed), and the test needed."""

    started_on: date
    earliest_release_on: date
    due_on: date | None
    required_test: TestKind | None
    rule_set: str

    def day_number(self, today: date) -> int:
        """Day N of isolation (day 1: the day of the first positive test)."""
        return day_number(self.started_on, today)

    def due(self, today: date) -> bool:
        return release_due(self.due_on, today)


def day_number(started_on: date, on: date) -> int:
    """The number of day `on` (day 1: `started_on`)."""
    return (on - started_on).days + 1


def release_due(due_on: date | None, today: date) -> bool:
    """Whether release is due today (`due_on` None: a test is still needed)."""
    return due_on is not None and due_on <= today


def day(started_on: date, number: int) -> date:
    """The date of day `number` (day 1 is `started_on`)."""
    return started_on + timedelta(days=number - 1)


def release(
    started_on: date,
    tests: Sequence[TestFact],
    vaccination_doses: int,
    rules: ReleaseRules = VN_MOH_2022_RELEASE,
) -> Release:
    """Apply the rule: a counted negative qualifying test on or after day 7 makes release
    due that day; a counted positive one on or after day 7 moves the end to day 10 (fully
    vaccinated) or 14 (others), due then without a further test; otherwise a test on or
    after day 7 is needed."""
    first_test_day = day(started_on, rules.test_from_day)
    counted = [
        t for t in tests if t.counts and t.kind in rules.test_kinds and t.taken_on >= first_test_day
    ]
    negatives = sorted(t.taken_on for t in counted if t.result is TestOutcome.NEGATIVE)
    if negatives:
        return Release(started_on, negatives[0], negatives[0], None, rules.version)
    if any(t.result is TestOutcome.POSITIVE for t in counted):
        vaccinated = vaccination_doses >= rules.fully_vaccinated_doses
        end = rules.vaccinated_end_day if vaccinated else rules.unvaccinated_end_day
        return Release(started_on, day(started_on, end), day(started_on, end), None, rules.version)
    return Release(started_on, first_test_day, None, TestKind.RAPID_ANTIGEN, rules.version)
