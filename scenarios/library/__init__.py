"""The scenario library and its loader: a scenario is a module of this package with `story(sim, **params)`.

Its module docstring tells the story; `PARAMS` holds the parameters with their defaults (and so
their types); `START` is the simulated start date.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from scenarios.library.params import Param, ScenarioError, as_params, parse
from scenarios.library.rundir import (
    SUMMARY,
    RunRefused,
    as_dir,
    as_written,
    journal_meta,
    outputs_written,
    prepare_run_dir,
    write_outputs,
)

__all__ = ["Param", "RunRefused", "Scenario", "ScenarioError", "load_scenario", "parse_params", "report_run",
           "resume_journal", "resume_run", "run_scenario", "scenario_names", "story_line"]


def scenario_names() -> list[str]:
    return sorted(m.name.replace("_", "-") for m in pkgutil.iter_modules(__path__)
                  if not m.name.startswith("_") and hasattr(_import(m.name), "story"))


def _import(module_name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{module_name}")


class Scenario:
    """A loaded scenario module."""

    def __init__(self, name: str, module: ModuleType) -> None:
        self.name, self.module = name, module
        self.params: dict[str, Param] = as_params(getattr(module, "PARAMS", {}))
        self.defaults: dict = {name: p.default for name, p in self.params.items()}

    def start(self, params: dict) -> str:
        """The run's start: the module's `start(params)` when it has one (a dated market path), else START."""
        start = getattr(self.module, "start", None)
        return start(params) if start is not None else getattr(self.module, "START", "2024-01-01")

    def book_key(self, params: dict) -> str | None:
        """The key of the book a run of `params` starts from, for a scenario whose runs share books
        (its module has `book_key(params)` and `build_book(params)`, as `stress` does); else None."""
        key = getattr(self.module, "book_key", None)
        return key(params) if key is not None else None

    def build_book(self, params: dict) -> bytes:
        """The opened book of `params` as journal bytes that `execute(book=...)` branches from."""
        return bytes(self.module.build_book(params))

    def write_book(self, params: dict, path: Path) -> None:
        """The opened book of `params` as a new journal file at `path`, which `execute(book=path)`
        branches from: for the `stress` family `stress.write_book`, which cuts a held book straight
        into the file; else `build_book`'s bytes written."""
        from scenarios.library import stress

        if self.stress_family:
            stress.write_book(params, path)
        else:
            path.write_bytes(self.build_book(params))

    def execute(self, *, seed: int, journal: str, params: dict, progress=None, observe=None,
                book: bytes | Path | None = None, summarise: bool = True) -> dict:
        """Tell the story into `journal`; scenario, seed and parameters are committed before the
        story starts (what `--resume` re-executes from), `finished` once it has ended. `observe(sim)`,
        if given, is called first (the fault harness hooks the journal's commits there). `book`, the
        bytes `build_book(params)` gave (or the file `write_book` wrote), is branched from with `seed`
        instead of opening the book again: the journal is the one the run without it writes. Without
        `book`, a book held in another journal (`book_from`) is cut straight into `journal`
        (`open_held_book`), to the same digest as a branch of its bytes. `summarise=False` skips
        the stress family's analysis of the finished run (`lanasim run` has its `report` compute
        it from the journal: the summary returned then holds the journal's figures only)."""
        from engine.simulation import Simulation
        from scenarios.book.shared import branch

        if book is None and params.get("book_from"):  # a book held in another journal: cut into this one
            opened = self.module.open_held_book(params, seed, journal)
        elif book is None:
            opened = Simulation(seed=seed, start=self.start(params), journal=journal)
        else:
            opened = branch(book, seed, journal)
        with opened as sim:
            if observe is not None:
                observe(sim)
            sim.progress = progress
            sim.journal.set_meta(scenario=self.name, params={k: str(v) for k, v in params.items()},
                                 **_price_file(params), **_book_file(params))
            sim.journal.flush()
            return _finished(sim, self._story(sim, params, summarise))

    def _story(self, sim, params: dict, summarise: bool) -> dict:
        from scenarios.library import stress

        if not summarise and self.stress_family:
            stress.tell(sim, **params)
            return {}
        return dict(self.module.story(sim, **params))

    @property
    def stress_family(self) -> bool:
        """`stress` or one of its presets (a module re-exporting stress's story, book and report)."""
        from scenarios.library import stress

        return getattr(self.module, "story", None) is stress.story

    def require_stress(self, purpose: str) -> None:
        """`ScenarioError` naming `purpose` (what needs a stress scenario) for any other scenario."""
        if not self.stress_family:
            raise ScenarioError(f"{self.name} is not a stress scenario; {purpose} needs stress or one of its presets")

    @property
    def restartable(self) -> bool:
        """Whether a stopped run continues from its last checkpoint (the stress family, whose story
        is a day loop over data) rather than by re-executing (see `scenarios.library.resume`)."""
        return self.stress_family

    def restart(self, *, journal: str, params: dict, progress=None, observe=None, summarise: bool = True) -> dict:
        """Continue the stopped run whose journal `resume.cut_at_checkpoint` wrote to `journal`
        (`summarise` as `execute` takes it)."""
        from engine.simulation import Simulation
        from scenarios.library import stress

        with Simulation(journal=journal) as sim:
            if observe is not None:
                observe(sim)
            sim.progress = progress
            return _finished(sim, stress.continue_market(sim, params, summarise=summarise))

    @property
    def story(self) -> str:
        """The module docstring's first paragraph ("Story: ..."), on one line."""
        return story_line(self.module)


