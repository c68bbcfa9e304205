"""Webhooks of the province's channels: what a webhook address may be, which addresses a
delivery may reach (server-side request forgery), the retry schedule, the payload (no
personal data beyond what the message needs), and secrets in the Standard Webhooks form."""

from __future__ import annotations

import base64
import ipaddress
import random
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from domain.notifications import PersonEventKind
from domain.text import Texts, rule

MAX_URL = 2000
RETRY_FOR = timedelta(hours=24)  # then the delivery is given up (FAILED)
FIRST_RETRY = timedelta(seconds=5)
LONGEST_WAIT = timedelta(hours=1)
TIMEOUT_SECONDS = 10.0  # one attempt


def url_problem(url: str) -> Texts | None:
    """Why a webhook address is not acceptable, or None."""
    if not 1 <= len(url) <= MAX_URL:
        return rule("must be 1 to {0} characters", MAX_URL)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return rule("must be an http or https address")
    if parts.username is not None or parts.password is not None:
        return rule("must not carry credentials (use the signature to authenticate f0care)")
    if not parts.hostname:
        return rule("must name a host")
    return None


def address_allowed(address: str, allow_private: bool) -> bool:
    """Whether a delivery may connect to this IP address: never to loopback, private,
    link-local, multicast or reserved ones unless the deployment allows private ones."""
    ip = ipaddress.ip_address(address)
    if allow_private:
        return not ip.is_multicast and not ip.is_unspecified
    return ip.is_global


def next_wait(attempts: int, rng: random.Random, first: timedelta = FIRST_RETRY) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: doubling from `first` (5
    seconds) up to an hour, with ±50 % jitter (endpoints coming back are not hit by
    everyone at once)."""
    doublings = min(max(attempts - 1, 0), 20)
    base: timedelta = min(first * (1 << doublings), LONGEST_WAIT)
    return base * rng.uniform(0.5, 1.5)


def new_secret() -> str:
    """A signing secret in the Standard Webhooks form: whsec_ and 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


def events_problem(names: list[str]) -> Texts | None:
    """Why a list of event kinds is not acceptable, or None."""
    known = {k.value for k in PersonEventKind}
    unknown = sorted(set(names) - known)
    if not names:
        return rule("must name at least one event")
    if unknown:
        return rule("unknown {0}; known: {1}", ", ".join(unknown), ", ".join(sorted(known)))
    return None


def payload(
    *, event_id: int, kind: str, created_at: str, subject: str, case_code: str | None,
    commune_code: str, message_vi: str, message_en: str,
) -> dict[str, Any]:  # fmt: skip
    """What a webhook receives: the event, whose it is, and the message to pass on —
    nothing more of the person."""
    return {
        "type": kind,
        "timestamp": created_at,
        "data": {
            "eventId": str(event_id),
            "citizenSubject": subject,
            "caseCode": case_code,
            "communeCode": commune_code,
            "message": {"vi": message_vi, "en": message_en},
        },
    }
