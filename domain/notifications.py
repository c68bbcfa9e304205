"""Events for people (a citizen's own case): what happened, rendered in Vietnamese and in
English from templates kept as data (`domain/data/messages.<language>.json`, one file per
language). Each event carries the values its template needs and nothing more."""

from __future__ import annotations

import json
import re
from datetime import date
from enum import Enum
from functools import cache
from importlib.resources import files
from typing import Any

LANGUAGES = ("vi", "en")  # Vietnamese first: the default


def language_of(accept_language: str | None) -> str:
    """The language to answer in, from an Accept-Language header: the first of ours it
    names (weights read as listed), Vietnamese when it names none."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        for language in LANGUAGES:
            if tag == language or tag.startswith(f"{language}-"):
                return language
    return LANGUAGES[0]


class PersonEventKind(Enum):
    """What happened to a citizen's case."""

    DECLARATION_VERIFIED = "DECLARATION_VERIFIED"
    DECLARATION_REJECTED = "DECLARATION_REJECTED"
    SOS_ACKNOWLEDGED = "SOS_ACKNOWLEDGED"
    ALERT_RESOLVED = "ALERT_RESOLVED"
    TRANSFER_ACCEPTED = "TRANSFER_ACCEPTED"
    TRANSFER_COMPLETED = "TRANSFER_COMPLETED"
    REPORT_REMINDER = "REPORT_REMINDER"
    RELEASE_DUE = "RELEASE_DUE"
    DISCHARGED = "DISCHARGED"
    CONTACT_QUARANTINE_STARTED = "CONTACT_QUARANTINE_STARTED"
    CONTACT_TEST_DUE = "CONTACT_TEST_DUE"


@cache
def templates(language: str) -> dict[str, str]:
    """The message templates of a language."""
    text = files("domain").joinpath(f"data/messages.{language}.json").read_text("utf-8")
    loaded: dict[str, str] = json.loads(text)
    return loaded


DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DAY_FORMAT = {"vi": "%d/%m/%Y", "en": "%d %b %Y"}


def render(kind: PersonEventKind, values: dict[str, Any], language: str) -> str:
    """The message of an event in `language`, from its template and values (days written
    as people of that language write them)."""
    words = templates(language)
    filled = {
        key: date.fromisoformat(v).strftime(DAY_FORMAT[language])
        if isinstance(v, str) and DAY.match(v)
        else v
        for key, v in values.items()
    }
    if "facility" in values and values["facility"] is None:
        filled["facility"] = words["place.HOME"]
    if kind is PersonEventKind.REPORT_REMINDER:
        filled["window"] = words[f"window.{values['window']}"]
    if kind is PersonEventKind.DISCHARGED:
        filled["outcome"] = words[f"outcome.{values['outcome']}"]
        number = values.get("certificate")
        filled["certificate"] = (
            "" if number is None else words["DISCHARGED_CERTIFICATE"].format(number=number)
        )
    return words[kind.value].format(**filled)


def messages(kind: PersonEventKind, values: dict[str, Any]) -> dict[str, str]:
    """The message in every language."""
    return {language: render(kind, values, language) for language in LANGUAGES}
