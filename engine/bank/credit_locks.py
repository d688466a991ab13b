"""Credit work that waits on a locked deposit account: a frozen or closed account takes no posting,
so an approved disbursal's settlement, or an activation whose initial disbursal credits it, waits
with nothing of it done, and is done when the account is unfrozen (`AccountLocks`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from domains.aggregate import Send
from domains.credit.facility import activate, conclude_approval
from domains.credit.facility.activation import activation_amounts
from domains.credit.facility.disbursal import Disbursal
from domains.credit.facility.pending import PendingFacility
from domains.credit.primitives import DisbursalStatus
from domains.deposit import AccountStatus
from domains.deposit.account import DepositAccount
from domains.governance import ApprovalProcessStatus
from engine.bank.credit_day import FlowKernel
from engine.bank.credit_reads import FACILITY_KIND, CreditReads
from engine.bank.ports import DepositReads, ProcessReads

__all__ = ["AccountLocks"]

class AccountLocks:
    """A deposit account that is not active (frozen, or closed) is locked in the ledger, as Lana's
    freeze and close lock its ledger account, which then refuses any balance update. Lana does not
    check this before posting: the posting fails inside its job's transaction, so nothing of the
    settlement (or of the activation, which posts its initial disbursal and fee in the same
    transaction) is kept, and the job retries until the account is unlocked. Here the flow does not
    send the work while the account is locked, and `resumed` sends it at the unfreeze, the
    instant the first retry after it would succeed."""

    def __init__(self, kernel: FlowKernel, reads: CreditReads, accounts: DepositReads,
                 processes: ProcessReads) -> None:
        self.kernel, self.reads, self.accounts, self.processes = kernel, reads, accounts, processes

    def locked(self, account_id: str) -> bool:
        return self.accounts.account(account_id).status is not AccountStatus.ACTIVE

    def activation_waits(self, pending: PendingFacility) -> bool:
        """Its activation pays something out at once (the initial disbursal, then the fee from it)
        into a locked account; one paying nothing out posts nothing to the account and goes ahead."""
        paid_out = activation_amounts(pending.amount, pending.terms, self.kernel.now).initial_disbursal
        return bool(paid_out) and self.locked(pending.disbursal_credit_account_id)

    def resumed(self, account_id: str, price: int | None) -> tuple[Send, ...]:
        """What waited on `account_id`, nothing while it is locked: its holder's completed, not yet
        activated facilities crediting it (activated at `price`, now; none without a price), then
        the disbursals governance approved and that were not settled, facility by facility in id
        order, each facility's in (initiation day, id) order."""
        account = self.accounts.account(account_id)
        if account.status is not AccountStatus.ACTIVE:
            return ()
        sends: list[Send] = []
        if price is not None:
            for pending in self._waiting_activations(account):
                sends += activate(pending, price, self.kernel.now, self.kernel.ids.entity)
        today: date = self.kernel.now.date()
        for disbursal in self._waiting_settlements(account):
            sends += conclude_approval(disbursal, True, today, self.kernel.ids.entity)
        return tuple(sends)

    def _waiting_activations(self, account: DepositAccount) -> Iterator[PendingFacility]:
        exists, proposals = self.reads.exists, self.kernel.index("credit-facility-proposal")
        for pending_id in proposals.ids_where("customer_id", [account.account_holder_id]):
            if not exists("pending-credit-facility", pending_id) or exists(FACILITY_KIND, pending_id):
                continue  # the pending facility has the proposal's id, the facility the pending's
            pending = self.kernel.state("pending-credit-facility", pending_id)
            if pending.completed_at is not None and pending.disbursal_credit_account_id == account.id:
                yield pending

    def _waiting_settlements(self, account: DepositAccount) -> Iterator[Disbursal]:
        facilities = self.kernel.index(FACILITY_KIND).ids_where("customer_id", [account.account_holder_id])
        for facility_id in facilities:
            if self.kernel.state(FACILITY_KIND, facility_id).disbursal_credit_account_id != account.id:
                continue
            ids = self.kernel.index("disbursal").ids_where("facility_id", [facility_id])
            waiting = [d for d in (self.kernel.state("disbursal", i) for i in ids) if self._approved_unsettled(d)]
            yield from sorted(waiting, key=lambda d: (d.initiated_on, d.id))

    def _approved_unsettled(self, d: Disbursal) -> bool:
        if d.status is not DisbursalStatus.NEW or d.approved is not None or d.pre_approved:
            return False
        return (self.reads.exists("approval-process", d.id)
                and self.processes.process(d.id).status is ApprovalProcessStatus.APPROVED)
