"""Clinical rule set `vn-moh-2022` (CLINICAL.md): warning signs, severity, recommended tier.

Every threshold lives in the `RuleSet` data below; code only interprets it, so a
deployment can load another rule set without a code change.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from domain.enums import Severity
from domain.text import Texts, rule

SYMPTOMS: tuple[str, ...] = (
    "FATIGUE",
    "COUGH",
    "SPUTUM",
    "CHILLS",
    "RED_EYES",
    "LOSS_OF_TASTE_OR_SMELL",
    "DIARRHOEA",
    "COUGHING_BLOOD",
    "SHORTNESS_OF_BREATH",
    "CHEST_PAIN",
    "DROWSINESS_OR_CONFUSION",
    "SORE_THROAT",
    "HEADACHE",
    "DIZZINESS",
    "LOSS_OF_APPETITE",
    "VOMITING",
    "MUSCLE_PAIN",
    "BLUISH_LIPS_OR_FINGERS",
    "CHILD_CANNOT_DRINK_OR_FEED",
)


@dataclass(frozen=True)
class RespiratoryBand:
    """Respiratory-rate warning threshold for patients aged at least `min_age` years."""

    min_age: int
    warning_at: int


@dataclass(frozen=True)
class RuleSet:
    """One versioned set of clinical thresholds."""

    version: str
    # Plausible ranges: outside them a value is a typing error.
    ranges: dict[str, tuple[float, float]]
    spo2_warning_below: int
    spo2_severe_below: int
    spo2_critical_below: int
    respiratory_bands: tuple[RespiratoryBand, ...]
    adult_age: int
    adult_rr_severe_above: int
    adult_rr_critical_above: int
    adult_rr_critical_below: int
    pulse_high_above: int
    pulse_low_below: int
    systolic_low_below: int
    diastolic_low_below: int
    child_fever_age_below: int
    child_fever_above: float
    # symptom -> warning-sign code
    symptom_signs: dict[str, str] = field(default_factory=dict)
    severe_symptom_signs: frozenset[str] = frozenset()
    critical_symptom_signs: frozenset[str] = frozenset()
    tier_by_severity: dict[Severity, int] = field(default_factory=dict)


VN_MOH_2022 = RuleSet(
    version="vn-moh-2022",
    ranges={
        "spo2": (50, 100),
        "temperature": (34.0, 43.0),
        "pulse": (30, 220),
        "respiratoryRate": (5, 80),
        "systolic": (50, 260),
        "diastolic": (30, 160),
    },
    spo2_warning_below=96,
    spo2_severe_below=94,
    spo2_critical_below=90,
    # CLINICAL.md gives bands from age 1; under 1 we use WHO's 50/min for infants.
    respiratory_bands=(
        RespiratoryBand(min_age=12, warning_at=20),
        RespiratoryBand(min_age=5, warning_at=30),
        RespiratoryBand(min_age=1, warning_at=40),
        RespiratoryBand(min_age=0, warning_at=50),
    ),
    adult_age=12,
    adult_rr_severe_above=25,
    adult_rr_critical_above=30,
    adult_rr_critical_below=10,
    pulse_high_above=120,
    pulse_low_below=50,
    systolic_low_below=90,
    diastolic_low_below=60,
    child_fever_age_below=5,
    child_fever_above=39.0,
    symptom_signs={
        "SHORTNESS_OF_BREATH": "SHORTNESS_OF_BREATH",
        "CHEST_PAIN": "CHEST_PAIN",
        "DROWSINESS_OR_CONFUSION": "ALTERED_CONSCIOUSNESS",
        "BLUISH_LIPS_OR_FINGERS": "CYANOSIS",
        "CHILD_CANNOT_DRINK_OR_FEED": "CHILD_CANNOT_DRINK",
    },
    severe_symptom_signs=frozenset({"SHORTNESS_OF_BREATH"}),
    critical_symptom_signs=frozenset({"ALTERED_CONSCIOUSNESS"}),
    tier_by_severity={
        Severity.MILD: 1,
        Severity.MODERATE: 2,
        Severity.SEVERE: 3,
        Severity.CRITICAL: 3,
    },
)


@dataclass(frozen=True)
class Vitals:
    """One set of measurements; any may be missing."""

    spo2: int | None = None
    temperature: float | None = None
    pulse: int | None = None
    respiratory_rate: int | None = None
    systolic: int | None = None
    diastolic: int | None = None
    symptoms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One warning sign found: its code and the values its words need."""

    code: str
    values: tuple[tuple[str, object], ...] = ()

    def text(self, language: str = "vi") -> str:
        """The sign in words (texts kept as data next to the rules: `data/signs.*.json`)."""
        return sign_texts(language)[self.code].format(**dict(self.values))


