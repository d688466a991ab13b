"""Bad input to the credit module is refused with a typed error carrying its fields, and a refused
command leaves no trace: the journal digest, the outbox and the trial balance are unchanged
(Lana: core/credit/terms/src/value.rs; core/credit/src/credit_facility/entity.rs; core/credit/src/disbursal/entity.rs;
core/credit/collection/src/payment/entity.rs; core/credit/collateral/src/entity.rs;
core/credit/collection/src/obligation/mod.rs; core/credit/src/ledger/velocity)."""

from __future__ import annotations

import threading
from decimal import Decimal

import attrs
import pytest

from domains.accounting import OverdraftPrevented, PaymentAboveOutstanding
from domains.credit import DisbursalPolicy, FacilityStatus, InvalidTerms, NonPositiveAmount, std_terms
from domains.credit.collateral import NegativeCollateral, UpdateOnClosedFacility
from domains.credit.facility import (
    BelowMarginLimit,
    CustomerNotEligible,
    DisbursalAboveFacilityAmount,
    DisbursalNotConcluded,
    DisbursalOnInactiveFacility,
    OnlyOneDisbursalAllowed,
    OutstandingAmount,
    PaymentOnClosedFacility,
)
from domains.credit.primitives import DisbursalStatus
from engine import Simulation
from engine.kernel.errors import UnknownEntity

AMOUNT, PRICE, BTC = 100_000_00, 7_000_000, 100_000_000
FEE = 10_00  # 0.01 % of AMOUNT, charged and (multi-disbursal) disbursed at activation
MULTIPLE = std_terms(duration=12, disbursal_policy=DisbursalPolicy.MULTIPLE)


@pytest.fixture
def sim():
    with Simulation(seed=5, start="2024-01-01") as simulation:
        simulation.price.set(PRICE)
        yield simulation


@pytest.fixture
def customer(sim):
    customer_id = sim.customer.create_customer("bad-input@bank.test")
    sim.deposit.record_deposit(sim.deposit.create_account(customer_id), 1_000_00)
    return customer_id


def open_facility(sim, customer: str, terms=MULTIPLE, sats: int = 10 * BTC, amount: int = AMOUNT) -> str:
    facility = sim.credit.create_proposal(customer, amount, terms)
    sim.credit.conclude_customer_approval(facility)
    sim.credit.update_collateral(facility, sats)
    return facility


def refused(sim, error: type[Exception], action, *args):
    """The refusal `action(*args)` raises; nothing journaled, published or posted."""
    before = (sim.journal.digest(), sim.outbox.digest(), sim.ledger.trial_balance())
    with pytest.raises(error) as raised:
        action(*args)
    assert (sim.journal.digest(), sim.outbox.digest(), sim.ledger.trial_balance()) == before
    return raised.value


def disbursal_committee_of_one(sim) -> str:
    """Disbursals wait for one committee member's vote; returns the member."""
    sim.access.seed()
    member = sim.access.create_user("una@bank.test", "bank-manager")
    board = sim.governance.create_committee("board")
    sim.governance.add_member(board, member)
    sim.governance.set_policy("disbursal", board)
    return member


def deposit_account(sim, customer: str) -> str:
    return sim.deposit.accounts_of(customer)[0]


# -- terms (Lana: core/credit/terms/src/value.rs) ----------------------------------------------------------------------
def test_a_margin_call_not_below_the_initial_cvl_is_refused_naming_the_margin_call():
    error = refused_terms(initial_cvl=Decimal(125))
    assert (error.field, error.value) == ("margin_call_cvl", Decimal(125))
    assert "MarginCallAboveInitialLimit" in error.problem


def test_a_liquidation_cvl_not_below_the_margin_call_is_refused_naming_the_liquidation_cvl():
    error = refused_terms(liquidation_cvl=Decimal(130))
    assert (error.field, error.value) == ("liquidation_cvl", Decimal(130))
    assert "MarginCallBelowLiquidationLimit" in error.problem


@pytest.mark.parametrize(("field", "value"), [
    ("annual_rate", Decimal(-1)), ("annual_rate", 12.0), ("duration", 0), ("duration", -3),
    ("one_time_fee_rate", Decimal("-0.01")), ("obligation_overdue_duration_from_due", -1),
])
def test_out_of_range_terms_are_refused_naming_the_field_and_value(field, value):
    error = refused_terms(**{field: value})
    assert (error.field, error.value) == (field, value)
    assert error.problem


