"""Resuming a killed stress run: from its last day-end checkpoint vs re-executing it from the start
(what `--resume` did before checkpoints), with the checkpoints' cost to the run that wrote them.

Run: `python bench/resume.py` (200 facilities x 60 days killed after day 50);
`python bench/resume.py --facilities 1000 --days 90 --kill-day 80`. Prints wall and CPU seconds
(`time.process_time`) for each, both measured in the same run; never asserts on time.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.kernel.codec import dumps
from scenarios.behaviour.checkpoint import DayEnds
from scenarios.library import load_scenario, parse_params, resume_journal
from scenarios.library.crashes import crash_image


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facilities", type=int, default=200)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--kill-day", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    scenario = load_scenario("stress")
    params = parse_params(scenario, [f"facilities={args.facilities}", f"days={args.days}", "lead_days=0"])
    spent, sizes, queued = [0.0], [0], [0]
    stage = DayEnds.stage

    def timed(self) -> None:  # the checkpoints' own CPU time and size
        before = time.process_time()
        stage(self)
        spent[0] += time.process_time() - before
        checkpoint = self.sim.journal.meta().get("checkpoint", {})
        sizes[0], queued[0] = max(sizes[0], len(dumps(checkpoint))), max(queued[0], len(checkpoint.get("queue", ())))

    with tempfile.TemporaryDirectory() as work:
        work_dir = Path(work)
        (work_dir / "run").mkdir()

        journal = work_dir / "run" / "journal.sqlite"

        def progress(fraction: float, _: str) -> None:
            if round(fraction * args.days) == args.kill_day:  # just after that day's checkpoint commit
                crash_image(journal, work_dir / "killed")

        DayEnds.stage = lambda self: None  # type: ignore[method-assign]
        (work_dir / "bare").mkdir()
        wall, cpu = time.perf_counter(), time.process_time()
        scenario.execute(seed=args.seed, journal=str(work_dir / "bare" / "journal.sqlite"), params=params)
        bare_wall, bare_cpu = time.perf_counter() - wall, time.process_time() - cpu
        DayEnds.stage = timed  # type: ignore[method-assign]
        wall, cpu = time.perf_counter(), time.process_time()
        whole = scenario.execute(seed=args.seed, journal=str(journal), params=params, progress=progress)
        run_wall, run_cpu = time.perf_counter() - wall, time.process_time() - cpu
        DayEnds.stage = stage  # type: ignore[method-assign]
        print(f"stress {args.facilities} facilities x {args.days} days, killed after day {args.kill_day}")
        print(f"run without checkpoints   wall {bare_wall:7.2f} s  CPU {bare_cpu:7.2f} s")
        print(f"uninterrupted run         wall {run_wall:7.2f} s  CPU {run_cpu:7.2f} s  "
              f"(checkpoints: CPU {spent[0]:.2f} s, {100 * spent[0] / run_cpu:.1f} %; largest {sizes[0]:,} bytes, "
              f"{queued[0]:,} pending jobs)")
        for label, restart in (("resume, re-executing", False), ("resume, from checkpoint", True)):
            run_dir = work_dir / f"resume-{restart}"
            shutil.copytree(work_dir / "killed", run_dir)
            wall, cpu = time.perf_counter(), time.process_time()
            _, summary = resume_journal(run_dir, restart=restart)
            took_wall, took_cpu = time.perf_counter() - wall, time.process_time() - cpu
            same = summary["digest"] == whole["digest"]
            print(f"{label:25} wall {took_wall:7.2f} s  CPU {took_cpu:7.2f} s  digest as uninterrupted: {same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