@cache
def sign_texts(language: str) -> dict[str, str]:
    """The words of every warning sign in a language (Vietnamese first)."""
    text = files("domain").joinpath(f"data/signs.{language}.json").read_text("utf-8")
    loaded: dict[str, str] = json.loads(text)
    return loaded


@dataclass(frozen=True)
class Assessment:
    """What a rule set concluded from one report."""

    severity: Severity
    findings: tuple[Finding, ...]
    recommended_tier: int
    rule_set: str

    @property
    def warning_signs(self) -> tuple[str, ...]:
        """The codes of the warning signs found."""
        return tuple(f.code for f in self.findings)

    def message(self, current_tier: int, language: str = "vi") -> str:
        """The alert text: each sign in words, and a suggested transfer when due."""
        words = sign_texts(language)
        text = "; ".join(f.text(language) for f in self.findings) or words["severity"].format(
            severity=self.severity.value
        )
        if self.recommended_tier > current_tier:
            text += words["transfer"].format(tier=self.recommended_tier)
        return text

    def messages(self, current_tier: int) -> Texts:
        """The alert text in each language."""
        return Texts.of(lambda language: self.message(current_tier, language))


def missed_report_message(hours: float) -> Texts:
    """The text of a missed-report alert: no report for more than `hours`."""
    return Texts.of(
        lambda language: sign_texts(language)["missedReport"].format(hours=f"{hours:g}")
    )


def sos_message(text: str) -> Texts:
    """The text of an SOS: what the citizen wrote, or the standard words when nothing."""
    if text:
        return Texts.same(text)
    return Texts.of(lambda language: sign_texts(language)["sos"])


def symptomatic_contact_message(contact_id: int, case_code: str, symptoms: Sequence[str]) -> Texts:
    """The text of a SYMPTOMATIC_CONTACT alert: who, whose contact, which symptoms."""

    def render(language: str) -> str:
        words = sign_texts(language)
        named = ", ".join(words.get(f"symptom.{s}", s) for s in symptoms)
        return words["symptomaticContact"].format(
            contact=contact_id, case=case_code, symptoms=named
        )

    return Texts.of(render)


def check_ranges(vitals: Vitals, rules: RuleSet = VN_MOH_2022) -> list[tuple[str, Texts]]:
    """(field, rule) for every value outside its plausible range: a typing error."""
    values = {
        "spo2": vitals.spo2,
        "temperature": vitals.temperature,
        "pulse": vitals.pulse,
        "respiratoryRate": vitals.respiratory_rate,
        "systolic": vitals.systolic,
        "diastolic": vitals.diastolic,
    }
    problems = [
        (name, rule("must be between {0:g} and {1:g}, got {2:g}", low, high, value))
        for name, value in values.items()
        if value is not None
        for low, high in [rules.ranges[name]]
        if not low <= value <= high
    ]
    if vitals.systolic is not None and vitals.diastolic is not None:
        if vitals.systolic <= vitals.diastolic:
            problems.append(("systolic", rule("must be greater than diastolic")))
    if (vitals.systolic is None) != (vitals.diastolic is None):
        missing = "diastolic" if vitals.diastolic is None else "systolic"
        problems.append((missing, rule("blood pressure needs both systolic and diastolic")))
    problem = symptoms_problem(vitals.symptoms)
    if problem is not None:
        problems.append(("symptoms", problem))
    return problems