@pytest.mark.parametrize(("field", "value"), [
    ("duration", 96_000), ("obligation_overdue_duration_from_due", 10**9),
    ("annual_rate", Decimal("1e30")), ("one_time_fee_rate", Decimal(150)),
])
def test_terms_a_run_cannot_schedule_or_post_are_refused_before_any_proposal(sim, customer, field, value):
    """A maturity 8,000 years on, an overdue date 10**9 days on, or interest and fees beyond 64
    bits were taken, and the activation's reaction then failed (ReactionFailed: ValueError('year
    10024 is out of range'), OverflowError, TypeError) with the facility left pending."""
    error = refused_terms(**{field: value})
    assert (error.field, error.value) == (field, value)
    assert any(bound in error.problem for bound in ("1200", "36600", "at most"))
    digest = sim.journal.digest()
    with pytest.raises(InvalidTerms):
        sim.credit.create_proposal(customer, AMOUNT, attrs.evolve(std_terms(), **{field: value}))
    assert sim.journal.digest() == digest


def test_terms_at_their_bounds_run_a_facility():
    longest = std_terms(duration=1200, annual_rate=Decimal(1000), one_time_fee_rate=Decimal(100),
                        obligation_overdue_duration_from_due=36_600)
    with Simulation(seed=5, start="2024-01-01") as sim:
        sim.price.set(PRICE)
        ada = sim.customer.create_customer("ada@example.com")
        sim.deposit.record_deposit(sim.deposit.create_account(ada), AMOUNT)
        facility = sim.credit.create_proposal(ada, AMOUNT, longest)
        sim.credit.conclude_customer_approval(facility)
        sim.credit.update_collateral(facility, 2 * BTC)
        sim.advance(days=40)
        assert sim.credit.facility(facility).status is FacilityStatus.ACTIVE


def test_changing_valid_terms_into_invalid_ones_is_refused_too():
    with pytest.raises(InvalidTerms) as raised:
        attrs.evolve(MULTIPLE, margin_call_cvl=Decimal(150))
    assert (raised.value.field, raised.value.value) == ("margin_call_cvl", Decimal(150))


@pytest.mark.parametrize("value", [130, 130.0, "130"])
def test_a_cvl_or_rate_given_as_a_plain_number_says_to_write_it_as_a_decimal(value):
    """A notebook's `std_terms(margin_call_cvl=130)` was refused as "must be a Decimal > 0": the 130
    is above 0, and the message did not say it was the type."""
    error = refused_terms(margin_call_cvl=value)
    assert (error.field, error.value) == ("margin_call_cvl", value)
    assert error.problem == f"must be a Decimal, not {type(value).__name__}: Decimal('{value}')"
    assert refused_terms(margin_call_cvl="abc").problem == "must be a Decimal > 0"  # no Decimal('abc') to suggest


def refused_terms(**overrides) -> InvalidTerms:
    with pytest.raises(InvalidTerms) as raised:
        std_terms(**overrides)
    return raised.value


def test_a_proposal_is_never_made_from_invalid_terms(sim, customer):
    error = refused(sim, InvalidTerms, lambda: sim.credit.create_proposal(customer, AMOUNT, std_terms(duration=0)))
    assert error.field == "duration"
    assert sim.index("credit-facility-proposal").ids_where("customer_id", (customer,)) == []


# -- amounts --------------------------------------------------------------------------------------
@pytest.mark.parametrize("amount", [0, -1])
def test_a_proposal_for_a_non_positive_amount_is_refused(sim, customer, amount):
    error = refused(sim, NonPositiveAmount, sim.credit.create_proposal, customer, amount, MULTIPLE)
    assert (error.field, error.amount) == ("amount", amount)


@pytest.mark.parametrize("amount", [0, -1])
def test_a_non_positive_payment_is_refused(sim, customer, amount):
    facility = open_facility(sim, customer)
    error = refused(sim, NonPositiveAmount, sim.credit.record_payment, facility, amount)
    assert (error.field, error.amount) == ("amount", amount)


@pytest.mark.parametrize("amount", [0, -1])
def test_a_non_positive_disbursal_is_refused(sim, customer, amount):
    facility = open_facility(sim, customer)
    error = refused(sim, NonPositiveAmount, sim.credit.initiate_disbursal, facility, amount)
    assert (error.field, error.amount) == ("amount", amount)


