"""Demo F0 cases and everything that happens to them (used by db.demo)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from faker import Faker
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.demo_history import Case, History
from db.demo_map import Region
from db.models import Area, CaseCounter, Facility, HealthReport, Patient
from domain.clinical import SYMPTOMS, Assessment, Vitals, assess
from domain.enums import DischargeOutcome, PatientStatus, Role, Severity, Sex

MILD_SYMPTOMS = [
    s for s in SYMPTOMS if s in {"FATIGUE", "COUGH", "SORE_THROAT", "HEADACHE", "MUSCLE_PAIN"}
]
STATUS_WEIGHTS = {
    PatientStatus.HOME_TREATMENT: 55,
    PatientStatus.IN_FACILITY: 10,
    PatientStatus.RECOVERED: 30,
    PatientStatus.DECEASED: 1,
    PatientStatus.MOVED_AWAY: 4,
}
# (SpO2 range, respiratory-rate range) of a day at each severity of a course
VITALS_BY_SEVERITY = {
    Severity.MILD: ((96, 99), (14, 19)),
    Severity.MODERATE: ((94, 95), (20, 24)),
    Severity.SEVERE: ((91, 93), (26, 29)),
    Severity.CRITICAL: ((85, 89), (31, 34)),
}
BIRTH_PROVINCE = "072"  # of citizen IDs: born in Tây Ninh (the registration code of 2021)


@dataclass(frozen=True)
class Place:
    """A commune and its region (its district, on the 2021 map)."""

    commune: Area
    region: Region


class CaseWriter:
    """Writes demo patients with their reports, declarations, transfers, alerts and notes."""

    def __init__(
        self,
        session: AsyncSession,
        *,
        rng: random.Random,
        now: datetime,
        places: list[Place],
        facilities: list[Facility],
        province: str,
        hospital_of: dict[str, int],
    ) -> None:
        self.session = session
        self.rng = rng
        self.now = now
        self.places = places
        self.facilities = facilities
        self.province = province  # of case codes and counters
        self.hospital_of = hospital_of  # commune code → its region's tier-2 hospital
        self.fake = Faker("vi_VN")
        self.fake.seed_instance(rng.random())

    @staticmethod
    def citizen_subject(n: int) -> str:
        """The token subject of the citizen who owns demo patient number `n`."""
        return f"demo-citizen-{n:04d}"

    async def write(self, count: int, report: Callable[[str, int, int], None]) -> None:
        """Write `count` patients and their histories."""
        cases = [self._case(n) for n in range(1, count + 1)]
        reports = [self._reports(c, i) for i, c in enumerate(cases)]
        ids = await self._insert(Patient, [c.row for c in cases], Patient.id)
        for case, pid, own in zip(cases, ids, reports, strict=True):
            case.row["id"] = pid
            for r in own:
                r["patient_id"] = pid
        await self._counters(cases)
        report("patients", count, count)
        flat = [r for own in reports for r in own]
        for start in range(0, len(flat), 5000):
            await self.session.execute(insert(HealthReport), flat[start : start + 5000])
            report("health reports", min(start + 5000, len(flat)), len(flat))
        history = History(self.session, rng=self.rng, now=self.now, fake=self.fake)
        await history.write(cases, self.hospital_of)
        report("declarations, transfers, alerts", 1, 1)

    def _case(self, n: int) -> Case:
        rng = self.rng
        status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        # the first patient is the demo citizen's: always at home
        status = PatientStatus.HOME_TREATMENT if n == 1 else status
        place = self.places[0 if n == 1 else rng.randrange(len(self.places))]
        sex = rng.choice([Sex.MALE, Sex.FEMALE])
        age = rng.choice(
            [rng.randint(1, 17), rng.randint(18, 64), rng.randint(18, 64), rng.randint(65, 92)]
        )
        born = (self.now - timedelta(days=age * 365 + rng.randint(0, 364))).date()
        confirmed = self.now - timedelta(days=rng.uniform(0.5, 20))
        peak = rng.choices(list(Severity), weights=[75, 17, 6, 2])[0]
        row: dict[str, Any] = {
            "case_code": "",
            "status": status,
            "tier": 1,
            "facility_id": None,
            "full_name": self._name(sex),
            "date_of_birth": born,
            "sex": sex,
            "national_id": self._national_id(sex, born) if age >= 14 else None,
            "phone": "0" + rng.choice("389") + "".join(rng.choices("0123456789", k=8)),
            "address": ", ".join(
                [
                    self.fake.street_address(),
                    place.commune.name,
                    *([place.region.district.name] if place.region.district else []),
                    "Tỉnh Tây Ninh",
                ]
            ),
            "home_province_code": place.commune.province_code,
            "home_district_code": place.commune.district_code,
            "home_commune_code": place.commune.code,
            "vaccination_doses": rng.choice([0, 1, 2, 2, 2, 3]),
            "citizen_subject": self.citizen_subject(n),
            "confirmed_at": confirmed,
            "created_at": confirmed,
        }
        if status is PatientStatus.IN_FACILITY:
            peak = max(peak, Severity.MODERATE, key=list(Severity).index)
            tier = 3 if peak in (Severity.SEVERE, Severity.CRITICAL) else 2
            pool = [
                f
                for f in self.facilities
                if f.tier == tier and f.kind.value != "SCREENING_HOSPITAL"
            ]
            row.update(tier=tier, facility_id=rng.choice(pool).id)
        if status in (PatientStatus.RECOVERED, PatientStatus.DECEASED, PatientStatus.MOVED_AWAY):
            confirmed = self.now - timedelta(days=rng.uniform(8, 20))
            row["confirmed_at"] = row["created_at"] = confirmed
            days = max(7.0, (self.now - confirmed).days - rng.uniform(0, 3))
            row["discharged_at"] = min(
                confirmed + timedelta(days=days), self.now - timedelta(hours=2)
            )
            row["discharge_outcome"] = DischargeOutcome(status.value)
        row["case_code"] = f"{self.province}-{confirmed.year}-{n:06d}"
        return Case(row=row, peak=peak)

    def _name(self, sex: Sex) -> str:
        given = self.fake.first_name_male() if sex is Sex.MALE else self.fake.first_name_female()
        return f"{self.fake.last_name()} {self.fake.middle_name()} {given}"

    def _national_id(self, sex: Sex, born: date) -> str:
        century = (0 if born.year < 2000 else 2) + (1 if sex is Sex.FEMALE else 0)
        tail = "".join(self.rng.choices("0123456789", k=6))
        return f"{BIRTH_PROVINCE}{century}{born.year % 100:02d}{tail}"

    async def _counters(self, cases: list[Case]) -> None:
        years: dict[int, int] = {}
        for case in cases:
            year = case.row["confirmed_at"].year
            years[year] = max(years.get(year, 0), int(case.row["case_code"].rsplit("-", 1)[1]))
        rows = [
            {"province_code": self.province, "year": y, "last_value": v} for y, v in years.items()
        ]
        await self.session.execute(insert(CaseCounter), rows)

    def _reports(self, case: Case, index: int) -> list[dict[str, Any]]:
        row, rng = case.row, self.rng
        start = max(row["confirmed_at"], self.now - timedelta(days=14))
        end = row.get("discharged_at") or self.now
        age = (self.now.date() - row["date_of_birth"]).days // 365
        reports: list[dict[str, Any]] = []
        day = start.replace(hour=1, minute=0, second=0, microsecond=0)  # 08:00 in Viet Nam
        k = 0
        while day <= end:
            for offset in (0, 8):  # morning and afternoon reports
                at = day + timedelta(hours=offset, minutes=rng.randint(0, 90))
                if not (start <= at <= end) or rng.random() < 0.08:
                    continue
                k += 1
                report, case.latest = self._report(row, case.peak, at, age, f"seed-{index}-{k}")
                reports.append(report)
            day += timedelta(days=1)
        if reports:
            row["last_report_at"] = reports[-1]["reported_at"]
            row["severity"] = reports[-1]["severity"]
        return reports

    def _report(
        self, row: dict[str, Any], peak: Severity, at: datetime, age: int, key: str
    ) -> tuple[dict[str, Any], Assessment]:
        """A report row and how the clinical rules judged it (as the API would)."""
        rng = self.rng
        day_severity = peak if rng.random() < 0.35 else Severity.MILD
        (s_lo, s_hi), (r_lo, r_hi) = VITALS_BY_SEVERITY[day_severity]
        symptoms = rng.sample(MILD_SYMPTOMS, k=rng.randint(0, 2))
        vitals = Vitals(
            spo2=rng.randint(s_lo, s_hi),
            temperature=round(rng.uniform(36.4, 38.6), 1),
            pulse=rng.randint(68, 105),
            respiratory_rate=rng.randint(r_lo, r_hi),
            symptoms=tuple(symptoms),
        )
        result = assess(vitals, age_years=age)
        report = {
            "province_code": row["home_province_code"],
            "reported_at": at,
            "spo2": vitals.spo2,
            "temperature": Decimal(str(vitals.temperature)),
            "pulse": vitals.pulse,
            "respiratory_rate": vitals.respiratory_rate,
            "symptoms": symptoms,
            "severity": result.severity,
            "warning_signs": list(result.warning_signs),
            "recommended_tier": result.recommended_tier,
            "rule_set": result.rule_set,
            "submitted_by": row["citizen_subject"],
            "submitted_role": Role.CITIZEN,
            "idempotency_key": key,
            "created_at": at,
        }
        return report, result

    async def _insert(self, model: type[Any], rows: list[dict[str, Any]], col: Any) -> list[int]:
        ids: list[int] = []
        for start in range(0, len(rows), 1000):
            result = await self.session.execute(
                insert(model).returning(col), rows[start : start + 1000]
            )
            ids.extend(result.scalars())
        return ids
