"""Durability run: crash every built-in scenario at every group-commit boundary (the files a
`kill -9` leaves), verify each crash image and resume it; fail writes and commits; print commands
tried, faults injected and losses (acknowledged events missing: must be 0).

Run: `python bench/faults.py` (every boundary of every scenario on small parameters; minutes),
`python bench/faults.py --sample 5 --scenario timely-payments` (a bounded run). Never asserts on time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scenarios.library import load_scenario, scenario_names
from scenarios.library.crashes import crash_run, fault_run

SMALL = {"facilities": "4", "days": "3", "lead_days": "1"}  # the stress family: a small book, a few days


def small(name: str) -> dict[str, str]:
    params = load_scenario(name).params
    if "facilities" in params:
        return {k: v for k, v in SMALL.items() if k in params}
    return {"days": str(min(params["days"].default, 60))} if "days" in params else {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", action="append", help="only these (default: every built-in scenario)")
    parser.add_argument("--sample", type=int, help="crash at this many boundaries per scenario (default: all)")
    parser.add_argument("--faults", type=int, default=3, help="write and commit faults injected per scenario")
    args = parser.parse_args(argv)
    totals = {"commands tried": 0, "commits": 0, "crashes": 0, "faults injected": 0, "losses": 0, "failures": 0}
    started = time.perf_counter()
    for name in args.scenario or scenario_names():
        with tempfile.TemporaryDirectory() as work:
            report = crash_run(name, Path(work) / "crash", overrides=small(name), sample=args.sample)
            faults = [fault_run(name, Path(work) / f"fault-{point}-{n}", point=point, at=n, overrides=small(name))
                      for point in ("write", "commit") for n in _points(report.commits, args.faults)]
        failed = len(report.verify_failures) + len(report.resume_mismatches) + \
            sum(1 for f in faults if f.faults and not f.resumed_digest_ok)
        losses = report.losses + sum(f.losses for f in faults)
        injected = report.crashes + sum(f.faults for f in faults)
        for key, value in (("commands tried", report.commands), ("commits", report.commits),
                           ("crashes", report.crashes), ("faults injected", injected), ("losses", losses),
                           ("failures", failed)):
            totals[key] += value
        print(f"{name:28} commands {report.commands:6,}  commits {report.commits:4}  crashes {report.crashes:4} "
              f"(from a checkpoint {report.restarts:4})  "
              f"faults {injected:4}  losses {losses}  failures {failed}", flush=True)
        for problem in report.verify_failures + report.resume_mismatches:
            print(f"  {problem}")
    print(" ".join(f"{k}: {v:,}" for k, v in totals.items()), f"wall seconds: {time.perf_counter() - started:.1f}")
    return 0 if totals["losses"] == totals["failures"] == 0 else 1


def _points(commits: int, count: int) -> list[int]:
    """`count` write/commit indexes spread over the run (1 = the first)."""
    return sorted({1 + (i * max(1, commits - 1)) // max(1, count) for i in range(count)})


if __name__ == "__main__":
    sys.exit(main())
