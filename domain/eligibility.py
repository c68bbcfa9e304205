"""Eligibility for home care (CLINICAL.md), checked when a declaration is verified.
Not meeting it is a flag for the official ("needs facility assessment"), never a refusal."""

from __future__ import annotations

from dataclasses import dataclass

from domain.clinical import VN_MOH_2022, RuleSet, Vitals, assess
from domain.enums import Severity

FULLY_VACCINATED_DOSES = 2
YOUNGEST_WITHOUT_VACCINE = 1
OLDEST_WITHOUT_VACCINE = 49


@dataclass(frozen=True)
class Eligibility:
    """Whether home care suits the case, and why not."""

    eligible: bool
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str | None:
        """The reasons as one sentence, or None when eligible."""
        return "; ".join(self.reasons) or None


def home_care(
    *,
    age_years: int,
    symptoms: tuple[str, ...],
    comorbidities: tuple[str, ...],
    vaccination_doses: int,
    spo2: int | None = None,
    respiratory_rate: int | None = None,
    rules: RuleSet = VN_MOH_2022,
) -> Eligibility:
    """Asymptomatic or mild, RR < 20 and SpO2 ≥ 96 when measured, and either vaccinated or
    aged 1–49 without a listed comorbidity."""
    reasons: list[str] = []
    vitals = Vitals(spo2=spo2, respiratory_rate=respiratory_rate, symptoms=symptoms)
    judged = assess(vitals, age_years=age_years, rules=rules)
    if judged.severity is not Severity.MILD:
        signs = ", ".join(judged.warning_signs)
        reasons.append(f"{judged.severity.value.lower()} case (warning signs: {signs})")
    vaccinated = vaccination_doses >= FULLY_VACCINATED_DOSES
    if not vaccinated:
        if not YOUNGEST_WITHOUT_VACCINE <= age_years <= OLDEST_WITHOUT_VACCINE:
            reasons.append(f"aged {age_years} and not fully vaccinated")
        if comorbidities:
            reasons.append(f"comorbidity {', '.join(comorbidities)} and not fully vaccinated")
    return Eligibility(eligible=not reasons, reasons=tuple(reasons))
