"""Close contacts (F1), rule set `vn-moh-2021-12-contacts` (CLINICAL.md, "Close contacts"):
quarantine at home counted from the last exposure, tests on fixed days, a daily check.
Every number is data in `ContactRules`; earlier rules (14 days, tests on days 1, 7 and 14)
are another instance."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from domain import codes


@dataclass(frozen=True)
class ContactRules:
    version: str
    quarantine_days: int  # day 1 is the day of the last exposure
    test_days: tuple[int, ...]
    lost_after_hours: int  # without a check this long, a contact may be lost to follow-up


VN_MOH_2021_12_CONTACTS = ContactRules(
    version="vn-moh-2021-12-contacts", quarantine_days=7, test_days=(1, 7), lost_after_hours=48
)
VN_MOH_2021_08_CONTACTS = ContactRules(
    version="vn-moh-2021-08-contacts", quarantine_days=14, test_days=(1, 7, 14), lost_after_hours=48
)
RULES = {r.version: r for r in (VN_MOH_2021_12_CONTACTS, VN_MOH_2021_08_CONTACTS)}
MAX_CHAIN_DEPTH = 5  # case-to-case links each way a transmission chain may reach


@dataclass(frozen=True)
class FollowUpDay:
    """One day of a contact's quarantine: whether a test is due, and what was done."""

    day_number: int
    on: date
    test_due: bool
    checked: bool
    tested: bool


def quarantine_until(last_exposure_on: date, rules: ContactRules = VN_MOH_2021_12_CONTACTS) -> date:
    """The last day of quarantine."""
    return last_exposure_on + timedelta(days=rules.quarantine_days - 1)


def days_to_test(
    last_exposure_on: date, rules: ContactRules = VN_MOH_2021_12_CONTACTS
) -> tuple[date, ...]:
    return tuple(last_exposure_on + timedelta(days=n - 1) for n in rules.test_days)


def schedule(
    last_exposure_on: date,
    checked_on: Collection[date],
    tested_on: Collection[date],
    rules: ContactRules = VN_MOH_2021_12_CONTACTS,
) -> list[FollowUpDay]:
    """Every day of the quarantine with what was due and what was done."""
    days = []
    for number in range(1, rules.quarantine_days + 1):
        on = last_exposure_on + timedelta(days=number - 1)
        days.append(
            FollowUpDay(number, on, number in rules.test_days, on in checked_on, on in tested_on)
        )
    return days


def due_for_test(
    last_exposure_on: date,
    tested_on: Collection[date],
    today: date,
    rules: ContactRules = VN_MOH_2021_12_CONTACTS,
) -> bool:
    """A test day has come (today or earlier in the quarantine) without a test on or after it."""
    for due in days_to_test(last_exposure_on, rules):
        if due <= today and not any(t >= due for t in tested_on):
            return True
    return False


# A contact's own app account is linked with a one-time code staff give them (by phone):
LINK_CODE_LENGTH = 10  # about 49 bits
LINK_CODE_TTL = timedelta(hours=72)
MAX_FAILED_LINKS = 5  # wrong codes per citizen and window, then refused for the window
LINK_WINDOW = timedelta(minutes=10)


def new_link_code() -> str:
    """A one-time link code, grouped for reading aloud: "ABCDE-FGHJK"."""
    code = codes.new_code(LINK_CODE_LENGTH)
    return f"{code[:5]}-{code[5:]}"


def link_code_hash(code: str) -> str:
    """What is stored of a link code (as typed: spaces, dashes and case do not matter)."""
    return hashlib.sha256(codes.normalised_code(code).encode()).hexdigest()
