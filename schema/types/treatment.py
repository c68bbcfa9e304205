"""The treatment record of a patient: clinical profile, tests, isolation and release."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from domain import release
from resolvers import rows
from resolvers.context import Context
from schema.types.area import Area, Facility, area_of, facility_of
from schema.types.enums import TestKind, TestOutcome, TestSupervision


@strawberry.type(description="A comorbidity of the patient, as recorded (e.g. tăng huyết áp).")
class Comorbidity:
    name: str = strawberry.field(description="The condition, as recorded.")

    @classmethod
    def from_model(cls, row: rows.Comorbidity) -> Comorbidity:
        return cls(**rows.values_of("Comorbidity", row))


@strawberry.type(description="A COVID-19 vaccine dose the patient received.")
class Vaccination:
    vaccine: str = strawberry.field(description="Vaccine name (e.g. AstraZeneca, Vero Cell).")
    dose_number: int = strawberry.field(description="Which dose: 1, 2, 3…")
    given_on: date | None = strawberry.field(description="When it was given, if known.")

    @classmethod
    def from_model(cls, row: rows.Vaccination) -> Vaccination:
        return cls(**rows.values_of("Vaccination", row))


@strawberry.type(description="A COVID-19 test of the patient: the first positive one, follow-ups.")
class TestResult:
    __test__ = False  # not a pytest test class

    id: strawberry.ID = strawberry.field(description="Test result id.")
    kind: TestKind = strawberry.field(description="Rapid antigen or PCR.")
    result: TestOutcome = strawberry.field(description="What the test showed.")
    taken_at: datetime = strawberry.field(description="When the sample was taken.")
    ct_value: float | None = strawberry.field(description="PCR cycle threshold, when known.")
    supervision: TestSupervision = strawberry.field(
        description=(
            "Who took it: staff, the patient under supervision, or the patient alone (counts "
            "toward release only once confirmed)."
        )
    )
    recorded_by: str = strawberry.field(description="Who recorded it (username or subject).")
    confirmed_by: str | None = strawberry.field(
        description="Staff who confirmed a self-test; null for staff and supervised tests."
    )
    confirmed_at: datetime | None = strawberry.field(description="When it was confirmed.")
    facility_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, row: rows.TestResult) -> TestResult:
        return cls(**rows.values_of("TestResult", row))

    @strawberry.field(description="The facility that took or read the test, if any.")
    def facility(self, info: strawberry.Info[Context]) -> Facility | None:
        return facility_of(info, self.facility_id)


@strawberry.type(
    description=(
        "Home isolation against the release rule (vn-moh-2022-release): day 1 is the day of "
        "the first positive test; a negative test on or after day 7 ends it, a positive one "
        "moves the end to day 10 (fully vaccinated) or 14 (others)."
    )
)
class Isolation:
    started_on: date = strawberry.field(description="Day 1: the day of the first positive test.")
    earliest_release_on: date = strawberry.field(
        description="The first day release may happen (day 7 until a test says otherwise)."
    )
    required_test: TestKind | None = strawberry.field(
        description="The test still needed before release (on or after day 7); null when none."
    )
    rule_set: str = strawberry.field(description="Version of the release rule that judged it.")
    due_on: strawberry.Private[date | None]

    @classmethod
    def from_model(cls, row: rows.Patient) -> Isolation:
        return cls(**rows.values_of("Isolation", row), due_on=row.release_due_on)

    @strawberry.field(description="Day N of isolation today (day 1: the first positive test).")
    def day_number(self, info: strawberry.Info[Context]) -> int:
        return release.day_number(self.started_on, info.context.services.today())

    @strawberry.field(description="Whether the patient may be released today.")
    def release_due(self, info: strawberry.Info[Context]) -> bool:
        return release.release_due(self.due_on, info.context.services.today())


@strawberry.input(description="A vaccine dose.")
class VaccinationInput:
    vaccine: str = strawberry.field(description="Vaccine name, 1-100 characters.")
    dose_number: int = strawberry.field(description="Which dose, 1-10.")
    given_on: date | None = strawberry.field(default=None, description="When, if known.")


@strawberry.input(description="Corrections to the clinical profile; omitted fields stay.")
class ClinicalProfileInput:
    comorbidities: list[str] | None = strawberry.field(
        default=None, description="Replaces the list (at most 20, each 1-100 characters)."
    )
    vaccinations: list[VaccinationInput] | None = strawberry.field(
        default=None, description="Replaces the list (distinct dose numbers)."
    )
    pregnant: bool | None = strawberry.field(default=None, description="Pregnant now.")
    breastfeeding: bool | None = strawberry.field(default=None, description="Breastfeeding now.")


@strawberry.input(description="A test result to record.")
class TestResultInput:
    __test__ = False  # not a pytest test class

    idempotency_key: str = strawberry.field(
        description="Client-generated key: a retry returns the same test result."
    )
    kind: TestKind = strawberry.field(description="Rapid antigen or PCR.")
    result: TestOutcome = strawberry.field(description="What it showed.")
    taken_at: datetime = strawberry.field(description="When the sample was taken (not ahead).")
    patient_id: strawberry.ID | None = strawberry.field(
        default=None, description="The patient (staff); a citizen records for themselves."
    )
    supervision: TestSupervision | None = strawberry.field(
        default=None,
        description="STAFF (default for staff) or SELF_SUPERVISED; a citizen's test is SELF.",
    )
    ct_value: float | None = strawberry.field(default=None, description="PCR Ct value, 0-50.")
    contact_id: strawberry.ID | None = strawberry.field(
        default=None, description="A close contact's test instead (staff, contact in scope)."
    )


@strawberry.type(description="Who certified recovery: the commune health station.")
class CertificateIssuer:
    name: str = strawberry.field(description="The station (e.g. Trạm Y tế Xã Tiên Thuận).")
    issuer_area_code: strawberry.Private[str]

    @classmethod
    def from_model(cls, row: rows.RecoveryCertificate) -> CertificateIssuer:
        return cls(**rows.values_of("CertificateIssuer", row))

    @strawberry.field(description="The commune it serves.")
    def area(self, info: strawberry.Info[Context]) -> Area:
        return area_of(info, self.issuer_area_code, required=True)


@strawberry.type(
    description=(
        "The recovery certificate (giấy xác nhận hoàn thành cách ly/điều trị tại nhà), issued "
        "at a RECOVERED discharge from home treatment; printable at "
        "/certificates/{number}?code={verificationCode}."
    )
)
class RecoveryCertificate:
    number: str = strawberry.field(description="Certificate number (GXN-<case code>).")
    issued_at: datetime = strawberry.field(description="When it was issued.")
    period_from: date = strawberry.field(description="First day of isolation (day 1).")
    period_to: date = strawberry.field(description="Day of release.")
    verification_code: str = strawberry.field(
        description="Code printed on the certificate; with the number, anyone can verify it."
    )
    row: strawberry.Private[rows.RecoveryCertificate]

    @classmethod
    def from_model(cls, row: rows.RecoveryCertificate) -> RecoveryCertificate:
        return cls(**rows.values_of("RecoveryCertificate", row), row=row)

    @strawberry.field(description="The commune health station that certified it.")
    def issued_by(self) -> CertificateIssuer:
        return CertificateIssuer.from_model(self.row)


@strawberry.type(
    description=(
        "What anyone may learn from a certificate's number and code: whether it is valid, "
        "and enough to match the holder's ID card (initials, birth year), nothing more."
    )
)
class CertificateCheck:
    valid: bool = strawberry.field(description="The number and code match a certificate.")
    issued_at: datetime | None = strawberry.field(description="When it was issued.")
    period_from: date | None = strawberry.field(description="First day of isolation.")
    period_to: date | None = strawberry.field(description="Day of release.")
    issued_by: str | None = strawberry.field(description="The commune health station.")
    holder_initials: str | None = strawberry.field(description="e.g. Đ.T.T.")
    holder_birth_year: int | None = strawberry.field(description="Year of birth of the holder.")
