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
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and (node.value.id, node.attr) in FORBIDDEN_CALLS):
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


# -- layers: scenarios -> engine -> domains; inside engine, bank -> kernel --------------------------
BANK_DOMAINS = {"access", "accounting", "credit", "custody", "customer", "deposit", "governance", "price",
                "report", "time"}


def imported_modules(tree: ast.AST) -> set[str]:
    """Every absolute module path a file imports (including imports inside functions)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def layer_offences(folder: str, forbidden) -> dict[str, list[str]]:
    offences = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        bad = sorted(m for m in imported_modules(ast.parse(path.read_text(), str(path))) if forbidden(m))
        if bad:
            offences[str(path.relative_to(ROOT))] = bad
    return offences


def is_bank_domain(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == "domains" and len(parts) > 1 and parts[1] in BANK_DOMAINS


def test_the_engine_imports_nothing_from_scenarios():
    assert layer_offences("engine", lambda m: m.split(".")[0] == "scenarios") == {}


def test_the_kernel_knows_no_bank_module_and_not_the_bank_layer():
    assert layer_offences("engine/kernel", lambda m: is_bank_domain(m) or m.startswith("engine.bank")
                          or m == "engine.simulation") == {}


def test_domains_import_neither_engine_nor_scenarios():
    assert layer_offences("domains", lambda m: m.split(".")[0] in {"engine", "scenarios"}) == {}


def test_the_layer_checker_sees_an_import_inside_a_function():
    tree = ast.parse("def f():\n    from engine.bank.ledger import Ledger\n")
    assert "engine.bank.ledger" in imported_modules(tree)
    assert is_bank_domain("domains.credit.facility") and not is_bank_domain("domains.aggregate")


def test_public_entry_points_keep_working():
    from domains.credit import InterestInterval, TermValues, std_terms
    from engine import Simulation

    with Simulation(seed=1, journal=":memory:") as sim:
        for service in ("customer", "deposit", "credit", "governance", "access", "custody", "price", "report",
                        "ledger"):
            assert hasattr(sim, service), service
    assert std_terms().annual_rate > 0 and TermValues and InterestInterval


def test_bank_services_are_built_with_narrow_dependencies_not_the_simulation():
    import inspect

    from engine import Simulation
    from engine.kernel.port import Kernel

    with Simulation(seed=1, journal=":memory:") as sim:
        built = {name: getattr(sim, name) for name in ("access", "customer", "governance", "deposit", "custody",
                                                       "price", "report", "credit")}
        for name, service in built.items():
            params = inspect.signature(type(service).__init__).parameters
            assert "sim" not in params, name
            assert isinstance(getattr(service, "kernel", getattr(service, "sim", None)), Kernel), name
    assert "importlib" not in (ROOT / "engine" / "bank" / "modules.py").read_text()  # no class lookup by string


def test_the_credit_modules_typed_state_reads_name_each_kinds_registered_state_class():
    """`CreditStates.state` is typed per kind; the kernel's `state` is generic, so each overload's
    class must be the one the kind's aggregate registers, or the types would lie."""
    import typing

    import domains.credit
    from engine.bank.credit_reads import CreditStates

    registered = {spec.kind: spec.state for spec in domains.credit.AGGREGATES}
    declared = {}
    for overload in typing.get_overloads(CreditStates.state):
        hints = typing.get_type_hints(overload)
        (kind,) = typing.get_args(hints["kind"])
        declared[kind] = hints["return"]
    assert len(declared) == 9
    assert declared == {kind: registered[kind] for kind in declared}
