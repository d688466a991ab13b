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
