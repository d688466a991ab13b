"""A branched run's `price_updates` counts the updates the run published (README: Metrics glossary).
Its first timeseries row is the branch point, at a price published before it (by the book's import
or the source run), and it was counted: `lanasim run march-2020 --from BOOK.csv --at 2024-03-10 --set
days=6 ...` said 145 where the run published 144 hourly updates."""

from __future__ import annotations

import pandas as pd

from scenarios.book.branch import run_from
from tests.test_report_page_book import BOOK

PARAMS = {"btc_usd": 60000, "lead_days": 0, "days": 1}


def _published_after_branch(run_dir) -> int:
    from engine.inspect import open_readonly

    with open_readonly(str(run_dir / "journal.sqlite")) as view:
        after = view.journal.meta()["run_from"]["sequence"]
        return sum(e["sequence"] > after for e in view.outbox_reader.stream(types=["core.price.price-updated"]))


def test_a_run_on_a_book_file_counts_only_the_updates_it_published(tmp_path):
    book = tmp_path / "book.csv"
    book.write_text(BOOK)
    summary = run_from("march-2020", str(book), at="2024-03-10", seed=1, params=PARAMS, run_dir=tmp_path / "run")
    timeseries = pd.read_parquet(tmp_path / "run" / "timeseries.parquet")
    assert summary["price_updates"] == 24 == _published_after_branch(tmp_path / "run")
    assert len(timeseries) == 25 and timeseries["time"].iloc[0] == pd.Timestamp("2024-03-10", tz="UTC")
    assert summary["price_start_cents"] == 60000_00  # the branch point's row: the price in force there


def test_a_run_on_another_runs_journal_counts_only_the_updates_it_published(tmp_path):
    book = tmp_path / "book.csv"
    book.write_text(BOOK)
    first = run_from("march-2020", str(book), at="2024-03-10", seed=1, params=PARAMS, run_dir=tmp_path / "first")
    second = run_from("march-2020", str(tmp_path / "first"), seed=2, params={"lead_days": 0, "days": 1},
                      run_dir=tmp_path / "second")
    assert first["price_updates"] == second["price_updates"] == 24 == _published_after_branch(tmp_path / "second")
