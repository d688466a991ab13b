"""The README's Python examples run as pasted; its first command installs and runs a scenario that
exists and names the report that run writes; every `lanasim` command it shows parses."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from scenarios.cli import _parser
from scenarios.console import RunProgress
from scenarios.library import load_scenario, run_scenario, scenario_names

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
SHELL = [block.replace("\\\n", " ") for block in re.findall(r"```sh\n(.*?)```", README, flags=re.DOTALL)]
COMMANDS = [line.strip() for block in SHELL for line in block.splitlines()
            if re.match(r"\s*(\.venv/bin/)?lanasim ", line)]


def test_readme_python_blocks_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert len(BLOCKS) >= 2
    for block in BLOCKS:
        namespace: dict = {"__name__": "__main__"}  # as pasted into a script run with `python`
        exec(compile(block, "README.md", "exec"), namespace)
        for name, fn in list(namespace.items()):
            if name.startswith("test_") and callable(fn):
                from engine import Simulation

                marks = [m.kwargs for m in getattr(fn, "pytestmark", []) if m.name == "sim"]  # as the fixture
                kwargs = {"seed": 0, "start": "2024-01-01", "journal": ":memory:", **(marks or [{}])[0]}
                with Simulation(**kwargs) as sim:
                    fn(sim)


def test_the_first_command_installs_runs_a_scenario_and_the_readme_names_its_report():
    first = SHELL[0].strip()
    assert first.startswith("python3.11 -m venv .venv && .venv/bin/pip install -e '.[test]' && ")
    run = re.search(r"\.venv/bin/lanasim run (\S+) --seed (\d+)$", first)
    assert run is not None and run[1] in scenario_names()
    assert f"out/{run[1]}-seed{run[2]}/report.html" in README


def test_the_first_run_writes_the_report_the_readme_names(tmp_path):
    name, seed = re.search(r"lanasim run (\S+) --seed (\d+)$", SHELL[0].strip()).groups()  # type: ignore[union-attr]
    if not hasattr(load_scenario(name).module, "report"):
        pytest.skip(f"{name} writes no report yet (it needs the stress scenario's report())")
    run_scenario(name, int(seed), {}, tmp_path / "run")
    assert (tmp_path / "run" / "report.html").is_file() and (tmp_path / "run" / "summary.json").is_file()


def test_the_second_command_is_the_test_command_ci_runs():
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert SHELL[1].strip() == ".venv/bin/python -m pytest" and ci.rstrip().endswith("-m pytest")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_lanasim_command_in_the_readme_parses(command, capsys):
    words = shlex.split(command, comments=True)
    words = words[1:words.index("&&")] if "&&" in words else words[1:]
    try:
        _parser(RunProgress()).parse_args(words)
    except SystemExit as done:  # a usage error; `--version` and `--help` exit 0 after printing
        if done.code:
            pytest.fail(f"README command does not parse: {command}\n{capsys.readouterr().err}")


def test_the_your_own_book_commands_run_as_pasted(tmp_path, monkeypatch, capsys):
    """The book walkthrough (import, show, two stresses from the book, fork, export), each command
    run in order in an empty directory: every one exits 0 and the files it names are written."""
    import subprocess

    from scenarios.cli import main

    block = next(b for b in SHELL if "lanasim import book.csv" in b and "printf " in b)  # not the CLI list
    monkeypatch.chdir(tmp_path)
    for line in filter(None, map(str.strip, block.splitlines())):
        if line.startswith("printf "):
            subprocess.run(line, shell=True, check=True, cwd=tmp_path)
            continue
        assert main(shlex.split(line, comments=True)[1:]) == 0, f"{line}\n{capsys.readouterr().err}"
    for written in ("book.sqlite", "book-table.csv", "out/my-book-crash/summary.json",
                    "out/my-book-june/summary.json", "mid-crash.sqlite", "book-after-crash.csv"):
        assert (tmp_path / written).is_file(), written


def test_every_simulation_method_the_readme_calls_says_in_help_what_it_does():
    """`help(sim.deposit.record_deposit)`, `freeze_customer`, `conclude_customer_approval` and
    `complete_facility` showed no docstring, and `help(Simulation)` named none of its arguments."""
    import inspect

    from engine import Simulation

    called = set(re.findall(r"\bsim\.(\w+)\.(\w+)\(", "\n".join(BLOCKS)))
    assert len(called) > 10
    with Simulation(journal=":memory:") as sim:
        bare = sorted(f"{service}.{method}" for service, method in called
                      if not inspect.getdoc(getattr(getattr(sim, service), method)))
    assert bare == []
    described = inspect.getdoc(Simulation) or ""
    assert all(f"`{argument}`" in described for argument in ("seed", "start", "journal", "runtime", "settings"))


def test_the_readme_opens_the_notebooks_and_names_each_one_there_is():
    """The README said nothing of the notebooks but a path in passing: no way to open them (JupyterLab
    is no dependency) and no word of what each walks through."""
    notebooks = sorted(p.stem for p in (Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
    assert any("jupyter lab notebooks/" in block for block in SHELL)
    assert [name for name in notebooks if f"`{name}`" not in README] == []
    assert sorted(set(re.findall(r"`(\d\d_\w+)`", README))) == notebooks


def test_the_readmes_runs_pasted_top_to_bottom_write_each_its_own_directory():
    """A reader pasting the README in order: `lanasim run march-2020 --seed 1 --set facilities=500`
    (twice, in two sections) went to the first command's out/march-2020-seed1 and was refused as a
    previous run's; with --force it would have replaced the run the trial balance and show examples read."""
    lines = README.replace("\\\n", " ").splitlines()
    runs = [m[1] for line in lines if (m := re.match(r"(?:.* && )?\s*(?:\.venv/bin/)?lanasim (run .*)", line))]
    assert len(runs) >= 8
    places = []
    for command in runs:
        args = _parser(RunProgress()).parse_args(shlex.split(command, comments=True))
        assert not args.force, command
        places.append(args.out or f"out/{args.scenario}-seed{args.seed or 0}")
    assert len(places) == len(set(places)), places