@pytest.mark.parametrize("activated", [False, True])
def test_negative_collateral_is_refused_on_a_pending_or_active_facility(sim, customer, activated):
    facility = open_facility(sim, customer, sats=10 * BTC if activated else 0)
    assert sim.journal.exists("credit-facility", facility) is activated
    error = refused(sim, NegativeCollateral, sim.credit.update_collateral, facility, -1)
    assert (error.facility_id, error.sats) == (facility, -1)


def test_setting_the_collateral_to_its_current_amount_changes_nothing(sim, customer):
    facility = open_facility(sim, customer)
    before = (sim.journal.digest(), sim.ledger.trial_balance())
    sim.credit.update_collateral(facility, 10 * BTC)
    assert (sim.journal.digest(), sim.ledger.trial_balance()) == before


# -- payments -------------------------------------------------------------------------------------
def test_a_payment_above_the_posted_outstanding_is_refused_by_the_uncovered_outstanding_limit(sim, customer):
    """Accrued but unposted interest is not payable yet (Lana: core/credit/collection/src/obligation/mod.rs;
    core/credit/src/ledger/velocity): after 10 days only the
    disbursed principal is posted."""
    facility = open_facility(sim, customer, terms=std_terms())
    sim.advance(days=10)
    cycle = sim.state("credit-facility", facility).cycle
    assert sim.state("interest-accrual-cycle", cycle.id).total > 0
    error = refused(sim, PaymentAboveOutstanding, sim.credit.record_payment, facility, AMOUNT + 1)
    assert (error.account, error.balance, error.amount, error.template) == (
        f"uncovered-outstanding:{facility}", AMOUNT, AMOUNT + 1, "RECORD_PAYMENT")
    sim.credit.record_payment(facility, AMOUNT)  # exactly the posted outstanding is accepted


def test_a_payment_with_nothing_posted_is_refused(sim, customer):
    facility = open_facility(sim, customer, terms=std_terms(duration=12, disbursal_policy=DisbursalPolicy.MULTIPLE,
                                                            one_time_fee_rate=Decimal(0)))
    error = refused(sim, PaymentAboveOutstanding, sim.credit.record_payment, facility, 1)
    assert (error.balance, error.amount) == (0, 1)



def test_a_payment_against_a_disbursal_awaiting_approval_is_refused_and_its_denial_concludes(sim, customer):
    """Lana credits a disbursal to the facility's uncovered outstanding when it is initiated, and
    its ledger limits a payment by that account: a facility owing $10 with $20,000 awaiting
    approval took a $10,000 payment that no obligation could take, and the denial then failed
    (its CANCEL_DISBURSAL below zero), leaving the disbursal awaiting a decision for ever. A
    payment is limited by what the obligations owe: refused, and the denial concludes."""
    member = disbursal_committee_of_one(sim)
    facility = open_facility(sim, customer)
    waiting = sim.credit.initiate_disbursal(facility, 20_000_00)
    sim.deposit.record_deposit(deposit_account(sim, customer), 20_000_00)
    error = refused(sim, PaymentAboveOutstanding, sim.credit.record_payment, facility, 10_000_00)
    assert (error.account, error.balance, error.amount, error.template) == (
        f"uncovered-outstanding:{facility}", FEE, 10_000_00, "RECORD_PAYMENT")
    sim.governance.deny(waiting, member, "no")
    assert sim.state("disbursal", waiting).status is DisbursalStatus.DENIED
    assert sim.journal.conn.execute("SELECT COUNT(*) FROM failures").fetchone()[0] == 0
    sim.credit.record_payment(facility, FEE)  # what is owed is accepted
    sim.credit.complete_facility(facility)
    assert sim.credit.facility(facility).status is FacilityStatus.CLOSED

def test_a_payment_above_the_deposit_balance_is_refused_by_overdraft_prevention(sim, customer):
    facility, account = open_facility(sim, customer, terms=std_terms()), deposit_account(sim, customer)
    sim.deposit.initiate_withdrawal(account, sim.deposit.balance(account) - 10_00)
    error = refused(sim, OverdraftPrevented, sim.credit.record_payment, facility, 20_00)
    assert (error.account, error.balance, error.amount) == (f"deposit:{account}", 10_00, 20_00)


def test_a_payment_on_a_closed_facility_is_refused(sim, customer):
    facility = open_facility(sim, customer, terms=std_terms())
    sim.credit.record_payment(facility, AMOUNT)
    sim.credit.complete_facility(facility)
    error = refused(sim, PaymentOnClosedFacility, sim.credit.record_payment, facility, 1)
    assert error.facility_id == facility


