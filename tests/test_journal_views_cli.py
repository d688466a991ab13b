"""The journal views a program reads (`lanasim outbox`, `show`, `verify`): JSON text in UTF-8 whatever
the locale, one-line refusals a script can tell apart by exit status, nothing written beside a file."""

from __future__ import annotations

import io
import json

import pytest

from scenarios.cli import main


@pytest.fixture(scope="module")
def journal(tmp_path_factory):
    """A journal whose borrower's email is not ASCII."""
    from engine import Simulation

    path = tmp_path_factory.mktemp("j") / "uni.sqlite"
    with Simulation(seed=1, start="2024-01-01", journal=str(path)) as sim:
        sim.price.set(7_000_000)
        sim.deposit.create_account(sim.customer.create_customer("zoë.ñandú@exämple.com"))
        sim.advance(days=2)
    return path


def ascii_stdout(monkeypatch) -> io.BytesIO:
    """Standard output as a C locale without UTF-8 mode gives it (`LC_ALL=C PYTHONUTF8=0`)."""
    raw = io.BytesIO()
    monkeypatch.setattr("sys.stdout", io.TextIOWrapper(raw, encoding="ascii", write_through=True))
    return raw


def test_the_outbox_is_utf8_json_lines_under_an_ascii_locale(journal, monkeypatch):
    raw = ascii_stdout(monkeypatch)
    assert main(["outbox", str(journal)]) == 0
    lines = raw.getvalue().decode("utf-8").splitlines()
    envelopes = [json.loads(line) for line in lines]
    assert [e["sequence"] for e in envelopes] == list(range(1, len(lines) + 1))
    assert {"zoë.ñandú@exämple.com"} == {e["payload"]["entity"]["email"] for e in envelopes
                                         if e["event_type"] == "core.customer.party-created"}


def test_show_prints_an_entity_as_utf8_json_under_an_ascii_locale(journal, monkeypatch, capsys):
    assert main(["outbox", str(journal), "--type", "core.customer.party-created"]) == 0
    party = json.loads(capsys.readouterr().out)["payload"]["entity"]["id"]
    raw = ascii_stdout(monkeypatch)
    assert main(["show", str(journal), "party", party]) == 0
    assert json.loads(raw.getvalue().decode("utf-8"))["email"] == "zoë.ñandú@exämple.com"


