"""A stopped stress run on a price file (`path=csv:FILE`) resumes only on the file it read: a resume
after the file was edited, or from a directory holding another file of that relative name, went on
along the other prices without a word, to a journal no uninterrupted run writes."""

from __future__ import annotations

import pytest

from scenarios.library import RunRefused, resume_journal
from tests.test_resume_checkpoint import stopped_at

PRICES = "date,close\n2024-08-01,65000\n2024-08-03,49000\n2024-08-06,59000\n"


@pytest.mark.parametrize("pick", [0.05, 0.6])  # re-executed from the start; from a day's checkpoint
def test_a_run_on_a_price_file_edited_since_it_stopped_is_refused_and_resumes_on_the_file_it_read(tmp_path, pick):
    prices = tmp_path / "btc.csv"
    prices.write_text(PRICES)
    whole, _, [run_dir] = stopped_at(tmp_path, "stress", {"path": f"csv:{prices}", "facilities": "4", "days": "5"},
                                     {pick})
    prices.write_text(PRICES.replace("49000", "20000"))
    with pytest.raises(RunRefused, match=r"is not the one the run read \(edited since"):
        resume_journal(run_dir)
    prices.write_text(PRICES)
    assert resume_journal(run_dir)[1]["digest"] == whole["digest"]