def symptoms_problem(symptoms: Sequence[str]) -> Texts | None:
    """Why a list of symptoms is not one from the checklist, or None when it is."""
    if len(symptoms) > len(SYMPTOMS):
        return rule("must hold at most {0} symptoms, each once (the checklist)", len(SYMPTOMS))
    unknown = list(dict.fromkeys(s for s in symptoms if s not in SYMPTOMS))
    if not unknown:
        return None
    named = ", ".join(s[:40] for s in unknown[:5]) + (", …" if len(unknown) > 5 else "")
    return rule("unknown {0}; allowed: {1}", named, ", ".join(SYMPTOMS))


def assess(vitals: Vitals, *, age_years: int, rules: RuleSet = VN_MOH_2022) -> Assessment:
    """Judge one report: warning signs found, severity and the tier it points to."""
    findings: list[Finding] = []
    level = 0  # index into Severity order
    spo2, rr = vitals.spo2, vitals.respiratory_rate
    if spo2 is not None and spo2 < rules.spo2_warning_below:
        findings.append(Finding("SPO2_LOW", (("spo2", spo2), ("limit", rules.spo2_warning_below))))
        level = max(level, _spo2_level(spo2, rules))
    if rr is not None:
        band = next(b for b in rules.respiratory_bands if age_years >= b.min_age)
        if rr >= band.warning_at:
            fast = (("rate", rr), ("limit", band.warning_at))
            findings.append(Finding("RESPIRATORY_RATE_HIGH", fast))
            level = max(level, 1)
        if age_years >= rules.adult_age:
            if rr < rules.adult_rr_critical_below:
                low_rate = (("rate", rr), ("limit", rules.adult_rr_critical_below))
                findings.append(Finding("RESPIRATORY_RATE_LOW", low_rate))
            level = max(level, _adult_rr_level(rr, rules))
    pulse = vitals.pulse
    if pulse is not None and not rules.pulse_low_below <= pulse <= rules.pulse_high_above:
        low, high = rules.pulse_low_below, rules.pulse_high_above
        findings.append(Finding("PULSE_ABNORMAL", (("pulse", pulse), ("low", low), ("high", high))))
    low_sys = vitals.systolic is not None and vitals.systolic < rules.systolic_low_below
    low_dia = vitals.diastolic is not None and vitals.diastolic < rules.diastolic_low_below
    if low_sys or low_dia:
        pressure = (
            ("systolic", vitals.systolic), ("diastolic", vitals.diastolic),
            ("systolicLimit", rules.systolic_low_below),
            ("diastolicLimit", rules.diastolic_low_below),
        )  # fmt: skip
        findings.append(Finding("BLOOD_PRESSURE_LOW", pressure))
    temperature = vitals.temperature
    if (
        age_years < rules.child_fever_age_below
        and temperature is not None
        and temperature > rules.child_fever_above
    ):
        fever = (("temperature", f"{temperature:g}"), ("limit", f"{rules.child_fever_above:g}"))
        findings.append(Finding("CHILD_HIGH_FEVER", fever))
    for symptom in dict.fromkeys(vitals.symptoms):
        sign = rules.symptom_signs.get(symptom)
        if sign is None:
            continue
        findings.append(Finding(sign))
        level = max(level, 3 if sign in rules.critical_symptom_signs else 1)
        if sign in rules.severe_symptom_signs:
            level = max(level, 2)
    if findings:
        level = max(level, 1)
    severity = list(Severity)[level]
    return Assessment(
        severity=severity,
        findings=tuple(findings),
        recommended_tier=rules.tier_by_severity[severity],
        rule_set=rules.version,
    )


def _spo2_level(spo2: int, rules: RuleSet) -> int:
    if spo2 < rules.spo2_critical_below:
        return 3
    if spo2 < rules.spo2_severe_below:
        return 2
    return 1


def _adult_rr_level(rr: int, rules: RuleSet) -> int:
    if rr > rules.adult_rr_critical_above or rr < rules.adult_rr_critical_below:
        return 3
    if rr > rules.adult_rr_severe_above:
        return 2
    return 0
