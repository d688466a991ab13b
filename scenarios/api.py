"""The stress test as a Python call: `run_stress(...)` runs a book through a market and returns its
numbers (`.summary`, `.timeseries`, `.facilities`), its digest and its plots."""

from __future__ import annotations

from pathlib import Path

from attrs import frozen

from engine.kernel.errors import InvalidArgument
from engine.kernel.ids import check_seed
from scenarios.analysis import Analysis, analyse_run, write_outputs
from scenarios.analysis.plots import Instant, figures
from scenarios.library import load_scenario, parse_params
from scenarios.library.params import ScenarioError
from scenarios.library.rundir import as_dir, prepare_run_dir
from scenarios.library.stress import tell

__all__ = ["StressResult", "run_stress"]


@frozen
class StressResult:
    """What a stress run produced; `out` is the run directory when one was written."""

    analysis: Analysis
    params: dict
    out: Path | None = None

    @property
    def summary(self) -> dict:
        return self.analysis.summary

    @property
    def timeseries(self):
        return self.analysis.timeseries

    @property
    def facilities(self):
        return self.analysis.facilities

    @property
    def digest(self) -> str:
        return self.analysis.summary["digest"]

    def plot(self, *, since: Instant | None = None, until: Instant | None = None, whole: bool = False) -> dict:
        """The report's figures (matplotlib Figures by name: price, states, cvl, liquidations, shortfall),
        as report.html shows them: a quiet first stretch over a quarter of the run is left out, and
        the time axis's label says so. `since`/`until` (instants, UTC unless they say otherwise) show
        only that window of the run; `whole=True` the whole run (a `whole` that is no bool is
        `InvalidArgument`: whole="no" was read as True)."""
        if type(whole) is not bool:
            raise InvalidArgument(argument="whole", value=whole, problem="True or False")
        return figures(self.analysis, self.params, since=since, until=until, whole=whole)


def run_stress(preset: str = "stress", *, seed: int = 1, out: str | Path | None = None, progress=None,
               force: bool = False, **params: object) -> StressResult:
    """Run the `stress` scenario (or a preset of it such as "march-2020") with `params` overriding its
    defaults, range-checked as on the command line. With `out`, the run directory gets
    journal.sqlite and every output, as `lanasim run --out` writes it (`RunRefused` for a directory
    holding other files or, without `force`, a previous run); without it the journal stays in memory.
    Parameters are typed values or text as `--set` takes it (`facilities=500`, `cvl_low="150"`); an
    unknown preset or parameter, or a value out of its range, is `ScenarioError` and `seed` other
    than an int of 64 bits `InvalidArgument`, `out` no path or `force` no bool `ScenarioError`, before
    anything is written. `progress`, if given, is
    called with (fraction done, sim time) as the run goes. The same preset, seed and parameters
    give the same `digest`."""
    scenario = load_scenario(preset)
    scenario.require_stress("run_stress")
    values = parse_params(scenario, [f"{key}={value}" for key, value in params.items()])
    check_seed(seed)  # before the run directory is made
    if type(force) is not bool:  # checked with `out` only: force="yes" without out= passed unseen
        raise ScenarioError(f"force must be True or False (--force), got {force!r}")
    if progress is not None and not callable(progress):
        raise ScenarioError(f"progress must be a callable (fraction, sim time) -> None, got {progress!r}")
    run_dir = None if out is None else as_dir("out", out)
    journal = ":memory:" if run_dir is None else str(prepare_run_dir(run_dir, force=force))
    with _opened(scenario, values, seed, journal) as sim:
        sim.progress = progress
        sim.journal.set_meta(scenario=scenario.name, params={k: str(v) for k, v in values.items()})
        tell(sim, **values)
        sim.journal.set_meta(finished=True)  # as `lanasim run` marks it: `--resume` refuses a finished run
        analysis = analyse_run(sim)
    if run_dir is not None:
        write_outputs(run_dir, analysis, values)
    return StressResult(analysis, values, run_dir)


def _opened(scenario, values: dict, seed: int, journal: str):
    """The run's simulation: a new one, or a branch of the journal `book_from` names, as `lanasim
    run --set book_from=...` opens it (`run_stress(book_from=...)` was refused with a message about
    `build_book` and `Scenario.execute`, internals no caller of run_stress sees)."""
    from engine import Simulation

    if values["book_from"]:
        return scenario.module.open_held_book(values, seed, journal)
    return Simulation(seed=seed, start=scenario.start(values), journal=journal)
