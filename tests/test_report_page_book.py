"""The parameters report.html lists are the ones the run used: a run on a book held elsewhere (a book
file, a journal) says where its book came from and does not list a drawn book's parameters, which it
never used. `lanasim run march-2020 --from book.csv --at ...` of a 2-facility book showed `facilities
200`, `cvl_low 130.0` ... and an empty `book_from`, beside a summary of 2 facilities."""

from __future__ import annotations

import html
import re

from scenarios.book.branch import run_from

BOOK = ("facility_id,customer_email,facility_usd,disbursed_usd,principal_outstanding_usd,interest_outstanding_usd,"
        "collateral_btc,annual_rate_pct,duration_months,activated_on,initial_cvl_pct,margin_call_cvl_pct,"
        "liquidation_cvl_pct\n"
        "fac-1,ada@example.com,100000,100000,80000,812.33,2.5,12,12,2024-01-15,140,125,105\n"
        "fac-2,bob@example.com,50000,50000,50000,0,1.1,9.5,6,2024-03-01,150,130,110\n")


def _parameters(page: str) -> dict[str, str]:
    """The page's parameter table: name -> value as shown."""
    table = page.split("<h2>Parameters</h2>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    cells = [[html.unescape(c).strip() for c in re.findall(r"<td>(.*?)</td>", r, re.S)] for r in rows]
    return {c[0]: c[1] for c in cells if c}


def test_a_run_on_a_book_file_names_the_file_and_lists_no_drawn_book_parameter(tmp_path):
    book = tmp_path / "book.csv"
    book.write_text(BOOK)
    summary = run_from("march-2020", str(book), at="2024-03-10", seed=1,
                       params={"btc_usd": 60000, "lead_days": 0, "days": 1}, run_dir=tmp_path / "run")
    shown = _parameters((tmp_path / "run" / "report.html").read_text())
    assert summary["facilities"] == 2
    assert shown["book_from"] == str(book) and shown["book_at"] == "2024-03-10T00:00:00Z"
    assert not {"facilities", "facility_usd", "cvl_low", "cvl_high", "terms_mix", "book_seed"} & set(shown)
    assert shown["days"] == "1" and shown["btc_usd"] == "60000"


def test_a_run_on_another_runs_journal_lists_no_drawn_book_parameter(tmp_path):
    book = tmp_path / "book.csv"
    book.write_text(BOOK)
    run_from("march-2020", str(book), at="2024-03-10", seed=1, params={"btc_usd": 60000, "lead_days": 0, "days": 1},
             run_dir=tmp_path / "first")
    run_from("march-2020", str(tmp_path / "first"), seed=2, params={"lead_days": 0, "days": 1},
             run_dir=tmp_path / "second")
    shown = _parameters((tmp_path / "second" / "report.html").read_text())
    assert shown["book_from"].startswith(str(tmp_path / "first"))
    assert shown["book_at"] == "2024-03-11T00:00:00Z"  # no --at: the first run's last instant, not empty
    assert "facilities" not in shown and "cvl_low" not in shown
