"""What any text must be before it is stored or echoed back: one rule for every input."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

MAX_TEXT = 5000  # characters in any one string; fields with a tighter rule check it too
MAX_ITEMS = 500  # items in any one list (the largest batch the API takes)


def text_problem(value: str, *, max_length: int | None = MAX_TEXT) -> Texts | None:
    """Why `value` cannot be taken as text, or None when it can.

    PostgreSQL cannot store NUL (U+0000) in text, and a lone surrogate is not Unicode, so
    it can neither be stored nor sent back as UTF-8."""
    if "\x00" in value:
        return rule("must not contain the NUL character (U+0000)")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return rule("must be Unicode text, without lone surrogates (U+D800–U+DFFF)")
    if max_length is not None and len(value) > max_length:
        return rule("must be at most {0} characters", max_length)
    return None


@dataclass(frozen=True)
class Texts:
    """A text for people, in Vietnamese (the default) and in English."""

    vi: str
    en: str

    @classmethod
    def of(cls, render: Callable[[str], str]) -> Texts:
        """The text `render` writes in each language."""
        return cls(vi=render("vi"), en=render("en"))

    @classmethod
    def same(cls, text: str) -> Texts:
        """A text a person wrote: the same in every language."""
        return cls(vi=text, en=text)

    def in_language(self, language: str) -> str:
        """The text in `language` (Vietnamese unless English is asked for)."""
        return self.en if language == "en" else self.vi


@cache
def rules_in_vietnamese() -> dict[str, str]:
    """Each validation rule's words in Vietnamese, by its English template
    (`data/rules.vi.json`; the English is the template at the rule itself)."""
    text = files("domain").joinpath("data/rules.vi.json").read_text("utf-8")
    loaded: dict[str, str] = json.loads(text)
    return loaded


def rule(template: str, *values: object) -> Texts:
    """A broken rule in words for the person who broke it, in Vietnamese and English:
    `template` is the English (`str.format` with positional fields), the Vietnamese is found
    by it (a test holds every template of the code to a Vietnamese one)."""
    vietnamese = rules_in_vietnamese().get(template, template)
    return Texts(vi=vietnamese.format(*values), en=template.format(*values))
