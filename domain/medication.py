"""Medication at home (CLINICAL.md, "Medication at home"): the drug catalogue as
versioned reference data, the packages, and the rules an order must keep — molnupiravir's
programme rules above all. Every threshold is data in `MedicationRules`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.enums import MedicationPackage
from domain.text import Texts, rule

CATALOGUE = "vn-moh-4109-2021"


@dataclass(frozen=True)
class Drug:
    """A drug of the catalogue."""

    code: str
    name: str
    strength: str
    form: str  # "viên" (tablet), "gói" (sachet), "dung dịch" (solution)…
    group: str  # one of the seven groups of 4109/QĐ-BYT


DRUGS: tuple[Drug, ...] = (
    Drug("PARACETAMOL-80", "Paracetamol", "80 mg", "gói", "antipyretic"),
    Drug("PARACETAMOL-100", "Paracetamol", "100 mg", "gói", "antipyretic"),
    Drug("PARACETAMOL-150", "Paracetamol", "150 mg", "gói", "antipyretic"),
    Drug("PARACETAMOL-250", "Paracetamol", "250 mg", "gói", "antipyretic"),
    Drug("PARACETAMOL-500", "Paracetamol", "500 mg", "viên", "antipyretic"),
    Drug("ORS", "Oresol (ORS)", "gói pha 200 ml", "gói", "rehydration"),
    Drug("VITAMIN-B", "Vitamin B1/B6/B12", "", "viên", "vitamin"),
    Drug("VITAMIN-C", "Vitamin C", "500 mg", "viên", "vitamin"),
    Drug("VITAMIN-C-ZINC", "Vitamin C + kẽm", "", "viên", "vitamin"),
    Drug("VITAMIN-D", "Vitamin D", "", "viên", "vitamin"),
    Drug("NACL-0.9", "Natri clorid 0,9 %", "0,9 %", "dung dịch", "antiseptic"),
    Drug("MOLNUPIRAVIR-200", "Molnupiravir", "200 mg", "viên", "antiviral"),
    Drug("MOLNUPIRAVIR-400", "Molnupiravir", "400 mg", "viên", "antiviral"),
    Drug("FAVIPIRAVIR-200", "Favipiravir", "200 mg", "viên", "antiviral"),
    Drug("FAVIPIRAVIR-400", "Favipiravir", "400 mg", "viên", "antiviral"),
    Drug("DEXAMETHASONE-0.5", "Dexamethasone", "0,5 mg", "viên", "corticosteroid"),
    Drug("METHYLPREDNISOLONE-16", "Methylprednisolone", "16 mg", "viên", "corticosteroid"),
    Drug("PREDNISOLONE-5", "Prednisolone", "5 mg", "viên", "corticosteroid"),
    Drug("RIVAROXABAN-10", "Rivaroxaban", "10 mg", "viên", "anticoagulant"),
    Drug("APIXABAN-2.5", "Apixaban", "2,5 mg", "viên", "anticoagulant"),
)
BY_CODE = {drug.code: drug for drug in DRUGS}

# the groups each package may hold
PACKAGES: dict[MedicationPackage, frozenset[str]] = {
    MedicationPackage.A: frozenset({"antipyretic", "rehydration", "vitamin", "antiseptic"}),
    MedicationPackage.B: frozenset({"corticosteroid", "anticoagulant"}),
    MedicationPackage.C: frozenset({"antiviral"}),
}


@dataclass(frozen=True)
class MedicationRules:
    version: str
    max_days: dict[MedicationPackage, int]  # the longest course per package
    molnupiravir_min_age: int
    molnupiravir_last_start_day: int  # started on or before this day of isolation
    molnupiravir_max_days: int
    adverse_follow_up_days: int  # adverse effects are asked for this long after the start


VN_MOH_2022_MEDICATION = MedicationRules(
    version="vn-moh-2022-medication",
    max_days={MedicationPackage.A: 7, MedicationPackage.B: 3, MedicationPackage.C: 5},
    molnupiravir_min_age=18,
    molnupiravir_last_start_day=5,
    molnupiravir_max_days=5,
    adverse_follow_up_days=14,
)


@dataclass(frozen=True)
class Candidate:
    """An order as the rules see it."""

    drug: Drug
    package: MedicationPackage | None
    days: int
    start_day: int  # day of isolation it starts on (day 1: the first positive test)
    age_years: int
    pregnant: bool
    breastfeeding: bool
    consent: bool


def problems(
    order: Candidate, rules: MedicationRules = VN_MOH_2022_MEDICATION
) -> list[tuple[str, Texts]]:
    """Every rule the order breaks, as (input field, rule) pairs (empty: it may be given)."""
    found: list[tuple[str, Texts]] = []
    if order.package is not None:
        if order.drug.group not in PACKAGES[order.package]:
            found.append(
                (
                    "package",
                    rule("package {0} does not hold {1}", order.package.value, order.drug.name),
                )
            )
        longest = rules.max_days[order.package]
        if order.days > longest:
            found.append(
                ("days", rule("package {0} lasts at most {1} days", order.package.value, longest))
            )
    if order.package is MedicationPackage.B and (order.pregnant or order.breastfeeding):
        found.append(("package", rule("package B is not for pregnancy or breastfeeding")))
    if order.drug.name == "Molnupiravir":
        if order.age_years < rules.molnupiravir_min_age:
            found.append(
                (
                    "patientId",
                    rule("molnupiravir: age must be at least {0}", rules.molnupiravir_min_age),
                )
            )
        if order.start_day > rules.molnupiravir_last_start_day:
            found.append(
                (
                    "startOn",
                    rule(
                        "molnupiravir: must start within {0} days of the positive test "
                        "(this is day {1})",
                        rules.molnupiravir_last_start_day,
                        order.start_day,
                    ),
                )
            )
        if order.pregnant or order.breastfeeding:
            found.append(("patientId", rule("molnupiravir: not during pregnancy or breastfeeding")))
        if not order.consent:
            found.append(("consentRecorded", rule("molnupiravir: signed consent must be recorded")))
        if order.days > rules.molnupiravir_max_days:
            found.append(
                ("days", rule("molnupiravir: at most {0} days", rules.molnupiravir_max_days))
            )
    return found


def follows_up_until(start_on: date, rules: MedicationRules = VN_MOH_2022_MEDICATION) -> date:
    """The last day adverse effects of a molnupiravir course are asked for."""
    return start_on + timedelta(days=rules.adverse_follow_up_days)
