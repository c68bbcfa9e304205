"""The root Mutation type."""

from __future__ import annotations

import strawberry

from domain.enums import CLINICAL_STAFF, ContactRelation, Role
from resolvers import accounts as resolve_accounts
from resolvers import alerts as resolve_alerts
from resolvers import auth as resolve_auth
from resolvers import care as resolve_care
from resolvers import declarations as resolve_declarations
from resolvers import epidemiology as resolve_epidemiology
from resolvers import exports as resolve_exports
from resolvers import facilities as resolve_facilities
from resolvers import medication as resolve_medication
from resolvers import rehoming as resolve_rehoming
from resolvers import transfers as resolve_transfers
from resolvers import treatment as resolve_treatment
from resolvers import webhooks as resolve_webhooks
from resolvers.context import Context
from schema.permissions import allow, public
from schema.types.account import (
    BedReportInput,
    ExportFormat,
    ExportLink,
    FacilityInput,
    User,
    UserInput,
    UserPassword,
    UserUpdateInput,
)
from schema.types.alert_io import SosInput
from schema.types.area import BedReport, Facility
from schema.types.care import Alert, ClinicalNote, HealthReport
from schema.types.care_inputs import DischargeInput, HealthReportInput, PatientUpdateInput
from schema.types.declaration import (
    Declaration,
    ScreeningResultInput,
    SelfTestInput,
    VerifyDeclarationInput,
)
from schema.types.epidemiology import (
    Contact,
    ContactBatch,
    ContactCheck,
    ContactFollowUpInput,
    ContactInput,
    ContactLinkCode,
    ContactRowPatient,
    ContactUpdateInput,
    Exposure,
    ExposureInput,
    HouseholdContactInput,
)
from schema.types.me import AuthPayload, Me
from schema.types.medication import (
    AdverseEvent,
    AdverseEventInput,
    MedicationInput,
    MedicationOrder,
)
from schema.types.notification import Webhook, WebhookInput, WebhookSecret, WebhookUpdateInput
from schema.types.patient import Patient, PatientFilter
from schema.types.rehoming import RehomingItem
from schema.types.transfer import Transfer, TransferRequestInput
from schema.types.treatment import ClinicalProfileInput, TestResult, TestResultInput

REVIEWERS = (Role.LOCAL_OFFICIAL, Role.HEALTH_STAFF)
STAFF = tuple(r for r in Role if r is not Role.CITIZEN)
EXPORTERS = (Role.LOCAL_OFFICIAL, Role.HEALTH_STAFF, Role.HOSPITAL_STAFF, Role.MANAGER)
ALERT_HANDLERS = (Role.LOCAL_OFFICIAL, Role.HEALTH_STAFF, Role.HOSPITAL_STAFF)


