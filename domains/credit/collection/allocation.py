"""Payment allocation order (LANA.md §8, Lana's code rather than its docs): every interest
obligation before any principal one; within a type by effective date, then creation order;
status is ignored, paid ones are skipped; stop when the payment is exhausted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from domains.credit.primitives import ObligationType

__all__ = ["Allocatable", "allocate"]


class Allocatable(Protocol):
    """What allocation reads of an obligation (an `Obligation` state satisfies it)."""

    @property
    def id(self) -> str: ...
    @property
    def obligation_type(self) -> ObligationType: ...
    @property
    def effective(self) -> date: ...
    @property
    def outstanding(self) -> int: ...


def allocate(payment_amount: int, obligations: Sequence[Allocatable]) -> list[tuple[str, int]]:
    """(obligation id, amount) pairs; `obligations` come in creation order. Any remainder is left
    unallocated (the ledger refuses payments above the posted outstanding)."""
    order = sorted(range(len(obligations)), key=lambda i: _rank(obligations[i], i))
    allocations, remaining = [], payment_amount
    for o in (obligations[i] for i in order):
        if remaining <= 0:
            break
        if o.outstanding > 0:
            take = min(o.outstanding, remaining)
            allocations.append((o.id, take))
            remaining -= take
    return allocations


def _rank(o: Allocatable, created: int) -> tuple[int, date, int]:
    return (0 if o.obligation_type == ObligationType.INTEREST else 1), o.effective, created
