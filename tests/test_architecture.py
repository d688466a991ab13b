"""Dependency direction: domains are pure (stdlib, attrs and other domains only)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_MODULES = {"pykka", "simpy", "sqlite_utils", "sqlite3", "engine", "scenarios", "random", "time",
                     "uuid", "threading", "orjson", "os"}
FORBIDDEN_CALLS = {("datetime", "now"), ("date", "today"), ("datetime", "utcnow"), ("uuid", "uuid4")}


def imported_roots(tree: ast.AST) -> set[str]:
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def forbidden_calls(tree: ast.AST) -> set[tuple[str, str]]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in FORBIDDEN_CALLS:
                found.add((node.value.id, node.attr))
    return found


def test_domains_import_no_infrastructure_clock_or_global_randomness():
    files = sorted((ROOT / "domains").rglob("*.py"))
    assert len(files) > 3
    offences = {}
    for path in files:
        tree = ast.parse(path.read_text(), str(path))
        bad = (imported_roots(tree) & FORBIDDEN_MODULES) | {".".join(c) for c in forbidden_calls(tree)}
        if bad:
            offences[str(path.relative_to(ROOT))] = sorted(bad)
    assert offences == {}


def test_the_checker_catches_a_forbidden_import_and_a_wall_clock_read():
    tree = ast.parse("import random\nfrom datetime import datetime\nx = datetime.now()\n")
    assert imported_roots(tree) & FORBIDDEN_MODULES == {"random"}
    assert forbidden_calls(tree) == {("datetime", "now")}
