"""Bad arguments are refused before anything is staged: a typed `Refusal` with fields, the journal
digest unchanged, and every command acknowledged before it still durable (issue 11, items 1 and 3)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domains.accounting import LedgerTotalOutOfRange
from domains.aggregate import Refusal
from domains.credit import NonPositiveAmount, std_terms
from domains.deposit import InitiateWithdrawal, RecordDeposit
from domains.money import MAX_CENTS, MAX_SATS
from domains.validators import AmountOutOfRange, TextTooLong, WrongType
from engine import Simulation
from engine.bank.ledger import MAX_TOTAL
from engine.kernel.errors import Conflict, InvalidArgument
from scenarios.cli import main

PRICE, BTC = 7_000_000, 100_000_000


@pytest.fixture
def bank(tmp_path):
    with Simulation(seed=3, journal=str(tmp_path / "j.sqlite")) as sim:
        sim.price.set(PRICE)
        sim.ada = sim.customer.create_customer("ada@bank.test")
        sim.account = sim.deposit.create_account(sim.ada)
        sim.deposit.record_deposit(sim.account, 100_00)
        sim.deposit.record_deposit(sim.account, 250_00)
        yield sim


def refused(sim, error: type[Exception], action, *args, **kwargs):
    """The refusal `action` raises: typed, a `Refusal`, and the journal and outbox unchanged."""
    before = (sim.journal.digest(), sim.outbox.digest())
    with pytest.raises(error) as raised:
        action(*args, **kwargs)
    assert isinstance(raised.value, Refusal) and raised.value.fields
    assert (sim.journal.digest(), sim.outbox.digest()) == before
    return raised.value


@pytest.mark.parametrize("amount", [2**63, 2**64 - 1, 2**64, 10**30, MAX_CENTS + 1])
def test_an_amount_beyond_the_maximum_is_refused_and_earlier_deposits_stay_durable(bank, amount, tmp_path):
    error = refused(bank, AmountOutOfRange, bank.deposit.record_deposit, bank.account, amount)
    assert (error.field, error.amount, error.maximum) == ("amount", amount, MAX_CENTS)
    bank.settle(commit=True)  # the group commit that used to raise OverflowError
    bank.close()
    with Simulation(journal=str(tmp_path / "j.sqlite")) as reopened:
        assert reopened.deposit.balance(bank.account) == 350_00


def test_the_maximum_amount_itself_is_accepted(bank):
    bank.deposit.record_deposit(bank.account, MAX_CENTS)
    bank.settle(commit=True)
    assert bank.deposit.balance(bank.account) == MAX_CENTS + 350_00


def test_a_deposit_that_would_take_a_ledger_total_past_sqlite_integers_is_refused_and_the_journal_reopens(
        bank, tmp_path):
    fits = (MAX_TOTAL - 350_00) // MAX_CENTS  # maximal deposits the account's running totals can hold
    for _ in range(fits):
        bank.deposit.record_deposit(bank.account, MAX_CENTS)
    error = refused(bank, LedgerTotalOutOfRange, bank.deposit.record_deposit, bank.account, MAX_CENTS)
    assert error.total + error.amount > MAX_TOTAL >= error.total and error.amount == MAX_CENTS
    bank.close()
    with Simulation(journal=str(tmp_path / "j.sqlite")) as reopened:  # totals still sum in SQLite
        assert reopened.deposit.balance(bank.account) == fits * MAX_CENTS + 350_00
        assert reopened.ledger.is_balanced()


def test_a_proposal_without_terms_is_refused_and_the_journal_still_verifies(bank, tmp_path, capsys):
    error = refused(bank, WrongType, bank.credit.create_proposal, bank.ada, 1000, None)
    assert (error.field, error.value, error.expected) == ("terms", None, "TermValues")
    bank.close()
    assert main(["verify", str(tmp_path / "j.sqlite")]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "ok"


@pytest.mark.parametrize("amount", ["1000", 10.5, None, True])
def test_a_proposal_amount_that_is_not_whole_cents_is_refused_as_the_wrong_type(bank, amount):
    error = refused(bank, WrongType, bank.credit.create_proposal, bank.ada, amount, std_terms())
    assert (error.field, error.value, error.expected) == ("amount", amount, "a whole number of cents")


@pytest.mark.parametrize("amount", [0, -1])
def test_a_proposal_amount_of_zero_or_less_is_refused_as_non_positive(bank, amount):
    error = refused(bank, NonPositiveAmount, bank.credit.create_proposal, bank.ada, amount, std_terms())
    assert (error.field, error.amount) == ("amount", amount)
    # its fields, then what it means: `NonPositiveAmount(field='amount', amount=0)` alone sent a notebook
    # user to the class; its repr, which a journal records of a failed told command, is as it was
    assert str(error) == (f"NonPositiveAmount(field='amount', amount={amount}): an int amount that must be > 0 "
                          "was not; a non-int is `WrongType`")
    assert repr(error) == f"NonPositiveAmount(\"NonPositiveAmount(field='amount', amount={amount})\")"


@pytest.fixture
def facility(bank):
    facility = bank.credit.create_proposal(bank.ada, 10_000_00, std_terms())
    bank.credit.conclude_customer_approval(facility)
    bank.credit.update_collateral(facility, BTC)
    return facility


@pytest.mark.parametrize("wrong", ["5", 1.5, None, True])
def test_amounts_of_the_wrong_type_are_refused_as_wrong_type_naming_the_unit(bank, facility, wrong):
    error = refused(bank, WrongType, bank.credit.initiate_disbursal, facility, wrong)
    assert (error.field, error.value, error.expected) == ("amount", wrong, "a whole number of cents")
    error = refused(bank, WrongType, bank.credit.update_collateral, facility, wrong)
    assert (error.field, error.value, error.expected) == ("sats", wrong, "a whole number of satoshis")
    error = refused(bank, WrongType, bank.credit.record_payment, facility, wrong)
    assert (error.field, error.value) == ("amount", wrong)
    error = refused(bank, WrongType, bank.deposit.record_deposit, bank.account, wrong)
    assert (error.field, error.value) == ("amount", wrong)


def test_strings_where_amounts_belong_are_typed_refusals(bank, facility):
    assert refused(bank, NonPositiveAmount, bank.credit.initiate_disbursal, facility, 0).field == "amount"
    assert refused(bank, InvalidArgument, bank.advance, days="1").argument == "days"


def test_collateral_beyond_every_bitcoin_is_refused(bank, facility):
    error = refused(bank, AmountOutOfRange, bank.credit.update_collateral, facility, MAX_SATS + 1)
    assert (error.field, error.maximum) == ("sats", MAX_SATS)


@pytest.mark.parametrize("kwargs", [{"days": -1}, {"hours": 1.5}, {"minutes": None}, {"days": 10**9}])
def test_advance_refuses_what_is_not_a_whole_forward_step(bank, kwargs):
    now = bank.now
    error = refused(bank, InvalidArgument, bank.advance, **kwargs)
    assert error.argument in kwargs or error.argument == "days"
    assert bank.now == now


@pytest.mark.parametrize("when", [None, 5, ["2024-02-01"]])
def test_run_until_refuses_what_is_not_an_instant(bank, when):
    assert refused(bank, InvalidArgument, bank.run_until, when).argument == "when"


def test_a_ten_kilobyte_email_is_refused(bank):
    error = refused(bank, TextTooLong, bank.customer.create_customer, "a" * 10_000 + "@bank.test")
    assert (error.field, error.length, error.maximum) == ("email", 10_010, 254)


def test_replaying_a_deposit_id_with_another_amount_or_account_is_a_conflict_naming_the_field(bank):
    other = bank.deposit.create_account(bank.ada)
    deposit_id = bank.deposit.record_deposit(bank.account, 5_00)
    same = RecordDeposit(deposit_id, bank.account, 5_00, deposit_id, "active")
    assert not bank.execute("deposit", deposit_id, same)  # the same content: already applied
    error = refused(bank, Conflict, bank.execute, "deposit", deposit_id,
                    RecordDeposit(deposit_id, bank.account, 6_00, deposit_id, "active"))
    assert (error.kind, error.id, error.field) == ("deposit", deposit_id, "amount")
    assert (error.stored, error.given) == (5_00, 6_00)
    error = refused(bank, Conflict, bank.execute, "deposit", deposit_id,
                    RecordDeposit(deposit_id, other, 5_00, deposit_id, "active"))
    assert (error.field, error.stored, error.given) == ("deposit_account_id", bank.account, other)


def test_replaying_a_withdrawal_id_with_another_amount_is_a_conflict(bank):
    withdrawal_id = bank.deposit.initiate_withdrawal(bank.account, 10_00)
    command = InitiateWithdrawal(withdrawal_id, bank.account, 20_00, withdrawal_id, "active", 10**6)
    assert refused(bank, Conflict, bank.execute, "withdrawal", withdrawal_id, command).field == "amount"


def test_every_engine_refusal_is_a_refusal():
    from engine.kernel import errors
    from engine.kernel.authz import Unauthorized

    refusals = [errors.DuplicateValue, errors.NotFound, errors.UnknownEntity, errors.UnknownKind,
                errors.MalformedCommand, errors.InvalidArgument, errors.Conflict, Unauthorized]
    assert all(issubclass(cls, Refusal) and issubclass(cls, errors.EngineError) for cls in refusals)
    assert not issubclass(errors.CorruptEvent, Refusal)  # a broken journal is not a refusal
    assert Unauthorized(subject="x", reason="why").reason == "why"
    assert errors.UnknownEntity(kind="k", id="i").reason == "unknown-entity"


@pytest.mark.parametrize("name", [5, None, "", "x" * 255, ("a",)])
def test_a_random_stream_named_by_anything_but_a_short_string_is_refused_and_the_run_goes_on(name, tmp_path):
    path = str(tmp_path / "r.sqlite")
    sim = Simulation(seed=1, start="2024-01-01", journal=path)
    ada = sim.customer.create_customer("ada@example.com")
    with pytest.raises(InvalidArgument) as refused:
        sim.random(name)
    assert refused.value.argument == "name" and "1-254 characters" in refused.value.problem
    sim.advance(days=1)  # the next commit stores the run's position as before
    sim.close()
    with Simulation(journal=path) as reopened:
        assert reopened.customer.customer(ada).email == "ada@example.com"
        assert reopened.now == datetime(2024, 1, 2, tzinfo=UTC)


@pytest.mark.parametrize("seed", [2**63, -2**63 - 1, 2**70, True, 1.5, "3"])
def test_a_seed_that_is_no_64_bit_integer_is_refused_before_any_journal_file_exists(seed, tmp_path):
    path = tmp_path / "j.sqlite"
    with pytest.raises(InvalidArgument) as refused:
        Simulation(seed=seed, journal=str(path))
    assert refused.value.argument == "seed" and refused.value.value == seed
    assert not path.exists()


@pytest.mark.parametrize("seed", [2**63 - 1, -2**63])
def test_the_largest_and_smallest_64_bit_seeds_run_and_reopen(seed, tmp_path):
    path = str(tmp_path / "j.sqlite")
    with Simulation(seed=seed, journal=path) as sim:
        sim.advance(days=1)
    with Simulation(journal=path) as reopened:
        assert reopened.seed == seed
