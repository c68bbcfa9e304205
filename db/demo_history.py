"""Demo declarations, transfers, alerts and notes around the demo patients."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from faker import Faker
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Alert, AlertEvent, ClinicalNote, Declaration, Transfer
from domain.clinical import (
    Assessment,
    missed_report_message,
    sos_message,
    symptomatic_contact_message,
)
from domain.enums import (
    AlertEventType,
    AlertKind,
    AlertStatus,
    AreaLevel,
    DeclarationKind,
    DeclarationStatus,
    PatientStatus,
    Role,
    Severity,
    TestKind,
    TransferStatus,
)

OFFICIAL = "official.commune"
HEALTH = "health.commune"
NOTES = [
    "Theo dõi SpO2 hai lần mỗi ngày, uống nhiều nước, nghỉ ngơi.",
    "Đã phát túi thuốc A: paracetamol, vitamin C, kẽm.",
    "Bệnh nhân ho khan, không khó thở. Tiếp tục điều trị tại nhà.",
    "Gia đình có 2 F1, đã hướng dẫn cách ly và test nhanh.",
    "Đã phát túi thuốc C theo chỉ định của bác sĩ.",
]
REJECTIONS = [
    "Ảnh kết quả test không rõ, vui lòng chụp lại.",
    "Kết quả test âm tính theo xác minh của trạm y tế.",
    "Sai địa chỉ cư trú, đã chuyển về xã nơi đang ở.",
]


@dataclass
class Case:
    """A patient row being built, with what the later rows need to know."""

    row: dict[str, Any]
    peak: Severity
    latest: Assessment | None = None  # how the rules judged the newest report


class History:
    """Everything that happened around the demo cases, in every state the API knows."""

    def __init__(
        self, session: AsyncSession, *, rng: random.Random, now: datetime, fake: Faker
    ) -> None:
        self.session = session
        self.rng = rng
        self.now = now
        self.fake = fake

    async def write(self, cases: list[Case], hospital_of: dict[str, int]) -> None:
        """Write declarations, transfers, alerts and notes for `cases` (`hospital_of`: the
        tier-2 hospital of each commune's region)."""
        await self._declarations(cases)
        await self._transfers(cases, hospital_of)
        await self._alerts(cases)
        await self._notes(cases)

    async def _declarations(self, cases: list[Case]) -> None:
        rng = self.rng
        rows = [self._declaration(c.row, DeclarationStatus.VERIFIED) for c in cases[::8]]
        rows += [self._declaration(c.row, DeclarationStatus.DUPLICATE) for c in cases[3:40:8]]
        for i, case in enumerate(rng.sample(cases, k=min(len(cases), 33))):
            status = DeclarationStatus.REJECTED if i < 8 else DeclarationStatus.PENDING
            person = dict(case.row, full_name=self.fake.name(), national_id=None, id=None)
            person["phone"] = "09" + "".join(rng.choices("0123456789", k=8))
            person["confirmed_at"] = self.now - timedelta(hours=rng.uniform(1, 48))
            rows.append(self._declaration(person, status))
        await self.session.execute(insert(Declaration), rows)

    def _declaration(self, person: dict[str, Any], status: DeclarationStatus) -> dict[str, Any]:
        rng = self.rng
        kind = rng.choice([DeclarationKind.SELF_TEST] * 3 + [DeclarationKind.HOSPITAL_SCREENING])
        created = person["confirmed_at"] - timedelta(hours=rng.uniform(1, 20))
        reviewed = status is not DeclarationStatus.PENDING
        self_test = kind is DeclarationKind.SELF_TEST
        return {
            "kind": kind,
            "status": status,
            "idempotency_key": f"seed-{rng.getrandbits(64):016x}",
            "submitted_by": person["citizen_subject"] if self_test else "screening.hospital",
            "citizen_subject": person["citizen_subject"] if self_test else None,
            "full_name": person["full_name"],
            "date_of_birth": person["date_of_birth"],
            "sex": person["sex"],
            "national_id": person["national_id"],
            "phone": person["phone"],
            "address": person["address"],
            "province_code": person["home_province_code"],
            "district_code": person["home_district_code"],
            "commune_code": person["home_commune_code"],
            "test_kind": TestKind.RAPID_ANTIGEN if self_test else rng.choice(list(TestKind)),
            "tested_on": created.date(),
            "symptoms": [],
            "created_at": created,
            "reviewed_by": OFFICIAL if reviewed else None,
            "reviewed_at": person["confirmed_at"] if reviewed else None,
            "rejection_reason": rng.choice(REJECTIONS)
            if status is DeclarationStatus.REJECTED
            else None,
            "patient_id": person["id"],
        }

    async def _transfers(self, cases: list[Case], hospital_of: dict[str, int]) -> None:
        rows = [
            self._transfer(c.row, TransferStatus.COMPLETED, c.row["tier"], c.row["facility_id"])
            for c in cases
            if c.row["status"] is PatientStatus.IN_FACILITY
        ]
        home = [
            c
            for c in cases[1:]
            if c.row["status"] is PatientStatus.HOME_TREATMENT and c.peak is not Severity.MILD
        ]
        states = [TransferStatus.REQUESTED] * 5 + [TransferStatus.ACCEPTED] * 3
        states += [TransferStatus.REJECTED] * 3 + [TransferStatus.CANCELLED] * 3
        for case, state in zip(home, states, strict=False):
            target = hospital_of[case.row["home_commune_code"]]
            rows.append(self._transfer(case.row, state, 2, target))
        await self.session.execute(insert(Transfer), rows)

    def _transfer(
        self, row: dict[str, Any], status: TransferStatus, to_tier: int, to_facility: int
    ) -> dict[str, Any]:
        requested = row["confirmed_at"] + timedelta(hours=self.rng.uniform(2, 30))
        requested = min(requested, self.now - timedelta(hours=1))
        later = requested + timedelta(minutes=40)
        decided = status is not TransferStatus.REQUESTED and status is not TransferStatus.CANCELLED
        return {
            "patient_id": row["id"],
            "province_code": row["home_province_code"],
            "status": status,
            "from_tier": 1,
            "to_tier": to_tier,
            "from_facility_id": None,
            "to_facility_id": to_facility,
            "reason": "SpO2 giảm dưới 96%, nhịp thở tăng — đề nghị chuyển tầng 2.",
            "requested_by": HEALTH,
            "requested_at": requested,
            "decided_by": "hospital.tier2" if decided else None,
            "accepted_at": later
            if status in (TransferStatus.ACCEPTED, TransferStatus.COMPLETED)
            else None,
            "rejected_at": later if status is TransferStatus.REJECTED else None,
            "rejection_reason": "Hết giường, đề nghị chuyển BV dã chiến."
            if status is TransferStatus.REJECTED
            else None,
            "completed_by": "hospital.tier2" if status is TransferStatus.COMPLETED else None,
            "completed_at": later + timedelta(hours=2)
            if status is TransferStatus.COMPLETED
            else None,
            "cancelled_by": HEALTH if status is TransferStatus.CANCELLED else None,
            "cancelled_at": later if status is TransferStatus.CANCELLED else None,
            "cancel_reason": "Bệnh nhân cải thiện." if status is TransferStatus.CANCELLED else None,
        }

    async def _alerts(self, cases: list[Case]) -> None:
        plan: list[tuple[Case, AlertKind, AlertStatus, AreaLevel]] = []
        active = [c for c in cases if c.row["status"] is PatientStatus.HOME_TREATMENT]
        # as the API does: a newest report with a warning sign has its alert open (some
        # already acknowledged); earlier warnings that have passed were resolved
        for i, case in enumerate(c for c in active if c.latest and c.latest.findings):
            status = AlertStatus.ACKNOWLEDGED if i % 3 == 2 else AlertStatus.OPEN
            plan.append((case, AlertKind.VITAL_SIGNS, status, AreaLevel.COMMUNE))
        passed = [c for c in active if c.peak is not Severity.MILD and not _warning(c)]
        for case in passed[:10]:
            plan.append((case, AlertKind.VITAL_SIGNS, AlertStatus.RESOLVED, AreaLevel.COMMUNE))
        sos = [
            (AlertStatus.OPEN, AreaLevel.COMMUNE),
            (AlertStatus.OPEN, AreaLevel.DISTRICT),
            (AlertStatus.OPEN, AreaLevel.PROVINCE),
            (AlertStatus.ACKNOWLEDGED, AreaLevel.COMMUNE),
            (AlertStatus.RESOLVED, AreaLevel.COMMUNE),
            (AlertStatus.RESOLVED, AreaLevel.DISTRICT),
        ]
        for case, (status, level) in zip(active[1:7], sos, strict=False):
            if level is AreaLevel.DISTRICT and case.row["home_district_code"] is None:
                level = AreaLevel.PROVINCE  # a map without districts: the next level up
            plan.append((case, AlertKind.SOS, status, level))
        for i, case in enumerate(active[7:19]):
            status = AlertStatus.RESOLVED if i % 2 else AlertStatus.OPEN
            plan.append((case, AlertKind.MISSED_REPORT, status, AreaLevel.COMMUNE))
        contact_alerts = (AlertStatus.RESOLVED, AlertStatus.ACKNOWLEDGED)
        for case, status in zip(active[19:21], contact_alerts, strict=False):
            plan.append((case, AlertKind.SYMPTOMATIC_CONTACT, status, AreaLevel.COMMUNE))
        plan.sort(key=lambda p: p[0].row.get("last_report_at") or p[0].row["confirmed_at"])
        alerts = [self._alert(*p) for p in plan]
        ids = list(
            (await self.session.execute(insert(Alert).returning(Alert.id), alerts)).scalars()
        )
        events = [e for alert_id, a in zip(ids, alerts, strict=True) for e in _events(alert_id, a)]
        events.sort(key=lambda e: e["created_at"])
        await self.session.execute(insert(AlertEvent), events)

    def _alert(
        self, case: Case, kind: AlertKind, status: AlertStatus, level: AreaLevel
    ) -> dict[str, Any]:
        row = case.row
        raised = min(row.get("last_report_at") or row["confirmed_at"], self.now) - timedelta(
            minutes=self.rng.randint(0, 50)
        )
        severity = row.get("severity") or Severity.MILD
        warning = case.latest if _warning(case) else None
        message = {
            AlertKind.SOS: sos_message(""),
            AlertKind.VITAL_SIGNS: warning.messages(row["tier"])
            if warning
            else Assessment(case.peak, (), row["tier"], "vn-moh-2022").messages(row["tier"]),
            AlertKind.MISSED_REPORT: missed_report_message(24),
            AlertKind.SYMPTOMATIC_CONTACT: symptomatic_contact_message(
                row["id"], row["case_code"], ("COUGH",)
            ),
        }[kind]
        if kind is AlertKind.VITAL_SIGNS and warning is None:
            severity = case.peak  # a warning that has passed: judged at its worst
        acked = status is not AlertStatus.OPEN
        return {
            "patient_id": row["id"],
            "province_code": row["home_province_code"],
            "district_code": row["home_district_code"],
            "commune_code": row["home_commune_code"],
            "facility_id": row["facility_id"],
            "kind": kind,
            "status": status,
            "severity": Severity.SEVERE if kind is AlertKind.SOS else severity,
            "message": message.vi,
            "message_en": message.en,
            "rule_set": "vn-moh-2022" if kind is AlertKind.VITAL_SIGNS else None,
            "escalation_level": level,
            "raised_by": row["citizen_subject"] if kind is AlertKind.SOS else "system",
            "raised_at": raised,
            "last_pressed_at": raised,
            "escalated_at": raised + timedelta(minutes=5)
            if level is not AreaLevel.COMMUNE
            else None,
            "acknowledged_by": HEALTH if acked else None,
            "acknowledged_at": raised + timedelta(minutes=7) if acked else None,
            "resolved_by": HEALTH if status is AlertStatus.RESOLVED else None,
            "resolved_at": raised + timedelta(minutes=30)
            if status is AlertStatus.RESOLVED
            else None,
            "resolution_note": "Đã gọi điện, bệnh nhân ổn định."
            if status is AlertStatus.RESOLVED
            else None,
        }

    async def _notes(self, cases: list[Case]) -> None:
        rows = [
            {
                "patient_id": c.row["id"],
                "text": self.rng.choice(NOTES),
                "author": HEALTH,
                "author_role": Role.HEALTH_STAFF,
                "created_at": c.row["confirmed_at"] + timedelta(hours=3),
            }
            for c in cases[::5]
        ]
        await self.session.execute(insert(ClinicalNote), rows)


def _warning(case: Case) -> bool:
    return case.latest is not None and bool(case.latest.findings)


def _events(alert_id: int, alert: dict[str, Any]) -> list[dict[str, Any]]:
    """The alert's events, each with the alert as it was then (escalated, acknowledged
    and resolved only from those events on)."""
    steps: list[tuple[AlertEventType, str, dict[str, Any]]] = [
        (AlertEventType.CREATED, "raised_at", {"status": AlertStatus.OPEN}),
        (AlertEventType.ESCALATED, "escalated_at", {}),
        (AlertEventType.ACKNOWLEDGED, "acknowledged_at", {"status": AlertStatus.ACKNOWLEDGED}),
        (AlertEventType.RESOLVED, "resolved_at", {"status": AlertStatus.RESOLVED}),
    ]
    later = {"escalated_at", "acknowledged_by", "acknowledged_at", "resolved_by", "resolved_at"}
    defaults = {"press_count": 1, "idempotency_key": None}  # the table's defaults
    state = {**defaults, **alert, "id": alert_id, "escalation_level": AreaLevel.COMMUNE} | {
        key: None for key in later | {"resolution_note"}
    }
    events = []
    for event, stamp, change in steps:
        if alert[stamp] is None:
            continue
        if event is AlertEventType.ESCALATED:
            change = {"escalation_level": alert["escalation_level"], "escalated_at": alert[stamp]}
        elif event is AlertEventType.ACKNOWLEDGED:
            change |= {key: alert[key] for key in ("acknowledged_by", "acknowledged_at")}
        elif event is AlertEventType.RESOLVED:
            change |= {k: alert[k] for k in ("resolved_by", "resolved_at", "resolution_note")}
        state |= change
        events.append(
            {
                "alert_id": alert_id,
                "type": event,
                "province_code": alert["province_code"],
                "escalation_level": state["escalation_level"],
                "alert_state": _as_json(state),
                "created_at": alert[stamp],
            }
        )
    return events


def _as_json(state: dict[str, Any]) -> dict[str, Any]:
    """An alert row as `to_jsonb` writes it: enums by value, times in ISO 8601."""
    return {
        key: value.value
        if isinstance(value, Enum)
        else value.isoformat()
        if isinstance(value, datetime)
        else value
        for key, value in state.items()
    }
