"""The credit module's process managers: outbox consumers that read (price, ledger, states) and
send commands, as Lana's credit jobs do. Pure reactions live in `domains.credit.policies`.

proposal approved -> collateral + pending facility; collateral or price change -> (pending)
collateralization; fully collateralized -> activation with its initial disbursal and obligation;
disbursal approved -> settlement + principal obligation (both wait while the deposit account they
credit is locked, and go ahead at its unfreeze: `engine.bank.credit_locks`); payment -> allocations,
interest first;
disbursal settled or payment from the deposit account -> that account's activity;
end of day -> one accrual period per due cycle, maturities, then (after obligations) cycle postings
(`engine.bank.credit_day`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

from domains.accounting import deposit_account
from domains.aggregate import Envelope, Policy, Send
from domains.credit import ProposalStatus
from domains.credit.collateral import SyncCollateralFromCustodian
from domains.credit.collection import allocation_commands
from domains.credit.collection.obligation import Obligation
from domains.credit.facility import (
    UpdateCollateralization,
    UpdatePendingCollateralization,
    activate,
    complete_when_collateralized,
    conclude_approval,
    open_pending_facility,
)
from domains.deposit import activity_on
from domains.wire import from_pascal
from engine.bank.credit_day import CYCLE, SUBJECT, DayEnd, FlowKernel
from engine.bank.credit_locks import AccountLocks
from engine.bank.credit_reads import FACILITY_KIND, CreditReads
from engine.bank.ports import PriceReading, ReactionRegistry
from engine.kernel.authz import System
from engine.kernel.batch import Batch

ALLOCATED = "core.credit-collection.payment-allocation-created"
SETTLED, PAID = "core.credit.disbursal-settled", "core.credit-collection.payment-created"
CREATED = "core.credit-collection.obligation-created"

__all__ = ["CYCLE", "CreditFlow", "FlowKernel"]

Consumer = tuple[str, tuple[str, ...], Callable[[Envelope], tuple[Send, ...]]]  # name, listens, react


class CreditFlow(DayEnd):
    """Engine-side consumers of one simulation; `active` lists facilities not yet closed. The rules
    are the domain's; these consumers read (`reads`, `price`, the kernel's states), then dispatch;
    they register with `reactions`; `locks` holds back what would post to a locked deposit account."""

    def __init__(self, kernel: FlowKernel, price: PriceReading, reactions: ReactionRegistry,
                 reads: CreditReads, locks: AccountLocks, accruals: Batch | None = None, *,
                 serial: threading.RLock) -> None:
        self.kernel, self.price, self.reads, self.locks = kernel, price, reads, locks
        self.serial = serial  # the bank's (`_resume`)
        open_ids = kernel.index(FACILITY_KIND).ids_where("status", ("active", "matured"))
        self.active: dict[str, None] = dict.fromkeys(open_ids)
        self._evaluated_payment: str | None = None  # the payment whose allocations were last re-evaluated
        self.accruals = accruals  # the day's accruals in one pass (None: one tell per cycle)
        self.posted: list[str] = []  # cycles posted since the last day end: their actors are dropped then
        # facilities an import is settling: the import set their collateralization from the amounts it
        # posts, so the collateral and obligations it creates for them do not re-evaluate them
        self.importing: set[str] = set()
        for name, listens, react in self._consumers():
            reactions.add(Policy(f"credit.{name}", listens, react, subject=SUBJECT))
        reactions.add(Policy("credit.deposit-activity", (SETTLED, PAID), self.deposit_activity, subject="deposit-sync"))

    def _consumers(self) -> tuple[Consumer, ...]:
        return (
            ("open-pending-facility", ("core.credit.facility-proposal-concluded",), self.open_pending_facility),
            ("collateral-changed", ("core.credit-collateral.collateral-updated",), self.collateral_changed),
            ("complete-pending-facility", ("core.credit.pending-credit-facility-collateralization-changed",),
             self.complete_pending_facility),
            ("activate-facility", ("core.credit.pending-credit-facility-completed",), self.activate_facility),
            ("track-facilities", ("core.credit.facility-activated", "core.credit.facility-completed"), self.track),
            ("disbursal-approval", ("governance.approval-process-concluded",), self.disbursal_concluded),
            ("allocate-payment", ("core.credit-collection.payment-created",), self.allocate_payment),
            ("recollateralize", (ALLOCATED, CREATED, "core.credit-collection.obligation-defaulted"),
             self.recollateralize),
            ("end-of-day", ("core.time.end-of-day",), self.end_of_day),
            ("price-sweep", ("core.price.price-updated",), self.price_sweep),
            ("custodian-sync", ("core.custody.wallet-balance-updated",), self.custodian_sync),
        )

    # -- origination ---------------------------------------------------------------------
    def open_pending_facility(self, envelope: Envelope) -> tuple[Send, ...]:
        entity = envelope["payload"]["entity"]
        if from_pascal(entity["status"]) != ProposalStatus.APPROVED:
            return ()
        proposal = self.kernel.state("credit-facility-proposal", entity["id"])
        return open_pending_facility(proposal, self.kernel.ids.entity())

    def custodian_sync(self, envelope: Envelope) -> tuple[Send, ...]:
        """A custody wallet's new balance becomes its collateral's amount, effective on the
        balance's date (Lana's wallet-collateral sync); released collateral is left alone."""
        entity = envelope["payload"]["entity"]
        found = self.kernel.index("collateral").ids_where("custody_wallet_id", (entity["id"],))
        effective = date.fromisoformat(entity["balance"]["updated_at"][:10])
        sync = SyncCollateralFromCustodian(entity["balance"]["amount"], effective)
        return tuple(Send("collateral", collateral_id, sync)
                     for collateral_id in found if not self.kernel.state("collateral", collateral_id).closed)

    def collateral_changed(self, envelope: Envelope) -> tuple[Send, ...]:
        entity = envelope["payload"]["entity"]
        facility_id = entity["secured_loan_id"]
        if facility_id in self.importing:  # before the price is read: every imported facility comes here once
            return ()
        price = self.price.current()
        if price is None:
            return ()
        if self.reads.exists(FACILITY_KIND, facility_id):
            return (self.collateralization(facility_id, entity["amount"], price),)
        pending = self.kernel.state("pending-credit-facility", facility_id)
        if pending.completed_at is not None:
            return ()
        return (Send("pending-credit-facility", facility_id, UpdatePendingCollateralization(entity["amount"], price)),)

    def complete_pending_facility(self, envelope: Envelope) -> tuple[Send, ...]:
        """No price, no completion (as Lana's price, which waits for its first value)."""
        entity, price = envelope["payload"]["entity"], self.price.current()
        if price is None:
            return ()
        pending = self.kernel.state("pending-credit-facility", entity["id"])
        return complete_when_collateralized(pending, from_pascal(entity["collateralization"]["state"]), price)

    def activate_facility(self, envelope: Envelope) -> tuple[Send, ...]:
        """No price, no activation (as its completion, which needed one); none while what it pays
        out would credit a locked account (`AccountLocks.activation_waits`)."""
        price = self.price.current()
        if price is None:
            return ()
        pending = self.kernel.state("pending-credit-facility", envelope["payload"]["entity"]["id"])
        if self.locks.activation_waits(pending):
            return ()
        return activate(pending, price, self.kernel.now, self.kernel.ids.entity)

    def track(self, envelope: Envelope) -> tuple[Send, ...]:
        facility_id = envelope["payload"]["entity"]["id"]
        if envelope["event_type"] == "core.credit.facility-activated":
            self.active[facility_id] = None
        else:
            self.active.pop(facility_id, None)
        return ()

    def disbursal_concluded(self, envelope: Envelope) -> tuple[Send, ...]:
        """An approval settles the disbursal, unless the account it credits is locked: then nothing
        (`account_unfrozen` settles it); a denial cancels it (its posting leaves the account alone)."""
        entity = envelope["payload"]["entity"]
        if entity["process_type"] != "disbursal":
            return ()
        disbursal = self.kernel.state("disbursal", entity["target_ref"])
        approved = entity["status"] == "Approved"  # governance's status, Lana's variant name
        if approved and self.locks.locked(disbursal.disbursal_credit_account_id):
            return ()
        return conclude_approval(disbursal, approved, self.kernel.now.date(), self.kernel.ids.entity)

    def account_unfrozen(self, account_id: str) -> None:
        """The deposit service tells each account it unfreezes: what waited on it is sent by a job
        now, which runs once the unfreeze's cascade has settled (`AccountLocks.resumed`)."""
        self.kernel.jobs.at(self.kernel.now, lambda: self._resume(account_id))

    def _resume(self, account_id: str) -> None:
        """Under the bank's `serial` lock, as every call moving an account's money: on the threaded
        runtime this job may run on another thread than the unfreeze's, and a freeze on a third
        between its read of the account (active) and the settlement it sent left the frozen account
        holding the disbursal (1 of 100 trials of operator threads beside a clock-driving thread)."""
        with self.serial:
            for send in self.locks.resumed(account_id, self.price.current()):
                self.kernel.tell(send.kind, send.id, send.command, subject=System(SUBJECT))

    # -- collection ----------------------------------------------------------------------
    def allocate_payment(self, envelope: Envelope) -> tuple[Send, ...]:
        entity = envelope["payload"]["entity"]
        return allocation_commands(entity["id"], entity["amount"], date.fromisoformat(entity["effective"]),
                                   self.obligations_of(entity["beneficiary_id"]), self.kernel.ids.entity)

    def deposit_activity(self, envelope: Envelope) -> tuple[Send, ...]:
        """A settled disbursal credited its deposit account (CONFIRM_DISBURSAL_SETTLED_CR, or
        SINGLE_DISBURSAL_RECEIVABLE_CR with its structuring fee), a payment debited it unless paid from
        elsewhere (liquidation proceeds): that account's activity, on the day recorded, as Lana counts
        its entries. Their public events do not name the account: the states do. An account that has
        activity that day already is not asked again (most disbursals settle the day of a deposit)."""
        entity = envelope["payload"]["entity"]
        if envelope["event_type"] == SETTLED:
            account_id = self.kernel.state("disbursal", entity["id"]).disbursal_credit_account_id
        else:
            account_id = self.kernel.state(FACILITY_KIND, entity["beneficiary_id"]).disbursal_credit_account_id
            if self.kernel.state("payment", entity["id"]).source_account != deposit_account(account_id):
                return ()
        if self.locks.accounts.account(account_id).last_activity_on >= date.fromisoformat(envelope["recorded_at"][:10]):
            return ()
        return (activity_on(account_id, envelope),)

    def recollateralize(self, envelope: Envelope) -> tuple[Send, ...]:
        """An obligation created or defaulted, or a payment allocated, re-evaluates its facility; a
        payment once. Its allocations are sent by one reaction (`allocate_payment`), so all of
        them are on the books before this consumer sees the first: the first re-evaluates, the
        others would find the same books and change nothing."""
        entity = envelope["payload"]["entity"]
        if envelope["event_type"] == ALLOCATED:
            if entity["payment_id"] == self._evaluated_payment:
                return ()
            self._evaluated_payment = entity["payment_id"]
        facility_id = entity["beneficiary_id"]
        if facility_id in self.importing and envelope["event_type"] == CREATED:  # checked first: ~2 an import
            return ()
        price = self.price.current()
        if price is None or not self.reads.exists(FACILITY_KIND, facility_id):
            return ()
        collateral = self.reads.collateral_sats(self.kernel.state(FACILITY_KIND, facility_id))
        return (self.collateralization(facility_id, collateral, price),)

    def collateralization(self, facility_id: str, collateral_sats: int, price: int) -> Send:
        books = self.reads.books(facility_id)
        return Send(FACILITY_KIND, facility_id, UpdateCollateralization(
            collateral_sats, price, books.outstanding, self.kernel.ids.entity(), books.payable_disbursed,
            books.payable_interest))

    def price_sweep(self, envelope: Envelope) -> tuple[Send, ...]:
        """Re-evaluate only the facilities whose price band the new price leaves (Lana: core/price/src/lib.rs, improved:
        per-facility terms and hysteresis, and no facility is unreachable)."""
        price, sends = envelope["payload"]["PriceUpdated"]["price"], []
        for facility_id in self.kernel.index(FACILITY_KIND).ids_crossed("trigger_below", "trigger_above", price):
            f = self.kernel.state(FACILITY_KIND, facility_id)
            sends.append(self.collateralization(facility_id, self.reads.collateral_sats(f), price))
        pending_ids = self.kernel.index("pending-credit-facility").ids_crossed("trigger_below", "trigger_above", price)
        for pending_id in pending_ids:
            p = self.kernel.state("pending-credit-facility", pending_id)
            sends.append(Send("pending-credit-facility", pending_id, UpdatePendingCollateralization(
                self.reads.collateral_sats(p), price)))
        return tuple(sends)

    # -- reads ---------------------------------------------------------------------------
    def obligations_of(self, facility_id: str) -> list[Obligation]:
        return self.reads.obligations_of(facility_id)
