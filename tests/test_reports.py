"""Custody and reports through the whole stack: services, actors, journal, outbox and CSV files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from domains import report as report_module
from domains.custody import ManualCustodianHasNoWallets, NegativeBalance
from domains.report import ReportRunState, UnknownReport
from engine import AlreadyApplied, DuplicateValue, Simulation
from engine.bank.report import ReportUnavailable
from engine.kernel.authz import Unauthorized

BALANCE_UPDATED = "core.custody.wallet-balance-updated"
RUN_CREATED = "core.report.report-run-created"
RUN_STATE = "core.report.report-run-state-updated"


@pytest.fixture
def sim(tmp_path):
    with Simulation(seed=7, journal=str(tmp_path / "j.sqlite")) as sim:
        yield sim


def rows(path: Path) -> list[list[str]]:
    with path.open(newline="") as f:
        return list(csv.reader(f))


# -- custody ----------------------------------------------------------------------------------------
def test_a_balance_change_publishes_wallet_balance_updated_with_the_wallet_and_amount(sim):
    wallet_id = sim.custody.create_wallet(sim.custody.create_custodian("BitGo"), network="testnet4")
    sim.advance(hours=3)
    sim.custody.update_balance(wallet_id, 250_000)
    (envelope,) = sim.outbox.tail(types=BALANCE_UPDATED)
    wallet = sim.custody.wallet(wallet_id)
    assert envelope["payload"] == {"module": "Custody", "type": "WalletBalanceUpdated", "entity": {
        "id": wallet_id, "address": wallet.address, "network": "Testnet4",
        "balance": {"amount": 250_000, "updated_at": "2024-01-01T03:00:00Z"}}}
    assert wallet.address.startswith("tb1q") and wallet.balance == 250_000


def test_the_same_balance_reported_again_is_already_applied_and_publishes_nothing(sim):
    wallet_id = sim.custody.create_wallet(sim.custody.create_custodian("BitGo"))
    sim.custody.update_balance(wallet_id, 100)
    sim.advance(days=1)
    assert sim.custody.update_balance(wallet_id, 100) is AlreadyApplied
    sim.custody.update_balance(wallet_id, 0)
    assert [e["payload"]["entity"]["balance"]["amount"] for e in sim.outbox.tail(types=BALANCE_UPDATED)] == [100, 0]


def test_a_negative_balance_from_the_webhook_is_refused_and_the_balance_stays(sim):
    wallet_id = sim.custody.create_wallet(sim.custody.create_custodian("BitGo"))
    sim.custody.update_balance(wallet_id, 100)
    with pytest.raises(NegativeBalance) as refused:
        sim.custody.update_balance(wallet_id, -5)
    assert (refused.value.wallet_id, refused.value.balance) == (wallet_id, -5)
    assert sim.custody.wallet(wallet_id).balance == 100


def test_a_manual_custodian_refuses_a_wallet_and_no_wallet_exists(sim):
    custodian_id = sim.custody.create_custodian("Treasury desk", provider="manual")
    with pytest.raises(ManualCustodianHasNoWallets) as refused:
        sim.custody.create_wallet(custodian_id)
    assert refused.value.custodian_id == custodian_id
    assert sim.index("wallet").count() == 0


def test_custodian_names_are_unique_and_wallets_are_found_by_address(sim):
    custodian_id = sim.custody.create_custodian("BitGo")
    with pytest.raises(DuplicateValue) as duplicate:
        sim.custody.create_custodian("BitGo", provider="manual")
    wallet_id = sim.custody.create_wallet(custodian_id)
    assert (duplicate.value.kind, duplicate.value.column) == ("custodian", "name")
    assert sim.custody.find_wallet_by_address(sim.custody.wallet(wallet_id).address).id == wallet_id


def test_no_user_may_post_a_wallet_balance_only_the_custodian_does(sim):
    sim.access.seed()
    superuser = sim.access.create_user("root@bank.test", "superuser")
    wallet_id = sim.custody.create_wallet(sim.custody.create_custodian("BitGo", subject=superuser), subject=superuser)
    with pytest.raises(Unauthorized) as refused:
        sim.custody.update_balance(wallet_id, 100, subject=superuser)
    assert (refused.value.subject, refused.value.action) == (superuser, "wallet:update")
    assert sim.custody.wallet(wallet_id).balance is None


# -- report runs ------------------------------------------------------------------------------------
def test_a_report_run_publishes_created_then_running_then_success_as_ephemeral_events(sim):
    out = sim.report.run("customer-register")
    envelopes = sim.outbox.tail(types=[RUN_CREATED, RUN_STATE])
    states = [(e["event_type"], run(e["payload"])["state"]) for e in envelopes]
    assert states == [(RUN_CREATED, "queued"), (RUN_STATE, "running"), (RUN_STATE, "success")]
    latest = sim.outbox.latest(RUN_STATE)["payload"]["ReportRunStateUpdated"]["entity"]
    requested = {"report_definition_id": "internal/customer-register", "norm": "internal", "name": "customer-register"}
    assert (latest["id"], latest["requested_report"], latest["requested_as_of_date"], latest["run_type"]) == (
        out.run_id, requested, "2024-01-01", "manual")
    assert sim.outbox.latest(RUN_CREATED)["payload"]["ReportRunCreated"]["entity"]["id"] == out.run_id


def test_a_run_of_a_report_under_a_regulatory_norm_names_that_norm(sim):
    sim.price.set(7_000_000)  # provisions value collateral at the day's price
    sim.report.run("loan-provisions")
    requested = run(sim.outbox.latest(RUN_CREATED)["payload"])["requested_report"]
    assert requested == {"report_definition_id": "NCB-022/loan-provisions", "norm": "NCB-022",
                         "name": "loan-provisions"}


def run(payload: dict) -> dict:
    """The report run of an (untagged, as Lana's) report payload: `{"module", "<Variant>": {"entity"}}`."""
    (variant,) = set(payload) - {"module"}
    return payload[variant]["entity"]


def test_a_successful_run_records_a_report_with_its_file_relative_to_the_report_directory(sim, tmp_path):
    out = sim.report.run("customer-register", as_of="2024-01-01", run_type="scheduled")
    report = sim.report.report(out.report_id)
    assert (report.run_id, report.name, report.norm) == (out.run_id, "customer-register", "internal")
    assert [f.path for f in report.files] == [f"{out.run_id}/customer-register-2024-01-01.csv"]
    assert out.paths == (tmp_path / "reports" / report.files[0].path,) and out.paths[0].is_file()
    assert sim.report.report_run(out.run_id).run_type.value == "scheduled"


def test_an_unknown_report_fails_its_run_and_raises_with_the_known_names(sim):
    with pytest.raises(UnknownReport) as refused:
        sim.report.run("balance-sheet-of-atlantis")
    assert refused.value.name == "balance-sheet-of-atlantis" and "customer-register" in refused.value.known
    latest = run(sim.outbox.latest(RUN_STATE)["payload"])
    assert (latest["state"], latest["requested_report"]) == ("failed", None)  # no such definition: none named
    assert sim.report.report_run(latest["id"]).state is ReportRunState.FAILED
    assert sim.index("report").count() == 0


def test_running_a_report_needs_report_generate_and_a_refused_user_queues_no_run(sim):
    sim.access.seed()
    accountant, manager = (sim.access.create_user(f"{r}@bank.test", r) for r in ("accountant", "bank-manager"))
    with pytest.raises(Unauthorized) as refused:
        sim.report.run("customer-register", subject=accountant)
    assert (refused.value.action, sim.index("report-run").count()) == ("report:generate", 0)
    out = sim.report.run("customer-register", subject=manager)
    assert sim.journal.stream("report", out.report_id)[-1].context["subject"] == manager


def test_a_report_over_a_module_the_simulation_does_not_host_fails_its_run(tmp_path):
    with Simulation(seed=7, aggregates=list(report_module.AGGREGATES)) as sim:
        with pytest.raises(ReportUnavailable) as refused:
            sim.report.run("deposit-book", out_dir=tmp_path)
        assert (refused.value.name, refused.value.missing) == ("deposit-book", "deposit-account")
        assert run(sim.outbox.latest(RUN_STATE)["payload"])["state"] == "failed"
    assert list(tmp_path.iterdir()) == []


# -- report content ---------------------------------------------------------------------------------
def test_the_customer_register_as_of_an_earlier_day_shows_the_customers_as_they_were_at_its_end(sim):
    sim.advance(hours=10)
    ann = sim.customer.create_customer("ann@example.com")
    sim.advance(days=2)
    bob = sim.customer.create_customer("bob@example.com", customer_type="private_company")
    sim.customer.freeze_customer(ann)
    then = rows(sim.report.run("customer-register", as_of="2024-01-01").paths[0])
    now = rows(sim.report.run("customer-register").paths[0])
    ann_party = sim.customer.customer(ann).party_id
    assert then == [["customer_id", "party_id", "email", "customer_type", "status", "kyc_level"],
                    [ann, ann_party, "ann@example.com", "individual", "active", "basic"]]
    assert sorted(r[0] for r in now[1:]) == sorted([ann, bob])
    assert {r[0]: r[4] for r in now[1:]} == {ann: "frozen", bob: "active"}


def test_the_register_shows_the_email_the_party_had_on_the_day(sim):
    ann = sim.customer.create_customer("ann@example.com")
    sim.advance(days=1)
    sim.customer.update_email(sim.customer.customer(ann).party_id, "ann@newmail.example")
    then, now = (rows(sim.report.run("customer-register", as_of=day).paths[0]) for day in ("2024-01-01", "2024-01-02"))
    assert (then[1][2], now[1][2]) == ("ann@example.com", "ann@newmail.example")


def test_reports_land_in_out_dir_and_the_journal_does_not_depend_on_where(tmp_path):
    digests = []
    for name in ("a", "b"):
        with Simulation(seed=7, journal=":memory:") as sim:
            sim.customer.create_customer("ann@example.com")
            out = sim.report.run("customer-register", out_dir=tmp_path / name)
            digests.append(sim.journal.digest())
        assert out.paths[0].is_relative_to(tmp_path / name) and out.paths[0].read_text().count("\n") == 2
    assert digests[0] == digests[1]


def test_an_in_memory_journal_writes_reports_to_one_scratch_directory_removed_when_it_closes():
    with Simulation(seed=7, journal=":memory:") as sim:
        first, second = (sim.report.run("customer-register").paths[0] for _ in range(2))
        scratch = first.parent.parent
        assert scratch == second.parent.parent == sim.report.directory() and first != second
        assert first.read_text() == second.read_text() == "customer_id,party_id,email,customer_type,status,kyc_level\n"
    assert not scratch.exists()


def ann_deposits_then_is_frozen(sim) -> tuple[str, str]:
    """Day 1: ann opens an account with $100. Day 2: +$50, a $30 withdrawal. Day 3: frozen."""
    ann = sim.customer.create_customer("ann@example.com")
    account = sim.deposit.create_account(ann)
    sim.deposit.record_deposit(account, 100_00)
    sim.advance(days=1)
    sim.deposit.record_deposit(account, 50_00)
    sim.deposit.initiate_withdrawal(account, 30_00)
    sim.advance(days=1)
    sim.deposit.freeze_account(account)
    return ann, account


def test_the_deposit_book_shows_each_account_status_and_ledger_balance_as_of_the_day(sim):
    ann, account = ann_deposits_then_is_frozen(sim)
    books = [rows(sim.report.run("deposit-book", as_of=day).paths[0]) for day in ("2024-01-01", "2024-01-02", None)]
    assert books[0] == [["account_id", "holder_id", "status", "settled_balance", "frozen_balance"],
                        [account, ann, "active", "10000", "0"]]
    assert books[1][1] == [account, ann, "active", "12000", "0"]
    assert books[2][1] == [account, ann, "frozen", "0", "12000"]


def test_the_trial_balance_lists_every_account_and_totals_that_balance(sim):
    """The report covers the month to date: 2024-01-01 is its own month's first day (opening 0)."""
    _, account = ann_deposits_then_is_frozen(sim)
    first_day = rows(sim.report.run("trial-balance", as_of="2024-01-01").paths[0])
    assert first_day == [["account", "code", "currency", "layer", "opening", "debits", "credits", "closing"],
                         ["deposit-omnibus", "11.01.0101", "USD", "settled", "0", "10000", "0", "10000"],
                         [f"deposit:{account}", "21.01.0101", "USD", "settled", "0", "0", "10000", "10000"],
                         ["TOTAL", "", "USD", "settled", "0", "10000", "10000", "0"]]
    today = rows(sim.report.run("trial-balance").paths[0])
    totals = [r for r in today if r[0] == "TOTAL"]
    assert totals == [["TOTAL", "", "USD", "pending", "0", "3000", "3000", "0"],
                      ["TOTAL", "", "USD", "settled", "0", "30000", "30000", "0"]] and today[-2:] == totals
    assert [f"frozen-deposit:{account}", "21.03", "USD", "settled", "0", "0", "12000", "12000"] in today


def test_the_files_of_a_simulation_in_memory_go_with_it_and_a_journal_files_stay_beside_it(tmp_path):
    with Simulation(seed=1, start="2024-01-01", journal=":memory:") as sim:
        account = sim.deposit.create_account(sim.customer.create_customer("ada@example.com"))
        sim.deposit.record_deposit(account, 10_000)
        report = sim.report.run("trial-balance").paths[0]
        sim.ledger.export_csv(f"deposit:{account}")
        folder = sim.ledger.exporter._folder.path()
        assert report.is_file() and folder is not None and len(list(folder.glob("*.csv"))) == 1
    assert not report.exists() and not report.parent.exists() and not folder.exists()
    with Simulation(seed=1, start="2024-01-01", journal=str(tmp_path / "j.sqlite")) as sim:
        account = sim.deposit.create_account(sim.customer.create_customer("ada@example.com"))
        report = sim.report.run("trial-balance").paths[0]
        sim.ledger.export_csv(f"deposit:{account}")
    assert report.is_file() and report.is_relative_to(tmp_path / "reports")
    assert len(list((tmp_path / "exports").glob("*.csv"))) == 1


@pytest.mark.parametrize("as_of", ["2023-12-31", "2024-01-04"])
def test_a_report_as_of_a_day_the_journal_does_not_hold_is_refused_before_any_run_is_queued(as_of):
    from engine.kernel.errors import InvalidArgument

    with Simulation(seed=7, start="2024-01-01", journal=":memory:") as sim:
        sim.advance(days=2)
        before = sim.journal.digest()
        with pytest.raises(InvalidArgument, match="a day from 2024-01-01 to today, 2024-01-03"):
            sim.report.run("trial-balance", as_of=as_of)
        assert sim.journal.digest() == before and sim.report.run("trial-balance", as_of="2024-01-03").paths


@pytest.mark.parametrize("out_dir", ["notes.txt", 5])
def test_an_out_dir_that_is_a_file_or_no_path_is_refused_before_any_run_is_queued(tmp_path, out_dir):
    """`out_dir=` a file of the user's raised NotADirectoryError after the run had been queued and
    published as failed; a number raised TypeError from pathlib."""
    from engine.kernel.errors import InvalidArgument

    (tmp_path / "notes.txt").write_text("mine\n")
    given = tmp_path / out_dir if isinstance(out_dir, str) else out_dir
    with Simulation(seed=7, start="2024-01-01", journal=":memory:") as sim:
        before = sim.journal.digest()
        with pytest.raises(InvalidArgument) as refused:
            sim.report.run("trial-balance", out_dir=given)
        assert refused.value.argument == "out_dir" and sim.journal.digest() == before
        with pytest.raises(InvalidArgument):
            sim.ledger.export_csv("deposit-omnibus", out_dir=given)
        assert sim.journal.digest() == before
    assert (tmp_path / "notes.txt").read_text() == "mine\n"