@strawberry.type(description="Everything that changes data.")
class Mutation:
    @strawberry.mutation(
        description=(
            "Staff login. Wrong username and wrong password answer alike; after 5 failures "
            "for one username within 5 minutes, attempts are refused with RATE_LIMITED."
        ),
        extensions=public(),
    )
    async def login(
        self, info: strawberry.Info[Context], username: str, password: str
    ) -> AuthPayload:
        return _signed_in(await resolve_auth.login(info.context, username, password))

    @strawberry.mutation(
        description=(
            "A staff user chooses their own password (required after a one-time password): "
            "at least 10 characters, not the username, not a common password. Every other "
            "token of the account is refused from now on; the answer holds a fresh one."
        ),
        extensions=allow(*STAFF),
    )
    async def change_password(
        self, info: strawberry.Info[Context], old: str, new: str
    ) -> AuthPayload:
        return _signed_in(await resolve_accounts.change_password(info.context, old, new))

    @strawberry.mutation(
        description=(
            "An administrator makes an account inside its area (never a CITIZEN; an area or "
            "facility inside its own). The answer holds a one-time password, shown once."
        ),
        extensions=allow(Role.ADMIN),
    )
    async def create_user(self, info: strawberry.Info[Context], input: UserInput) -> UserPassword:
        given = _account(input)
        issued = await resolve_accounts.create_user(info.context, input.username, given)
        return UserPassword.from_issued(issued)

    @strawberry.mutation(
        description=(
            "Change an account the administrator runs (not its own). A new role, area or "
            "facility refuses the account's earlier tokens everywhere within seconds."
        ),
        extensions=allow(Role.ADMIN),
    )
    async def update_user(
        self, info: strawberry.Info[Context], id: strawberry.ID, input: UserUpdateInput
    ) -> User:
        given = _account(input)
        return User.from_model(await resolve_accounts.update_user(info.context, str(id), given))

    @strawberry.mutation(
        description=(
            "Switch an account off, with the reason (audited): its tokens are refused on every "
            "server within seconds and its open subscriptions closed (4403)."
        ),
        extensions=allow(Role.ADMIN),
    )
    async def deactivate_user(
        self, info: strawberry.Info[Context], id: strawberry.ID, reason: str
    ) -> User:
        return User.from_model(
            await resolve_accounts.deactivate_user(info.context, str(id), reason)
        )

    @strawberry.mutation(
        description=(
            "An administrator adds a facility in a commune inside its area (name, kind, tier "
            "and commune are required; names are unique per commune)."
        ),
        extensions=allow(Role.ADMIN),
    )
    async def create_facility(
        self, info: strawberry.Info[Context], input: FacilityInput
    ) -> Facility:
        row = await resolve_facilities.create_facility(info.context, _facility(input))
        return Facility.from_model(row)

    @strawberry.mutation(
        description=(
            "Rename, re-kind, move (inside the area) or switch off/on a facility of the "
            "administrator's area; omitted fields stay as they are."
        ),
        extensions=allow(Role.ADMIN),
    )
    async def update_facility(
        self, info: strawberry.Info[Context], id: strawberry.ID, input: FacilityInput
    ) -> Facility:
        row = await resolve_facilities.update_facility(info.context, str(id), _facility(input))
        return Facility.from_model(row)

    @strawberry.mutation(
        description=(
            "A facility's beds now, by its own hospital staff (or an administrator of its "
            "area): kept as history (Facility.bedReports); the latest is the capacity a "
            "transfer is checked against. The same report again changes nothing."
        ),
        extensions=allow(Role.HOSPITAL_STAFF, Role.ADMIN),
    )
    async def report_beds(
        self, info: strawberry.Info[Context], facility_id: strawberry.ID, input: BedReportInput
    ) -> BedReport:
        row = await resolve_facilities.report_beds(
            info.context, str(facility_id), input.capacity, input.occupied_outside_f0care
        )
        return BedReport.from_model(row)

    @strawberry.mutation(
        description=(
            "A line list of the patients a filter matches (as `patients` filters them, at most "
            "F0CARE_MAX_EXPORT_ROWS): a download address for this caller, valid 10 minutes. "
            "Personal columns only for roles that may read personal data; the download is one "
            "audit entry listing every exported id."
        ),
        extensions=allow(*EXPORTERS),
    )
    async def export_patients(
        self,
        info: strawberry.Info[Context],
        format: ExportFormat,
        filter: PatientFilter | None = None,
    ) -> ExportLink:
        given = (filter or PatientFilter()).wanted()
        link = await resolve_exports.create_export(info.context, given, format.value)
        return ExportLink(
            url=link.url,
            expires_at=link.expires_at,
            rows=link.rows,
            format=ExportFormat(link.format),
        )

    @strawberry.mutation(
        description=(
            "A province administrator registers a channel for the events for people of its "
            "province (events from now on). The answer holds the signing secret, shown once."
        ),
        extensions=allow(Role.ADMIN),
    )
    async def register_webhook(
        self, info: strawberry.Info[Context], input: WebhookInput
    ) -> WebhookSecret:
        events = [e.value for e in input.events]
        made = await resolve_webhooks.register(info.context, input.url, events, input.description)
        return WebhookSecret(webhook=Webhook.from_model(made.webhook), secret=made.secret)

    @strawberry.mutation(
        description="Change a webhook of the province (address, events, description, on/off).",
        extensions=allow(Role.ADMIN),
    )
    async def update_webhook(
        self, info: strawberry.Info[Context], id: strawberry.ID, input: WebhookUpdateInput
    ) -> Webhook:
        events = None if input.events is None else [e.value for e in input.events]
        row = await resolve_webhooks.update(
            info.context, str(id), input.url, events, input.description, input.active
        )
        return Webhook.from_model(row)

    @strawberry.mutation(
        description="Switch a webhook off: nothing more is sent to it.",
        extensions=allow(Role.ADMIN),
    )
    async def disable_webhook(self, info: strawberry.Info[Context], id: strawberry.ID) -> Webhook:
        row = await resolve_webhooks.update(info.context, str(id), None, None, None, False)
        return Webhook.from_model(row)

    @strawberry.mutation(
        description="A new signing secret for a webhook (shown once); the old one stops now.",
        extensions=allow(Role.ADMIN),
    )
    async def rotate_webhook_secret(
        self, info: strawberry.Info[Context], id: strawberry.ID
    ) -> WebhookSecret:
        made = await resolve_webhooks.rotate(info.context, str(id))
        return WebhookSecret(webhook=Webhook.from_model(made.webhook), secret=made.secret)

    @strawberry.mutation(
        description=(
            "Send a webhook every event of its after `afterEventId` again (0: all since it "
            "was registered); how many deliveries start over."
        ),
        extensions=allow(Role.ADMIN),
    )
    async def redeliver_webhook_events(
        self,
        info: strawberry.Info[Context],
        webhook_id: strawberry.ID,
        after_event_id: strawberry.ID,
    ) -> int:
        return await resolve_webhooks.redeliver(info.context, str(webhook_id), str(after_event_id))

    @strawberry.mutation(
        description="Switch an account on again; it signs in anew.",
        extensions=allow(Role.ADMIN),
    )
    async def reactivate_user(self, info: strawberry.Info[Context], id: strawberry.ID) -> User:
        return User.from_model(await resolve_accounts.reactivate_user(info.context, str(id)))

    @strawberry.mutation(
        description=(
            "A new one-time password for an account (shown once), to change at the next "
            "sign-in; the account's tokens are refused from now on."
        ),
        extensions=allow(Role.ADMIN),
    )
    async def reset_password(
        self, info: strawberry.Info[Context], id: strawberry.ID
    ) -> UserPassword:
        issued = await resolve_accounts.reset_password(info.context, str(id))
        return UserPassword.from_issued(issued)

    @strawberry.mutation(
        description=(
            "A citizen declares their own positive home test. Idempotent by `idempotencyKey`."
        ),
        extensions=allow(Role.CITIZEN),
    )
    async def declare_self_test(
        self, info: strawberry.Info[Context], input: SelfTestInput
    ) -> Declaration:
        row = await resolve_declarations.declare_self_test(info.context, input.to_report())
        return Declaration.from_model(row)

    @strawberry.mutation(
        description=(
            "A screening hospital reports 1 to 500 positive results. The whole batch is "
            "checked first: if any row is invalid nothing is stored and the error lists every "
            "bad row by index and field. Idempotent per row by `idempotencyKey`."
        ),
        extensions=allow(Role.SCREENING_STAFF),
    )
    async def declare_screening_results(
        self, info: strawberry.Info[Context], input: list[ScreeningResultInput]
    ) -> list[Declaration]:
        rows = await resolve_declarations.declare_screening_results(
            info.context, [item.to_report() for item in input]
        )
        return [Declaration.from_model(row) for row in rows]

    @strawberry.mutation(
        description=(
            "Verify a PENDING declaration of the caller's area: creates the F0 patient (home "
            "treatment, tier 1), or links it to the same person's open case and marks it "
            "DUPLICATE. Home-care eligibility is evaluated and flagged on the patient."
        ),
        extensions=allow(*REVIEWERS),
    )
    async def verify_declaration(
        self,
        info: strawberry.Info[Context],
        id: strawberry.ID,
        input: VerifyDeclarationInput | None = None,
    ) -> Patient:
        given = input or VerifyDeclarationInput()
        verification = resolve_declarations.Verification(
            note=given.note,
            comorbidities=tuple(given.comorbidities or ()),
            vaccination_doses=given.vaccination_doses,
            spo2=given.spo2,
            respiratory_rate=given.respiratory_rate,
        )
        row = await resolve_declarations.verify(info.context, str(id), verification)
        return Patient.from_model(row)

    @strawberry.mutation(
        description="Reject a PENDING declaration of the caller's area (the citizen sees why).",
        extensions=allow(*REVIEWERS),
    )
    async def reject_declaration(
        self, info: strawberry.Info[Context], id: strawberry.ID, reason: str
    ) -> Declaration:
        row = await resolve_declarations.reject(info.context, str(id), reason)
        return Declaration.from_model(row)

    @strawberry.mutation(
        description=(
            "A daily health report: a citizen for their own record, or health / hospital staff "
            "for a patient in scope. Judged by the clinical rule set; a warning sign raises a "
            "VITAL_SIGNS alert. Idempotent by `idempotencyKey`."
        ),
        extensions=allow(Role.CITIZEN, *CLINICAL_STAFF),
    )
    async def submit_health_report(
        self, info: strawberry.Info[Context], input: HealthReportInput
    ) -> HealthReport:
        row = await resolve_care.submit_report(info.context, input.to_report())
        return HealthReport.from_model(row)

    @strawberry.mutation(
        description="Change a patient's phone, address or assigned staff member.",
        extensions=allow(*REVIEWERS),
    )
    async def update_patient(
        self, info: strawberry.Info[Context], id: strawberry.ID, input: PatientUpdateInput
    ) -> Patient:
        row = await resolve_care.update_patient(info.context, str(id), input.to_changes())
        return Patient.from_model(row)

    @strawberry.mutation(
        description="Add a treatment or care note to a patient in scope.",
        extensions=allow(*CLINICAL_STAFF),
    )
    async def add_clinical_note(
        self, info: strawberry.Info[Context], patient_id: strawberry.ID, text: str
    ) -> ClinicalNote:
        row = await resolve_care.add_note(info.context, str(patient_id), text)
        return ClinicalNote.from_model(row)

    @strawberry.mutation(
        description=(
            "Request a tier transfer: health staff for a patient of their area, hospital staff "
            "for a patient at their facility (e.g. back to tier 1). One open transfer per patient."
        ),
        extensions=allow(*CLINICAL_STAFF),
    )
    async def request_transfer(
        self, info: strawberry.Info[Context], input: TransferRequestInput
    ) -> Transfer:
        given = resolve_transfers.TransferRequest(
            patient_id=str(input.patient_id),
            to_tier=input.to_tier,
            to_facility_id=None if input.to_facility_id is None else str(input.to_facility_id),
            reason=input.reason,
        )
        return Transfer.from_model(await resolve_transfers.request(info.context, given))

    @strawberry.mutation(
        description=(
            "The receiving side accepts a REQUESTED transfer. A full facility refuses with "
            "CONFLICT unless `force` is true."
        ),
        extensions=allow(*CLINICAL_STAFF),
    )
    async def accept_transfer(
        self, info: strawberry.Info[Context], id: strawberry.ID, force: bool = False
    ) -> Transfer:
        return Transfer.from_model(
            await resolve_transfers.accept(info.context, str(id), force=force)
        )

    @strawberry.mutation(
        description="The receiving side refuses a REQUESTED transfer, with a reason.",
        extensions=allow(*CLINICAL_STAFF),
    )
    async def reject_transfer(
        self, info: strawberry.Info[Context], id: strawberry.ID, reason: str
    ) -> Transfer:
        return Transfer.from_model(await resolve_transfers.reject(info.context, str(id), reason))

    @strawberry.mutation(
        description=(
            "The receiving side records the patient's arrival: the patient's tier, facility and "
            "status change in the same transaction."
        ),
        extensions=allow(*CLINICAL_STAFF),
    )
    async def complete_transfer(
        self, info: strawberry.Info[Context], id: strawberry.ID
    ) -> Transfer:
        return Transfer.from_model(await resolve_transfers.complete(info.context, str(id)))

    @strawberry.mutation(
        description=(
            "The requesting side withdraws a REQUESTED transfer, or an ACCEPTED one with "
            "`confirmAccepted: true` (so a cancel racing an accept never undoes it silently)."
        ),
        extensions=allow(*CLINICAL_STAFF),
    )
    async def cancel_transfer(
        self,
        info: strawberry.Info[Context],
        id: strawberry.ID,
        reason: str | None = None,
        confirm_accepted: bool = False,
    ) -> Transfer:
        row = await resolve_transfers.cancel(
            info.context, str(id), reason, confirm_accepted=confirm_accepted
        )
        return Transfer.from_model(row)

    @strawberry.mutation(
        description=(
            "End treatment with an outcome. RECOVERED needs the release rule to hold today "
            "(`Patient.isolation.releaseDue`) or a health worker's `override` with a reason. "
            "Open alerts are resolved and an open transfer is cancelled; reports are refused after."
        ),
        extensions=allow(*CLINICAL_STAFF),
    )
    async def discharge_patient(
        self, info: strawberry.Info[Context], id: strawberry.ID, input: DischargeInput
    ) -> Patient:
        row = await resolve_care.discharge(info.context, str(id), input.to_discharge())
        return Patient.from_model(row)

    @strawberry.mutation(
        description=(
            "Correct a patient's clinical profile (comorbidities, vaccinations, pregnancy, "
            "breastfeeding): health and hospital staff, for a patient in scope."
        ),
        extensions=allow(*CLINICAL_STAFF),
    )
    async def update_clinical_profile(
        self,
        info: strawberry.Info[Context],
        patient_id: strawberry.ID,
        input: ClinicalProfileInput,
    ) -> Patient:
        changes = resolve_treatment.ProfileChanges(
            comorbidities=None if input.comorbidities is None else tuple(input.comorbidities),
            vaccinations=None
            if input.vaccinations is None
            else tuple((v.vaccine, v.dose_number, v.given_on) for v in input.vaccinations),
            pregnant=input.pregnant,
            breastfeeding=input.breastfeeding,
        )
        row = await resolve_treatment.update_profile(info.context, str(patient_id), changes)
        return Patient.from_model(row)

    @strawberry.mutation(
        description=(
            "Record a test result: a citizen for themselves (SELF: counts toward release once "
            "staff confirm it), staff for a patient in scope (STAFF or SELF_SUPERVISED). "
            "Idempotent by `idempotencyKey`."
        ),
        extensions=allow(Role.CITIZEN, *CLINICAL_STAFF),
    )
    async def record_test_result(
        self, info: strawberry.Info[Context], input: TestResultInput
    ) -> TestResult:
        given = resolve_treatment.TestInput(
            idempotency_key=input.idempotency_key,
            kind=input.kind,
            result=input.result,
            taken_at=input.taken_at,
            patient_id=None if input.patient_id is None else str(input.patient_id),
            supervision=input.supervision,
            ct_value=input.ct_value,
            contact_id=None if input.contact_id is None else str(input.contact_id),
        )
        return TestResult.from_model(await resolve_treatment.record_test(info.context, given))

    @strawberry.mutation(
        description=(
            "Confirm a patient's own (SELF) test, e.g. after a video call: it then counts "
            "toward release. Staff, for a patient in scope."
        ),
        extensions=allow(*CLINICAL_STAFF),
    )
    async def confirm_test_result(
        self, info: strawberry.Info[Context], id: strawberry.ID
    ) -> TestResult:
        return TestResult.from_model(await resolve_treatment.confirm_test(info.context, str(id)))

    @strawberry.mutation(
        description=(
            "Order medication for a patient in scope (health and hospital staff), or record a "
            "citizen's own use of package B (selfStarted; the commune is alerted at once). The "
            "rules of the catalogue refuse an order with BAD_USER_INPUT naming the rule "
            "(molnupiravir: age ≥ 18, within 5 days of the positive test, not pregnant or "
            "breastfeeding, consent recorded, at most 5 days). Idempotent by `idempotencyKey`."
        ),
        extensions=allow(Role.CITIZEN, *CLINICAL_STAFF),
    )
    async def prescribe_medication(
        self, info: strawberry.Info[Context], input: MedicationInput
    ) -> MedicationOrder:
        given = resolve_medication.Prescription(
            idempotency_key=input.idempotency_key,
            drug_code=input.drug_code,
            dose=input.dose,
            frequency=input.frequency,
            days=input.days,
            start_on=input.start_on,
            package=input.package,
            patient_id=None if input.patient_id is None else str(input.patient_id),
            consent_recorded=input.consent_recorded,
        )
        return MedicationOrder.from_model(await resolve_medication.prescribe(info.context, given))

    @strawberry.mutation(
        description="Stop an active medication order of a patient in scope, with a reason.",
        extensions=allow(*CLINICAL_STAFF),
    )
    async def stop_medication(
        self, info: strawberry.Info[Context], id: strawberry.ID, reason: str
    ) -> MedicationOrder:
        row = await resolve_medication.stop(info.context, str(id), reason)
        return MedicationOrder.from_model(row)

    @strawberry.mutation(
        description=(
            "Report an adverse effect of a medication order: the patient for themselves, or "
            "staff for a patient in scope."
        ),
        extensions=allow(Role.CITIZEN, *CLINICAL_STAFF),
    )
    async def report_adverse_event(
        self, info: strawberry.Info[Context], medication_id: strawberry.ID, input: AdverseEventInput
    ) -> AdverseEvent:
        row = await resolve_medication.report_adverse_event(
            info.context, str(medication_id), input.description, input.occurred_on
        )
        return AdverseEvent.from_model(row)

    @strawberry.mutation(
        description="Add an exposure place (mốc dịch tễ) to a case in scope.",
        extensions=allow(*REVIEWERS),
    )
    async def add_exposure(
        self, info: strawberry.Info[Context], patient_id: strawberry.ID, input: ExposureInput
    ) -> Exposure:
        given = resolve_epidemiology.ExposureInput(
            place=input.place,
            setting=input.setting,
            from_at=input.from_,
            to_at=input.to,
            address=input.address,
            area_code=None if input.area_code is None else str(input.area_code),
            note=input.note,
        )
        row = await resolve_epidemiology.add_exposure(info.context, str(patient_id), given)
        return Exposure.from_model(row)

    @strawberry.mutation(
        description=(
            "List close contacts (F1) of a case in scope: 1-200 rows, all or nothing (every bad "
            "row named as `input[i].field`), idempotent per row key. A person already followed "
            "as a contact (same national ID, or phone + name + date of birth) is linked to this "
            "case instead of duplicated; a person already in treatment is reported, not added."
        ),
        extensions=allow(*REVIEWERS),
    )
    async def add_contacts(
        self, info: strawberry.Info[Context], patient_id: strawberry.ID, input: list[ContactInput]
    ) -> ContactBatch:
        rows = [_contact_row(r) for r in input]
        return _batch(await resolve_epidemiology.add_contacts(info.context, str(patient_id), rows))

    @strawberry.mutation(
        description=(
            "List contacts of a close contact in scope who is still followed (contacts of "
            "contacts, F2): followed by the same rule from their last exposure to the contact, "
            "and close contacts of the case the contact becomes. Same rules as addContacts; a "
            "person already followed as a contact is returned as they are."
        ),
        extensions=allow(*REVIEWERS),
    )
    async def add_contacts_of_contact(
        self, info: strawberry.Info[Context], contact_id: strawberry.ID, input: list[ContactInput]
    ) -> ContactBatch:
        rows = [_contact_row(r) for r in input]
        found = await resolve_epidemiology.add_contacts_of_contact(
            info.context, str(contact_id), rows
        )
        return _batch(found)

    @strawberry.mutation(
        description=(
            "A one-time code (valid 72 hours, shown once) that links a followed contact in "
            "scope to their own app: staff read it to them, their app redeems it with "
            "linkContact. A new code replaces the earlier one."
        ),
        extensions=allow(*REVIEWERS),
    )
    async def issue_contact_link_code(
        self, info: strawberry.Info[Context], id: strawberry.ID
    ) -> ContactLinkCode:
        issued = await resolve_epidemiology.issue_link_code(info.context, str(id))
        return ContactLinkCode(
            code=issued.code,
            expires_at=issued.expires_at,
            contact=Contact.from_model(issued.contact),
        )

    @strawberry.mutation(
        description=(
            "A contact redeems the code staff gave them: their contact record becomes theirs "
            "(they see it and send its daily checks). The code works once; 5 wrong codes in 10 "
            "minutes are refused for a while (RATE_LIMITED)."
        ),
        extensions=allow(Role.CITIZEN),
    )
    async def link_contact(self, info: strawberry.Info[Context], code: str) -> Contact:
        return Contact.from_model(await resolve_epidemiology.link_contact(info.context, code))

    @strawberry.mutation(
        description="After a move to a new map: give a waiting record (a rehoming item of a "
        "province in your area) its commune, one of the province's, with the reason (audited).",
        extensions=allow(*REVIEWERS),
    )
    async def reassign_home_commune(
        self,
        info: strawberry.Info[Context],
        id: strawberry.ID,
        commune_code: strawberry.ID,
        reason: str,
    ) -> RehomingItem:
        item = await resolve_rehoming.reassign(info.context, str(id), str(commune_code), reason)
        return RehomingItem.from_model(item)

    @strawberry.mutation(
        description=(
            "Mark a contact in follow-up LOST_TO_FOLLOW_UP, with the reason: only a candidate "
            "(no daily check for 48 hours, rule vn-moh-2021-12-contacts). A later check brings "
            "them back to follow-up."
        ),
        extensions=allow(*REVIEWERS),
    )
    async def mark_contact_lost_to_follow_up(
        self, info: strawberry.Info[Context], id: strawberry.ID, reason: str
    ) -> Contact:
        row = await resolve_epidemiology.mark_lost(info.context, str(id), reason)
        return Contact.from_model(row)

    @strawberry.mutation(
        description=(
            "Record a daily check of a close contact: staff for a contact in scope, or the "
            "contact themselves (a citizen whose subject is linked to the contact)."
        ),
        extensions=allow(Role.CITIZEN, *REVIEWERS),
    )
    async def submit_contact_follow_up(
        self,
        info: strawberry.Info[Context],
        contact_id: strawberry.ID,
        input: ContactFollowUpInput,
    ) -> ContactCheck:
        row = await resolve_epidemiology.submit_follow_up(
            info.context, str(contact_id), tuple(input.symptoms), input.note
        )
        return ContactCheck.from_model(row)

    @strawberry.mutation(
        description=(
            "A case (citizen) declares the members of their household as close contacts, for "
            "their own record: they live at the case's home; staff confirm them "
            "(`confirmContact`). Same rules as addContacts."
        ),
        extensions=allow(Role.CITIZEN),
    )
    async def declare_household_contacts(
        self, info: strawberry.Info[Context], input: list[HouseholdContactInput]
    ) -> ContactBatch:
        rows = [
            resolve_epidemiology.ContactRow(
                idempotency_key=r.idempotency_key,
                full_name=r.full_name,
                commune_code="",  # the case's home
                relation=ContactRelation.HOUSEHOLD,
                last_exposure_on=r.last_exposure_on,
                date_of_birth=r.date_of_birth,
                sex=r.sex,
                phone=r.phone,
                national_id=r.national_id,
            )
            for r in input
        ]
        return _batch(await resolve_epidemiology.add_contacts(info.context, None, rows))

    @strawberry.mutation(
        description="Confirm a close contact a case declared itself (staff, contact in scope).",
        extensions=allow(*REVIEWERS),
    )
    async def confirm_contact(self, info: strawberry.Info[Context], id: strawberry.ID) -> Contact:
        return Contact.from_model(await resolve_epidemiology.confirm_contact(info.context, str(id)))

    @strawberry.mutation(
        description=(
            "Complete or correct a close contact in scope (a positive test needs their date of "
            "birth, sex, phone and address to become a declaration)."
        ),
        extensions=allow(*REVIEWERS),
    )
    async def update_contact(
        self, info: strawberry.Info[Context], id: strawberry.ID, input: ContactUpdateInput
    ) -> Contact:
        changes = resolve_epidemiology.ContactChanges(
            full_name=input.full_name,
            date_of_birth=input.date_of_birth,
            sex=input.sex,
            phone=input.phone,
            national_id=input.national_id,
            address=input.address,
        )
        row = await resolve_epidemiology.update_contact(info.context, str(id), changes)
        return Contact.from_model(row)

    @strawberry.mutation(
        description="Remove an exposure place of a case in scope (e.g. entered by mistake).",
        extensions=allow(*REVIEWERS),
    )
    async def remove_exposure(self, info: strawberry.Info[Context], id: strawberry.ID) -> bool:
        return await resolve_epidemiology.remove_exposure(info.context, str(id))

    @strawberry.mutation(
        description=(
            "SOS: a citizen for themselves, or staff for a patient in scope. While an SOS of the "
            "patient is open, another press joins it (pressCount, lastPressedAt) and is pushed "
            "again instead of making a second alert. Idempotent by `idempotencyKey`."
        ),
        extensions=allow(Role.CITIZEN, *ALERT_HANDLERS),
    )
    async def raise_sos(self, info: strawberry.Info[Context], input: SosInput) -> Alert:
        row = await resolve_alerts.raise_sos(
            info.context,
            key=input.idempotency_key,
            patient_id=None if input.patient_id is None else str(input.patient_id),
            message=input.message,
        )
        return Alert.from_model(row)

    @strawberry.mutation(
        description="Someone is on it: OPEN → ACKNOWLEDGED (stops escalation).",
        extensions=allow(*ALERT_HANDLERS),
    )
    async def acknowledge_alert(self, info: strawberry.Info[Context], id: strawberry.ID) -> Alert:
        return Alert.from_model(await resolve_alerts.acknowledge(info.context, str(id)))

    @strawberry.mutation(
        description="Handled: OPEN or ACKNOWLEDGED → RESOLVED, with an optional note.",
        extensions=allow(*ALERT_HANDLERS),
    )
    async def resolve_alert(
        self, info: strawberry.Info[Context], id: strawberry.ID, note: str | None = None
    ) -> Alert:
        return Alert.from_model(await resolve_alerts.resolve(info.context, str(id), note))


