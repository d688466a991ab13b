"""A notebook user's misuse of the public API (the api18 audit): each wrong argument is a typed
error naming it, nothing acknowledged is lost, and the next valid command works."""

from __future__ import annotations

import pytest

from domains.aggregate import Refusal
from domains.credit import std_terms
from engine import EngineError, Simulation

LONE = "ops\ud800"  # a lone surrogate: what `os.fsdecode` makes of a non-UTF-8 file name


@pytest.fixture
def bank(tmp_path):
    sim = Simulation(seed=18, journal=str(tmp_path / "j.sqlite"))
    sim.price.set(7_000_000)
    customer = sim.customer.create_customer("ada@bank.test")
    account = sim.deposit.create_account(customer)
    sim.deposit.record_deposit(account, 1_000_00)
    yield sim, customer, account
    sim.close()


LONE_TEXT_CALLS = {
    "subject": lambda sim, c, a: sim.deposit.record_deposit(a, 1_00, subject=LONE),
    "reference": lambda sim, c, a: sim.deposit.record_deposit(a, 1_00, LONE),
    "telegram handle": lambda sim, c, a: sim.customer.create_customer("b@bank.test", "individual", LONE),
    "committee name": lambda sim, c, a: sim.governance.create_committee(LONE),
    "custodian name": lambda sim, c, a: sim.custody.create_custodian(LONE),
    "terms template name": lambda sim, c, a: sim.credit.create_terms_template(LONE, std_terms()),
    "email looked up": lambda sim, c, a: sim.customer.find_customer_by_email(LONE),
    "random stream": lambda sim, c, a: sim.random(LONE),
    "ephemeral type": lambda sim, c, a: sim.outbox.latest(LONE),
}


@pytest.mark.parametrize("call", LONE_TEXT_CALLS.values(), ids=LONE_TEXT_CALLS.keys())
def test_text_with_a_lone_surrogate_is_refused_and_the_journal_still_commits(bank, call, tmp_path):
    """A lone surrogate reached SQLite: in an audit row or an event it failed the next group commit
    (`JournalWriteFailed`, every row since the last commit lost, every later commit failing too);
    in a lookup it was a bare UnicodeEncodeError."""
    sim, customer, account = bank
    before = sim.journal.digest()
    with pytest.raises((Refusal, EngineError)):
        call(sim, customer, account)
    assert sim.journal.digest() == before
    sim.deposit.record_deposit(account, 2_00)
    sim.close()  # commits: before the fix, JournalWriteFailed (UnicodeEncodeError)
    with Simulation(journal=str(tmp_path / "j.sqlite")) as again:
        assert again.deposit.balance(account) == 1_002_00


@pytest.mark.parametrize("types", [5, 1.5, True, None.__class__, b"core.customer.customer-created", {"a": 1}])
def test_an_outbox_type_filter_that_is_no_type_or_list_of_types_names_the_argument(bank, types):
    """`sim.outbox.tail(types=5)` was a bare "TypeError: 'int' object is not iterable" from the catalog."""
    sim, _, _ = bank
    for read in (lambda: sim.outbox.tail(types=types), lambda: list(sim.outbox.stream(types=types))):
        with pytest.raises(Refusal) as raised:
            read()
        assert raised.value.fields["argument"] == "types"


NOT_ACCOUNTS = [None, 5, 1.5, True, ["deposit:x"], {"a": 1}, b"deposit"]
LEDGER_READS = {
    "balance": lambda sim, account: sim.ledger.balance(account),
    "debits_credits": lambda sim, account: sim.ledger.debits_credits(account),
    "entries": lambda sim, account: sim.ledger.entries(account),
    "export_csv": lambda sim, account: sim.ledger.export_csv(account),
    "balances": lambda sim, account: sim.ledger.balances([account]),
    "balance in a list currency": lambda sim, account: sim.ledger.balance("deposit-omnibus", [account]),
    "balances in a list layer": lambda sim, account: sim.ledger.balances(["deposit-omnibus"], "USD", [account]),
}


