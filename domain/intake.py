"""Rules for a declared positive test: what a valid declaration looks like (issue: case
intake). Pure: the caller supplies today's date and checks the commune exists."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, timedelta

from domain.clinical import symptoms_problem
from domain.enums import Sex, TestKind
from domain.text import Texts, rule

MOBILE = re.compile(r"^0[35789]\d{8}$")
INTERNATIONAL = re.compile(r"^\+84([35789]\d{8})$")
NATIONAL_ID = re.compile(r"^(\d{12}|\d{9})$")
MAX_AGE_YEARS = 120
MAX_TEST_AGE_DAYS = 14
NAME_LENGTH = (1, 100)
ADDRESS_LENGTH = (1, 300)


@dataclass(frozen=True)
class Violation:
    """One broken rule: which field, and the rule in words."""

    field: str
    rule: Texts


@dataclass(frozen=True)
class PersonReport:
    """A declared person and test, as submitted (before cleaning)."""

    idempotency_key: str
    full_name: str
    date_of_birth: date
    sex: Sex
    national_id: str | None
    phone: str
    commune_code: str
    address: str
    test_kind: TestKind
    tested_on: date
    symptoms: tuple[str, ...] = ()


def clean_text(value: str) -> str:
    """Trimmed, inner runs of white space folded, NFC-normalised (diacritics kept)."""
    return unicodedata.normalize("NFC", " ".join(value.split()))


def clean_phone(value: str) -> str | None:
    """A Vietnamese mobile number as 10 digits with a leading 0, or None if it is not one."""
    compact = re.sub(r"[\s.\-()]", "", value)
    if MOBILE.match(compact):
        return compact
    international = INTERNATIONAL.match(compact)
    return "0" + international.group(1) if international else None


def age_on(born: date, day: date) -> int:
    """Whole years between `born` and `day`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def check(report: PersonReport, *, today: date) -> tuple[PersonReport, list[Violation]]:
    """The cleaned report and every rule it breaks (empty when valid)."""
    problems: list[Violation] = []
    name = clean_text(report.full_name)
    address = clean_text(report.address)
    problems += _length("fullName", name, NAME_LENGTH)
    problems += _length("address", address, ADDRESS_LENGTH)
    phone = clean_phone(report.phone)
    if phone is None:
        problems.append(
            Violation(
                "phone", rule("must be a Vietnamese mobile number: 10 digits starting 0, or +84")
            )
        )
    national_id = clean_text(report.national_id) if report.national_id else None
    if national_id is not None and not NATIONAL_ID.match(national_id):
        problems.append(
            Violation("nationalId", rule("must be 12 digits (citizen ID) or 9 (old ID)"))
        )
    if report.date_of_birth > today:
        problems.append(Violation("dateOfBirth", rule("must not be in the future")))
    elif age_on(report.date_of_birth, today) > MAX_AGE_YEARS:
        problems.append(
            Violation("dateOfBirth", rule("age must be at most {0} years", MAX_AGE_YEARS))
        )
    if report.tested_on > today:
        problems.append(Violation("testedOn", rule("must not be in the future")))
    elif report.tested_on < today - timedelta(days=MAX_TEST_AGE_DAYS):
        problems.append(
            Violation("testedOn", rule("must be within the last {0} days", MAX_TEST_AGE_DAYS))
        )
    symptoms = symptoms_problem(report.symptoms)
    if symptoms is not None:
        problems.append(Violation("symptoms", symptoms))
    key = report.idempotency_key.strip()
    if not 1 <= len(key) <= 128:
        problems.append(Violation("idempotencyKey", rule("must be 1 to 128 characters")))
    cleaned = replace(
        report,
        idempotency_key=key,
        full_name=name,
        address=address,
        phone=phone or report.phone,
        national_id=national_id,
        commune_code=report.commune_code.strip(),
        symptoms=tuple(dict.fromkeys(report.symptoms)),
    )
    return cleaned, problems


def _length(field: str, value: str, bounds: tuple[int, int]) -> list[Violation]:
    low, high = bounds
    if low <= len(value) <= high:
        return []
    return [Violation(field, rule("must be {0} to {1} characters after trimming", low, high))]


@dataclass(frozen=True)
class Person:
    """Who a record is about, as given; None: not given (left as it is)."""

    full_name: str | None = None
    phone: str | None = None
    national_id: str | None = None
    date_of_birth: date | None = None
    address: str | None = None


def check_person(at: str, given: Person, *, today: date) -> tuple[Person, list[tuple[str, Texts]]]:
    """The given fields cleaned (a blank phone, national ID or address counts as not
    given) and every rule they break, each named `{at}.{field}`: the rules of `check`."""
    problems: list[tuple[str, Texts]] = []
    name = None if given.full_name is None else clean_text(given.full_name)
    if name is not None and not NAME_LENGTH[0] <= len(name) <= NAME_LENGTH[1]:
        problems.append((f"{at}.fullName", rule("must be 1 to 100 characters after trimming")))
    phone = None
    if given.phone is not None and given.phone.strip():
        phone = clean_phone(given.phone)
        if phone is None:
            problems.append(
                (
                    f"{at}.phone",
                    rule("must be a Vietnamese mobile number: 10 digits starting 0, or +84"),
                )
            )
    national_id = (given.national_id or "").strip() or None
    if national_id is not None and not NATIONAL_ID.match(national_id):
        problems.append((f"{at}.nationalId", rule("must be 12 digits (citizen ID) or 9 (old ID)")))
    born = given.date_of_birth
    if born is not None and born > today:
        problems.append((f"{at}.dateOfBirth", rule("must not be in the future")))
    elif born is not None and age_on(born, today) > MAX_AGE_YEARS:
        problems.append((f"{at}.dateOfBirth", rule("age must be at most {0} years", MAX_AGE_YEARS)))
    address = None if given.address is None else clean_text(given.address) or None
    if address is not None and len(address) > ADDRESS_LENGTH[1]:
        problems.append((f"{at}.address", rule("must be at most 300 characters")))
    return Person(name, phone, national_id, born, address), problems
