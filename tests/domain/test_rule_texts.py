"""Every validation rule the code can break is written in Vietnamese and English: the
English template at the rule, its Vietnamese in `domain/data/rules.vi.json`."""

from __future__ import annotations

import ast
from pathlib import Path
from string import Formatter

from domain.text import Texts, rule, rules_in_vietnamese

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("auth", "db", "domain", "resolvers", "schema", "server")


def _templates() -> dict[str, list[str]]:
    """Every `rule(...)` call in the code: its template and where it is."""
    found: dict[str, list[str]] = {}
    for source in SOURCES:
        for path in sorted((ROOT / source).rglob("*.py")):
            tree = ast.parse(path.read_text("utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "rule":
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    first = node.args[0] if node.args else None
                    # a rule's template must be a literal: it is the key of its Vietnamese
                    assert isinstance(first, ast.Constant), where
                    assert isinstance(first.value, str), where
                    found.setdefault(first.value, []).append(where)
    return found


def _fields(template: str) -> list[tuple[str | None, str | None, str | None]]:
    return sorted(
        (name, spec, conversion)
        for _, name, spec, conversion in Formatter().parse(template)
        if name is not None
    )


def test_every_rule_of_the_code_has_its_vietnamese_words_with_the_same_fields() -> None:
    templates = _templates()
    vietnamese = rules_in_vietnamese()
    assert len(templates) > 90  # the scan found the rules
    missing = {t: where for t, where in templates.items() if t not in vietnamese}
    assert not missing, missing
    assert set(vietnamese) == set(templates), set(vietnamese) - set(templates)  # none stale
    for template, words in vietnamese.items():
        assert words != template, template
        assert _fields(words) == _fields(template), template


def test_a_rule_reads_in_both_languages() -> None:
    broken = rule("must be between {0:g} and {1:g}, got {2:g}", 50, 100, 49.0)
    assert broken == Texts("phải từ 50 đến 100, nhận được 49", "must be between 50 and 100, got 49")
    assert broken.in_language("en") == broken.en
    assert broken.in_language("vi") == broken.in_language("fr") == broken.vi