@pytest.mark.parametrize("read", LEDGER_READS.values(), ids=LEDGER_READS.keys())
def test_a_ledger_read_of_a_value_that_is_no_account_name_is_refused_as_an_unknown_account(bank, read):
    """`sim.ledger.balance(None)` was a bare "AttributeError: 'NoneType' object has no attribute
    'partition'" from the chart, a list as the currency "TypeError: unhashable type"."""
    sim, _, _ = bank
    before = sim.journal.digest()
    for value in NOT_ACCOUNTS:
        with pytest.raises(Refusal):
            read(sim, value)
    assert sim.journal.digest() == before


@pytest.mark.parametrize("accounts", [None, 5, 1.5])
def test_balances_of_something_that_is_no_list_of_accounts_names_the_argument(bank, accounts):
    sim, _, _ = bank
    with pytest.raises(Refusal) as raised:
        sim.ledger.balances(accounts)
    assert raised.value.fields["argument"] == "accounts"


@pytest.mark.parametrize("user", [None, "", 5, "nobody"])
def test_bootstrapping_the_default_committee_with_no_user_is_refused_before_the_committee_is_made(user):
    """The default committee was created and then the member refused: a refusal that changed the
    journal (and the committee stayed, without the member asked for)."""
    with Simulation(seed=18, journal=":memory:") as sim:
        before = sim.journal.digest()
        with pytest.raises(Refusal):
            sim.governance.bootstrap_default_committee(user)
        assert sim.journal.digest() == before
        assert sim.index("committee").maybe_find_by("name", "default") is None


@pytest.mark.parametrize("kind", [["customer"], {"customer": 1}])
def test_a_kind_that_is_no_name_is_an_unknown_kind_for_every_entity_read(bank, kind):
    """`sim.state(["customer"], id)` (load, index) was a bare "TypeError: unhashable type: 'list'"."""
    sim, customer, _ = bank
    for read in (lambda: sim.state(kind, customer), lambda: sim.load(kind, customer), lambda: sim.index(kind),
                 lambda: sim.public_ids.of(kind, customer)):
        with pytest.raises(Refusal):
            read()


@pytest.mark.parametrize("seq", [2**63, 2**64])
def test_a_load_at_a_seq_beyond_64_bits_is_refused_naming_seq(bank, seq):
    """It was a bare OverflowError from SQLite's bind."""
    sim, customer, _ = bank
    with pytest.raises(Refusal) as raised:
        sim.load("customer", customer, seq=seq)
    assert raised.value.fields["argument"] == "seq"


@pytest.mark.parametrize("public_id", [[1001], {"a": 1}, "1001"])
def test_a_public_id_that_is_no_number_is_refused_naming_it(bank, public_id):
    sim, _, _ = bank
    with pytest.raises(Refusal) as raised:
        sim.public_ids.find(public_id)
    assert raised.value.fields["argument"] == "public_id"


@pytest.mark.parametrize("bad", [None, 5, "nobody"])
def test_deposit_reads_of_an_id_that_names_no_account_or_customer_are_unknown_not_zero(bank, bad):
    """`sim.deposit.pending(None)` answered 0 and `accounts_of(None)` [], as for a real account with
    nothing pending and a customer without accounts; `balance` refused the same ids."""
    sim, customer, account = bank
    for read in (sim.deposit.pending, sim.deposit.accounts_of):
        with pytest.raises(Refusal):
            read(bad)
    assert sim.deposit.accounts_of(customer) == [account]
    assert sim.deposit.pending(account) == 0


@pytest.mark.parametrize("sets", [None, 5, "", "credit_viewer"])
def test_a_role_whose_permission_sets_are_no_list_is_refused_and_makes_no_role(sets):
    """None or 5 was a bare "TypeError: 'int' object is not iterable"; "" made a role without
    permissions and "credit_viewer" looked up the set "c"."""
    with Simulation(seed=18, journal=":memory:") as sim:
        sim.access.seed()
        before = sim.journal.digest()
        with pytest.raises(Refusal) as raised:
            sim.access.create_role("viewer", sets)
        assert raised.value.fields["argument"] == "permission_sets"
        assert sim.journal.digest() == before
        assert sim.access.create_role("viewer", ["credit_viewer"])