def test_completing_with_something_outstanding_is_refused_with_the_amount(sim, customer):
    facility = open_facility(sim, customer, terms=std_terms())
    sim.credit.record_payment(facility, AMOUNT - 1)
    error = refused(sim, OutstandingAmount, sim.credit.complete_facility, facility)
    assert (error.facility_id, error.outstanding) == (facility, 1)


def test_completing_while_a_disbursal_awaits_its_approval_is_refused_naming_it(sim, customer):
    """Nothing is owed while a disbursal awaits its committee, so the facility completed, and the
    approval then settled the disbursal on the closed facility: $20,000 owed on a facility that takes
    no payment (Lana does the same: see `domains.credit.facility.active._complete`)."""
    member = disbursal_committee_of_one(sim)
    facility = open_facility(sim, customer)
    sim.credit.record_payment(facility, FEE)  # the initial disbursal paid back: nothing owed
    waiting = sim.credit.initiate_disbursal(facility, 20_000_00)
    error = refused(sim, DisbursalNotConcluded, sim.credit.complete_facility, facility)
    assert (error.facility_id, error.disbursal_id) == (facility, waiting)
    sim.governance.approve(waiting, member)
    assert sim.credit.books(facility).outstanding == 20_000_00  # settled on an active facility, owed
    assert sim.credit.facility(facility).status is FacilityStatus.ACTIVE
    denied = sim.credit.initiate_disbursal(facility, 5_000_00)
    sim.governance.deny(denied, member, "no")
    sim.credit.record_payment(facility, 20_000_00)
    sim.credit.complete_facility(facility)  # a denied disbursal is concluded
    assert sim.credit.facility(facility).status is FacilityStatus.CLOSED


@pytest.fixture
def threaded():
    """A threaded run with a one-member disbursal committee (approvals wait for `member`), and a
    multi-disbursal facility whose initial disbursal is paid back: nothing owed."""
    with Simulation(seed=5, start="2024-01-01", runtime="threaded") as sim:
        sim.price.set(PRICE)
        member = disbursal_committee_of_one(sim)
        customer_id = sim.customer.create_customer("threaded@bank.test")
        sim.deposit.record_deposit(sim.deposit.create_account(customer_id), 1_000_00)
        facility = open_facility(sim, customer_id)
        sim.credit.record_payment(facility, FEE)
        yield sim, facility, member


def while_reading(owner, name: str, ours, other) -> tuple[object, list[Exception], list[Exception]]:
    """`ours()` with `other` run on another thread once `ours` has called `owner.name` (that read
    waits up to a second for `other`, if nothing holds `other` back): what `ours` returned (None
    if refused) and the refusals of each."""
    read, done, theirs, refused = threading.Event(), threading.Event(), [], []
    reading = getattr(owner, name)

    def read_then_waiting(*args, **kwargs):
        found = reading(*args, **kwargs)
        if not read.is_set():
            read.set()
            done.wait(1)
        return found

    def running_other() -> None:
        read.wait(10)
        try:
            other()
        except Exception as refusal:
            theirs.append(refusal)
        done.set()

    setattr(owner, name, read_then_waiting)
    worker, result = threading.Thread(target=running_other), None
    worker.start()
    try:
        result = ours()
    except Exception as refusal:
        refused.append(refusal)
    finally:
        worker.join(10)
        delattr(owner, name)
    return result, refused, theirs


def completing_while(sim, facility: str, other) -> tuple[list[Exception], list[Exception]]:
    """`complete_facility` with `other` run on another thread once the completion has read what the
    facility owes; the refusals of each."""
    _, ours, theirs = while_reading(sim.credit, "books", lambda: sim.credit.complete_facility(facility), other)
    return ours, theirs


def test_on_the_threaded_runtime_a_disbursal_initiated_during_a_completion_is_refused_not_settled_closed(threaded):
    """The completion read the facility's disbursals (none open), then what it owes (nothing);
    another thread's disbursal initiated in between was recorded on the facility, which then
    completed, and its approval settled it on the closed facility. Now the initiation waits for
    the completion and is refused as on an inactive facility."""
    sim, facility, _ = threaded
    ours, theirs = completing_while(sim, facility, lambda: sim.credit.initiate_disbursal(facility, 20_000_00))
    assert ours == [] and [type(r) for r in theirs] == [DisbursalOnInactiveFacility]
    assert sim.credit.facility(facility).status is FacilityStatus.CLOSED
    assert sim.credit.books(facility).outstanding == 0
    initial = sim.state("credit-facility", facility).initial_disbursal_id
    assert [d for d, _ in sim.state("credit-facility", facility).disbursals] == [initial]  # none other


