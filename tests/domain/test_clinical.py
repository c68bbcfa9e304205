"""Every CLINICAL.md warning sign and severity boundary, on both sides of each threshold."""

from __future__ import annotations

import pytest

from domain.clinical import (
    SYMPTOMS,
    Vitals,
    assess,
    check_ranges,
    missed_report_message,
    sign_texts,
    sos_message,
    symptomatic_contact_message,
)
from domain.enums import Severity
from domain.enums import TransferStatus as T
from domain.text import Texts
from domain.transfers import IllegalTransition, advance

MILD, MODERATE, SEVERE, CRITICAL = (
    Severity.MILD,
    Severity.MODERATE,
    Severity.SEVERE,
    Severity.CRITICAL,
)
ADULT = 30

# (label, vitals, age, expected severity, expected warning-sign codes)
CASES: list[tuple[str, Vitals, int, Severity, set[str]]] = [
    ("normal adult", Vitals(spo2=98, respiratory_rate=16, pulse=80, temperature=37.0), ADULT, MILD, set()),
    # SpO2: < 96 warning, 94-95 moderate, < 94 severe, < 90 critical
    ("SpO2 96", Vitals(spo2=96), ADULT, MILD, set()),
    ("SpO2 95", Vitals(spo2=95), ADULT, MODERATE, {"SPO2_LOW"}),
    ("SpO2 94", Vitals(spo2=94), ADULT, MODERATE, {"SPO2_LOW"}),
    ("SpO2 93", Vitals(spo2=93), ADULT, SEVERE, {"SPO2_LOW"}),
    ("SpO2 90", Vitals(spo2=90), ADULT, SEVERE, {"SPO2_LOW"}),
    ("SpO2 89", Vitals(spo2=89), ADULT, CRITICAL, {"SPO2_LOW"}),
    # adult respiratory rate: ≥ 20 warning, 20-25 moderate, > 25 severe, > 30 or < 10 critical
    ("RR 19", Vitals(respiratory_rate=19), ADULT, MILD, set()),
    ("RR 20", Vitals(respiratory_rate=20), ADULT, MODERATE, {"RESPIRATORY_RATE_HIGH"}),
    ("RR 25", Vitals(respiratory_rate=25), ADULT, MODERATE, {"RESPIRATORY_RATE_HIGH"}),
    ("RR 26", Vitals(respiratory_rate=26), ADULT, SEVERE, {"RESPIRATORY_RATE_HIGH"}),
    ("RR 30", Vitals(respiratory_rate=30), ADULT, SEVERE, {"RESPIRATORY_RATE_HIGH"}),
    ("RR 31", Vitals(respiratory_rate=31), ADULT, CRITICAL, {"RESPIRATORY_RATE_HIGH"}),
    ("RR 10", Vitals(respiratory_rate=10), ADULT, MILD, set()),
    ("RR 9", Vitals(respiratory_rate=9), ADULT, CRITICAL, {"RESPIRATORY_RATE_LOW"}),
    # age 12 is the adult band
    ("age 12, RR 19", Vitals(respiratory_rate=19), 12, MILD, set()),
    ("age 12, RR 20", Vitals(respiratory_rate=20), 12, MODERATE, {"RESPIRATORY_RATE_HIGH"}),
    # 5 to < 12: ≥ 30
    ("age 11, RR 29", Vitals(respiratory_rate=29), 11, MILD, set()),
    ("age 11, RR 30", Vitals(respiratory_rate=30), 11, MODERATE, {"RESPIRATORY_RATE_HIGH"}),
    ("age 5, RR 29", Vitals(respiratory_rate=29), 5, MILD, set()),
    ("age 5, RR 30", Vitals(respiratory_rate=30), 5, MODERATE, {"RESPIRATORY_RATE_HIGH"}),
    # 1 to < 5: ≥ 40
    ("age 4, RR 39", Vitals(respiratory_rate=39), 4, MILD, set()),
    ("age 4, RR 40", Vitals(respiratory_rate=40), 4, MODERATE, {"RESPIRATORY_RATE_HIGH"}),
    ("age 1, RR 39", Vitals(respiratory_rate=39), 1, MILD, set()),
    ("age 1, RR 40", Vitals(respiratory_rate=40), 1, MODERATE, {"RESPIRATORY_RATE_HIGH"}),
    # under 1 year: WHO's infant threshold, 50/min
    ("age 0, RR 49", Vitals(respiratory_rate=49), 0, MILD, set()),
    ("age 0, RR 50", Vitals(respiratory_rate=50), 0, MODERATE, {"RESPIRATORY_RATE_HIGH"}),
    # pulse > 120 or < 50
    ("pulse 120", Vitals(pulse=120), ADULT, MILD, set()),
    ("pulse 121", Vitals(pulse=121), ADULT, MODERATE, {"PULSE_ABNORMAL"}),
    ("pulse 50", Vitals(pulse=50), ADULT, MILD, set()),
    ("pulse 49", Vitals(pulse=49), ADULT, MODERATE, {"PULSE_ABNORMAL"}),
    # blood pressure: systolic < 90 or diastolic < 60
    ("BP 90/60", Vitals(systolic=90, diastolic=60), ADULT, MILD, set()),
    ("BP 89/60", Vitals(systolic=89, diastolic=60), ADULT, MODERATE, {"BLOOD_PRESSURE_LOW"}),
    ("BP 90/59", Vitals(systolic=90, diastolic=59), ADULT, MODERATE, {"BLOOD_PRESSURE_LOW"}),
    # temperature > 39 under 5
    ("age 4, 39.0 °C", Vitals(temperature=39.0), 4, MILD, set()),
    ("age 4, 39.1 °C", Vitals(temperature=39.1), 4, MODERATE, {"CHILD_HIGH_FEVER"}),
    ("age 5, 39.5 °C", Vitals(temperature=39.5), 5, MILD, set()),
    # symptoms that are warning signs
    ("shortness of breath", Vitals(symptoms=("SHORTNESS_OF_BREATH",)), ADULT, SEVERE, {"SHORTNESS_OF_BREATH"}),
    ("chest pain", Vitals(symptoms=("CHEST_PAIN",)), ADULT, MODERATE, {"CHEST_PAIN"}),
    ("confusion", Vitals(symptoms=("DROWSINESS_OR_CONFUSION",)), ADULT, CRITICAL, {"ALTERED_CONSCIOUSNESS"}),
    ("bluish lips", Vitals(symptoms=("BLUISH_LIPS_OR_FINGERS",)), ADULT, MODERATE, {"CYANOSIS"}),
    ("child not drinking", Vitals(symptoms=("CHILD_CANNOT_DRINK_OR_FEED",)), 3, MODERATE, {"CHILD_CANNOT_DRINK"}),
    ("cough only", Vitals(symptoms=("COUGH", "FATIGUE")), ADULT, MILD, set()),
    # the worst finding decides
    ("SpO2 93 and RR 27", Vitals(spo2=93, respiratory_rate=27), ADULT, SEVERE, {"SPO2_LOW", "RESPIRATORY_RATE_HIGH"}),
]  # fmt: skip

