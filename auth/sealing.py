"""Secrets f0care must use again (a webhook's signing secret) are kept encrypted with a
key from settings (Fernet: AES-128-CBC with HMAC-SHA256), so that a database dump does not
reveal them."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class Sealer:
    """Encrypts and decrypts short secrets."""

    def __init__(self, key_material: str) -> None:
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"f0care webhook secrets"
        ).derive(key_material.encode("utf-8"))
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise ValueError("sealed with another key (F0CARE_WEBHOOK_KEY changed?)") from None
