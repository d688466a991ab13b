"""`sim.credit`: Lana's credit operator API — proposals, collateral, disbursals, payments,
completion — each a command through the owning actor, plus read models from state and ledger."""

from __future__ import annotations

import threading
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

import attrs

from domains.accounting import PaymentAboveOutstanding, chart
from domains.credit import FacilityStatus, NonPositiveAmount, TermValues, cvl
from domains.credit.collateral import (
    NoActiveLiquidation,
    RecordProceedsReceived,
    UpdateCollateral,
    UpdateCollateralViaLiquidation,
)
from domains.credit.collateral.liquidation import Liquidation
from domains.credit.collection import RecordPayment, obligation_dates
from domains.credit.collection.dated import payment_date
from domains.credit.collection.history import HistoryEntry
from domains.credit.collection.obligation import Obligation
from domains.credit.collection.plan import PlanEntry
from domains.credit.errors import PriceUnavailable
from domains.credit.facility import (
    CompleteFacility,
    ConcludeCustomerApproval,
    CreateProposal,
    CreateTermsTemplate,
    InitiateDisbursal,
    RecordDisbursalInitiated,
    assert_disbursal_allowed,
    deposit_account_for_proposal,
    require_eligible,
    require_open_for_payment,
)
from domains.credit.facility.active import Facility
from domains.credit.primitives import DisbursalStatus
from domains.deposit.errors import ensure_active
from domains.price import BTC_USD
from domains.validators import check_amount, check_id
from engine.bank.credit_flow import CreditFlow, FlowKernel
from engine.bank.credit_locks import AccountLocks
from engine.bank.credit_reads import FACILITY_KIND, Books, CreditReads, LedgerReads
from engine.bank.credit_views import facility_history, facility_repayment_plan
from engine.bank.liquidation_flow import LiquidationFlow
from engine.bank.ports import (
    CustomerReads,
    DepositReads,
    Governing,
    PriceReading,
    PublicIdReads,
    ReactionRegistry,
    WalletOpening,
)
from engine.kernel.authz import SYSTEM
from engine.kernel.batch import Batch
from engine.kernel.clock import parse_instant
from engine.kernel.errors import InvalidArgument, UnknownEntity
from engine.kernel.instant import utc_day
from engine.kernel.outbox import Outbox
from engine.kernel.port import Kernel, Outcome

__all__ = ["Books", "CreditKernel", "CreditService", "FacilityNotActivated", "FacilityView"]

_NEXT_STEP = {  # FacilityNotActivated's stage -> what is missing
    "pending_customer_approval": "its proposal awaits the customer's approval (sim.credit.conclude_customer_approval)",
    "pending_approval": "its proposal awaits the approval process (sim.governance)",
    "customer_denied": "its proposal was denied by the customer: it is never activated",
    "denied": "its proposal was denied: it is never activated",
    "approved": "its proposal is approved and its pending facility not created yet (sim.settle())",
    "pending": "it is pending until its collateral reaches the margin-call CVL (sim.credit.update_collateral)"}


class FacilityNotActivated(UnknownEntity):
    """The id is a facility's, but no active facility exists yet (fields: kind, id, stage: `pending`,
    or the proposal's status, `pending_customer_approval`, `pending_approval`, `denied`, ...; a read
    `as_of` an instant before the activation: `later`, with `as_of`). An
    `UnknownEntity` (there is no `credit-facility` entity of that id yet) naming the step that is
    missing: a bare `UnknownEntity` made the id returned by `create_proposal` look misspelt."""

    def describe(self) -> str:
        stage, facility = str(self.fields.get("stage")), self.fields.get("id")
        if stage == "later":  # a read as of an instant before the activation
            return f"facility {facility} was not activated yet at {self.fields.get('as_of')}"
        return f"facility {facility} is not activated yet: {_NEXT_STEP.get(stage, stage)}"


class CreditKernel(FlowKernel, Protocol):
    """What `sim.credit` uses of the kernel beyond its flows' needs: commands awaited through the
    owning actor, entities as of an instant (`engine.kernel.port.Kernel` is one)."""

    def execute(self, kind: str, entity_id: str, command: object, *, subject: str = ...) -> Outcome: ...
    def load(self, kind: str, entity_id: str, *, as_of: datetime) -> Any: ...  # the kind's state class, or None


@attrs.frozen
class FacilityView:
    """What an operator sees of a facility (Lana's admin read model)."""

    id: str
    status: FacilityStatus
    amount: int
    collateral_sats: int
    collateralization_state: str
    cvl: Decimal | None  # percent at the current price; None: infinite (nothing owed) or no price yet;
    # 0 without collateral, owing or not (Lana's rule: a closed facility's collateral is released, so 0)
    maturity_date: date
    books: Books
    public_id: int | None = None  # Lana's public id (one global sequence from 1000; `sim.public_ids`)


