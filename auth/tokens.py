"""Bearer tokens: minting (HS256) and verification against an algorithm allow-list.

The accepted algorithms come from configuration, never from the token header; HS256 is
checked with the shared secret only, asymmetric algorithms with public keys selected by
`kid` (PEM files or a JWKS document), so an RS public key can never act as an HMAC secret.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from jwt.algorithms import get_default_algorithms

from domain.enums import AreaEdition, Role

MAX_TOKEN_LENGTH = 8192
MAX_LEEWAY_SECONDS = 30
SYMMETRIC = frozenset({"HS256", "HS384", "HS512"})
JWKS_REFRESH_SECONDS = 60.0


class InvalidToken(Exception):
    """The token cannot be trusted; the message says why (never echoes the token)."""


VERIFIED_CACHE_SIZE = 10_000


@dataclass(frozen=True)
class TokenClaims:
    """Who a token speaks for."""

    subject: str
    role: Role
    area: str | None = None
    facility: int | None = None
    expires_at: datetime | None = None
    version: int = 0  # of the account when the token was issued (see Directory.refusal)
    # signed in with a password an administrator set: only changePassword is allowed
    must_change_password: bool = False
    # the edition of the map its area code belongs to (codes are reused across editions)
    edition: AreaEdition | None = None


def mint_token(
    claims: TokenClaims, *, secret: str, ttl: timedelta, now: datetime | None = None
) -> tuple[str, datetime]:
    """A signed HS256 token for `claims` and its expiry time."""
    issued = now or datetime.now(UTC)
    expires = issued + ttl
    payload: dict[str, object] = {
        "sub": claims.subject,
        "role": claims.role.value,
        "iat": int(issued.timestamp()),
        "exp": int(expires.timestamp()),
    }
    if claims.area is not None:
        payload["area"] = claims.area
    if claims.facility is not None:
        payload["facility"] = str(claims.facility)
    if claims.must_change_password:
        payload["chg"] = True
    if claims.version:
        payload["ver"] = claims.version
    if claims.edition is not None:
        payload["ed"] = claims.edition.value
    return jwt.encode(payload, secret, algorithm="HS256"), expires


@dataclass
class KeySet:
    """Public keys by `kid`: from PEM files and/or a JWKS document (file or URL)."""

    pem_files: Mapping[str, Path] = field(default_factory=dict)
    jwks: str | None = None
    _keys: dict[str, Any] = field(default_factory=dict, init=False)
    _loaded_at: float = field(default=0.0, init=False)

    def load(self) -> None:
        """(Re)read every key source."""
        keys: dict[str, Any] = {}
        algorithms = get_default_algorithms()
        for kid, path in self.pem_files.items():
            pem = Path(path).read_bytes()
            keys[kid] = _pem_public_key(pem, algorithms)
        if self.jwks:
            document = _read_jwks(self.jwks)
            for jwk in jwt.PyJWKSet.from_dict(document).keys:
                if jwk.key_id:
                    keys[jwk.key_id] = jwk.key
        self._keys = keys
        self._loaded_at = time.monotonic()

    def key(self, kid: str | None) -> Any:
        """The key for `kid` (or the only key when the token names none)."""
        if kid is None:
            if len(self._keys) == 1:
                return next(iter(self._keys.values()))
            raise InvalidToken("token names no key id (kid)")
        if kid not in self._keys and self.jwks and self._stale():
            self.load()  # key rotation: a new kid may have been published
        if kid not in self._keys:
            raise InvalidToken("unknown key id (kid)")
        return self._keys[kid]

    def _stale(self) -> bool:
        return time.monotonic() - self._loaded_at > JWKS_REFRESH_SECONDS


def _pem_public_key(pem: bytes, algorithms: Mapping[str, Any]) -> Any:
    for name in ("RS256", "ES256", "EdDSA"):
        try:
            return algorithms[name].prepare_key(pem)
        except (ValueError, TypeError, jwt.InvalidKeyError):
            continue
    raise ValueError("not a PEM public key (RSA, EC or Ed25519/Ed448)")


def _read_jwks(source: str) -> dict[str, Any]:
    if source.startswith(("https://", "http://")):
        with urllib.request.urlopen(source, timeout=5) as response:  # noqa: S310 - configured URL
            document: dict[str, Any] = json.load(response)
            return document
    loaded: dict[str, Any] = json.loads(Path(source).read_text(encoding="utf-8"))
    return loaded


@dataclass
class TokenVerifier:
    """Checks signature, algorithm, time claims, issuer and audience; returns the claims."""

    algorithms: tuple[str, ...]
    secret: str | None = None
    keys: KeySet = field(default_factory=KeySet)
    issuer: str | None = None
    audience: str | None = None
    leeway_seconds: int = MAX_LEEWAY_SECONDS
    # tokens already verified: their claims, until their expiry (a client sends the same
    # token with every request; checking its signature once is enough)
    _verified: dict[str, TokenClaims] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.leeway_seconds = min(self.leeway_seconds, MAX_LEEWAY_SECONDS)

    def verify(self, token: str) -> TokenClaims:
        """The claims of a valid token; InvalidToken otherwise."""
        known = self._verified.get(token)
        if known is not None and known.expires_at is not None:
            if datetime.now(UTC) < known.expires_at + timedelta(seconds=self.leeway_seconds):
                return known
            del self._verified[token]
        claims = self._check(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = claims
        return claims

    def _check(self, token: str) -> TokenClaims:
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken("token too large")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidToken("malformed token") from None
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in self.algorithms:
            raise InvalidToken(f"algorithm {algorithm!r} is not accepted")
        key = self._key(algorithm, header.get("kid"))
        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                issuer=self.issuer,
                audience=self.audience,
                leeway=self.leeway_seconds,
                options={
                    "require": ["exp", "iat", "sub"],
                    "verify_aud": self.audience is not None,
                    "verify_iss": self.issuer is not None,
                },
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("token expired") from None
        except jwt.ImmatureSignatureError:
            raise InvalidToken("token not valid yet (nbf)") from None
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"invalid token: {exc}") from None
        return _claims(payload)

    def _key(self, algorithm: str, kid: object) -> Any:
        if algorithm in SYMMETRIC:
            if not self.secret:
                raise InvalidToken(f"algorithm {algorithm} is not configured")
            return self.secret
        if kid is not None and not isinstance(kid, str):
            raise InvalidToken("malformed key id (kid)")
        return self.keys.key(kid)


def _claims(payload: Mapping[str, Any]) -> TokenClaims:
    subject = payload.get("sub")
    if not isinstance(subject, str) or not subject.strip():
        raise InvalidToken("token has no subject (sub)")
    try:
        role = Role(payload.get("role"))
    except ValueError:
        raise InvalidToken("token has an unknown role") from None
    area = payload.get("area")
    if area is not None and not isinstance(area, str):
        raise InvalidToken("token area must be an area code string")
    facility = payload.get("facility")
    try:
        facility_id = None if facility is None else int(facility)
    except (TypeError, ValueError):
        raise InvalidToken("token facility must be a facility id") from None
    expires = datetime.fromtimestamp(int(payload["exp"]), UTC)
    version = payload.get("ver", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise InvalidToken("token version (ver) must be a whole number")
    change = payload.get("chg") is True
    try:
        edition = None if payload.get("ed") is None else AreaEdition(payload["ed"])
    except ValueError:
        raise InvalidToken("token edition (ed) must be an edition of the map") from None
    return TokenClaims(subject, role, area, facility_id, expires, version, change, edition)