def test_a_permission_asked_about_with_no_text_names_the_argument():
    with Simulation(seed=18, journal=":memory:") as sim:
        user = sim.access.create_user("u@bank.test", sim.access.seed() and "admin")
        with pytest.raises(Refusal) as raised:
            sim.access.is_allowed(user, ["customer"], "create")
        assert raised.value.fields["argument"] == "obj"


@pytest.mark.parametrize("hosted", [{"aggregates": "credit"}, {"aggregates": 5}, {"policies": ["p"]},
                                    {"policies": 1.5}])
def test_hosted_aggregates_or_policies_that_are_no_list_of_them_are_refused_before_any_file(hosted, tmp_path):
    """`Simulation(aggregates="credit")` was "AttributeError: 'str' object has no attribute 'kind'"."""
    path = tmp_path / "j.sqlite"
    with pytest.raises(Refusal):
        Simulation(journal=str(path), **hosted)
    assert not path.exists()


@pytest.mark.parametrize("name", ["j\x00.sqlite", "j\udcff.sqlite"])
def test_a_journal_path_with_a_nul_or_a_lone_surrogate_names_the_argument(name, tmp_path):
    """`Simulation(journal=...)` and `sim.fork(journal=...)` were a bare ValueError ("embedded null
    byte") or UnicodeEncodeError from SQLite's connect."""
    with pytest.raises(Refusal) as raised:
        Simulation(journal=str(tmp_path / name))
    assert raised.value.fields["argument"] == "journal"
    with Simulation(seed=18) as sim, pytest.raises(Refusal) as raised:
        sim.fork(journal=str(tmp_path / name))
    assert raised.value.fields["argument"] == "journal"


def test_the_public_id_register_of_a_closed_simulation_is_refused_as_its_other_reads():
    sim = Simulation(seed=18)
    sim.customer.create_customer("ada@bank.test")
    sim.close()
    with pytest.raises(Refusal):
        sim.public_ids.register()


@pytest.mark.parametrize("where", [None, 5, "missing", "file", "parent", "j\x00"])
def test_reading_the_runs_of_what_holds_no_sweep_is_one_scenario_error_naming_it(where, tmp_path):
    """`read_runs(path)` of a directory without a sweep was a bare FileNotFoundError (of a file a
    NotADirectoryError, of None a TypeError from pathlib)."""
    from scenarios.library import ScenarioError
    from scenarios.sweep import read_runs

    (tmp_path / "file").write_text("x")
    path = {"missing": tmp_path / "missing", "file": tmp_path / "file", "parent": tmp_path,
            "j\x00": f"{tmp_path}/j\x00"}.get(where, where)
    with pytest.raises(ScenarioError):
        read_runs(path)
    assert (tmp_path / "file").read_text() == "x"


@pytest.mark.parametrize("name", ["b\x00.csv", "b\udcff.csv"])
def test_a_book_path_with_a_nul_or_a_lone_surrogate_is_refused_naming_the_file(name, tmp_path):
    """read_book/check_book were a bare ValueError ("embedded null byte") or UnicodeEncodeError,
    write_book the same from the file it writes aside."""
    from datetime import date

    from scenarios.book.format import BookNotWritten, BookRefused, check_book, read_book, write_book

    for read in (read_book, check_book):
        with pytest.raises(BookRefused):
            read(str(tmp_path / name), date(2024, 1, 1))
    with pytest.raises(BookNotWritten):
        write_book([], str(tmp_path / name))
    assert list(tmp_path.iterdir()) == []


def test_run_stress_refuses_a_force_that_is_no_bool_even_without_out():
    from scenarios import run_stress
    from scenarios.library import ScenarioError

    with pytest.raises(ScenarioError, match="force"):
        run_stress(facilities=2, days=1, force="yes")


