"""Stateful property (Lana: core/credit/src; core/credit/src/credit_facility/interest_accrual_cycle/entity.rs;
core/credit/collection/src/obligation/mod.rs; core/credit/src/lib.rs;
core/credit/src/ledger/credit_facility_accounts.rs): any interleaving of payments, disbursals,
collateral changes, completions and day jumps of up to 40 days, on a multi-disbursal facility and a
single-disbursal one, keeps the ledger balanced and never negative, allocates exactly what was
paid, keeps the books equal to the obligations and to the uncovered-outstanding account, and
replays every facility and obligation to its live state. Each refusal is the typed one a simple
model predicts, with its fields, and leaves no trace."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domains.accounting import PaymentAboveOutstanding
from domains.credit import DisbursalPolicy, FacilityStatus, ObligationStatus, ObligationType, TermValues, std_terms
from domains.credit.collateral import CollateralizationState as State
from domains.credit.collateral import NegativeCollateral, UpdateOnClosedFacility
from domains.credit.facility import (
    BelowMarginLimit,
    DisbursalAboveFacilityAmount,
    DisbursalOnInactiveFacility,
    InterestAccrued,
    OnlyOneDisbursalAllowed,
    OutstandingAmount,
    PaymentOnClosedFacility,
)
from engine import Simulation

PRICE, BTC, MARGIN_CALL_PCT, LIQUIDATION_PCT = 7_000_000, 100_000_000, 125, 105
START = "2024-01-31"  # month-end activation: maturities clamp to 30 Apr 2024 and 31 Jan 2025


@attrs.frozen
class Plan:
    """One facility of the machine: amount, terms, opening collateral, initial disbursal, maturity."""

    amount: int
    terms: TermValues
    sats: int
    initial: int
    maturity: date


PLANS = {
    "multi": Plan(1_000_000_00, std_terms(duration=12, disbursal_policy=DisbursalPolicy.MULTIPLE), 30 * BTC,
                  100_00, date(2025, 1, 31)),  # the 0.01 % fee is disbursed at activation
    "single": Plan(200_000_00, std_terms(obligation_defaulted_duration_from_due=70), 10 * BTC,
                   200_000_00, date(2024, 4, 30)),  # lanasim's defaulted extension, so that bucket is exercised
}
NAMES = st.sampled_from(sorted(PLANS))
MODES = st.sampled_from(["part", "all", "above"])
SATS = st.one_of(st.integers(-BTC, -1), st.integers(0, 40 * BTC), st.sampled_from([0, BTC // 2, 3 * BTC]))
OWNED = ("disbursed-", "interest-", "uncovered-outstanding:", "payment-holding:", "facility:", "collateral:",
         "deposit:")


LEDGER_BUCKET = {ObligationStatus.NOT_YET_DUE: "not-yet-due", ObligationStatus.DUE: "due",
                 ObligationStatus.OVERDUE: "overdue", ObligationStatus.DEFAULTED: "defaulted"}
BUCKET = {ObligationStatus.NOT_YET_DUE: "not-yet-due", ObligationStatus.DUE: "payable",
          ObligationStatus.OVERDUE: "payable", ObligationStatus.DEFAULTED: "defaulted", ObligationStatus.PAID: "paid"}


def classified(cvl: int | None) -> State:
    """Lana's classification of a whole-percent CVL (Lana: core/credit/terms/src/cvl.rs): infinite, 0, then 125 / 105
    thresholds."""
    if cvl is None:
        return State.NO_EXPOSURE
    if cvl == 0:
        return State.NO_COLLATERAL
    if cvl >= MARGIN_CALL_PCT:
        return State.FULLY_COLLATERALIZED
    return State.UNDER_MARGIN_CALL_THRESHOLD if cvl >= LIQUIDATION_PCT else State.UNDER_LIQUIDATION_THRESHOLD


def aged(o, today: date) -> ObligationStatus:
    """The status an unpaid obligation has on `today`: the last of its dates that has come."""
    status = ObligationStatus.NOT_YET_DUE
    for on, then in ((o.due_date, ObligationStatus.DUE), (o.overdue_date, ObligationStatus.OVERDUE),
                     (o.defaulted_date, ObligationStatus.DEFAULTED)):
        if on is not None and on <= today:
            status = then
    return status


def allocation_of(amount: int, obligations: list) -> list[tuple[str, int, str]]:
    """Lana: core/credit/collection/src/obligation/mod.rs: every interest obligation before any principal one, oldest
    effective date first, then
    creation order, whatever the status; each takes what it still owes, from its current bucket."""
    order = sorted(range(len(obligations)), key=lambda i: (
        obligations[i].obligation_type is not ObligationType.INTEREST, obligations[i].effective, i))
    allocations = []
    for o in (obligations[i] for i in order if obligations[i].outstanding > 0):
        if amount == 0:
            break
        take = min(amount, o.outstanding)
        allocations.append((o.id, take, LEDGER_BUCKET[o.status]))
        amount -= take
    return allocations


class CreditMachine(RuleBasedStateMachine):
    @initialize()
    def open_facilities(self):
        self.sim = Simulation(seed=13, start=START)
        self.sim.price.set(PRICE)
        customer = self.sim.customer.create_customer("machine@bank.test")
        self.account = self.sim.deposit.create_account(customer)
        self.sim.deposit.record_deposit(self.account, 10_000_000_00)
        self.ids, self.paid, self.disbursed, self.collateral, self.closed = {}, {}, {}, {}, set()
        for name, plan in PLANS.items():
            facility = self.ids[name] = self.sim.credit.create_proposal(customer, plan.amount, plan.terms)
            self.sim.credit.conclude_customer_approval(facility)
            self.sim.credit.update_collateral(facility, plan.sats)
            self.paid[facility], self.disbursed[facility], self.collateral[facility] = 0, plan.initial, plan.sats

    def teardown(self):
        if hasattr(self, "sim"):
            self.sim.close()

    # -- the model -----------------------------------------------------------------------------
    def owed(self, facility: str, *, defaulted: bool = True) -> int:
        """Posted and unpaid, from the obligations' own states (not from the ledger)."""
        return sum(o.outstanding for o in self.sim.credit.obligations(facility)
                   if defaulted or o.status is not ObligationStatus.DEFAULTED)

    def status(self, name: str) -> FacilityStatus:
        if self.ids[name] in self.closed:
            return FacilityStatus.CLOSED
        matured = self.sim.now >= datetime.combine(PLANS[name].maturity, datetime.min.time(), UTC)
        return FacilityStatus.MATURED if matured else FacilityStatus.ACTIVE

    def cvl_pct(self, facility: str, extra: int) -> int:
        """Whole-percent CVL with `extra` more disbursed (value rounded down, ratio truncated); no
        value gives 0 even with nothing owed (Lana: core/credit/terms/src/cvl.rs)."""
        value = self.collateral[facility] * PRICE // BTC
        return 0 if value == 0 else value * 100 // (self.owed(facility, defaulted=False) + extra)

    def refused(self, error: type[Exception], action, *args) -> Exception:
        before = (self.sim.journal.digest(), self.sim.ledger.trial_balance())
        with pytest.raises(error) as raised:
            action(*args)
        event(f"refused: {error.__name__}")
        assert type(raised.value) is error
        assert (self.sim.journal.digest(), self.sim.ledger.trial_balance()) == before
        return raised.value

    # -- rules ---------------------------------------------------------------------------------
    @rule(name=NAMES, mode=MODES, n=st.integers(1, 10**9))
    def pay(self, name, mode, n):
        facility, owed = self.ids[name], self.owed(self.ids[name])
        amount = {"part": 1 + n % owed, "all": owed, "above": owed + 1 + n % 10**6}[mode] if owed else 1 + n % 10**6
        if facility in self.closed:
            error = self.refused(PaymentOnClosedFacility, self.sim.credit.record_payment, facility, amount)
            assert error.facility_id == facility
        elif amount > owed:
            error = self.refused(PaymentAboveOutstanding, self.sim.credit.record_payment, facility, amount)
            assert (error.account, error.balance, error.amount) == (f"uncovered-outstanding:{facility}", owed, amount)
        else:
            expected = allocation_of(amount, self.sim.credit.obligations(facility))
            payment = self.sim.credit.record_payment(facility, amount)
            self.paid[facility] += amount
            created = self.sim.outbox.tail(types=["core.credit-collection.payment-allocation-created"],
                                           where={"entity.payment_id": payment})
            allocated = [self.sim.state("payment-allocation", e["payload"]["entity"]["id"]) for e in created]
            assert [(a.obligation_id, a.amount, a.receivable_bucket) for a in allocated] == expected
            event(f"paid {name} {mode}")

    @rule(name=NAMES, mode=MODES, n=st.integers(1, 10**9))
    def disburse(self, name, mode, n):
        facility = self.ids[name]
        remaining = PLANS[name].amount - self.disbursed[facility]
        amount = {"part": 1 + n % remaining, "all": remaining,
                  "above": remaining + 1 + n % 10**6}[mode] if remaining else 1 + n % 10**6
        status = self.status(name)
        if status is not FacilityStatus.ACTIVE:
            error = self.refused(DisbursalOnInactiveFacility, self.sim.credit.initiate_disbursal, facility, amount)
            assert (error.facility_id, error.status) == (facility, status)
        elif PLANS[name].terms.disbursal_policy is DisbursalPolicy.SINGLE:
            self.refused(OnlyOneDisbursalAllowed, self.sim.credit.initiate_disbursal, facility, amount)
        elif self.cvl_pct(facility, amount) < MARGIN_CALL_PCT:
            error = self.refused(BelowMarginLimit, self.sim.credit.initiate_disbursal, facility, amount)
            assert error.cvl == self.cvl_pct(facility, amount)
        elif amount > remaining:
            error = self.refused(DisbursalAboveFacilityAmount, self.sim.credit.initiate_disbursal, facility, amount)
            assert (error.facility_id, error.amount, error.remaining) == (facility, amount, remaining)
        else:
            self.sim.credit.initiate_disbursal(facility, amount)
            self.disbursed[facility] += amount
            event("disbursed")

    @rule(name=NAMES, sats=SATS)
    def set_collateral(self, name, sats):
        facility = self.ids[name]
        if sats < 0:
            error = self.refused(NegativeCollateral, self.sim.credit.update_collateral, facility, sats)
            assert (error.facility_id, error.sats) == (facility, sats)
        elif facility in self.closed:
            error = self.refused(UpdateOnClosedFacility, self.sim.credit.update_collateral, facility, sats)
            assert error.facility_id == facility
        else:
            self.sim.credit.update_collateral(facility, sats)
            self.collateral[facility] = sats

    @rule(name=NAMES)
    def complete(self, name):
        facility = self.ids[name]
        owed = self.owed(facility)
        if owed > 0 and facility not in self.closed:
            error = self.refused(OutstandingAmount, self.sim.credit.complete_facility, facility)
            assert (error.facility_id, error.outstanding) == (facility, owed)
            return
        before = self.sim.journal.digest()
        self.sim.credit.complete_facility(facility)
        assert (self.sim.journal.digest() == before) is (facility in self.closed)  # a second completion is a no-op
        self.closed.add(facility)
        event(f"completed {name}")
        self.collateral[facility] = 0  # returned to the borrower

    @rule(days=st.integers(1, 40))
    def advance(self, days):
        """Each daily accrual on the way is ceil(principal × 12 % × days / 365) to the cent (Lana:
        core/credit/src/credit_facility/interest_accrual_cycle/entity.rs); the
        principal only changes inside a jump when an obligation defaults, and then is not checked."""
        before = {f: (self.sim.credit.principal(f), len(self.sim.journal.stream("credit-facility", f)))
                  for f in self.ids.values()}
        self.sim.advance(days=days)
        for facility, (principal, seen) in before.items():
            if self.sim.credit.principal(facility) != principal:
                continue
            accrued = [s.event for s in self.sim.journal.stream("credit-facility", facility, after=seen)
                       if isinstance(s.event, InterestAccrued)]
            assert [a.amount for a in accrued] == [-(-principal * 12 * a.period.days // 36_500) for a in accrued]

    # -- invariants ----------------------------------------------------------------------------
    @invariant()
    def debits_equal_credits_in_each_currency_and_layer(self):
        totals = defaultdict(lambda: [0, 0])
        for line in self.sim.ledger.trial_balance():
            totals[(line.currency.value, line.layer.value)][0] += line.debit
            totals[(line.currency.value, line.layer.value)][1] += line.credit
        assert {key: tuple(dc) for key, dc in totals.items() if dc[0] != dc[1]} == {}
        assert {("USD", "settled"), ("USD", "pending"), ("BTC", "settled")} <= set(totals)

    @invariant()
    def no_bucket_or_account_of_a_facility_is_negative(self):
        negative = [(line.account, line.layer.value, line.balance) for line in self.sim.ledger.trial_balance()
                    if line.account.startswith(OWNED) and line.balance < 0]
        assert negative == []
        for facility in self.ids.values():
            assert all(0 <= o.outstanding <= o.amount for o in self.sim.credit.obligations(facility))

    @invariant()
    def exactly_what_was_paid_is_allocated(self):
        allocated, paid = defaultdict(int), defaultdict(int)
        for envelope in self.sim.outbox.tail(types=["core.credit-collection.payment-allocation-created"]):
            allocated[envelope["payload"]["entity"]["beneficiary_id"]] += envelope["payload"]["entity"]["amount"]
        for envelope in self.sim.outbox.tail(types=["core.credit-collection.payment-created"]):
            paid[envelope["payload"]["entity"]["beneficiary_id"]] += envelope["payload"]["entity"]["amount"]
        for facility in self.ids.values():
            assert allocated[facility] == paid[facility] == self.paid[facility]
            paid_down = sum(o.amount - o.outstanding for o in self.sim.credit.obligations(facility))
            assert paid_down == self.paid[facility]

    @invariant()
    def the_books_agree_with_the_obligations_and_the_uncovered_outstanding(self):
        balance = self.sim.ledger.balance
        for facility in self.ids.values():
            books, owed = self.sim.credit.facility(facility).books, defaultdict(int)
            for o in self.sim.credit.obligations(facility):
                owed[(o.obligation_type, BUCKET[o.status])] += o.outstanding
            principal, interest = ObligationType.DISBURSAL, ObligationType.INTEREST
            assert books == (owed[(principal, "not-yet-due")] + owed[(principal, "payable")],
                             owed[(interest, "not-yet-due")] + owed[(interest, "payable")],
                             owed[(principal, "payable")], owed[(interest, "payable")],
                             owed[(principal, "defaulted")] + owed[(interest, "defaulted")])
            holding = balance(f"payment-holding:{facility}")
            assert books.outstanding + books.defaulted == balance(f"uncovered-outstanding:{facility}") + holding
            assert holding == 0  # every payment is allocated in full within its instant

    @invariant()
    def the_collateralization_state_is_what_the_cvl_says_up_to_the_upgrade_buffer(self):
        """Lana: core/credit/terms/src/cvl.rs: whole-percent CVL of the posted, non-defaulted outstanding; a margin call
        is only
        left for Fully above margin call + 5; the ratio is sats per outstanding cent (Lana: core/price/src/lib.rs). A
        default
        (lanasim's extension; none in Lana) is no re-evaluation trigger, so those are skipped."""
        for facility in self.ids.values():
            if any(o.status is ObligationStatus.DEFAULTED for o in self.sim.credit.obligations(facility)):
                continue
            f, owed, sats = self.sim.state("credit-facility", facility), self.owed(facility, defaulted=False), \
                self.collateral[facility]
            cvl = None if owed == 0 and sats * PRICE // BTC > 0 else self.cvl_pct(facility, 0)
            expected = classified(cvl)
            allowed = {expected}
            if expected is State.FULLY_COLLATERALIZED and cvl <= MARGIN_CALL_PCT + 5:
                allowed.add(State.UNDER_MARGIN_CALL_THRESHOLD)
            assert f.collateralization_state in allowed
            assert f.ratio == (None if owed == 0 else Decimal(sats) / owed)

    @invariant()
    def the_ledger_follows_the_disbursals_and_the_collateral(self):
        for name, facility in self.ids.items():
            assert self.sim.ledger.balance(f"facility:{facility}") == PLANS[name].amount - self.disbursed[facility]
            collateral_id = self.sim.state("credit-facility", facility).collateral_id
            assert self.sim.state("collateral", collateral_id).amount == self.collateral[facility]
            sats = self.sim.ledger.balance(f"collateral:{collateral_id}", currency="BTC")
            assert sats == self.collateral[facility]
            assert self.sim.state("credit-facility", facility).status is self.status(name)

    @invariant()
    def obligations_fall_due_on_the_dates_the_terms_give_and_age_on_them(self):
        """Lana: core/credit/collection/src/obligation/entity.rs: principal is due at maturity, interest at the end of
        its cycle (a month end or the
        maturity date); overdue 50 days later; defaulted 70 days later where the terms say so."""
        for name, facility in self.ids.items():
            plan, today = PLANS[name], self.sim.now.date()
            defaulted = plan.terms.obligation_defaulted_duration_from_due
            for o in self.sim.credit.obligations(facility):
                if o.obligation_type is ObligationType.DISBURSAL:
                    assert o.due_date == plan.maturity
                else:
                    assert o.effective == o.due_date <= plan.maturity
                    assert o.due_date == plan.maturity or (o.due_date + timedelta(days=1)).day == 1
                assert o.overdue_date == o.due_date + timedelta(days=50)
                assert o.defaulted_date == (None if defaulted is None else o.due_date + timedelta(days=defaulted))
                assert o.status is (ObligationStatus.PAID if o.outstanding == 0 else aged(o, today))

    @invariant()
    def replay_equals_the_live_state(self):
        for facility in self.ids.values():
            collateral_id = self.sim.state("credit-facility", facility).collateral_id
            entities = [("credit-facility", facility), ("collateral", collateral_id)] + [
                ("obligation", o.id) for o in self.sim.credit.obligations(facility)]
            for kind, entity_id in entities:
                assert self.sim.load(kind, entity_id, use_snapshot=False) == self.sim.state(kind, entity_id)
            assert self.sim.load("credit-facility", facility) == self.sim.state("credit-facility", facility)


CreditMachine.TestCase.settings = settings(max_examples=15, stateful_step_count=25, deadline=None,
                                           suppress_health_check=[HealthCheck.too_slow])
TestCreditMachine = CreditMachine.TestCase
