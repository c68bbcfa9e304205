"""The medication rules (CLINICAL.md, "Medication at home"), boundary by boundary."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.enums import MedicationPackage
from domain.medication import BY_CODE, Candidate, problems

MOLNUPIRAVIR = Candidate(
    drug=BY_CODE["MOLNUPIRAVIR-400"],
    package=MedicationPackage.C,
    days=5,
    start_day=5,
    age_years=18,
    pregnant=False,
    breastfeeding=False,
    consent=True,
)


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({}, set()),  # day 5, age 18, 5 days, consent: allowed
        ({"start_day": 6}, {"startOn"}),
        ({"age_years": 17}, {"patientId"}),
        ({"days": 6}, {"days"}),  # package C and molnupiravir: at most 5 days
        ({"consent": False}, {"consentRecorded"}),
        ({"pregnant": True}, {"patientId"}),
        ({"breastfeeding": True}, {"patientId"}),
        ({"package": MedicationPackage.A}, {"package"}),  # A holds no antiviral
    ],
)
def test_molnupiravir_boundaries(change: dict[str, object], fields: set[str]) -> None:
    order = replace(MOLNUPIRAVIR, **change)  # type: ignore[arg-type]
    assert {field for field, _ in problems(order)} == fields


def test_package_b_lasts_three_days_and_not_in_pregnancy() -> None:
    steroid = Candidate(
        BY_CODE["DEXAMETHASONE-0.5"], MedicationPackage.B, 3, 2, 40, False, False, False
    )
    assert problems(steroid) == []
    assert {f for f, _ in problems(replace(steroid, days=4))} == {"days"}
    assert {f for f, _ in problems(replace(steroid, pregnant=True))} == {"package"}
    paracetamol = replace(steroid, drug=BY_CODE["PARACETAMOL-500"])
    assert [f for f, _ in problems(paracetamol)] == ["package"]  # B holds no antipyretic
