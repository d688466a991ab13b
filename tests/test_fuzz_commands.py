"""Random programs of valid and invalid operator calls: every failure is a typed `Refusal`, a refusal
leaves the journal and outbox digests unchanged, and the ledger stays balanced and committable
(issue 11, item 9). Bounded to a few seconds: few examples of short programs, derandomized."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domains.accounting import is_balanced
from domains.aggregate import Refusal
from domains.credit import std_terms
from domains.deposit import RecordDeposit
from domains.money import MAX_CENTS, MAX_SATS
from engine import Simulation

AMOUNTS = st.one_of(
    st.sampled_from([0, -1, 1, MAX_CENTS, MAX_CENTS + 1, MAX_SATS, MAX_SATS + 1, 2**63 - 1, 2**63, 2**64, 10**30]),
    st.integers(min_value=-5, max_value=2_000_00),
    st.sampled_from(["100", "", 1.5, float("inf"), None, True, [1]]),
)
REFS = st.one_of(st.integers(min_value=0, max_value=3), st.sampled_from(["", "nobody", None, 7]))
EMAILS = st.one_of(st.sampled_from(["ada@bank.test", "bob@bank.test", "not-an-email", "x" * 300 + "@b.test"]),
                   st.text(max_size=12), st.none())
TERMS = st.sampled_from([std_terms(), None, "std", 12])
SUBJECTS = st.sampled_from([None, "system", "interest-accrual", "mallory", ""])
STEPS = st.one_of(st.integers(min_value=0, max_value=2), st.sampled_from([-1, "1", 1.5, None]))

OPERATIONS = st.one_of(
    st.tuples(st.just("customer"), EMAILS),
    st.tuples(st.just("account"), REFS),
    st.tuples(st.just("deposit"), REFS, AMOUNTS),
    st.tuples(st.just("withdraw"), REFS, AMOUNTS),
    st.tuples(st.just("freeze"), REFS, SUBJECTS),
    st.tuples(st.just("proposal"), REFS, AMOUNTS, TERMS),
    st.tuples(st.just("collateral"), REFS, AMOUNTS),
    st.tuples(st.just("replay"), REFS, AMOUNTS),
    st.tuples(st.just("advance"), STEPS),
    st.tuples(st.just("settle-withdrawal"), REFS, st.booleans()),
    st.tuples(st.just("disburse"), REFS, AMOUNTS),
    st.tuples(st.just("pay"), REFS, AMOUNTS),
    st.tuples(st.just("raw"), st.sampled_from(["deposit", "nope", None]), st.sampled_from(["d-raw", "", None, 3])),
)


def pick(found: list[str], ref: object) -> object:
    """An existing id for a small int (when there is one), else the raw bad reference."""
    return found[ref % len(found)] if isinstance(ref, int) and not isinstance(ref, bool) and found else ref


def run(sim, made: dict[str, list[str]], operation: tuple) -> None:
    name, *args = operation
    customers, accounts, deposits, proposals = (made[k] for k in ("customer", "account", "deposit", "proposal"))
    if name == "customer":
        customers.append(sim.customer.create_customer(args[0]))
    elif name == "account":
        accounts.append(sim.deposit.create_account(pick(customers, args[0])))
    elif name == "deposit":
        deposits.append(sim.deposit.record_deposit(pick(accounts, args[0]), args[1]))
    elif name == "withdraw":
        made["withdrawal"].append(sim.deposit.initiate_withdrawal(pick(accounts, args[0]), args[1]))
    elif name == "settle-withdrawal":
        settle = sim.deposit.confirm_withdrawal if args[1] else sim.deposit.cancel_withdrawal
        settle(pick(made["withdrawal"], args[0]))
    elif name == "disburse":
        sim.credit.initiate_disbursal(pick(proposals, args[0]), args[1])
    elif name == "pay":
        sim.credit.record_payment(pick(proposals, args[0]), args[1])
    elif name == "freeze":
        extra = {} if args[1] is None else {"subject": args[1]}
        sim.customer.freeze_customer(pick(customers, args[0]), **extra)
        assert args[1] is None, f"the forged subject {args[1]!r} acted"
    elif name == "proposal":
        proposals.append(sim.credit.create_proposal(pick(customers, args[0]), args[1], args[2]))
    elif name == "collateral":
        sim.credit.update_collateral(pick(proposals, args[0]), args[1])
    elif name == "replay":
        deposit_id = pick(deposits, args[0])
        sim.execute("deposit", deposit_id, RecordDeposit(deposit_id, accounts[0], args[1], deposit_id, "active"))
    elif name == "raw":
        sim.execute(args[0], args[1], RecordDeposit("d-raw", accounts[0], 1_00, "ref", "active"))
    else:
        sim.advance(days=args[0])


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(OPERATIONS, min_size=2, max_size=14))
def test_random_programs_get_typed_refusals_only_and_refusals_change_nothing(program):
    with Simulation(seed=7, journal=":memory:") as sim:
        sim.price.set(7_000_000)
        customer = sim.customer.create_customer("first@bank.test")
        account = sim.deposit.create_account(customer)
        first_deposit = sim.deposit.record_deposit(account, 1_000_00)  # pays the structuring fee
        facility = sim.credit.create_proposal(customer, 10_000_00, std_terms())
        sim.credit.conclude_customer_approval(facility)
        sim.credit.update_collateral(facility, 10 * 100_000_000)  # active: disbursals and payments apply
        made = {"customer": [customer], "account": [account],
                "deposit": [first_deposit],
                "proposal": [facility], "withdrawal": []}
        for operation in program:
            before = (sim.journal.digest(), sim.outbox.digest())
            try:
                run(sim, made, operation)
            except Refusal:
                assert (sim.journal.digest(), sim.outbox.digest()) == before, operation
        assert is_balanced(sim.ledger.totals())
        sim.settle(commit=True)
