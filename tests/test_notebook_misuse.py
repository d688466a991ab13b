"""What a notebook user gets wrong when driving `Simulation` by hand is refused at the API with a
typed error naming the problem, nothing journaled: a str where the outbox takes a sequence, a
`datetime` (`sim.now`) as a payment's date, a facility read before it is activated,
`journal=None` or a directory for the journal file."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from domains.accounting import UnknownAccount
from domains.credit.collection.dated import PaymentDateOutOfRange
from domains.credit.terms import std_terms
from domains.price import InvalidPrice
from engine import Simulation
from engine.bank.service.credit import FacilityNotActivated
from engine.kernel.errors import InvalidArgument, JournalLocked, SimulationInterrupted, UnknownEntity


def unchanged(sim):
    return sim.journal.digest(), sim.outbox.digest(), sim.ledger.trial_balance()


def proposal(sim, collateral_sats: int | None = None, approve: bool = True) -> str:
    sim.price.set(7_000_000)
    ada = sim.customer.create_customer("ada@example.com")
    sim.deposit.record_deposit(sim.deposit.create_account(ada), 5_000_00)
    facility = sim.credit.create_proposal(ada, 100_000_00, std_terms())
    if approve:
        sim.credit.conclude_customer_approval(facility)
    if collateral_sats is not None:
        sim.credit.update_collateral(facility, collateral_sats)
    return facility


# -- the outbox ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{"after": "5"}, {"after": None}, {"after": True}, {"after": 1.0},
                                    {"limit": -1}, {"limit": "2"}, {"where": "entity.status"}])
def test_an_outbox_read_with_a_wrong_argument_names_it(kwargs):
    """`tail(after="5")` was a bare `TypeError` from a comparison inside the outbox."""
    with Simulation(seed=1, journal=":memory:") as sim:
        sim.customer.create_customer("ada@example.com")
        with pytest.raises(InvalidArgument) as refused:
            sim.outbox.tail(**kwargs)
        (argument, value), = kwargs.items()
        assert (refused.value.argument, refused.value.value) == (argument, value)


def test_an_outbox_read_takes_a_numpy_sequence_and_a_limit_of_zero_reads_nothing():
    np = pytest.importorskip("numpy")
    with Simulation(seed=1, journal=":memory:") as sim:
        sim.customer.create_customer("ada@example.com")
        everything = sim.outbox.tail()
        assert sim.outbox.tail(after=np.int64(1)) == everything[1:]  # a DataFrame's sequence column
        assert sim.outbox.tail(limit=0) == [] and sim.outbox.tail(limit=1) == everything[:1]


# -- a payment's date ------------------------------------------------------------------------------
def test_a_payment_dated_with_a_datetime_is_booked_on_its_utc_day():
    """`effective=sim.now` (today) was refused as `PaymentDateOutOfRange` naming a range holding it."""
    with Simulation(seed=1, start="2024-01-01", journal=":memory:") as sim:
        facility = proposal(sim, 2 * 100_000_000)
        sim.advance(days=40)
        paid = sim.credit.record_payment(facility, 1_00, effective=sim.now)
        dated = sim.credit.record_payment(facility, 1_00, effective=datetime(2024, 2, 5, 12, 30, tzinfo=UTC))
        assert sim.state("payment", paid).effective == date(2024, 2, 10)
        assert sim.state("payment", dated).effective == date(2024, 2, 5)


def test_a_datetime_outside_the_range_is_refused_with_the_range_and_leaves_no_trace():
    with Simulation(seed=1, start="2024-01-01", journal=":memory:") as sim:
        facility = proposal(sim, 2 * 100_000_000)
        sim.advance(days=40)
        before = unchanged(sim)
        tomorrow = datetime(2024, 2, 11, tzinfo=UTC)
        with pytest.raises(PaymentDateOutOfRange) as refused:
            sim.credit.record_payment(facility, 1_00, effective=tomorrow)
        assert (refused.value.effective, refused.value.latest) == (tomorrow, date(2024, 2, 10))
        assert unchanged(sim) == before


# -- a facility not activated yet ------------------------------------------------------------------
@pytest.mark.parametrize(("approve", "sats", "stage"), [(False, None, "pending_customer_approval"),
                                                        (True, None, "pending"), (True, 1, "pending")])
@pytest.mark.parametrize("call", ["facility", "record_payment", "initiate_disbursal", "complete_facility",
                                  "send_collateral_to_liquidation", "record_liquidation_proceeds"])
def test_a_facility_read_or_command_before_activation_says_what_is_missing(call, approve, sats, stage):
    """It was `UnknownEntity(kind='credit-facility')` alone, for the id `create_proposal` returned."""
    with Simulation(seed=1, start="2024-01-01", journal=":memory:") as sim:
        facility = proposal(sim, sats, approve)
        before = unchanged(sim)
        args = () if call in ("facility", "complete_facility") else (1_00,)
        with pytest.raises(FacilityNotActivated) as refused:
            getattr(sim.credit, call)(facility, *args)
        assert isinstance(refused.value, UnknownEntity)  # code catching UnknownEntity still does
        assert (refused.value.kind, refused.value.id, refused.value.stage) == ("credit-facility", facility, stage)
        assert "not activated yet" in str(refused.value)
        assert unchanged(sim) == before


def test_collateral_of_a_proposal_not_approved_is_refused_naming_the_step_and_of_no_facility_as_unknown():
    """Both named a `pending-credit-facility`, which the user never created."""
    with Simulation(seed=1, start="2024-01-01", journal=":memory:") as sim:
        facility = proposal(sim, approve=False)
        with pytest.raises(FacilityNotActivated) as refused:
            sim.credit.update_collateral(facility, 100_000_000)
        assert refused.value.stage == "pending_customer_approval"
        assert "conclude_customer_approval" in str(refused.value)
        for call in (sim.credit.update_collateral, sim.credit.liquidation):
            with pytest.raises(UnknownEntity) as unknown:
                call("no-such-facility", *((1,) if call == sim.credit.update_collateral else ()))
            assert (type(unknown.value), unknown.value.kind) == (UnknownEntity, "credit-facility")


# -- the journal file ------------------------------------------------------------------------------
@pytest.mark.parametrize("journal", [None, 5, b"j.sqlite"])
def test_a_journal_that_is_no_path_is_refused_and_writes_no_file(journal, tmp_path, monkeypatch):
    """`journal=None` wrote the journal to a file named `None` in the working directory."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InvalidArgument) as refused:
        Simulation(seed=1, journal=journal)
    assert (refused.value.argument, refused.value.value) == ("journal", journal)
    with Simulation(seed=1, journal=":memory:") as sim, pytest.raises(InvalidArgument):
        sim.fork(journal=journal)
    assert os.listdir(tmp_path) == []