def _finished(sim, summary: dict) -> dict:
    """Mark the run finished, commit, and add the journal's figures to the story's summary under
    the snake_case names its own figures use (`digest`: the name the stress family's summary.json
    gives it; they were `events journaled`, `outbox events` and `journal digest`)."""
    sim.journal.set_meta(finished=True)
    sim.settle(commit=True)
    summary["events_journaled"] = sim.journal.last_seq
    summary["outbox_events"] = sim.outbox.sequence
    summary["digest"] = sim.journal.digest()
    return summary


def load_scenario(name: str) -> Scenario:
    """The scenario called `name` (`timely-payments`; the module name `timely_payments` works too).
    A name that is no str (`run_stress(None)`, a notebook's variable left unset) is refused naming the
    scenarios: it was an AttributeError on `.replace` from inside the library."""
    if not isinstance(name, str):
        raise ScenarioError(f"a scenario is a name (str), got {name!r}; known: {', '.join(scenario_names())}")
    name, names = name.replace("_", "-"), scenario_names()
    if name not in names:
        raise ScenarioError(f"unknown scenario {name!r}; known: {', '.join(names)}")
    return Scenario(name, _import(name.replace("-", "_")))


def parse_params(scenario: Scenario, assignments: list[str]) -> dict:
    """Defaults overridden by `KEY=VALUE` assignments, converted, range-checked, then the
    scenario's own `check(params)` for relations between parameters."""
    values = parse(scenario.params, assignments, scenario.name)
    check = getattr(scenario.module, "check", None)
    if check is not None:
        check(values)
    return values


def story_line(module: ModuleType) -> str:
    """The docstring's first paragraph on one line: the scenario's story in a sentence."""
    return " ".join((module.__doc__ or "").strip().split("\n\n")[0].split())


def run_scenario(name: str, seed: int = 0, params: Mapping[str, object] | None = None,
                 run_dir: Path | str | None = None, *, force: bool = False,
                 progress: Callable[[float, str], None] | None = None) -> dict:
    """Run scenario `name` into `run_dir` (default `out/NAME-seedN`) and return its summary.

    `params` override the defaults (typed values, or strings parsed like `--set`); every value is
    range-checked and the scenario's relations checked before anything is written. The journal is
    `run_dir/journal.sqlite`; then the scenario's `report(run_dir)` writes its outputs, or the
    story's summary is written as `run_dir/summary.json`. Refusals leave every file as it was."""
    from engine.kernel.ids import check_seed

    scenario = load_scenario(name)
    check_seed(seed)  # an int of 64 bits, not a bool (InvalidArgument), before the run directory is made
    if params is not None and not isinstance(params, Mapping):
        raise ScenarioError(f"params must be a mapping of parameter names to values, got {type(params).__name__}")
    values = parse_params(scenario, [f"{k}={v}" for k, v in (params or {}).items()])
    run_dir = as_dir("run_dir", run_dir) if run_dir is not None else Path("out") / f"{name}-seed{seed}"
    _not_its_own_book(run_dir, values)
    journal = prepare_run_dir(run_dir, force=force)
    summary = scenario.execute(seed=seed, journal=str(journal), params=values, progress=progress,
                               summarise=False)  # the stress family's report analyses the journal
    return write_outputs(scenario.module, run_dir, summary)