class CreditService:
    """Operator commands (each refused by the domain's rules before it is sent) and the credit read
    model, over the kernel and the ledger book; it works through the customer, deposit, custody and
    governance services and Lana's public ids, reads `price`, registers its flows with `reactions`
    and folds its repayment plan and history from `outbox`."""

    def __init__(self, kernel: Kernel, ledger: LedgerReads, *, price: PriceReading, reactions: ReactionRegistry,
                 outbox: Outbox, customers: CustomerReads, deposits: DepositReads, custody: WalletOpening,
                 governance: Governing, public_ids: PublicIdReads, accruals: Batch | None = None,
                 serial: threading.RLock) -> None:
        self.kernel: CreditKernel = kernel
        self.price, self.outbox, self.public_ids = price, outbox, public_ids
        self.customers, self.deposits, self.custody, self.governance = customers, deposits, custody, governance
        self.reads = CreditReads.over(kernel, ledger)  # the one read model the flows share
        locks = AccountLocks(kernel, self.reads, deposits, governance)  # what waits on a frozen deposit account
        self._serial = serial  # see below
        self.flow = CreditFlow(kernel, price, reactions, self.reads, locks, accruals, serial=serial)
        self.liquidation_flow = LiquidationFlow(reactions, self.reads)
        # Operator calls that read other entities before their command, held whole (cascade
        # included) against each other on the threaded runtime: the proceeds read what is owed to
        # name a payment that their reaction sizes from a second read (a payment between the two
        # would leave the named payment unrecorded); a completion reads the facility's disbursals
        # and what it owes (a disbursal initiated between that read and its command would be
        # settled on the closed facility); a disbursal reads the collateral for its CVL check (a
        # collateral update between that read and its command, by the operator or by a custody
        # wallet's balance, `serial` shared with the custody service, was journaled before a
        # disbursal allowed at the CVL it replaced). The flow's resumption of what waited on an
        # unfrozen account holds it too (`CreditFlow._resume`).

    def create_terms_template(self, name: str, values: TermValues, *, subject: str = SYSTEM) -> str:
        template_id = self.kernel.ids.entity()
        self.kernel.execute("terms-template", template_id, CreateTermsTemplate(template_id, name, values),
                            subject=subject)
        return template_id

    def create_proposal(self, customer_id: str, amount: int, terms: TermValues, *, custodian_id: str | None = None,
                        subject: str = SYSTEM) -> str:
        """A proposal for an eligible customer, credited to the customer's active deposit account.
        With a (non-manual) `custodian_id` a custody wallet backs the collateral: its balance
        updates, not manual input, move the collateral."""
        with self._serial:  # the customer and account are as read when the proposal is made (`__init__`)
            customer = self.customers.customer(customer_id)
            require_eligible(customer_id, customer.status.value)
            deposit = self.deposits
            account = deposit_account_for_proposal(customer_id, (
                (account_id, deposit.account(account_id).status.value)
                for account_id in deposit.accounts_of(customer_id)))
            wallet_id = self.custody.create_wallet(custodian_id) if custodian_id else None
            proposal_id = self.kernel.ids.entity()
            self.kernel.execute("credit-facility-proposal", proposal_id, CreateProposal(
                proposal_id, customer_id, customer.customer_type.value, account, amount, terms, wallet_id),
                subject=subject)
            return proposal_id

    def conclude_customer_approval(self, proposal_id: str, approved: bool = True, *, subject: str = SYSTEM) -> Outcome:
        """The customer's answer to proposal `proposal_id` (the id `create_proposal` returned):
        approved, it goes to governance (auto-approved under the default settings) and becomes a
        pending facility of the same id, activated once its collateral reaches the margin-call CVL
        (`update_collateral`); `approved=False` denies it. An unknown id is `UnknownEntity`, a
        second answer `AlreadyApplied` (returned)."""
        result = self.kernel.execute("credit-facility-proposal", proposal_id, ConcludeCustomerApproval(approved),
                                     subject=subject)
        if approved:
            self.governance.start_process("credit-facility-proposal", proposal_id, proposal_id)
        return result

    def update_collateral(self, facility_id: str, sats: int, *, subject: str = SYSTEM) -> Outcome:
        """Set the facility's collateral to `sats` (an absolute amount), effective today."""
        check_id("facility_id", facility_id)
        with self._serial:  # not between a disbursal's CVL check and its command (`__init__`)
            return self.kernel.execute("collateral", self._collateral_id(facility_id),
                                       UpdateCollateral(sats, self.kernel.now.date()), subject=subject)

    def initiate_disbursal(self, facility_id: str, amount: int, *, subject: str = SYSTEM) -> str:
        check_id("facility_id", facility_id)
        check_amount("amount", amount, NonPositiveAmount)
        with self._serial:  # not between a completion's reads and its command (`__init__`)
            f, price = self._active(facility_id), self.price.current()
            if price is None:
                raise PriceUnavailable(facility_id=facility_id)
            assert_disbursal_allowed(f, self.kernel.now, amount, self.reads.cvl(f, price, adding=amount))
            disbursal_id, due = self.kernel.ids.entity(), f.maturity_date
            self.kernel.execute("disbursal", disbursal_id, InitiateDisbursal(
                disbursal_id, facility_id, amount, f.disbursal_credit_account_id, due,
                **obligation_dates(f.terms, due)), subject=subject)
            self.kernel.execute(FACILITY_KIND, facility_id, RecordDisbursalInitiated(disbursal_id, amount),
                                subject=subject)
            self.governance.start_process("disbursal", disbursal_id, disbursal_id)
        return disbursal_id

    def record_payment(self, facility_id: str, amount: int, *, effective: str | date | None = None,
                       subject: str = SYSTEM) -> str:
        """A payment from the customer's deposit account, allocated interest first (Lana:
        core/credit/collection/src/obligation/mod.rs). `effective`
        (a date, a datetime or ISO-8601 text, read as its UTC day; default today) dates it and its
        ledger entries, as Lana's `record_payment_with_date`; outside [activation day, today] it is
        `PaymentDateOutOfRange`, and a value that is no instant at all `InvalidInstant` (text) or
        `InvalidArgument` (anything else), as every instant argument is.
        From a frozen or closed deposit account it is refused (`AccountFrozen`, `AccountClosed`), as
        Lana's app layer refuses it (lana/app/src/app/mod.rs; Lana names that error
        `CanNotCreateProposalForClosedOrFrozenAccount`, a proposal's, for a payment).

        A payment above what the facility's obligations owe (posted principal and interest,
        defaulted balances included) is `PaymentAboveOutstanding`, the error Lana's ledger gives
        through the facility's uncovered-outstanding limit. That limit reads the account's settled
        layer, where Lana also credits a disbursal when it is *initiated*, before its approval
        (core/credit/src/ledger/templates/initiate_disbursal.rs): with a disbursal awaiting approval,
        Lana accepts a payment up to that disbursal's amount more than is owed, which no obligation
        takes (it stays in the facility's payment holding), and the disbursal's denial then fails
        (CANCEL_DISBURSAL debits the same account below zero), so the disbursal never concludes.
        lanasim keeps Lana's rule (a payment cannot exceed what is owed) and not that bug: the
        amount is checked against the obligations before the payment is sent."""
        check_amount("amount", amount, NonPositiveAmount)
        if isinstance(effective, str) or not isinstance(effective, date | None):
            effective = utc_day(effective, "effective")
        # the facility's and account's status and what is owed stay as read until the payment is
        # recorded (`__init__`): not closed, frozen or paid down on another thread in between
        with self._serial:
            f = self._active(facility_id)
            require_open_for_payment(facility_id, f.status)
            source = f.disbursal_credit_account_id
            ensure_active(source, self.deposits.account(source).status)
            day = payment_date(facility_id, f.activated_at.date(), self.kernel.now.date(), effective)
            payment_id = self.kernel.ids.entity()
            owed = self.reads.owed(facility_id).outstanding
            if amount > owed:
                raise PaymentAboveOutstanding(account=chart.uncovered_outstanding(facility_id), balance=owed,
                                              amount=amount, template="RECORD_PAYMENT")
            self.kernel.execute("payment", payment_id, RecordPayment(
                payment_id, facility_id, amount, chart.deposit_account(f.disbursal_credit_account_id), day),
                subject=subject)
        return payment_id

    def complete_facility(self, facility_id: str, *, subject: str = SYSTEM) -> Outcome:
        """Complete (close) a facility with nothing outstanding: `OutstandingAmount` while principal,
        interest or a defaulted amount remains, `DisbursalNotConcluded` while a disbursal awaits its
        approval or its settlement (deny it, or let it settle, first: see `domains.credit.facility.active`);
        a facility not activated is `FacilityNotActivated`."""
        with self._serial:  # no disbursal initiated between these reads and the command (`__init__`)
            f = self._active(facility_id)
            unconcluded = next((d for d, _ in f.disbursals
                                if self.kernel.state("disbursal", d).status is DisbursalStatus.NEW), None)
            books = self.books(facility_id)  # after the statuses: a settlement seen there is posted here
            return self.kernel.execute(FACILITY_KIND, facility_id, CompleteFacility(
                books.outstanding + books.defaulted, unconcluded), subject=subject)

    # -- reads ---------------------------------------------------------------------------
    def facility(self, facility_id: str, *, as_of: str | date | datetime | None = None) -> FacilityView:
        """The facility as the operator sees it now (closed ones too); of a proposal or a pending
        facility, `FacilityNotActivated` (their states: `sim.state("credit-facility-proposal", id)`,
        `sim.state("pending-credit-facility", id)`). `as_of` (as `repayment_plan`'s): as it stood
        then, its books, collateral and CVL at the price then (`FacilityNotActivated` if it was
        not active yet)."""
        if as_of is not None:
            return self._facility_then(facility_id, *self._as_of(as_of))
        f, books = self._active(facility_id), self.books(facility_id)
        price, collateral = self.price.current(), self._collateral(f)
        return FacilityView(f.id, f.status, f.amount, collateral, f.collateralization_state.value,
                            self.reads.cvl(f, price, books=books) if price else None, f.maturity_date, books,
                            self.public_ids.of(FACILITY_KIND, f.id))

    def books(self, facility_id: str, *, as_of: str | date | datetime | None = None) -> Books:
        """The facility's receivables from the ledger, now or `as_of` an instant (as
        `repayment_plan`'s: the entries recorded by then)."""
        self._known(facility_id)
        if as_of is None:
            return self.reads.books(facility_id)
        return self.reads.books_as_of(facility_id, self._as_of(as_of)[0])

    def _facility_then(self, facility_id: str, at: datetime, iso: str | None) -> FacilityView:
        """`facility` as of `at` (`iso`: its journal text; None: now)."""
        self._active(facility_id)
        load = self.kernel.load
        f: Facility | None = load(FACILITY_KIND, facility_id, as_of=at)
        if f is None:
            raise FacilityNotActivated(kind=FACILITY_KIND, id=facility_id, stage="later", as_of=iso)
        books = self.books(facility_id, as_of=at)
        price_then = load("price", BTC_USD, as_of=at) if self.reads.exists("price", BTC_USD) else None
        price = None if price_then is None else price_then.price
        collateral = int(load("collateral", f.collateral_id, as_of=at).amount)
        return FacilityView(f.id, f.status, f.amount, collateral, f.collateralization_state.value,
                            cvl(collateral, books.outstanding, price) if price else None, f.maturity_date, books,
                            self.public_ids.of(FACILITY_KIND, f.id))

    def principal(self, facility_id: str) -> int:
        """Disbursed outstanding (not yet due + due + overdue): the base of daily interest (Lana:
        core/credit/src/credit_facility/interest_accrual_cycle/entity.rs)."""
        self._known(facility_id)
        return self.reads.principal(facility_id)

    def obligations(self, facility_id: str) -> list[Obligation]:
        self._known(facility_id)
        return self.reads.obligations_of(facility_id)

    def repayment_plan(self, facility_id: str, *, as_of: str | date | datetime | None = None) -> tuple[PlanEntry, ...]:
        """Lana's repayment plan: obligations then what is still to come, by due date, interest first.
        `as_of` (ISO text, a date = its 00:00 UTC, or a datetime; at most now): the plan as it stood
        then, as `lanasim show JOURNAL repayment-plan ID --as-of T` prints it (before the proposal: ())."""
        self._known(facility_id)
        at, iso = self._as_of(as_of)
        return facility_repayment_plan(self.outbox, facility_id, at, iso)

    def history(self, facility_id: str, *, as_of: str | date | datetime | None = None) -> tuple[HistoryEntry, ...]:
        """Lana's facility history, newest first (`HistoryEntry` per activation, payment, ...); with
        `as_of` (as `repayment_plan`'s) only what was recorded by then."""
        self._known(facility_id)
        at, iso = self._as_of(as_of)
        return facility_history(self.outbox, facility_id, at, iso)

    def _as_of(self, as_of: str | date | datetime | None) -> tuple[datetime, str | None]:
        """(instant, its journal text) of a read as of `as_of` (now: no text); after now is
        `InvalidArgument` (nothing after now has happened: the answer would change as the clock moves)."""
        now = self.kernel.now
        if as_of is None:
            return now, None
        at = parse_instant(as_of)
        if at > now:
            raise InvalidArgument(argument="as_of", value=as_of,
                                  problem=f"after now ({now.isoformat()}): a read as of an instant looks back")
        return at, at.strftime("%Y-%m-%dT%H:%M:%SZ")

    def _known(self, facility_id: str) -> None:
        """`UnknownEntity` for an id that names no facility, proposed, pending or active (its
        reads would otherwise answer zeros and empty lists, as for a facility that owes nothing)."""
        check_id("facility_id", facility_id)
        exists = self.reads.exists
        if not (exists(FACILITY_KIND, facility_id) or exists("pending-credit-facility", facility_id)
                or exists("credit-facility-proposal", facility_id)):
            raise UnknownEntity(kind=FACILITY_KIND, id=facility_id)

    def _active(self, facility_id: str) -> Facility:
        """The active (or closed) facility's state; `FacilityNotActivated` while it is a proposal or
        pending, `UnknownEntity` for an id that names none."""
        check_id("facility_id", facility_id)
        try:
            found: Facility = self.kernel.state(FACILITY_KIND, facility_id)
            return found
        except UnknownEntity:
            self._not_activated(facility_id)
            raise

    def _not_activated(self, facility_id: str) -> None:
        """Raise `FacilityNotActivated` when the id is a proposal's or pending facility's."""
        exists = self.reads.exists
        if exists("pending-credit-facility", facility_id):
            raise FacilityNotActivated(kind=FACILITY_KIND, id=facility_id, stage="pending")
        if exists("credit-facility-proposal", facility_id):
            status = self.kernel.state("credit-facility-proposal", facility_id).status.value
            raise FacilityNotActivated(kind=FACILITY_KIND, id=facility_id, stage=status)

    def _collateral_id(self, facility_id: str) -> str:
        """Of the facility or pending facility; a proposal has no collateral yet (`FacilityNotActivated`),
        an id that names no facility is `UnknownEntity` of a `credit-facility`."""
        exists = self.reads.exists
        if not (exists(FACILITY_KIND, facility_id) or exists("pending-credit-facility", facility_id)):
            self._not_activated(facility_id)
            raise UnknownEntity(kind=FACILITY_KIND, id=facility_id)
        return self.reads.collateral_id(facility_id)

    def _collateral(self, f: Facility) -> int:
        return self.reads.collateral_sats(f)

    # -- partial liquidation (Lana: core/credit/collateral/src/liquidation/payment.rs): the operator's steps -----------
    def liquidation(self, facility_id: str) -> Liquidation | None:
        """The facility's running liquidation (its `Liquidation` state), or None."""
        check_id("facility_id", facility_id)
        running = self.kernel.state("collateral", self._collateral_id(facility_id)).active_liquidation_id
        return None if running is None else self.kernel.state("liquidation", running)

    def send_collateral_to_liquidation(self, facility_id: str, sats: int, *, subject: str = SYSTEM) -> Outcome:
        """Lana's `collateralRecordSentToLiquidation`: `sats` leave the collateral for the liquidator
        (repeatable while the liquidation runs; BTC moves to collateral-in-liquidation)."""
        f = self._active(facility_id)
        command = UpdateCollateralViaLiquidation(self._last_liquidation_id(f), sats, self.kernel.now.date())
        with self._serial:  # not between a disbursal's CVL check and its command (`__init__`)
            return self.kernel.execute("collateral", f.collateral_id, command, subject=subject)

    def record_liquidation_proceeds(self, facility_id: str, cents: int, *, subject: str = SYSTEM) -> str | None:
        """Lana's `collateralRecordProceedsFromLiquidation` (once per liquidation): the liquidator paid
        `cents` (0 for a sale that fetched nothing, which still completes the liquidation); returns the
        id of the payment they become, which their event names, or None, which it names too, when
        nothing of them is payable (nothing paid, or nothing owed: `domains.credit.collateral.proceeds`)."""
        liquidation_id = self._last_liquidation_id(self._active(facility_id))
        command = RecordProceedsReceived(cents, None, self.kernel.now.date())  # `cents` checked before any read
        with self._serial:  # no payment between this read and the reaction's (`__init__`)
            if self.liquidation_flow.payable(facility_id, cents) > 0:
                command = attrs.evolve(command, payment_id=self.kernel.ids.entity())
            self.kernel.execute("liquidation", liquidation_id, command, subject=subject)
        return command.payment_id

    def _last_liquidation_id(self, f: Facility) -> str:
        """The facility's latest liquidation (running or completed: its entity refuses what no longer fits)."""
        if f.liquidation is None:
            raise NoActiveLiquidation(collateral_id=f.collateral_id, liquidation_id=None)
        return f.liquidation.liquidation_id
