"""`import --from-outbox` reads an export as a Lana consumer reads its feed: order by sequence, a
redelivered envelope changes nothing, blank lines, a byte order mark and Windows line ends are no
envelope's part, and a line that is no envelope is refused by its number with no journal written."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest

from scenarios.book.format import BookRefused
from scenarios.book.outbox import read_outbox
from scenarios.cli import main


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> list[str]:
    """The outbox of a Black Thursday run (liquidations move collateral, borrowers pay interest)."""
    from engine.inspect import open_readonly
    from engine.kernel.codec import dumps
    from scenarios import run_stress

    out = tmp_path_factory.mktemp("run")
    run_stress("march-2020", seed=1, out=str(out / "run"), facilities=10)
    with open_readonly(str(out / "run" / "journal.sqlite")) as view:
        return [dumps(envelope) for envelope in view.outbox_reader.stream()]


def folded(tmp_path, lines: list[str], name: str = "events.jsonl", newline: str = "\n", prefix: bytes = b""):
    path = tmp_path / name
    path.write_bytes(prefix + newline.join(lines).encode() + newline.encode())
    return read_outbox(path)


def test_a_shuffled_export_folds_to_the_book_of_the_export_in_sequence_order(tmp_path, export):
    assert sum('.collateral-updated"' in line for line in export) > 10  # the last collateral is by sequence
    shuffled = list(export)
    random.Random(3).shuffle(shuffled)
    assert folded(tmp_path, shuffled, "shuffled.jsonl") == folded(tmp_path, export)


def test_a_redelivered_envelope_changes_nothing_in_the_book(tmp_path, export):
    redelivered = [copy for line in export for copy in ([line, line] if '.disbursal-settled"' in line
                                                        or '.payment-allocation-created"' in line else [line])]
    assert folded(tmp_path, redelivered + export[-50:], "twice.jsonl") == folded(tmp_path, export)


def test_blank_lines_a_byte_order_mark_and_windows_line_ends_are_no_part_of_an_envelope(tmp_path, export):
    spaced = [part for line in export for part in (line, "") if part or random.Random(len(line)).random() < 0.1]
    assert folded(tmp_path, [*spaced, "  "], "windows.jsonl", newline="\r\n", prefix=b"\xef\xbb\xbf") == \
        folded(tmp_path, export)


def test_unknown_event_types_and_fields_are_ignored_as_a_consumer_ignores_them(tmp_path, export):
    foreign = {"id": "x", "sequence": 10**9, "event_type": "core.accounting.ledger-account-created",
               "payload": {"module": "Accounting", "type": "LedgerAccountCreated", "entity": {"id": "a"}},
               "recorded_at": "2020-02-25T00:00:00Z", "trace_id": "t", "tenant": "acme"}
    widened = [json.dumps({**json.loads(line), "tenant": "acme"}) for line in export]
    assert folded(tmp_path, [json.dumps(foreign), *widened], "wider.jsonl") == folded(tmp_path, export)


@pytest.mark.parametrize("suffix", [".5Z", ".5+00:00", "-05:00"])
def test_the_book_stands_at_the_midnight_after_the_latest_envelope_by_instant_not_by_text(tmp_path, export, suffix):
    """`...T00:00:00Z` sorts after `...T00:00:00.5Z` as text, and after any `+00:00` or `-05:00`
    form: an envelope after the last midnight, written so, left the book at that midnight, before
    the envelope it holds."""
    _, as_of, _ = folded(tmp_path, export)
    last = max(json.loads(line)["recorded_at"] for line in export)
    assert last == f"{as_of.isoformat()}T00:00:00Z"  # the run's last envelope is its last end of day
    later = {"id": "z", "sequence": 10**9, "event_type": "core.accounting.ledger-account-created",
             "payload": {"module": "Accounting", "type": "LedgerAccountCreated", "entity": {"id": "a"}},
             "recorded_at": last.replace("Z", suffix)}  # -05:00: five hours after that midnight
    _, moved, _ = folded(tmp_path, [*export, json.dumps(later)], "later.jsonl")
    assert moved == as_of + timedelta(days=1)


def test_rows_of_lanas_persistent_outbox_table_fold_to_the_same_book(tmp_path, export):
    """Lana's `persistent_outbox_events` rows (`PersistentOutboxEvent{id, sequence, payload,
    tracing_context, recorded_at}`) name no event_type; every line of such an export was refused
    (`'event_type' is missing`). The type is the one the payload's module and variant name."""
    rows = []
    for line in export:
        envelope = json.loads(line)
        rows.append(json.dumps({"id": envelope["id"], "sequence": envelope["sequence"], "payload": envelope["payload"],
                                "tracing_context": {"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f0"},
                                "recorded_at": envelope["recorded_at"].replace("Z", ".000000Z")}))
    assert any('"PriceUpdated"' in row for row in rows) and not any('"event_type"' in row for row in rows)
    assert folded(tmp_path, rows, "lana.jsonl") == folded(tmp_path, export)
    unknown = json.dumps({"id": "y", "sequence": 10**9, "payload": {"module": "Treasury", "type": "Moved"},
                          "recorded_at": "2020-02-25T00:00:00Z"})
    with pytest.raises(BookRefused, match="'event_type' is missing"):  # no module lanasim knows: no type to read
        folded(tmp_path, [*rows, unknown], "unknown.jsonl")


def test_a_line_that_is_no_json_object_is_refused_by_its_number_and_no_journal_is_written(tmp_path, capsys,
                                                                                          export):
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join([*export[:3], "[1, 2]", *export[3:]]) + "\n")
    journal = tmp_path / "again.sqlite"
    assert main(["import", "--from-outbox", str(events), "--journal", str(journal)]) == 2
    assert capsys.readouterr().err == (f"lanasim: error: {events}: line 4, -: not a lanasim outbox envelope "
                                       "(an array, not a JSON object); refused, no journal written\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.jsonl"]


@pytest.mark.parametrize(("event_type", "field", "value", "words"), [
    ("payment-allocation-created", "amount", None, "amount None is not a whole number >= 0"),
    ("facility-activated", "amount", "5", "amount '5' is not a whole number >= 0"),
    ("obligation-created", "initial_amount", 1.5, "initial_amount 1.5 is not a whole number >= 0"),
    ("collateral-updated", "amount", -1, "amount -1 is not a whole number >= 0"),
    ("party-created", "email", 5, "email 5 is not a string"),
    ("disbursal-settled", "credit_facility_id", None, "credit_facility_id None is not a string"),
    ("collateral-updated", "recorded_at", "x", "Invalid isoformat string: 'x'"),
])
def test_an_envelope_field_of_the_wrong_type_is_refused_by_its_line_and_no_journal_is_written(
        tmp_path, capsys, export, event_type, field, value, words):
    """An amount null or negative, an id or email that is a number, a `recorded_at` that is no
    instant: these were a traceback (a null allocation summed after the whole file was read, a bad
    `recorded_at` parsed at its end) or carried into the book."""
    lines = list(export)
    number = next(n for n, line in enumerate(lines) if f'.{event_type}"' in line)
    envelope = json.loads(lines[number])
    (envelope if field == "recorded_at" else envelope["payload"]["entity"])[field] = value
    lines[number] = json.dumps(envelope)
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(lines) + "\n")
    assert main(["import", "--from-outbox", str(events), "--journal", str(tmp_path / "again.sqlite")]) == 2
    err = capsys.readouterr().err
    assert f"line {number + 1}, -: not a lanasim outbox envelope ({words})" in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.jsonl"]


def test_a_facility_whose_borrower_no_envelope_names_is_refused_by_its_id(tmp_path, export):
    without_parties = [line for line in export if '"core.customer.party-created"' not in line]
    with pytest.raises(BookRefused) as refused:
        folded(tmp_path, without_parties)
    facility = json.loads(next(line for line in export if '.facility-activated"' in line))["payload"]["entity"]["id"]
    assert f"{facility}: no envelope carries its borrower's email" in str(refused.value)


def test_a_tail_of_an_export_is_refused_rather_than_imported_as_a_smaller_book(tmp_path, export):
    with pytest.raises(BookRefused) as refused:
        folded(tmp_path, export[100:])  # `lanasim outbox J --after 100`: the borrowers and facilities are before it
    assert "the export starts at sequence 101, not 1" in str(refused.value)
    assert len(refused.value.problems) == 1


def test_a_disbursal_awaiting_approval_is_no_part_of_the_exported_book_as_of_the_outbox_import(tmp_path, capsys):
    """The facility's own total counts a disbursal from its initiation (against its limit), and
    `lanasim export` wrote that total as `disbursed_usd`, "paid out so far": $20,010 for a facility
    that had paid out $10, which an import then read as $20,000 of principal repaid; the outbox,
    which publishes a disbursal when it settles, gave $10, so a journal's export and its outbox's
    import were two books. Now both say $10, and the export says in a note what it left out."""
    from engine import Simulation
    from tests.test_credit_bad_input import PRICE, disbursal_committee_of_one, open_facility

    journal = tmp_path / "j.sqlite"
    with Simulation(seed=5, start="2024-01-01", journal=str(journal)) as sim:
        sim.price.set(PRICE)
        disbursal_committee_of_one(sim)
        customer = sim.customer.create_customer("waiting@bank.test")
        sim.deposit.record_deposit(sim.deposit.create_account(customer), 1_000_00)
        facility = open_facility(sim, customer)
        sim.credit.initiate_disbursal(facility, 20_000_00)
        assert sim.state("credit-facility", facility).disbursed_total == 20_010_00
    assert main(["export", str(journal), "--out", str(tmp_path / "book.csv")]) == 0
    assert capsys.readouterr().err.splitlines()[0] == (
        "lanasim: note: 1 disbursal(s) of $20,000.00 in all await approval or settlement: not in the book's "
        "disbursed_usd (nothing of them was paid out)")
    assert main(["outbox", str(journal)]) == 0
    (tmp_path / "events.jsonl").write_text(capsys.readouterr().out)
    events, imported = str(tmp_path / "events.jsonl"), str(tmp_path / "i.sqlite")
    assert main(["import", "--from-outbox", events, "--journal", imported]) == 0
    assert main(["export", imported, "--out", str(tmp_path / "again.csv")]) == 0
    book = (tmp_path / "book.csv").read_text()
    assert book.splitlines()[1].split(",")[2:5] == ["100000.00", "10.00", "10.00"]
    assert (tmp_path / "again.csv").read_text() == book


def test_a_borrower_whose_email_changed_is_imported_under_the_email_the_export_writes(tmp_path, capsys):
    """Lana publishes an email change (`core.customer.party-email-updated`); the outbox import read
    only `party-created`, so a borrower who changed email was imported under the first one while
    `lanasim export` wrote the new one: two books (14 of 40 random walks that changed emails). The
    last email by sequence is the borrower's, whatever the order of the lines."""
    from engine import Simulation
    from tests.test_credit_bad_input import PRICE, open_facility

    journal = tmp_path / "j.sqlite"
    with Simulation(seed=6, start="2024-01-01", journal=str(journal)) as sim:
        sim.price.set(PRICE)
        customer = sim.customer.create_customer("first@bank.test")
        sim.deposit.record_deposit(sim.deposit.create_account(customer), 1_000_00)
        open_facility(sim, customer)
        party = sim.customer.customer(customer).party_id
        sim.customer.update_email(party, "second@bank.test")
        sim.customer.update_email(party, "third@bank.test")
    assert main(["export", str(journal), "--out", str(tmp_path / "book.csv")]) == 0
    capsys.readouterr()
    assert main(["outbox", str(journal)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sum('"core.customer.party-email-updated"' in line for line in lines) == 2
    book = (tmp_path / "book.csv").read_text()
    assert book.splitlines()[1].split(",")[1] == "third@bank.test"
    for name, order in (("in-order", lines), ("reversed", lines[::-1])):
        (tmp_path / f"{name}.jsonl").write_text("\n".join(order) + "\n")
        imported = str(tmp_path / f"{name}.sqlite")
        assert main(["import", "--from-outbox", str(tmp_path / f"{name}.jsonl"), "--journal", imported]) == 0
        assert main(["export", imported, "--out", str(tmp_path / f"{name}.csv")]) == 0
        assert (tmp_path / f"{name}.csv").read_text() == book