def resume_run(run_dir: Path | str, *, seed: int | None = None, params: Mapping[str, object] | None = None,
               progress: Callable[[float, str], None] | None = None,
               announce: Callable[[str], None] | None = None) -> dict:
    """Continue the stopped run in `run_dir`, write its outputs and return its summary (from its last
    day-end checkpoint, or re-executed with its committed prefix proved: see
    `scenarios.library.resume`). `seed` and
    `params`, when given, must be the run's own (`JournalMismatch` otherwise); by default they are
    read from the journal. `announce(line)`, if given, is told where the resume starts once the
    stopped journal has passed its checks."""
    from scenarios.library import resume

    run_dir = as_dir("run_dir", run_dir)
    with resume.held(run_dir):  # one resume at a time
        meta = resume.finished_meta(run_dir)
        if meta is not None and not outputs_written(run_dir, meta):  # stopped while writing its outputs
            scenario = load_scenario(meta["scenario"])
            values = _given(scenario, run_dir, meta, seed, params)
            if announce is not None:
                announce("the run had finished; writing the outputs it was stopped before writing")
            return resume.finish_outputs(run_dir, meta, scenario, values, progress)
        module, summary = resume_journal(run_dir, seed=seed, params=params, progress=progress, announce=announce,
                                         summarise=False)
        return write_outputs(module, run_dir, summary)


def _not_its_own_book(run_dir: Path, values: dict) -> None:
    """Refuse a run into the directory whose journal is its book (`--from DIR --out DIR`): `--force`
    deleted that journal, the book the run was to read, and the run then failed 'no such file'."""
    from scenarios.book.held import source

    if values.get("book_from") and source(str(values["book_from"])) == (run_dir / "journal.sqlite").resolve():
        raise RunRefused(run_dir, "holds the journal the run's book is read from (--from); choose another --out")


def _price_file(params: dict) -> dict:
    """`{"price_file": sha256}` of a `csv:` market's file, committed with the run's parameters: a run
    stopped before its market began is re-executed, and must read the same file (`_same_price_file`)."""
    from scenarios.market.spec import price_file_digest

    spec = str(params.get("path", "")).strip()
    return {"price_file": price_file_digest(spec)} if spec[:4].lower() == "csv:" else {}


def _book_file(params: dict) -> dict:
    """`{"book_file": sha256}` of the book file a run imports (`book_from` naming one), committed with
    the run's parameters: a run stopped before its first day ended is re-executed, importing the
    file again, and must import the same book (`_same_book_file`)."""
    from scenarios.book import filed

    given = params.get("book_from")
    return {"book_file": filed.digest(str(given))} if filed.is_book_file(given) else {}


def _same_book_file(run_dir: Path, meta: dict, values: dict) -> None:
    """Refuse to re-execute a run on a book file other than the one it imported (edited since, or
    another of that name where the resume runs): the resume imported the other book and ran every day
    before it found that the journal differed (`ResumeDiverged`)."""
    from scenarios.book import filed

    recorded = meta.get("book_file")
    if recorded and filed.digest(str(values["book_from"])) != recorded:
        raise RunRefused(run_dir, f"its book file ({values['book_from']}) is not the one the run imported (edited "
                                  "since, or another of that name where the resume runs), and a run stopped before "
                                  "its first day ended imports it again; resume it with that file")


def _same_price_file(run_dir: Path, meta: dict, values: dict) -> None:
    """Refuse to continue a run on a price file other than the one it read (edited since, or a file
    of that relative name in another directory): the resume went on along the other file's prices
    without a word, to a journal no uninterrupted run writes."""
    from scenarios.market.spec import price_file_digest

    recorded = (meta.get("market") or {}).get("sha256") or meta.get("price_file")
    if recorded and price_file_digest(str(values["path"])) != recorded:
        raise RunRefused(run_dir, f"its price file ({values['path']}) is not the one the run read (edited since, "
                                  "or another of that name where the resume runs); resume it with that file")


