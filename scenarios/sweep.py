"""`lanasim sweep`: a scenario over a parameter grid x seeds, one row of results per run.

Runs fan out over a local process pool (`--workers`); each row is appended to a CSV as soon as its
run ends, so nothing is held in memory and a long sweep can be read while it runs. A failed run is
recorded with its error and does not stop the sweep. Each run keeps its own seed and journal.
"""

from __future__ import annotations

import argparse
import csv
import itertools
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from scenarios.library import ScenarioError, load_scenario, parse_params

__all__ = ["parse_grid", "parse_seeds", "register_cli", "sweep"]


def parse_seeds(text: str) -> list[int]:
    """`7`, `1-8` or `1,3,5` -> seeds."""
    try:
        if "-" in text:
            low, high = (int(x) for x in text.split("-", 1))
            return list(range(low, high + 1))
        return [int(x) for x in text.split(",")]
    except ValueError:
        raise ScenarioError(f"--seeds expects N, A-B or A,B,C; got {text!r}") from None


def parse_grid(items: list[str]) -> list[dict[str, str]]:
    """`KEY=v1,v2` items -> every combination as KEY=VALUE assignments."""
    keys, values = [], []
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not raw:
            raise ScenarioError(f"--grid expects KEY=V1,V2,...; got {item!r}")
        keys.append(key)
        values.append(raw.split(","))
    return [dict(zip(keys, combo)) for combo in itertools.product(*values)] or [{}]


def sweep(name: str, seeds: list[int], grid: list[dict[str, str]], out: Path, workers: int,
          progress=None) -> Path:
    """Run every (grid point, seed); returns the CSV path. Bad parameters fail before any run."""
    scenario = load_scenario(name)
    runs = [(point, seed) for point in grid for seed in seeds]
    for point in grid:
        parse_params(scenario, [f"{k}={v}" for k, v in point.items()])
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}-sweep.csv"
    args = ([name] * len(runs), [p for p, _ in runs], [s for _, s in runs], [str(out)] * len(runs))
    with path.open("w", newline="") as handle, ProcessPoolExecutor(max_workers=workers) as pool:
        table = _Table(handle)
        for done, row in enumerate(pool.map(_one, *args), 1):  # in submission order: a stable file
            table.add(row)
            if progress:
                progress(done / len(runs), f"seed {row['seed']} {row['status']}")
        table.close()
    return path


class _Table:
    """CSV rows streamed to disk; the header comes from the first successful run's summary
    (failed runs before it wait, so their rows share the same columns)."""

    def __init__(self, handle) -> None:
        self.handle = handle
        self.writer: csv.DictWriter | None = None
        self.waiting: list[dict] = []

    def add(self, row: dict) -> None:
        if self.writer is None and row["status"] != "ok":
            self.waiting.append(row)
            return
        writer = self.writer or self._start(row)
        writer.writerow(row)
        self.handle.flush()

    def _start(self, row: dict) -> csv.DictWriter:
        writer = self.writer = csv.DictWriter(self.handle, fieldnames=list(row), extrasaction="ignore", restval="")
        writer.writeheader()
        writer.writerows(self.waiting)
        self.waiting = []
        return writer

    def close(self) -> None:
        """Every run failed: the header comes from the failed rows themselves."""
        if self.writer is None and self.waiting:
            self._start(self.waiting[0])


def _one(name: str, point: dict[str, str], seed: int, out: str) -> dict:
    """One run in a worker process: its summary, or its error."""
    row: dict = {"scenario": name, "seed": seed, **point, "status": "ok", "error": ""}
    try:
        scenario = load_scenario(name)
        params = parse_params(scenario, [f"{k}={v}" for k, v in point.items()])
        tag = "-".join(f"{k}{v}" for k, v in point.items())
        journal = str(Path(out) / f"{name}-{tag}-seed{seed}.sqlite".replace("--", "-"))
        Path(journal).unlink(missing_ok=True)
        summary = scenario.execute(seed=seed, journal=journal, params=params)
        row.update({k: summary[k] for k in summary})
    except Exception as exc:  # a failed run is a row, not the end of the sweep
        row.update(status="failed", error=f"{type(exc).__name__}: {exc}")
    return row


def register_cli(sub, *, progress) -> None:
    """Add `lanasim sweep` to the CLI's subcommands (the CLI owns nothing of the sweep)."""
    sweep_cmd = sub.add_parser("sweep", help="run a scenario over a parameter grid x seeds; one CSV row per run")
    sweep_cmd.add_argument("scenario")
    sweep_cmd.add_argument("--seeds", default="1-4", help="N, A-B or A,B,C (default 1-4)")
    sweep_cmd.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2", help="parameter values to cross")
    sweep_cmd.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    sweep_cmd.add_argument("--out", default="out/sweep", help="directory for the CSV and the journals")

    def handle(args: argparse.Namespace) -> int:
        if args.workers < 1:
            raise ScenarioError(f"--workers must be at least 1, got {args.workers}")
        print(sweep(args.scenario, parse_seeds(args.seeds), parse_grid(args.grid), Path(args.out), args.workers,
                    progress=progress))
        return 0

    sweep_cmd.set_defaults(handler=handle)
