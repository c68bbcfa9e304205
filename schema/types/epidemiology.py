"""Epidemiology: exposure places of cases ("mốc dịch tễ") and close contacts (F1)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import rows
from resolvers.context import Context
from resolvers.epidemiology import Chain
from resolvers.loaders import now_or_later
from schema.permissions import clinical, personal
from schema.types.area import Area, area_of
from schema.types.enums import ContactRelation, ContactStatus, ExposureSetting, Role, Sex

if TYPE_CHECKING:
    from schema.types.patient import Patient
    from schema.types.treatment import TestResult


@strawberry.type(description="An exposure place of a case (mốc dịch tễ): where and when.")
class Exposure:
    id: strawberry.ID = strawberry.field(description="Exposure id.")
    place: str = strawberry.field(description="The place (e.g. Chợ Long Hoa, nhà văn hoá ấp).")
    address: str | None = strawberry.field(description="Its address, if known.")
    from_: datetime = strawberry.field(name="from", description="From when.")
    to: datetime | None = strawberry.field(description="Until when; null: a moment or unknown.")
    setting: ExposureSetting = strawberry.field(description="What kind of place.")
    note: str | None = strawberry.field(description="What happened there.")
    area_code: strawberry.Private[str | None]

    @classmethod
    def from_model(cls, row: rows.Exposure) -> Exposure:
        return cls(**rows.values_of("Exposure", row))

    @strawberry.field(description="The area it lies in, if known.")
    def area(self, info: strawberry.Info[Context]) -> Area | None:
        return area_of(info, self.area_code)


@strawberry.input(description="An exposure place.")
class ExposureInput:
    place: str = strawberry.field(description="The place, 1-200 characters.")
    setting: ExposureSetting = strawberry.field(description="What kind of place.")
    from_: datetime = strawberry.field(name="from", description="From when (last 30 days).")
    to: datetime | None = strawberry.field(default=None, description="Until when.")
    address: str | None = strawberry.field(default=None, description="Address, ≤ 300 chars.")
    area_code: strawberry.ID | None = strawberry.field(default=None, description="Its area.")
    note: str | None = strawberry.field(default=None, description="What happened there.")


@strawberry.type(description="A contact's quarantine, from the rule vn-moh-2021-12-contacts.")
class Quarantine:
    started_on: date = strawberry.field(description="Day 1: the day of the last exposure.")
    until: date = strawberry.field(description="The last day of quarantine.")
    place: str | None = strawberry.field(description="Where (home unless said otherwise).")

    @classmethod
    def from_model(cls, row: rows.Contact) -> Quarantine:
        return cls(**rows.values_of("Quarantine", row))


@strawberry.type(
    description=(
        "A close contact (F1) of one or more cases, followed by the commune where they live "
        "and by the area of their cases."
    )
)
class Contact:
    id: strawberry.ID = strawberry.field(description="Contact id.")
    full_name: str | None = strawberry.field(
        description="Full name (personal data).", extensions=personal("contact")
    )
    date_of_birth: date | None = strawberry.field(
        description="Date of birth, if known (personal data).", extensions=personal("contact")
    )
    sex: Sex | None = strawberry.field(description="Sex, if known.")
    phone: str | None = strawberry.field(
        description="Mobile phone number (personal data).", extensions=personal("contact")
    )
    national_id: str | None = strawberry.field(
        description="Citizen ID or old ID (personal data).", extensions=personal("contact")
    )
    address: str | None = strawberry.field(
        description="Home address (personal data).", extensions=personal("contact")
    )
    relation: ContactRelation = strawberry.field(
        description="How they met the case that listed them first."
    )
    last_exposure_on: date = strawberry.field(
        description="The day of the latest exposure to any of their cases."
    )
    status: ContactStatus = strawberry.field(description="Where the follow-up stands.")
    created_at: datetime = strawberry.field(description="When first listed.")
    last_checked_at: datetime | None = strawberry.field(description="The latest daily check.")
    confirmed_at: datetime | None = strawberry.field(
        description=(
            "When staff confirmed a contact the case declared itself (listed by staff: when "
            "listed); null until then."
        )
    )
    commune_code: strawberry.Private[str]
    source_patient_id: strawberry.Private[int | None]
    source_contact_id: strawberry.Private[int | None]
    became_patient_id: strawberry.Private[int | None]
    row: strawberry.Private[rows.Contact]

    @classmethod
    def from_model(cls, row: rows.Contact) -> Contact:
        return cls(**rows.values_of("Contact", row), row=row)

    @strawberry.field(description="The commune where they live: the one that follows them.")
    def commune(self, info: strawberry.Info[Context]) -> Area:
        return area_of(info, self.commune_code, required=True)

    @strawberry.field(description="Their quarantine.")
    def quarantine(self) -> Quarantine:
        return Quarantine.from_model(self.row)

    @strawberry.field(description="The case that listed them first; null when out of scope.")
    async def source_patient(
        self, info: strawberry.Info[Context]
    ) -> Annotated[Patient, strawberry.lazy("schema.types.patient")] | None:
        return await _patient(info, self.source_patient_id)

    @strawberry.field(
        description=(
            "The contact who listed them, for a contact of a contact (F2); null otherwise or "
            "when out of scope."
        )
    )
    async def source_contact(self, info: strawberry.Info[Context]) -> Contact | None:
        if self.source_contact_id is None:
            return None
        row = await info.context.loaders.visible_contact_by_id.load(self.source_contact_id)
        return None if row is None else Contact.from_model(row)

    @strawberry.field(
        description="Their tests, newest first (health detail).",
        extensions=clinical(Role.LOCAL_OFFICIAL, Role.HEALTH_STAFF),
    )
    def test_results(
        self, info: strawberry.Info[Context]
    ) -> list[Annotated[TestResult, strawberry.lazy("schema.types.treatment")]] | None:
        from schema.types.treatment import TestResult

        return now_or_later(
            info.context.loaders.contact_tests.load(int(self.id)),
            lambda found: [TestResult.from_model(r) for r in found],
        )

    @strawberry.field(
        description=(
            "The quarantine day by day (rule vn-moh-2021-12-contacts): test days, and whether "
            "a check and a test were recorded that day (health detail)."
        ),
        extensions=clinical(Role.LOCAL_OFFICIAL, Role.HEALTH_STAFF),
    )
    def follow_ups(self, info: strawberry.Info[Context]) -> list[FollowUpDay] | None:
        return now_or_later(
            info.context.loaders.contact_follow_up_days.load(int(self.id)),
            lambda found: [FollowUpDay.from_model(r) for r in found],
        )

    @strawberry.field(description="The case they became, once a positive test was verified.")
    async def became_patient(
        self, info: strawberry.Info[Context]
    ) -> Annotated[Patient, strawberry.lazy("schema.types.patient")] | None:
        return await _patient(info, self.became_patient_id)


async def _patient(
    info: strawberry.Info[Context], patient_id: int | None
) -> Annotated[Patient, strawberry.lazy("schema.types.patient")] | None:
    from schema.types.patient import Patient

    if patient_id is None:
        return None
    row = await info.context.loaders.patient_by_id.load(patient_id)  # out of scope: None
    return None if row is None else Patient.from_model(row)


@strawberry.type(description="One day of a contact's quarantine.")
class FollowUpDay:
    day_number: int = strawberry.field(description="Day N (day 1: the last exposure).")
    on: date = strawberry.field(description="The date.")
    test_due: bool = strawberry.field(description="A test is due that day.")
    checked: bool = strawberry.field(description="A daily check was recorded.")
    tested: bool = strawberry.field(description="A test was taken.")
    symptoms: list[str] = strawberry.field(description="Symptoms reported that day.")

    @classmethod
    def from_model(cls, row: rows.ContactFollowUpDay) -> FollowUpDay:
        return cls(**rows.values_of("FollowUpDay", row))


@strawberry.type(description="A daily check of a contact in quarantine.")
class ContactCheck:
    id: strawberry.ID = strawberry.field(description="Check id.")
    checked_at: datetime = strawberry.field(description="When.")
    symptoms: list[str] = strawberry.field(description="Symptoms from the checklist.")
    note: str | None = strawberry.field(description="Note.")

    @classmethod
    def from_model(cls, row: rows.ContactFollowUp) -> ContactCheck:
        return cls(
            id=strawberry.ID(str(row.id)),
            checked_at=row.checked_at,
            symptoms=list(row.symptoms),
            note=row.note,
        )


@strawberry.input(description="A daily check of a contact.")
class ContactFollowUpInput:
    symptoms: list[str] = strawberry.field(
        default_factory=list, description="Symptoms from the checklist of health reports."
    )
    note: str | None = strawberry.field(default=None, description="Note, ≤ 2000 characters.")


@strawberry.input(description="A close contact of a case.")
class ContactInput:
    idempotency_key: str = strawberry.field(
        description="Client-generated key per row: a retried row changes nothing."
    )
    full_name: str = strawberry.field(description="Full name, 1-100 characters.")
    commune_code: strawberry.ID = strawberry.field(description="The commune where they live.")
    relation: ContactRelation = strawberry.field(description="How they met the case.")
    last_exposure_on: date = strawberry.field(description="Day of the last exposure (≤ 14 days).")
    date_of_birth: date | None = strawberry.field(default=None, description="If known.")
    sex: Sex | None = strawberry.field(default=None, description="If known.")
    phone: str | None = strawberry.field(default=None, description="Mobile number, if known.")
    national_id: str | None = strawberry.field(default=None, description="If known.")
    address: str | None = strawberry.field(default=None, description="Home address.")
    quarantine_place: str | None = strawberry.field(
        default=None, description="Where they quarantine, when not at home."
    )


@strawberry.input(description="A household member a case declares as their close contact.")
class HouseholdContactInput:
    idempotency_key: str = strawberry.field(
        description="Client-generated key per row: a retried row changes nothing."
    )
    full_name: str = strawberry.field(description="Full name, 1-100 characters.")
    last_exposure_on: date = strawberry.field(description="Day of the last contact (≤ 14 days).")
    date_of_birth: date | None = strawberry.field(default=None, description="If known.")
    sex: Sex | None = strawberry.field(default=None, description="If known.")
    phone: str | None = strawberry.field(default=None, description="Mobile number, if any.")
    national_id: str | None = strawberry.field(default=None, description="If known.")


@strawberry.type(description="A one-time code that links a contact's own app (shown once).")
class ContactLinkCode:
    code: str = strawberry.field(description="The code, read to the contact (e.g. ABCDE-FGHJK).")
    expires_at: datetime = strawberry.field(description="When it stops working.")
    contact: Contact = strawberry.field(description="The contact it links.")


@strawberry.type(description="A row of addContacts that is a person already in treatment.")
class ContactRowPatient:
    index: int = strawberry.field(description="The row (0-based) of the input.")
    case_code: str = strawberry.field(description="The case code of that patient.")


@strawberry.type(description="What addContacts did.")
class ContactBatch:
    contacts: list[Contact] = strawberry.field(
        description="The contacts followed for the case (new or already followed), in input order."
    )
    already_patients: list[ContactRowPatient] = strawberry.field(
        description="Rows that are people already in treatment: reported, not added."
    )


@strawberry.input(description="Corrections to a close contact; omitted fields stay as they are.")
class ContactUpdateInput:
    full_name: str | None = strawberry.field(default=None, description="Full name.")
    date_of_birth: date | None = strawberry.field(default=None, description="Date of birth.")
    sex: Sex | None = strawberry.field(default=None, description="Sex.")
    phone: str | None = strawberry.field(default=None, description="Mobile number.")
    national_id: str | None = strawberry.field(default=None, description="Citizen ID or old ID.")
    address: str | None = strawberry.field(default=None, description="Home address.")


@strawberry.input(description="Filters of the contact list; all given filters must hold.")
class ContactFilter:
    area_code: strawberry.ID | None = strawberry.field(
        default=None, description="Only contacts living in this area."
    )
    status: list[ContactStatus] | None = strawberry.field(
        default=None, description="Only contacts in one of these states."
    )
    due_for_test: bool | None = strawberry.field(
        default=None,
        description=(
            "true: only contacts in follow-up whose test day (day 1 or day 7) has come without "
            "a test on or after it; false: only the others."
        ),
    )
    unchecked: bool | None = strawberry.field(
        default=None,
        description=(
            "true: only contacts in follow-up without a daily check for 48 hours (candidates "
            "for LOST_TO_FOLLOW_UP); false: only the others."
        ),
    )
    symptomatic: bool | None = strawberry.field(
        default=None,
        description=(
            "true: only contacts in follow-up whose latest daily check reported symptoms and "
            "who have had no test since (a test is due at once); false: only the others."
        ),
    )


@strawberry.type(description="A case or a close contact in a transmission chain.")
class ChainNode:
    key: str = strawberry.field(description="CASE:<patient id> or CONTACT:<contact id>.")
    kind: str = strawberry.field(description="CASE or CONTACT.")
    id: strawberry.ID = strawberry.field(description="The patient's or the contact's id.")
    label: str = strawberry.field(description="The case code, or F1 #<contact id>.")
    status: str = strawberry.field(description="The patient's or the contact's status.")
    generation: int = strawberry.field(
        description="Cases away from the starting case (0); negative: where it came from."
    )
    area_code: strawberry.Private[str]

    @strawberry.field(description="Where the person lives.")
    def area(self, info: strawberry.Info[Context]) -> Area:
        return area_of(info, self.area_code, required=True)


@strawberry.type(description="A link: a case listed a contact, or a contact became a case.")
class ChainEdge:
    source: str = strawberry.field(name="from", description="The key of the node it starts at.")
    to: str = strawberry.field(description="The key of the node it ends at.")


@strawberry.type(
    description=(
        "Cases and close contacts linked through the contacts cases listed, as far as the "
        "reader may see them; the others are counted in `hidden`, never shown."
    )
)
class TransmissionChain:
    nodes: list[ChainNode] = strawberry.field(description="By generation.")
    edges: list[ChainEdge] = strawberry.field(description="Between shown nodes.")
    hidden: int = strawberry.field(description="Linked cases and contacts out of scope.")

    @classmethod
    def from_chain(cls, chain: Chain) -> TransmissionChain:
        return cls(
            nodes=[
                ChainNode(
                    key=f"{n.kind}:{n.id}",
                    kind=n.kind,
                    id=strawberry.ID(str(n.id)),
                    label=n.label,
                    status=n.status,
                    generation=n.generation,
                    area_code=n.area_code,
                )  # fmt: skip
                for n in chain.nodes
            ],
            edges=[ChainEdge(source=a, to=b) for a, b in chain.edges],
            hidden=chain.hidden,
        )