def test_a_journal_path_that_is_a_directory_or_in_none_is_refused(tmp_path):
    """Both were SQLite's bare `OperationalError: unable to open database file`."""
    for path, problem in ((tmp_path, "a directory"), (tmp_path / "no" / "j.sqlite", "no such directory")):
        with pytest.raises(InvalidArgument) as refused:
            Simulation(seed=1, journal=str(path))
        assert refused.value.argument == "journal" and refused.value.problem.startswith(problem)
    assert os.listdir(tmp_path) == []


# -- reads as of an instant ------------------------------------------------------------------------
def _walk(sim, until: str) -> str:
    """One facility: a payment, a crash into liquidation and a recovery, stopped at `until`."""
    steps = [("2024-02-03T10:00:00Z", lambda f: sim.credit.record_payment(f, 500_00, effective="2024-02-02")),
             ("2024-02-10T12:00:00Z", lambda f: sim.price.set(4_500_000)),
             ("2024-02-12T00:00:00Z", lambda f: sim.price.set(7_000_000))]
    facility = proposal(sim, 2 * 100_000_000)
    for when, step in steps:
        if when > until:
            break
        sim.run_until(when)
        step(facility)
    sim.run_until(until)
    return facility


@pytest.mark.parametrize("at", ["2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z", "2024-02-03T10:00:00Z",
                                "2024-02-10T12:00:00Z", "2024-02-20T06:00:00Z", "2024-03-01T00:00:00Z"])
def test_the_plan_and_history_as_of_an_instant_are_those_of_a_run_stopped_there(at):
    """`repayment_plan`, `history`, `facility` and `books` took no `as_of` from Python (only
    `lanasim show --as-of` did)."""
    with Simulation(seed=2, start="2024-01-01", journal=":memory:") as later, \
            Simulation(seed=2, start="2024-01-01", journal=":memory:") as stopped:
        facility = _walk(later, "2024-03-10T00:00:00Z")
        assert _walk(stopped, at) == facility
        assert later.credit.repayment_plan(facility, as_of=at) == stopped.credit.repayment_plan(facility)
        assert later.credit.history(facility, as_of=at) == stopped.credit.history(facility)
        assert later.ledger.trial_balance(as_of=at) == stopped.ledger.trial_balance()
        assert later.load("credit-facility", facility, as_of=at) == stopped.state("credit-facility", facility)
        assert later.credit.facility(facility, as_of=at) == stopped.credit.facility(facility)
        assert later.credit.books(facility, as_of=at) == stopped.credit.books(facility)
        crash = [h.state for h in later.credit.history(facility, as_of=at) if h.price == 4_500_000]
        assert crash == ([] if at < "2024-02-10T12" else ["under_liquidation_threshold"])  # the walk's crash


