"""The bank's modules as the engine hosts them: each domain's aggregates, policies and service."""

from __future__ import annotations

import importlib

__all__ = ["aggregates", "attach_services", "policies"]

# (domain package, service attribute on Simulation, service class path or None)
MODULES = (
    ("domains.time", "time", None),
    ("domains.accounting", "accounting", None),
    ("domains.price", "price", "engine.bank.service.price:PriceService"),
    ("domains.access", "access", "engine.bank.service.access:AccessService"),
    ("domains.customer", "customer", "engine.bank.service.customer:CustomerService"),
    ("domains.governance", "governance", "engine.bank.service.governance:GovernanceService"),
    ("domains.deposit", "deposit", "engine.bank.service.deposit:DepositService"),
    ("domains.custody", "custody", "engine.bank.service.custody:CustodyService"),
    ("domains.report", "report", "engine.bank.service.report:ReportService"),
    ("domains.credit", "credit", "engine.bank.service.credit:CreditService"),
)

# A service that works through other modules' services is attached only alongside them.
REQUIRES = {"credit": ("price", "customer", "deposit", "governance", "custody")}


def aggregates() -> list:
    specs = []
    for package, _, _ in MODULES:
        specs.extend(importlib.import_module(package).AGGREGATES)
    return specs


def policies() -> list:
    found: list = []
    for package, _, _ in MODULES:
        found.extend(getattr(importlib.import_module(package), "POLICIES", ()))
    return found


def attach_services(sim) -> None:
    """Attach each module's service when the simulation hosts all of that module's aggregates."""
    for package, attr, path in MODULES:
        kinds = {spec.kind for spec in importlib.import_module(package).AGGREGATES}
        needs = REQUIRES.get(attr, ())
        if path is not None and kinds <= set(sim.kinds) and all(hasattr(sim, n) for n in needs):
            module, cls = path.split(":")
            setattr(sim, attr, getattr(importlib.import_module(module), cls)(sim))
