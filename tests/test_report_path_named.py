"""`lanasim report` given a path that is no directory: a missing one, or the run's journal file (which
`verify`, `outbox` and `show` take, so a user passes it to `report` too) was told only 'not a run
directory'; the line now says which, and for a run's journal file which directory to give."""

from __future__ import annotations

from pathlib import Path

from scenarios.cli import main


def _error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("lanasim: error:"), err
    return err[0]


def test_report_of_a_missing_directory_says_there_is_no_such_directory(tmp_path, capsys):
    missing = tmp_path / "out" / "my-book"
    assert main(["report", str(missing)]) == 2
    assert _error_line(capsys) == f"lanasim: error: {missing}: no such directory"
    assert not (tmp_path / "out").exists()


def test_report_of_a_run_journal_file_names_the_run_directory_to_give_and_keeps_the_file(tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert main(["run", "onboarding", "--seed", "3", "--set", "days=2", "--out", str(run_dir)]) == 0
    capsys.readouterr()
    journal = run_dir / "journal.sqlite"
    before = {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()}
    assert main(["report", str(journal)]) == 2
    line = _error_line(capsys)
    assert line == (f"lanasim: error: {journal}: a file; report takes the directory lanasim run or sweep "
                    f"wrote: lanasim report {run_dir}")
    assert {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()} == before


def test_report_of_another_file_says_it_is_a_file_not_a_directory(tmp_path, capsys):
    mine = tmp_path / "notes.txt"
    mine.write_text("mine")
    assert main(["report", str(mine)]) == 2
    assert _error_line(capsys) == (f"lanasim: error: {mine}: a file; report takes the directory "
                                   "lanasim run or sweep wrote")
    assert mine.read_text() == "mine" and [p.name for p in Path(tmp_path).iterdir()] == ["notes.txt"]