def test_a_facility_read_as_of_an_instant_after_now_is_refused_and_before_activation_says_so():
    with Simulation(seed=2, start="2024-01-01", journal=":memory:") as sim:
        facility = _walk(sim, "2024-01-10T00:00:00Z")
        with pytest.raises(FacilityNotActivated, match="was not activated yet at 2023-12-31T00:00:00Z"):
            sim.credit.facility(facility, as_of="2023-12-31")
        for read in (sim.credit.repayment_plan, sim.credit.history, sim.credit.facility, sim.credit.books):
            with pytest.raises(InvalidArgument) as refused:
                read(facility, as_of="2024-01-10T00:00:01Z")
            assert refused.value.argument == "as_of"
        assert sim.credit.history(facility, as_of="2023-12-31") == ()  # before the proposal


# -- a price ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("price", [70_000.0, Decimal("70000.00"), "7000000", 0])
def test_a_price_that_is_no_positive_int_of_cents_says_what_a_price_is(price):
    """`sim.price.set(70000.0)` (dollars, as a float) said only `InvalidPrice(price=70000.0)`."""
    with Simulation(seed=1, journal=":memory:") as sim:
        with pytest.raises(InvalidPrice) as refused:
            sim.price.set(price)
        assert refused.value.price == price and "whole number of cents per BTC" in str(refused.value)
        assert sim.price.current() is None


# -- the ledger and time travel by seq -------------------------------------------------------------
def test_balances_in_a_currency_the_book_has_not_or_of_one_account_name_are_refused():
    """`balances([account], "usd")` was a bare `KeyError: 'usd'`; `balances(account)` read its characters."""
    with Simulation(seed=1, journal=":memory:") as sim:
        account = sim.deposit.create_account(sim.customer.create_customer("ada@example.com"))
        sim.deposit.record_deposit(account, 5_00)
        name = f"deposit:{account}"
        with pytest.raises(UnknownAccount) as unknown:
            sim.ledger.balances([name], "usd")
        assert (unknown.value.account, unknown.value.currency) == (name, "usd")
        with pytest.raises(InvalidArgument) as refused:
            sim.ledger.balances(name)
        assert refused.value.argument == "accounts"
        assert sim.ledger.balances([name]) == [sim.ledger.balance(name)] == [5_00]


@pytest.mark.parametrize("seq", ["5", 1.5, -1, True])
def test_a_load_at_a_seq_that_is_no_whole_number_is_refused(seq):
    """`load(..., seq="5")` answered the state at seq 5, and `seq=1.5` None, as if not created yet."""
    with Simulation(seed=1, journal=":memory:") as sim:
        ada = sim.customer.create_customer("ada@example.com")
        with pytest.raises(InvalidArgument) as refused:
            sim.load("customer", ada, seq=seq)
        assert (refused.value.argument, refused.value.value) == ("seq", seq)


@pytest.mark.parametrize("read", ["state", "load"])
def test_an_entity_id_that_is_not_a_string_is_refused_alike_by_state_and_load(read):
    """`sim.load("customer", 5)` looked 5 up and answered `UnknownEntity`, as if a customer 5 could
    exist; `sim.state` refused it as an argument."""
    with Simulation(seed=1, journal=":memory:") as sim:
        with pytest.raises(InvalidArgument) as refused:
            getattr(sim, read)("customer", 5)
        assert (refused.value.argument, refused.value.value) == ("entity_id", 5)


# -- a branch --------------------------------------------------------------------------------------
def test_a_branch_follows_no_feed_until_told_and_then_continues_the_same_path():
    """What `Simulation.fork` now says: the feed is not journaled, so a branch's price stays put;
    following the same path on the branch publishes what the original published."""
    from scenarios.market.paths import black_thursday_2020

    def prices(sim, until):
        return [(e["recorded_at"], e["payload"]["PriceUpdated"]["price"])
                for e in sim.outbox.tail(types=["core.price.price-updated"]) if e["recorded_at"] <= until]

    path = black_thursday_2020(7_000_000, start_s=6 * 3600)
    with Simulation(seed=1, start="2024-01-01", journal=":memory:") as sim:
        sim.price.follow(path, every_seconds=3600)
        sim.advance(days=2)
        idle, followed = sim.fork(at="2024-01-01T12:00:00Z"), sim.fork(at="2024-01-01T12:00:00Z")
        idle.advance(hours=12)
        assert prices(idle, "9999") == prices(sim, "2024-01-01T12:00:00Z")  # nothing after the cut
        followed.price.follow(path, every_seconds=3600)
        followed.advance(hours=12)
        assert prices(followed, "9999") == prices(sim, "2024-01-02T00:00:00Z")
        idle.close()
        followed.close()