def resume_journal(run_dir: Path | str, *, seed: int | None = None, params: Mapping[str, object] | None = None,
                   progress: Callable[[float, str], None] | None = None,
                   observe: Callable[[Any], None] | None = None, restart: bool = True,
                   announce: Callable[[str], None] | None = None,
                   summarise: bool = True) -> tuple[ModuleType, dict]:
    """`resume_run` without writing the outputs: the scenario module and the story's summary
    (with `summarise=False`, a scenario with a `report` returns the journal's figures only).
    `observe(sim)`, if given, is called with the simulation that continues (or re-executes) the run;
    `restart=False` re-executes even a run with a checkpoint (what `bench/resume.py` compares with)."""
    from engine.kernel.journal_file import remove_journal
    from scenarios.library import resume

    run_dir = as_dir("run_dir", run_dir)
    meta, target = resume.prepare_resume(run_dir)
    scenario = load_scenario(meta["scenario"])
    values = _given(scenario, run_dir, meta, seed, params)
    _same_price_file(run_dir, meta, values)
    checkpoint = meta.get("checkpoint") if restart and scenario.restartable else None
    if checkpoint is None:  # re-executed: the book file is imported again (continued, the journal holds it)
        _same_book_file(run_dir, meta, values)
    if checkpoint is None and "branched_from" in meta:
        raise RunRefused(run_dir, "holds a branch (run --from) stopped before its first day ended: no checkpoint "
                                  "to continue from, and a branch is not re-executed; run it again with --force")
    stopped = resume.committed_prefix(run_dir / "journal.sqlite", checkpoint)
    try:
        if checkpoint is not None:
            resume.cut_at_checkpoint(run_dir / "journal.sqlite", target, checkpoint)
            if announce is not None:
                announce(f"resuming from the checkpoint of day {checkpoint['day']} ({checkpoint['now']})")
            summary = scenario.restart(journal=str(target), params=values, progress=progress, observe=observe,
                                       summarise=summarise)
        else:
            if announce is not None:
                announce(f"re-executing from the start, proving the journal committed up to {meta.get('now', '?')}")
            summary = scenario.execute(seed=meta["seed"], journal=str(target), params=values, progress=progress,
                                       observe=observe, summarise=summarise)
        resume.prove_prefix(stopped, target)
    except BaseException as exc:
        if not (resume.stopped_by_user(exc) and resume.keep_stopped(stopped, run_dir, target)):
            remove_journal(target)
        raise
    resume.replace(run_dir, target)
    return scenario.module, summary


def _given(scenario: Scenario, run_dir: Path, meta: dict, seed: int | None,
           params: Mapping[str, object] | None) -> dict:
    """The run's parameters as its journal records them; a `seed` or `params` given must be its own."""
    from engine.position import JournalMismatch

    values = parse_params(scenario, [f"{k}={v}" for k, v in meta["params"].items()])
    if seed is not None and seed != meta.get("seed"):
        raise JournalMismatch(path=str(run_dir / "journal.sqlite"), field="seed", journal=meta.get("seed"), given=seed)
    if params:
        given = parse_params(scenario, [f"{k}={v}" for k, v in params.items()])
        for name, value in given.items():
            if name in params and value != values[name]:
                raise JournalMismatch(path=str(run_dir / "journal.sqlite"), field=name, journal=values[name],
                                      given=value)
    return values


def report_run(run_dir: Path | str, *, whole: bool = False) -> dict:
    """Regenerate a run's outputs from its journal: the scenario's `report(run_dir)` (its plots over
    the whole run with `whole`); a story without one cannot recompute its figures, so its recorded
    `summary.json` is returned, `RunRefused` unless it is the one the run wrote (edited by hand, it
    was printed as the run's figures), as is `whole` there: it has no plots to draw."""
    import json

    run_dir = Path(run_dir)
    meta = journal_meta(run_dir / "journal.sqlite")
    if "scenario" not in meta:
        raise RunRefused(run_dir, "the journal records no scenario (not written by lanasim run)")
    module = load_scenario(meta["scenario"]).module
    if hasattr(module, "report"):
        return dict(module.report(run_dir, whole=True) if whole else module.report(run_dir))
    if whole:
        raise RunRefused(run_dir, f"scenario {meta['scenario']} draws no plots: --whole-run has nothing to draw")
    recorded = run_dir / SUMMARY
    if not recorded.is_file():
        raise RunRefused(run_dir, f"scenario {meta['scenario']} has no report() and no summary.json was recorded")
    if not (as_written(run_dir, SUMMARY) and outputs_written(run_dir, meta)):  # edited, or another run's
        raise RunRefused(recorded, "not the summary this run wrote (edited since, or another run's); scenario "
                                   f"{meta['scenario']} cannot recompute it from the journal: lanasim run it again")
    return json.loads(recorded.read_text())
