"""A book imported a chunk at a time (the CLI's path for long books) is the journal the one-pass
per-command import writes: the same digest, verified, and the same book exported back."""

from __future__ import annotations

import io
from datetime import date

import pytest

from engine.bank.importer import import_chunks, import_positions
from engine.inspect import open_readonly
from engine.simulation import Simulation
from scenarios.book.export import book_rows, branch_at
from scenarios.book.format import BookRefused, book_chunks, check_book, read_book, write_book
from tests.test_book import HEADER, ROWS, write

AS_OF, PRICE = date(2024, 3, 10), 6_000_000
MORE = [  # a borrower again in a later chunk, interest, no collateral, a small CVL: liquidation at once
    "fac-4,bob@example.com,30000,30000,10000,95.10,0,12,12,2023-11-20,140,125,105",
    "fac-5,cyd@example.com,80000,80000,80000,0,0.9,8,12,2024-02-01,140,125,105",
    "fac-6,ada@example.com,5000,5000,5000,41.07,0.25,10,24,2023-06-30,140,125,105",
    "fac-7,dee@example.com,12000,12000,0,0,0.5,12,12,2024-01-02,140,125,105",
]


def _journal(tmp_path, name, load) -> tuple[str, str]:
    path = tmp_path / f"{name}.sqlite"
    with Simulation(seed=1, start=AS_OF.isoformat(), journal=str(path)) as sim:
        load(sim)
        digest = sim.journal.digest()
    with branch_at(str(path), None) as sim:
        out = io.StringIO()
        write_book(book_rows(sim), out)
    with open_readonly(str(path)) as view:
        assert view.verify()["ok"]
    return digest, out.getvalue()


def test_a_book_imported_in_chunks_is_the_journal_of_the_one_pass_import(tmp_path):
    book = write(tmp_path, ROWS + MORE)
    assert check_book(book, AS_OF) == 7
    whole = _journal(tmp_path, "whole", lambda sim: import_positions(sim, read_book(book, AS_OF), PRICE))
    chunked = _journal(tmp_path, "chunked", lambda sim: import_chunks(sim, book_chunks(book, AS_OF, size=3), PRICE))
    assert chunked == whole
    assert whole[1].count("\n") == 1 + 7  # header and every facility (fac-3 matured, still owing)


def test_the_cli_import_is_the_one_pass_import(tmp_path):
    from scenarios.cli import main

    book = write(tmp_path, ROWS + MORE)
    whole = _journal(tmp_path, "whole", lambda sim: import_positions(sim, read_book(book, AS_OF), PRICE))
    cli = tmp_path / "cli.sqlite"
    assert main(["import", str(book), "--as-of", AS_OF.isoformat(), "--price-usd", "60000", "--seed", "1",
                 "--journal", str(cli)]) == 0
    with Simulation(journal=str(cli)) as sim:
        assert sim.journal.digest() == whole[0]


def test_a_book_of_no_rows_is_refused_before_any_chunk_is_read(tmp_path):
    with pytest.raises(BookRefused, match="no facilities"):
        check_book(write(tmp_path, [], HEADER), AS_OF)


def test_a_released_chunk_frees_its_actors_and_states_without_a_cyclic_collection():
    import gc
    import weakref

    with Simulation(seed=1, start=AS_OF.isoformat()) as sim:
        customer = sim.customer.create_customer("ada@example.com")
        actor = weakref.ref(sim.registry.actor("customer", customer))
        assert actor() is not None
        gc.disable()
        try:
            assert sim.registry.release() >= 2  # the party's and the customer's
            assert actor() is None and len(sim.registry) == 0
        finally:
            gc.enable()
        assert sim.state("customer", customer).id == customer  # folded back from the journal


def test_an_import_leaves_the_journals_page_cache_as_it_found_it(tmp_path):
    book = write(tmp_path, ROWS)
    with Simulation(seed=1, start=AS_OF.isoformat(), journal=str(tmp_path / "j.sqlite")) as sim:
        before = sim.journal.conn.execute("PRAGMA cache_size").fetchone()[0]
        assert import_chunks(sim, book_chunks(book, AS_OF), PRICE) == len(ROWS)
        assert sim.journal.conn.execute("PRAGMA cache_size").fetchone()[0] == before


def test_a_borrower_told_into_being_is_the_journal_of_one_asked_for():
    from engine.kernel.errors import DuplicateValue

    def asked(sim):
        sim.deposit.create_account(sim.customer.create_customer("ada@example.com"))

    def told(sim):
        sim.deposit.tell_open_account(sim.customer.tell_create_customer("ada@example.com"))
        sim.settle()

    digests = []
    for load in (asked, told):
        with Simulation(seed=1, start=AS_OF.isoformat()) as sim:
            load(sim)
            digests.append(sim.journal.digest())
            assert sim.customer.find_customer_by_email("ada@example.com").status.value == "active"
            sim.customer.tell_create_customer("ada@example.com")
            with pytest.raises(DuplicateValue):  # a taken email is refused when the told command runs
                sim.settle()
    assert digests[0] == digests[1]


def test_an_imported_facility_is_collateralized_as_re_evaluating_it_would_leave_it(tmp_path):
    """The import sets each facility's collateralization itself (its collateral and obligations do
    not re-evaluate it): re-evaluating every facility afterwards changes nothing."""
    book = write(tmp_path, ROWS + MORE)
    with Simulation(seed=1, start=AS_OF.isoformat()) as sim:
        import_chunks(sim, book_chunks(book, AS_OF), PRICE)
        flow, seq = sim.credit.flow, sim.journal.last_seq
        for row in ROWS + MORE:
            facility_id = row.split(",")[0]
            sats = flow.reads.collateral_sats(sim.state("credit-facility", facility_id))
            send = flow.collateralization(facility_id, sats, PRICE)
            assert not sim.execute(send.kind, send.id, send.command)  # AlreadyApplied: no event
        assert sim.journal.last_seq == seq and not flow.importing


def test_an_imported_journal_has_every_lookup_index_of_its_query_index_when_the_import_returns(tmp_path):
    """The import leaves the lookup indexes off while it writes and builds them before it returns."""
    book = write(tmp_path, ROWS + MORE)
    with Simulation(seed=1, start=AS_OF.isoformat(), journal=str(tmp_path / "j.sqlite")) as sim:
        wanted = {name for host in sim.kinds.values() if host.index is not None for name, _ in host.index.lookups()}
        import_chunks(sim, book_chunks(book, AS_OF), PRICE)
        built = {row[0] for row in sim.journal.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert wanted and wanted <= built
        assert sim.kernel.index("credit-facility").ids_where("status", ("active", "matured"))  # read through one


def test_facilities_sharing_their_terms_and_activation_day_walk_the_calendar_once(tmp_path):
    """Each facility's maturity and cycles were worked out about four times (the book's check, the
    import's collateralization, its events, its cycles): a book's facilities share a few terms and
    an activation date a day, so the walk is done once for each and the rest read it."""
    from domains.credit.facility.imported import _calendar
    rows = [f"f-{i},b{i}@example.com,1000,1000,1000,{i % 3},0.05,12,12,2024-01-{1 + i % 2:02d},140,125,105"
            for i in range(12)]
    book = write(tmp_path, rows)
    _calendar.cache_clear()
    check_book(book, AS_OF)
    with Simulation(seed=1, start=AS_OF.isoformat()) as sim:
        assert import_chunks(sim, book_chunks(book, AS_OF, size=5), PRICE) == 12
    assert _calendar.cache_info().misses == 2  # two activation days, one set of terms
