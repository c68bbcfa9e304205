"""Recovery certificates: their number, their verification code, and what a verifier may
learn of the holder (initials and birth year: enough to match an ID card, nothing more)."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from domain import codes

CODE_LENGTH = 8  # about 39 bits: out of reach at MAX_FAILED_CHECKS per WINDOW
MAX_FAILED_CHECKS = 5  # wrong codes per certificate number and window, then refused
WINDOW = timedelta(minutes=10)
MAX_NUMBER, MAX_CODE = 32, 16  # longer inputs cannot be a certificate's


def number_for(case_code: str) -> str:
    """The certificate number of a case: one certificate per case, stable on retry."""
    return f"GXN-{case_code}"


def new_code() -> str:
    return codes.new_code(CODE_LENGTH)


normalised_code = codes.normalised_code


def initials(full_name: str) -> str:
    """ "Đặng Trí Tùng" → "Đ.T.T." (diacritics kept, as on the ID card)."""
    words = unicodedata.normalize("NFC", full_name).split()
    return "".join(f"{word[0].upper()}." for word in words)


def issuer_name(commune_name: str) -> str:
    """The commune health station that certifies recovery (CLINICAL.md)."""
    return f"Trạm Y tế {commune_name}"
