"""The bank's modules as the engine hosts them: each domain's aggregates and its service."""

from __future__ import annotations

import importlib

__all__ = ["aggregates", "attach_services"]

# (domain package, service attribute on Simulation, service class path)
MODULES = (
    ("domains.access", "access", "engine.service.access:AccessService"),
    ("domains.customer", "customer", "engine.service.customer:CustomerService"),
)


def aggregates() -> list:
    specs = []
    for package, _, _ in MODULES:
        specs.extend(importlib.import_module(package).AGGREGATES)
    return specs


def attach_services(sim) -> None:
    for package, attr, path in MODULES:
        module, cls = path.split(":")
        setattr(sim, attr, getattr(importlib.import_module(module), cls)(sim))