@pytest.mark.parametrize("whole", ["no", 1, None])
def test_a_plot_asked_for_whole_with_no_bool_names_the_argument(whole):
    """whole="no" was read as True: the whole run was drawn."""
    from scenarios import run_stress

    result = run_stress(facilities=2, days=1)
    with pytest.raises(Refusal) as raised:
        result.plot(whole=whole)
    assert raised.value.fields["argument"] == "whole"


@pytest.mark.parametrize("name", ["x" * 300, "d\x00", "d\udcff"])
def test_an_out_dir_no_directory_can_be_made_at_is_refused_naming_it(bank, name, tmp_path):
    """`sim.ledger.export_csv(account, out_dir=...)` with a name too long was a bare OSError from
    stat, with a NUL a bare ValueError from mkdir (so `sim.report.run(..., out_dir=...)`)."""
    sim, _, _ = bank
    before = sim.journal.digest()
    for write in (lambda: sim.ledger.export_csv("deposit-omnibus", out_dir=str(tmp_path / name)),
                  lambda: sim.report.run("trial-balance", out_dir=str(tmp_path / name))):
        with pytest.raises(Refusal) as raised:
            write()
        assert raised.value.fields["argument"] == "out_dir"
    assert sim.journal.digest() == before


def _position(**changes):
    from datetime import date

    import attrs

    from engine.bank.importer import Position

    good = Position("fac-1", "a@bank.test", 100_000_00, 100_000_00, 100_000_00, 0, 3 * 100_000_000, std_terms(),
                    date(2024, 1, 1))
    return attrs.evolve(good, **changes)


BAD_POSITIONS = {
    "a dict": lambda: [{"facility_id": "x"}], "None": lambda: None,
    "an amount as text": lambda: [_position(amount="5")],
    "a day as text": lambda: [_position(activated_on="2024-01-01")],
    "activated after today": lambda: [_position(activated_on=__import__("datetime").date(2030, 1, 1))],
    "no terms": lambda: [_position(terms=None)], "a facility twice": lambda: [_position(), _position()],
}


@pytest.mark.parametrize("chunked", [False, True])
@pytest.mark.parametrize("positions", BAD_POSITIONS.values(), ids=BAD_POSITIONS.keys())
def test_an_import_of_positions_no_book_makes_is_refused_before_anything_and_the_next_command_works(positions,
                                                                                                   chunked):
    """A position of the wrong types was a bare AttributeError/TypeError after the price was
    journaled; one activated after today, or a facility id twice, was refused after its facility's
    command was told, so the next valid command's settle failed on it (ImportInconsistent,
    HandlerFailed, DisbursalLimitExceeded)."""
    from engine.bank.importer import import_chunks, import_positions

    given = positions()
    with Simulation(seed=18, start="2024-02-01") as sim:
        before = sim.journal.digest()
        with pytest.raises(Refusal):
            if chunked:
                import_chunks(sim, [given] if isinstance(given, list) else given, 7_000_000)
            else:
                import_positions(sim, given, 7_000_000)
        assert sim.journal.digest() == before
        sim.customer.create_customer("next@bank.test")
        sim.settle(commit=True)
        assert import_positions(sim, [_position()], 7_000_000) == ["fac-1"]


@pytest.mark.parametrize("target", ["nobody", None, 5])
def test_an_approval_process_for_nothing_is_refused_before_it_starts(bank, target):
    """`sim.governance.start_process("withdraw", "nobody")` started and auto-approved a process, and
    its conclusion's reaction failed (ReactionFailed, UnknownEntity): a refusal that journaled."""
    sim, customer, account = bank
    before = sim.journal.digest()
    with pytest.raises(Refusal):
        sim.governance.start_process("withdraw", target)
    assert sim.journal.digest() == before
    with pytest.raises(Refusal):  # a proposal's id is no withdrawal's
        sim.governance.start_process("withdraw", sim.credit.create_proposal(customer, 10_00, std_terms()))
    withdrawal = sim.deposit.initiate_withdrawal(account, 1_00)  # starts its own process, auto-approved
    assert sim.deposit.withdrawal(withdrawal).id == withdrawal