def test_on_the_threaded_runtime_a_disbursal_settled_during_a_completion_stays_owed_on_an_active_facility(threaded):
    """The completion read what the facility owes (nothing), then the disbursal's status; an
    approval on another thread in between settled it, so the completion saw it concluded and
    closed the facility with its principal owed. Now the statuses are read first: the disbursal
    awaiting approval refuses the completion, and the settled principal is owed on an active one."""
    sim, facility, member = threaded
    waiting = sim.credit.initiate_disbursal(facility, 20_000_00)
    ours, theirs = completing_while(sim, facility, lambda: sim.governance.approve(waiting, member))
    assert theirs == [] and [(type(r), r.disbursal_id) for r in ours] == [(DisbursalNotConcluded, waiting)]
    assert sim.credit.facility(facility).status is FacilityStatus.ACTIVE
    assert sim.credit.books(facility).outstanding == 20_000_00


def test_collateral_of_a_closed_facility_cannot_change(sim, customer):
    facility = open_facility(sim, customer, terms=std_terms())
    sim.credit.record_payment(facility, AMOUNT)
    sim.credit.complete_facility(facility)
    error = refused(sim, UpdateOnClosedFacility, sim.credit.update_collateral, facility, BTC)
    assert error.facility_id == facility


@pytest.mark.parametrize("operation", ["record_payment", "initiate_disbursal"])
def test_paying_or_drawing_on_a_facility_not_yet_activated_is_refused_as_unknown(sim, customer, operation):
    pending = open_facility(sim, customer, sats=0)
    error = refused(sim, UnknownEntity, getattr(sim.credit, operation), pending, 1_00)
    assert (error.kind, error.id) == ("credit-facility", pending)


# -- disbursals -----------------------------------------------------------------------------------
def test_a_disbursal_above_the_remaining_facility_amount_is_refused_with_what_remains(sim, customer):
    facility = open_facility(sim, customer, sats=100 * BTC)
    sim.credit.initiate_disbursal(facility, 40_000_00)
    remaining = AMOUNT - FEE - 40_000_00
    error = refused(sim, DisbursalAboveFacilityAmount, sim.credit.initiate_disbursal, facility, remaining + 1)
    assert (error.facility_id, error.amount, error.remaining) == (facility, remaining + 1, remaining)
    sim.credit.initiate_disbursal(facility, remaining)  # exactly what remains is accepted
    assert sim.ledger.balance(f"facility:{facility}") == 0


def test_a_disbursal_on_a_single_disbursal_facility_is_refused(sim, customer):
    facility = open_facility(sim, customer, terms=std_terms())
    error = refused(sim, OnlyOneDisbursalAllowed, sim.credit.initiate_disbursal, facility, 1)
    assert error.facility_id == facility


def test_a_disbursal_that_would_take_the_cvl_below_the_margin_call_is_refused(sim, customer):
    """1 BTC at $70,000 against $10 (fee) + $60,000 posted: CVL 116 % (truncated); + $50,000: 139 %."""
    facility = open_facility(sim, customer)
    sim.credit.update_collateral(facility, BTC)
    error = refused(sim, BelowMarginLimit, sim.credit.initiate_disbursal, facility, 60_000_00)
    assert (error.cvl, error.margin_call_cvl) == (Decimal(116), Decimal(125))
    sim.credit.initiate_disbursal(facility, 50_000_00)


def test_a_disbursal_on_a_matured_facility_is_refused(sim, customer):
    facility = open_facility(sim, customer, terms=std_terms(disbursal_policy=DisbursalPolicy.MULTIPLE))
    sim.advance(days=91)  # matures on 1 Apr 2024
    error = refused(sim, DisbursalOnInactiveFacility, sim.credit.initiate_disbursal, facility, 1)
    assert (error.facility_id, error.status) == (facility, FacilityStatus.MATURED)


def test_a_frozen_customer_gets_no_proposal(sim, customer):
    sim.customer.freeze_customer(customer)
    error = refused(sim, CustomerNotEligible, sim.credit.create_proposal, customer, AMOUNT, MULTIPLE)
    assert (error.customer_id, error.status) == (customer, "frozen")


