"""Layers go one way (DESIGN.md §2): the schema declares types and rules and calls
resolvers; it never reaches the database layer itself."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_the_schema_never_imports_the_database_layer() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in _imports(path) if m.split(".")[0] == "db")
        for path in sorted((ROOT / "schema").rglob("*.py"))
    }
    assert {path: found for path, found in offenders.items() if found} == {}
    assert offenders  # the walk found the schema's modules
