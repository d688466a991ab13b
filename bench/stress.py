"""Stress benchmark: a book of N facilities through a 30-day hourly stress (the black-thursday-2020
shape), journaled to a file; prints wall time, cost per facility-day, peak RSS, and the share of the
wall time spent producing the outputs (summary, Parquet, plots, report; target <= 10 %).

Run: `python bench/stress.py [--facilities 10000] [--days 30]`.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import Simulation
from scenarios.analysis import analyse_run, write_outputs
from scenarios.library import load_scenario, parse_params
from scenarios.library.stress import tell


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--facilities", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    scenario = load_scenario("stress")
    params = parse_params(scenario, [f"facilities={args.facilities}", f"days={args.days}"])
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp)
        began = time.perf_counter()
        with Simulation(seed=1, start=scenario.start(params), journal=str(run_dir / "journal.sqlite")) as sim:
            tell(sim, **params)
            analysing = time.perf_counter()
            analysis = analyse_run(sim)
            analysed = time.perf_counter()
        closed = time.perf_counter()  # closing the journal is the simulation's cost
        write_outputs(run_dir, analysis, params)
        done = time.perf_counter()
    wall, outputs = done - began, (analysed - analysing) + (done - closed)
    facility_days = args.facilities * args.days
    print(f"facilities {args.facilities}, days {args.days}, hourly prices, path {params['path']}")
    print(f"wall time            {wall:9.1f} s   (simulation {wall - outputs:.1f} s, outputs {outputs:.1f} s)")
    print(f"per facility-day     {wall / facility_days * 1e6:9.1f} us")
    print(f"peak RSS             {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:9.0f} MiB")
    print(f"outputs share        {outputs / wall * 100:9.1f} %   (target <= 10 %)")
    print(f"liquidations {analysis.summary['liquidations_executed']}, margin calls {analysis.summary['margin_calls']}")


if __name__ == "__main__":
    main()