@pytest.mark.parametrize("read", ["books", "principal", "obligations", "repayment_plan", "history", "facility"])
def test_every_read_of_a_facility_refuses_an_id_that_names_none(sim, read):
    with pytest.raises(UnknownEntity) as err:
        getattr(sim.credit, read)("no-such-facility")
    assert err.value.id == "no-such-facility"


def test_a_payment_from_a_frozen_deposit_account_is_refused_naming_the_account(sim, customer):
    from domains.deposit import AccountFrozen

    facility = open_facility(sim, customer)
    sim.credit.initiate_disbursal(facility, 10_000_00)
    account = deposit_account(sim, customer)
    sim.deposit.freeze_account(account)
    error = refused(sim, AccountFrozen, sim.credit.record_payment, facility, 1_00)
    assert error.account_id == account  # Lana's app layer refuses it too (lana/app/src/app/mod.rs)
    sim.deposit.unfreeze_account(account)
    sim.credit.record_payment(facility, 1_00)
    assert sim.credit.books(facility).outstanding == 10_000_00 + FEE - 1_00


@pytest.mark.parametrize("terms, deposited", [(std_terms(duration=12), 9_99), (std_terms(duration=12), 0),
                                              (MULTIPLE, 0)])
def test_a_deposit_below_the_structuring_fee_does_not_block_activation(sim, terms, deposited):
    """Lana posts activation, initial disbursal, then fee (core/credit/src/ledger/mod.rs): the fee is
    taken from what the disbursal credited, so the deposit need not hold it beforehand."""
    customer = sim.customer.create_customer("thin@bank.test")
    account = sim.deposit.create_account(customer)
    if deposited:
        sim.deposit.record_deposit(account, deposited)
    facility = open_facility(sim, customer, terms)
    assert sim.credit.facility(facility).status.value == "active"
    paid_out = AMOUNT if terms.is_single_disbursal else FEE
    assert sim.deposit.balance(account) == deposited + paid_out - FEE
    assert sim.credit.books(facility).outstanding == paid_out



def _backed_by(sim, how: str, facility: str) -> tuple[str, object]:
    """A threaded fixture's facility as `how` moves its collateral: (facility, a cut to 0.3 BTC)."""
    if how == "operator":
        return facility, lambda: sim.credit.update_collateral(facility, 30_000_000)
    customer_id = sim.customer.create_customer(f"{how}@bank.test")
    sim.deposit.record_deposit(sim.deposit.create_account(customer_id), 1_000_00)
    custodian = sim.custody.create_custodian(f"{how}-custodian", provider="simulated")
    facility = sim.credit.create_proposal(customer_id, AMOUNT, MULTIPLE, custodian_id=custodian)
    sim.credit.conclude_customer_approval(facility)
    wallet = sim.state("credit-facility-proposal", facility).custody_wallet_id
    sim.custody.update_balance(wallet, 10 * BTC)
    sim.credit.record_payment(facility, FEE)
    if how == "wallet":
        return facility, lambda: sim.custody.update_balance(wallet, 30_000_000)
    return facility, lambda: sim.custody.webhooks.deliver(wallet, 30_000_000)


@pytest.mark.parametrize("how", ["operator", "wallet", "webhook"])
def test_on_the_threaded_runtime_a_collateral_cut_during_a_disbursal_comes_after_it_in_the_journal(threaded, how):
    """A disbursal's CVL check reads the collateral, then the disbursal is recorded. A collateral
    update on another thread in between (10 BTC to 0.3, under the margin-call CVL with the
    disbursal: by the operator, or by a custody wallet's balance, reported or by webhook) was
    journaled before the disbursal, which the journal then showed allowed at a CVL below its
    limit. Now the update waits for the disbursal: the journal's order is the order the check saw,
    and a check after the update refuses a second disbursal."""
    sim, facility, _ = threaded
    facility, cut = _backed_by(sim, how, facility)
    disbursal, ours, theirs = while_reading(sim.credit.reads, "cvl",
                                            lambda: sim.credit.initiate_disbursal(facility, 20_000_00), cut)
    assert ours == []
    assert theirs == []
    collateral_id = sim.state("credit-facility", facility).collateral_id
    assert sim.state("collateral", collateral_id).amount == 30_000_000
    initiated = sim.journal.stream("disbursal", disbursal)[0].seq
    cut_at = sim.journal.stream("collateral", collateral_id)[-1].seq
    assert initiated < cut_at
    with pytest.raises(BelowMarginLimit):
        sim.credit.initiate_disbursal(facility, 20_000_00)