# -- Ctrl-C in a notebook cell ---------------------------------------------------------------------
class _CtrlCAt:
    """A price path that raises KeyboardInterrupt once at sim second `at` (Ctrl-C landing in a tick)."""

    def __init__(self, path, at: int) -> None:
        self.path, self.at, self.fired = path, at, False

    def price_at(self, t: int) -> int:
        if t == self.at and not self.fired:
            self.fired = True
            raise KeyboardInterrupt
        return self.path.price_at(t)


def _crash_book(journal: str, interrupt_at: int | None = None) -> tuple[Simulation, str, object]:
    from scenarios.market.paths import black_thursday_2020

    sim = Simulation(seed=4, start="2024-01-01", journal=journal)
    facility = proposal(sim, 2 * 100_000_000)
    path = black_thursday_2020(7_000_000, start_s=6 * 3600)
    sim.price.follow(path if interrupt_at is None else _CtrlCAt(path, interrupt_at), every_seconds=3600)
    return sim, facility, path


def _published(journal: str) -> list[tuple[str, str, object]]:
    with Simulation(journal=journal) as sim:
        return [(e["event_type"], e["recorded_at"], e["payload"]) for e in sim.outbox.tail()]


def test_after_ctrl_c_mid_run_the_simulation_refuses_to_go_on_and_its_file_reopens_to_the_same_run(tmp_path):
    """A KeyboardInterrupt inside an instant's work lost the job or queued command it hit (the
    price feed stopped; an obligation never fell due) and the simulation went on without a word."""
    whole, facility, path = _crash_book(str(tmp_path / "whole.sqlite"))
    whole.advance(days=3)
    whole.close()
    cut_path = str(tmp_path / "cut.sqlite")
    cut, _, _ = _crash_book(cut_path, interrupt_at=20 * 3600)
    with pytest.raises(KeyboardInterrupt):
        cut.advance(days=3)
    for going_on in (lambda: cut.advance(days=1), lambda: cut.run_until("2024-01-04"),
                     lambda: cut.price.set(6_000_000), lambda: cut.credit.record_payment(facility, 1_00),
                     lambda: cut.fork()):
        with pytest.raises(SimulationInterrupted) as refused:
            going_on()
        assert (refused.value.at, refused.value.journal) == ("2024-01-01T20:00:00Z", cut_path)
    assert cut.credit.facility(facility).status.value == "active"  # reads still answer
    cut.close()
    with Simulation(journal=cut_path) as again:  # continues where its last commit left off
        again.price.follow(path, every_seconds=3600)
        again.run_until("2024-01-04")
    assert _published(cut_path) == _published(str(tmp_path / "whole.sqlite"))


def test_ctrl_c_inside_a_cascade_marks_the_simulation_interrupted_and_an_in_memory_one_says_run_it_again():
    sim, _, _ = _crash_book(":memory:")
    real = sim.reactions.settle

    def ctrl_c() -> None:
        sim.reactions.settle = real
        raise KeyboardInterrupt

    sim.reactions.settle = ctrl_c
    with pytest.raises(KeyboardInterrupt):
        sim.price.set(3_000_000)  # its cascade (a liquidation) is cut
    with pytest.raises(SimulationInterrupted, match="in memory: run it again"):
        sim.advance(hours=1)
    sim.close()  # delivers nothing more of the cut cascade


def test_a_second_simulation_on_a_file_this_process_holds_says_to_close_the_first(tmp_path):
    """A notebook cell opening `Simulation(journal=...)` run twice was told the file is "in use by
    another lanasim process"; the holder is the cell's first, unclosed simulation."""
    path = str(tmp_path / "nb.sqlite")
    first = Simulation(seed=1, journal=path)
    ada = first.customer.create_customer("ada@example.com")
    with pytest.raises(JournalLocked, match="held by a Simulation of this Python process") as locked:
        Simulation(seed=1, journal=path)
    assert locked.value.here is True
    first.close()
    with Simulation(seed=1, journal=path) as again:  # closed, its commands are kept
        assert again.customer.customer(ada).status.value == "active"
