"""The contact follow-up rule vn-moh-2021-12-contacts, boundary by boundary."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.contacts import (
    VN_MOH_2021_08_CONTACTS,
    due_for_test,
    quarantine_until,
    schedule,
)

EXPOSED = date(2021, 12, 20)  # day 1


def day(n: int) -> date:
    return EXPOSED + timedelta(days=n - 1)


def test_quarantine_lasts_7_days_from_the_last_exposure() -> None:
    assert quarantine_until(EXPOSED) == day(7)
    assert quarantine_until(EXPOSED, VN_MOH_2021_08_CONTACTS) == day(14)


def test_schedule_marks_test_days_and_what_was_done() -> None:
    days = schedule(EXPOSED, checked_on={day(1), day(2)}, tested_on={day(1)})
    assert [d.day_number for d in days] == [1, 2, 3, 4, 5, 6, 7]
    assert [d.on for d in days if d.test_due] == [day(1), day(7)]
    assert [d.day_number for d in days if d.checked] == [1, 2]
    assert [d.day_number for d in days if d.tested] == [1]


@pytest.mark.parametrize(
    ("tested", "today", "due"),
    [
        ([], 1, True),  # day 1: the first test is due at once
        ([1], 1, False),
        ([1], 6, False),  # nothing due between the test days
        ([1], 7, True),  # day 7: the second test
        ([1, 7], 7, False),
        ([], 6, True),  # day 1's test was missed: still due
        ([3], 6, False),  # a late first test counts for day 1
    ],
)
def test_due_for_test_on_day_1_and_day_7(tested: list[int], today: int, due: bool) -> None:
    assert due_for_test(EXPOSED, [day(n) for n in tested], day(today)) is due
