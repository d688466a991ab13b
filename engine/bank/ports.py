"""Narrow dependencies of the bank's services and process managers: what they use of the price
service, the clock's jobs, the reactions registry and of each other (the composition root,
`engine.bank.modules.attach_services`, passes the real ones; mypy checks each against these)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from domains.aggregate import Policy
from domains.deposit.account import DepositAccount
from domains.governance.approval_process import ApprovalProcess
from engine.bank.service.customer import CustomerView
from engine.kernel.clock import Job, Priority

__all__ = ["CustomerReads", "DepositReads", "Governing", "JobScheduling", "PriceReading", "ProcessReads",
           "ProcessStarting", "PublicIdReads", "ReactionRegistry", "WalletOpening"]


class PriceReading(Protocol):
    def current(self) -> int | None:
        """The latest BTC price in USD cents, or None before the first."""


class JobScheduling(Protocol):
    def at(self, when: datetime | int, fn: Job, priority: Priority = ...) -> None:
        """Run `fn()` at `when` (a datetime or sim seconds), after `priority`'s earlier work."""


class ReactionRegistry(Protocol):
    def add(self, policy: Policy) -> None:
        """Register an outbox consumer (resuming from its journaled cursor)."""


class CustomerReads(Protocol):
    def customer(self, customer_id: str) -> CustomerView: ...


class DepositReads(Protocol):
    def accounts_of(self, customer_id: str) -> list[str]: ...
    def account(self, account_id: str) -> DepositAccount: ...


class WalletOpening(Protocol):
    def create_wallet(self, custodian_id: str) -> str: ...


class ProcessStarting(Protocol):
    def start_process(self, process_type: str, target_ref: str, process_id: str | None = None) -> str: ...


class ProcessReads(Protocol):
    def process(self, process_id: str) -> ApprovalProcess: ...


class Governing(ProcessStarting, ProcessReads, Protocol):
    """What the credit service uses of governance: it starts processes and reads their verdicts."""


class PublicIdReads(Protocol):
    def of(self, kind: str, entity_id: str) -> int: ...