def _facility(given: FacilityInput) -> resolve_facilities.FacilityInput:
    return resolve_facilities.FacilityInput(
        name=given.name,
        kind=given.kind,
        tier=given.tier,
        area_code=None if given.area_code is None else str(given.area_code),
        active=given.active,
    )


def _account(given: UserInput | UserUpdateInput) -> resolve_accounts.AccountInput:
    return resolve_accounts.AccountInput(
        role=given.role,
        area_code=None if given.area_code is None else str(given.area_code),
        facility_id=None if given.facility_id is None else str(given.facility_id),
        display_name=given.display_name,
        phone=given.phone,
    )


def _signed_in(result: resolve_auth.Login) -> AuthPayload:
    return AuthPayload(
        access_token=result.access_token,
        expires_at=result.expires_at,
        me=Me.from_principal(result.principal),
        must_change_password=result.principal.must_change_password,
    )


def _contact_row(row: ContactInput) -> resolve_epidemiology.ContactRow:
    return resolve_epidemiology.ContactRow(
        idempotency_key=row.idempotency_key,
        full_name=row.full_name,
        commune_code=str(row.commune_code),
        relation=row.relation,
        last_exposure_on=row.last_exposure_on,
        date_of_birth=row.date_of_birth,
        sex=row.sex,
        phone=row.phone,
        national_id=row.national_id,
        address=row.address,
        quarantine_place=row.quarantine_place,
    )


def _batch(batch: resolve_epidemiology.ContactBatch) -> ContactBatch:
    return ContactBatch(
        contacts=[Contact.from_model(c) for c in batch.contacts],
        already_patients=[
            ContactRowPatient(index=n, case_code=c) for n, c in batch.already_patients
        ],
    )
