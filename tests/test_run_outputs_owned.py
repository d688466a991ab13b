"""A run directory's outputs are lanasim's to replace, and nothing else is: `lanasim report DIR` of a
journal copied beside a user's own `summary.json` and `report.html` overwrote both, and `run --force`
deleted any file named like an output. lanasim now records what it wrote there
(`.lanasim-outputs.json`, each output's SHA-256) and refuses, in one line and before writing or
deleting anything, a file of an output's name it did not write or that changed since."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from scenarios.cli import main

RUN = ["run", "march-2020", "--seed", "1", "--set", "facilities=3", "--set", "days=1"]


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "run"
    assert main([*RUN, "--out", str(out)]) == 0
    return out


def _digests(directory) -> dict[str, str]:
    return {p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def test_report_of_a_journal_copied_beside_a_users_files_keeps_them_and_says_which(finished, tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    shutil.copy(finished / "journal.sqlite", mine / "journal.sqlite")
    (mine / "summary.json").write_text('{"my": "notes"}\n')
    (mine / "report.html").write_text("<p>my committee paper</p>\n")
    before = _digests(mine)
    assert main(["report", str(mine)]) == 2
    assert "summary.json: exists and is not an output lanasim wrote here" in capsys.readouterr().err
    assert _digests(mine) == before


def test_report_and_force_replace_lanasims_own_outputs_but_not_one_a_user_changed(finished, tmp_path, capsys):
    run = tmp_path / "run"
    shutil.copytree(finished, run)
    assert main(["report", str(run)]) == 0  # its own outputs: rewritten, the same bytes
    assert _digests(run) == _digests(finished)
    (run / "report.html").write_text("<p>annotated by hand</p>\n")
    before = _digests(run)
    assert main([*RUN, "--out", str(run), "--force"]) == 2
    assert "report.html: exists and is not an output lanasim wrote here" in capsys.readouterr().err
    assert _digests(run) == before  # the journal too: nothing deleted


@pytest.mark.parametrize("edit", ["by hand", "another run's"])
def test_report_of_a_story_refuses_a_summary_it_did_not_write_rather_than_print_it(edit, tmp_path, capsys):
    """A story without its own report (onboarding, Lana's stories) cannot recompute its figures, so
    `lanasim report` prints the summary.json the run wrote; it printed one edited by hand, or copied
    from another run, as this run's figures, exit 0."""
    story = ["run", "onboarding", "--set", "days=1", "--set", "prospects_per_day=1"]
    run = tmp_path / "run"
    assert main([*story, "--seed", "1", "--out", str(run)]) == 0
    assert main(["report", str(run)]) == 0  # its own summary: printed
    if edit == "by hand":
        text = (run / "summary.json").read_text()
        (run / "summary.json").write_text(text.replace('"prospects": 1', '"prospects": 100'))
    else:
        other = tmp_path / "other"
        assert main([*story, "--seed", "2", "--out", str(other)]) == 0
        shutil.copy(other / "summary.json", run / "summary.json")
        shutil.copy(other / ".lanasim-outputs.json", run / ".lanasim-outputs.json")
    capsys.readouterr()
    before = _digests(run)
    assert main(["report", str(run)]) == 2
    captured = capsys.readouterr()
    assert "summary.json: not the summary this run wrote" in captured.err
    assert "100" not in captured.out and len(captured.err.strip().splitlines()) == 1
    assert _digests(run) == before