@pytest.mark.parametrize("event_type, words", [
    ("core.time.end-of-dya", "--type core.time.end-of-dya: unknown event type; did you mean core.time.end-of-day? "),
    ("core.accounting.foo", "unknown event type; its module's: core.accounting.ledger-account-csv-export-uploaded "),
    ("bogus", "unknown event type; the modules: core.access, core.accounting, core.credit, "),
])
def test_an_unknown_event_type_is_answered_with_the_types_a_user_can_type(journal, capsys, event_type, words):
    assert main(["outbox", str(journal), "--type", event_type]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err and "engine.bank.catalog" not in err


def test_verify_tells_ok_tampered_and_no_journal_apart_by_exit_status_as_its_help_says(journal, tmp_path, capsys):
    import shutil
    import sqlite3

    tampered = tmp_path / "tampered.sqlite"
    shutil.copy(journal, tampered)
    with sqlite3.connect(tampered) as conn:
        conn.execute("UPDATE outbox SET trace_id = 'forged' WHERE sequence = 1")
    conn.close()
    (tmp_path / "notes.txt").write_text("mine\n")
    assert [main(["verify", str(path), "--json"]) for path in (journal, tampered, tmp_path / "notes.txt")] == [0, 1, 2]
    assert main(["verify", "--help"]) == 0
    assert "exit status: 0 every check passed; 1 a check failed" in " ".join(capsys.readouterr().out.split())


def test_a_journal_of_a_newer_format_is_named_with_both_formats_and_left_as_it_was(journal, tmp_path, capsys):
    import hashlib
    import shutil
    import sqlite3

    newer = tmp_path / "newer.sqlite"
    shutil.copy(journal, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("""UPDATE lanasim_meta SET value = '"lanasim-journal/99"' WHERE key = 'format'""")
    conn.close()
    before = hashlib.sha256(newer.read_bytes()).hexdigest()
    for verb in (["verify"], ["outbox"], ["show", "book"]):
        assert main([verb[0], str(newer), *verb[1:]]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "(lanasim-journal/99; this lanasim reads lanasim-journal/" in err
    assert hashlib.sha256(newer.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["newer.sqlite"]


def test_an_after_beyond_any_sequence_reads_nothing(journal, capsys):
    """A cursor past the last sequence (past SQLite's integers too) reads nothing; one below 0 is refused
    (`tests/test_cli.py`)."""
    assert main(["outbox", str(journal)]) == 0
    assert capsys.readouterr().out
    assert main(["outbox", str(journal), "--after", "99999999999999999999999"]) == 0
    out = capsys.readouterr()
    assert out.err == "" and out.out == ""


def test_an_empty_as_of_is_refused_rather_than_read_as_now(journal, capsys):
    assert main(["show", str(journal), "price", "btc-usd", "--as-of", ""]) == 2  # `--as-of "$T"` with T unset
    assert capsys.readouterr().err == ("lanasim: error: an instant is an ISO-8601 date or time (2024-06-01, "
                                       "2024-06-01T12:00:00Z), got ''\n")


def test_the_book_view_refuses_an_empty_as_of_too(journal, capsys):
    assert main(["show", str(journal), "book", "--as-of", ""]) == 2
    assert capsys.readouterr().err == ("lanasim: error: --as-of is empty: give an instant (2024-06-01, "
                                       "2024-06-01T12:00:00Z) or leave it out\n")


def test_the_book_view_writes_neither_file_when_one_of_them_exists(journal, tmp_path, capsys):
    (tmp_path / "mine.parquet").write_text("mine")
    fresh, mine = tmp_path / "new.csv", tmp_path / "mine.parquet"
    assert main(["show", str(journal), "book", "--csv", str(fresh), "--parquet", str(mine)]) == 2
    assert "mine.parquet: exists already" in capsys.readouterr().err
    assert not fresh.exists() and mine.read_text() == "mine"



@pytest.mark.parametrize(("command", "name", "says"), [
    (["export", "--out"], "book.xlsx", "this writes CSV, which a .xlsx name would hide; name it .csv\n"),
    (["export", "--out"], "book.tsv", "this writes CSV, which a .tsv name would hide; name it .csv\n"),
    (["show", "book", "--csv"], "table.parquet", "this writes CSV, which a .parquet name would hide; name it .csv "
                                                 "(or write it with --parquet)"),
    (["show", "book", "--parquet"], "table.CSV", "this writes Parquet, which a .CSV name would hide; name it "
                                                 ".parquet\n"),
])
def test_a_file_named_for_another_format_is_refused_before_anything_is_written(journal, tmp_path, capsys,
                                                                               command, name, says):
    """`lanasim export --out book.parquet` wrote the book's CSV under that name, which pandas'
    `read_parquet` (and whoever reads the name) then took for Parquet (it now writes Parquet:
    tests/test_book_parquet.py); `book.xlsx` still gets CSV, so it is refused."""
    target = tmp_path / name
    verb, *rest = command
    assert main([verb, str(journal), *rest[:-1], rest[-1], str(target)]) == 2
    assert capsys.readouterr().err == f"lanasim: error: {target}: {says}" + ("" if says.endswith("\n") else "\n")
    assert not target.exists()
    for fine in ("book.csv", "book", "BOOK.CSV", "book.txt"):  # a CSV name, or one that names no format
        assert main(["export", str(journal), "--out", str(tmp_path / fine)]) == 0
        assert (tmp_path / fine).read_text().startswith("facility_id,")


def test_a_new_journal_named_for_another_format_is_refused_before_anything_is_written(journal, tmp_path, capsys):
    """`lanasim import book.csv ... --journal imported.csv` wrote an SQLite journal under a CSV name."""
    book = tmp_path / "book.csv"
    book.write_text("facility_id,customer_email,facility_usd,disbursed_usd,principal_outstanding_usd,"
                    "interest_outstanding_usd,collateral_btc,annual_rate_pct,duration_months,activated_on,"
                    "initial_cvl_pct,margin_call_cvl_pct,liquidation_cvl_pct\n"
                    "fac-1,ada@example.com,1000,1000,1000,0,0.03,12,12,2024-01-02,140,125,105\n")
    for command, name in ((["fork", str(journal), "--journal"], "branch.csv"),
                          (["import", str(book), "--as-of", "2024-01-03", "--price-usd", "70000", "--journal"],
                           "imported.parquet")):
        capsys.readouterr()
        assert main([*command, str(tmp_path / name)]) == 2
        suffix = name.rsplit(".", 1)[1]
        assert capsys.readouterr().err == (f"lanasim: error: {tmp_path / name}: this writes an SQLite journal, "
                                           f"which a .{suffix} name would hide; name it .sqlite\n")
        assert not (tmp_path / name).exists()
        assert main([*command, str(tmp_path / name.replace(f".{suffix}", ".db"))]) == 0

@pytest.mark.parametrize("table", ["events", "outbox", "entities"])
def test_a_journal_missing_a_table_fails_verification_and_the_views_name_the_file(journal, tmp_path, capsys, table):
    import shutil
    import sqlite3

    damaged = tmp_path / "damaged.sqlite"
    shutil.copy(journal, damaged)
    with sqlite3.connect(damaged) as conn:
        conn.execute(f"DROP TABLE {table}")
    conn.close()
    assert main(["verify", str(damaged), "--json"]) == 1  # a check failed, not "nothing to check" (2)
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["first bad row"]["problem"] == f"no such table: {table}"
    assert main(["outbox", str(damaged), "--type", "core.price.price-updated"]) == 2
    assert capsys.readouterr().err == f"lanasim: error: {damaged}: no such table: {table}\n"


@pytest.mark.parametrize("head", ["ab3eecbc", "garbage", ""])
def test_an_expect_head_that_is_no_chain_head_is_a_bad_argument_not_a_tampered_journal(journal, capsys, head):
    """A head cut short (as digests are quoted, 8 digits) was looked up as given and the journal
    reported `truncated or rewritten` with exit status 1: a typo read as tampering."""
    assert main(["verify", str(journal), "--expect-head", head]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "is no chain head" in captured.err


def test_an_expect_head_pasted_in_capitals_or_with_spaces_is_the_same_head(journal, capsys):
    assert main(["verify", str(journal), "--json"]) == 0
    head = json.loads(capsys.readouterr().out)["chain head"]
    assert main(["verify", str(journal), "--expect-head", f" {head.upper()} "]) == 0


def test_show_of_an_unknown_kind_without_an_id_names_the_kind_not_a_missing_id(journal, capsys):
    """`lanasim show J nosuch` answered "show nosuch needs an entity id", as if nosuch were a kind."""
    assert main(["show", str(journal), "nosuch"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lanasim: error: unknown kind 'nosuch'; known: ") and err.count("\n") == 1
    assert main(["show", str(journal), "customer"]) == 2
    assert capsys.readouterr().err == "lanasim: error: show customer needs an entity id\n"


@pytest.fixture(scope="module")
def lent(tmp_path_factory):
    """A journal of one facility whose borrower's email is not ASCII."""
    from domains.credit.terms import std_terms
    from engine import Simulation

    path = tmp_path_factory.mktemp("lent") / "lent.sqlite"
    with Simulation(seed=1, start="2024-01-01", journal=str(path)) as sim:
        sim.price.set(7_000_000)
        zoe = sim.customer.create_customer("zoë@exämple.com")
        sim.deposit.create_account(zoe)
        facility = sim.credit.create_proposal(zoe, 1_000_000, std_terms())
        sim.credit.conclude_customer_approval(facility)
        sim.credit.update_collateral(facility, 100_000_000)
    return path


def test_export_to_dash_writes_the_book_to_standard_output_in_utf8_not_a_file_named_dash(
        lent, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    raw = ascii_stdout(monkeypatch)
    assert main(["export", str(lent), "--out", "-"]) == 0
    header, row = raw.getvalue().decode("utf-8").splitlines()
    assert header.startswith("facility_id,customer_email,") and ",zoë@exämple.com,10000.00," in row
    assert list(tmp_path.iterdir()) == [] and "wrote 1 facility to standard output" in capsys.readouterr().err



def test_show_as_of_before_an_entity_was_created_says_when_it_was_not_that_it_is_unknown(tmp_path, capsys):
    """`show J KIND ID --as-of T` of an entity created after T said `unknown entity`, as for a misspelt
    id, which sent a user looking for a typo; now it says when the entity was created."""
    from engine import Simulation

    path = tmp_path / "later.sqlite"
    with Simulation(seed=1, start="2024-01-01", journal=str(path)) as sim:
        sim.advance(days=2)
        customer = sim.customer.create_customer("later@bank.test")
    assert main(["show", str(path), "customer", customer, "--as-of", "2024-01-02"]) == 2
    assert capsys.readouterr().err == (f"lanasim: error: customer {customer} did not exist yet at "
                                       "2024-01-02T00:00:00Z: it was created at 2024-01-03T00:00:00Z\n")
    assert main(["show", str(path), "customer", customer, "--as-of", "2024-01-03"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == customer
    misspelt = customer[:-1] + ("0" if customer[-1] != "0" else "1")
    assert main(["show", str(path), "customer", misspelt, "--as-of", "2024-01-02"]) == 2
    assert "unknown entity" in capsys.readouterr().err
