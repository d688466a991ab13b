"""Payment allocation order (Lana's code rather than its docs): every interest
obligation before any principal one; within a type by effective date, then creation order;
status is ignored, paid ones are skipped; stop when the payment is exhausted."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Protocol

from domains.aggregate import Send
from domains.credit.commands import AllocatePayment, RecordAllocation
from domains.credit.primitives import ObligationType, bucket_of

if TYPE_CHECKING:
    from domains.credit.collection.obligation import Obligation

__all__ = ["Allocatable", "allocate", "allocation_commands"]


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


def allocation_commands(payment_id: str, amount: int, effective: date, obligations: Sequence[Obligation],
                        new_id: Callable[[], str]) -> tuple[Send, ...]:
    """Per allocation (in `allocate`'s order): the allocation record, in the obligation's current
    receivable bucket and numbered after its earlier payments, then the obligation's `AllocatePayment`;
    `new_id` draws each allocation's id."""
    by_id, sends = {o.id: o for o in obligations}, []
    for obligation_id, part in allocate(amount, obligations):
        o, allocation_id = by_id[obligation_id], new_id()
        sends.append(Send("payment-allocation", allocation_id, RecordAllocation(
            allocation_id, payment_id, o.id, o.obligation_type, o.beneficiary_id, part, bucket_of(o.status),
            len(o.payment_ids) + 1, effective)))
        sends.append(Send("obligation", o.id, AllocatePayment(payment_id, allocation_id, part, effective)))
    return tuple(sends)
