"""Declarations of positive tests, and the inputs that create them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.intake import PersonReport
from resolvers import rows
from resolvers.context import Context
from schema.permissions import personal
from schema.types.area import Area, area_of
from schema.types.enums import DeclarationKind, DeclarationStatus, Sex, TestKind
from schema.types.patient import Patient

if TYPE_CHECKING:
    from schema.types.epidemiology import Contact


@strawberry.type(description="A positive test declared by a citizen or a screening hospital.")
class Declaration:
    id: strawberry.ID = strawberry.field(description="Declaration id.")
    kind: DeclarationKind = strawberry.field(description="Who declared it.")
    status: DeclarationStatus = strawberry.field(description="Review state.")
    test_kind: TestKind = strawberry.field(description="Kind of test.")
    tested_on: date = strawberry.field(description="Day of the positive test.")
    full_name: str | None = strawberry.field(
        description="Full name (personal data).", extensions=personal("declaration")
    )
    date_of_birth: date | None = strawberry.field(
        description="Date of birth (personal data).", extensions=personal("declaration")
    )
    sex: Sex = strawberry.field(description="Sex.")
    phone: str | None = strawberry.field(
        description="Mobile phone, as 10 digits (personal data).",
        extensions=personal("declaration"),
    )
    national_id: str | None = strawberry.field(
        description="Citizen ID (personal data).", extensions=personal("declaration")
    )
    address: str | None = strawberry.field(
        description="Home address (personal data).", extensions=personal("declaration")
    )
    symptoms: list[str] = strawberry.field(description="Declared symptoms (CLINICAL.md codes).")
    created_at: datetime = strawberry.field(description="When it was declared.")
    reviewed_at: datetime | None = strawberry.field(
        description="When it was verified, rejected or marked duplicate."
    )
    rejection_reason: str | None = strawberry.field(
        description="Why it was rejected; shown to the citizen."
    )
    commune_code: strawberry.Private[str]
    patient_id: strawberry.Private[int | None]
    contact_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, row: rows.Declaration) -> Declaration:
        """The GraphQL view of a declaration row."""
        return cls(**rows.values_of("Declaration", row))

    @strawberry.field(description="The commune the person lives in.")
    def home_commune(self, info: strawberry.Info[Context]) -> Area:
        return area_of(info, self.commune_code, required=True)

    @strawberry.field(
        description="The patient it became (or duplicates); null if none or out of scope."
    )
    async def patient(self, info: strawberry.Info[Context]) -> Patient | None:
        if self.patient_id is None:
            return None
        row = await info.context.loaders.patient_by_id.load(self.patient_id)
        return None if row is None else Patient.from_model(row)

    @strawberry.field(
        description="The close contact whose positive test this is (kind CONTACT_TEST)."
    )
    async def contact(
        self, info: strawberry.Info[Context]
    ) -> Annotated[Contact, strawberry.lazy("schema.types.epidemiology")] | None:
        from schema.types.epidemiology import Contact

        if self.contact_id is None:
            return None
        row = await info.context.loaders.contact_by_id.load(self.contact_id)
        return None if row is None else Contact.from_model(row)


@strawberry.input(description="Filters of the declaration list; all given filters must hold.")
class DeclarationFilter:
    area_code: strawberry.ID | None = strawberry.field(
        default=None, description="Only declarations of people living in this area."
    )
    status: list[DeclarationStatus] | None = strawberry.field(
        default=None, description="Only declarations in one of these states."
    )
    kind: DeclarationKind | None = strawberry.field(default=None, description="Only this kind.")
    tested_from: date | None = strawberry.field(
        default=None, description="Only tests on or after this day."
    )
    tested_to: date | None = strawberry.field(
        default=None, description="Only tests on or before this day."
    )


@strawberry.input(description="A person and their positive test.")
class _PersonTest:
    idempotency_key: str = strawberry.field(
        description="Client-generated key: a retry with the same key returns the first result."
    )
    full_name: str = strawberry.field(description="Full name, 1–100 characters.")
    date_of_birth: date = strawberry.field(description="Not in the future; age at most 120.")
    sex: Sex = strawberry.field(description="Sex.")
    national_id: str | None = strawberry.field(
        default=None, description="12-digit citizen ID or 9-digit old ID."
    )
    phone: str = strawberry.field(description="Vietnamese mobile: 10 digits starting 0, or +84.")
    commune_code: strawberry.ID = strawberry.field(description="Code of the commune of residence.")
    address: str = strawberry.field(description="Home address, 1–300 characters.")
    test_kind: TestKind = strawberry.field(description="Kind of test.")
    tested_on: date = strawberry.field(
        description="Day of the test: not in the future, ≤ 14 days ago."
    )
    symptoms: list[str] | None = strawberry.field(
        default=None, description="Symptoms from the CLINICAL.md checklist (e.g. COUGH)."
    )

    def to_report(self) -> PersonReport:
        """The domain view of this input."""
        return PersonReport(
            idempotency_key=self.idempotency_key,
            full_name=self.full_name,
            date_of_birth=self.date_of_birth,
            sex=self.sex,
            national_id=self.national_id,
            phone=self.phone,
            commune_code=str(self.commune_code),
            address=self.address,
            test_kind=self.test_kind,
            tested_on=self.tested_on,
            symptoms=tuple(self.symptoms or ()),
        )


@strawberry.input(description="A citizen's positive home test (declared for themselves).")
class SelfTestInput(_PersonTest):
    pass


@strawberry.input(description="One positive result found by a screening hospital.")
class ScreeningResultInput(_PersonTest):
    pass


@strawberry.input(description="What the official adds when verifying a declaration.")
class VerifyDeclarationInput:
    note: str | None = strawberry.field(default=None, description="Review note.")
    comorbidities: list[str] | None = strawberry.field(
        default=None, description="Chronic conditions learned from the person (e.g. DIABETES)."
    )
    vaccination_doses: int | None = strawberry.field(
        default=None, description="COVID-19 vaccine doses received."
    )
    spo2: int | None = strawberry.field(default=None, description="SpO2 measured at the visit (%).")
    respiratory_rate: int | None = strawberry.field(
        default=None, description="Breaths per minute measured at the visit."
    )