TIER = {MILD: 1, MODERATE: 2, SEVERE: 3, CRITICAL: 3}


@pytest.mark.parametrize(
    ("vitals", "age", "severity", "signs"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_rule_set(vitals: Vitals, age: int, severity: Severity, signs: set[str]) -> None:
    result = assess(vitals, age_years=age)
    assert result.severity is severity
    assert set(result.warning_signs) == signs
    assert result.recommended_tier == TIER[severity]
    assert result.rule_set == "vn-moh-2022"


def test_alert_message_names_values_and_suggests_a_tier() -> None:
    result = assess(Vitals(spo2=93, respiratory_rate=27), age_years=ADULT)
    assert result.message(current_tier=1) == (  # Vietnamese first
        "SpO2 93 % dưới 96 %; nhịp thở 27 lần/phút, từ 20 trở lên — đề nghị chuyển tầng 3"
    )
    assert result.message(current_tier=1, language="en") == (
        "SpO2 93 % below 96 %; respiratory rate 27/min, 20 or more — suggest transfer to tier 3"
    )
    assert "chuyển tầng" not in result.message(current_tier=3)


VIETNAMESE = {
    "SPO2_LOW": "SpO2 90 % dưới 96 %",
    "RESPIRATORY_RATE_HIGH": "nhịp thở 32 lần/phút, từ 20 trở lên",
    "RESPIRATORY_RATE_LOW": "nhịp thở 8 lần/phút, dưới 10",
    "PULSE_ABNORMAL": "mạch 130 lần/phút, ngoài khoảng 50–120",
    "BLOOD_PRESSURE_LOW": "huyết áp 85/55 mmHg, dưới 90/60",
    "CHILD_HIGH_FEVER": "sốt 39.5 °C, trên 39 °C ở trẻ dưới 5 tuổi",
    "SHORTNESS_OF_BREATH": "khó thở",
    "CHEST_PAIN": "đau tức ngực",
    "ALTERED_CONSCIOUSNESS": "lơ mơ, lú lẫn",
    "CYANOSIS": "tím môi, đầu chi",
    "CHILD_CANNOT_DRINK": "trẻ không uống hoặc bú được",
}


def test_every_warning_sign_has_its_vietnamese_and_english_words() -> None:
    adult = assess(
        Vitals(spo2=90, respiratory_rate=32, pulse=130, systolic=85, diastolic=55,
               symptoms=("SHORTNESS_OF_BREATH", "CHEST_PAIN", "DROWSINESS_OR_CONFUSION",
                         "BLUISH_LIPS_OR_FINGERS")),
        age_years=ADULT,
    )  # fmt: skip
    slow = assess(Vitals(respiratory_rate=8), age_years=ADULT)
    child = assess(Vitals(temperature=39.5, symptoms=("CHILD_CANNOT_DRINK_OR_FEED",)), age_years=2)
    found = {f.code: f for r in (adult, slow, child) for f in r.findings}
    assert set(found) == set(VIETNAMESE)  # every sign the rules know is covered here
    for code, words in VIETNAMESE.items():
        assert found[code].text() == words, code
        assert found[code].text("en") not in ("", words), code


def test_every_alert_text_exists_in_both_languages_and_every_symptom_in_words() -> None:
    vietnamese, english = sign_texts("vi"), sign_texts("en")
    assert set(vietnamese) == set(english)  # one file per language, the same keys
    for symptom in SYMPTOMS:
        assert vietnamese[f"symptom.{symptom}"] != english[f"symptom.{symptom}"], symptom
    texts = [
        missed_report_message(24),
        sos_message(""),
        symptomatic_contact_message(7, "72-2021-000001", ("COUGH", "CHILLS")),
    ]
    assert texts[0] == Texts(
        "chưa có báo cáo sức khỏe quá 24 giờ", "no health report for more than 24 h"
    )
    assert texts[2].vi == (
        "F1 #7 (tiếp xúc gần của ca 72-2021-000001) có triệu chứng: ho, ớn lạnh, gai rét — "
        "cần xét nghiệm ngay"
    )
    assert "cough, chills" in texts[2].en
    assert all(t.vi != t.en and t.in_language("en") == t.en for t in texts)
    written = "Khó thở quá, cứu với"  # what a citizen wrote is theirs, in every language
    assert sos_message(written) == Texts(written, written)


@pytest.mark.parametrize(
    ("vitals", "field"),
    [
        (Vitals(spo2=49), "spo2"),
        (Vitals(spo2=101), "spo2"),
        (Vitals(temperature=33.9), "temperature"),
        (Vitals(temperature=43.1), "temperature"),
        (Vitals(pulse=29), "pulse"),
        (Vitals(pulse=221), "pulse"),
        (Vitals(respiratory_rate=4), "respiratoryRate"),
        (Vitals(respiratory_rate=81), "respiratoryRate"),
        (Vitals(systolic=49, diastolic=40), "systolic"),
        (Vitals(systolic=261, diastolic=100), "systolic"),
        (Vitals(systolic=120, diastolic=29), "diastolic"),
        (Vitals(systolic=200, diastolic=161), "diastolic"),
        (Vitals(systolic=80, diastolic=80), "systolic"),
        (Vitals(systolic=120), "diastolic"),
        (Vitals(symptoms=("SNEEZING",)), "symptoms"),
    ],
)
def test_implausible_values_are_typing_errors(vitals: Vitals, field: str) -> None:
    assert field in {f for f, _ in check_ranges(vitals)}


def test_plausible_edges_pass() -> None:
    edges = Vitals(
        spo2=50, temperature=43.0, pulse=30, respiratory_rate=80, systolic=260, diastolic=30
    )
    assert check_ranges(edges) == []


@pytest.mark.parametrize(
    ("current", "target"),
    [(T.REQUESTED, T.ACCEPTED), (T.REQUESTED, T.REJECTED), (T.REQUESTED, T.CANCELLED),
     (T.ACCEPTED, T.COMPLETED), (T.ACCEPTED, T.CANCELLED)],
)  # fmt: skip
def test_legal_transitions(current: T, target: T) -> None:
    assert advance(current, target) is target


@pytest.mark.parametrize(
    ("current", "target"),
    [(T.REQUESTED, T.COMPLETED), (T.ACCEPTED, T.REJECTED), (T.ACCEPTED, T.ACCEPTED),
     (T.REJECTED, T.ACCEPTED), (T.COMPLETED, T.CANCELLED), (T.CANCELLED, T.ACCEPTED),
     (T.COMPLETED, T.COMPLETED)],
)  # fmt: skip
def test_illegal_transitions_name_the_state(current: T, target: T) -> None:
    with pytest.raises(IllegalTransition, match=f"transfer is {current.value}"):
        advance(current, target)
