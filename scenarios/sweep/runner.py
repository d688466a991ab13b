"""Run a planned sweep on Dask: skip the runs the directory already holds, stream each finished
run's row to disk, and leave a consistent partial result when interrupted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from scenarios.sweep.cluster import connect
from scenarios.sweep.plan import RunSpec
from scenarios.sweep.store import Store
from scenarios.sweep.worker import lost_run, run_batch

__all__ = ["batch_size", "execute"]


def execute(plan: list[RunSpec], out: Path, identity: dict, *, workers: int | None = None,
            scheduler: str | None = None, keep_journals: bool = False,
            progress: Callable[[int, int, dict], None] | None = None,
            echo: Callable[[str], None] = print) -> dict:
    """Run every planned run `out` does not hold yet; returns counts of runs done and skipped.

    Everything is checked (the directory, the scheduler) before the first file is written.
    """
    done = set(Store.check(out, identity))
    unique = list(dict.fromkeys(plan))  # a design may draw the same run twice
    todo = [spec for spec in unique if spec.key not in done]
    with connect(workers=workers, scheduler=scheduler) as client:
        info = client.scheduler_info()
        dashboard = client.dashboard_link if "dashboard" in info.get("services", {}) else "none"
        echo(f"dask: {len(info['workers'])} workers at {client.scheduler.address}; dashboard {dashboard}")
        meta = {"code_version": plan[0].code if plan else ""}
        store = Store(out, identity, [spec.key for spec in plan], meta=meta).open()
        journals = None
        if keep_journals:
            (out / "journals").mkdir(exist_ok=True)
            journals = str((out / "journals").resolve())
        counts = {"planned": len(unique), "skipped": len(unique) - len(todo), "ran": 0, "failed": 0}
        try:
            _stream(client, todo, journals, store, counts, progress)
        finally:  # Ctrl-C included: what finished is on disk and listed
            store.flush()
    return counts


def batch_size(runs: int, workers: int) -> int:
    """Runs per task: about ten tasks per worker, at most 8 runs each (fewer, larger tasks cost the
    scheduler less per run; small ones keep results streaming and an interrupt cheap)."""
    return max(1, min(8, runs // (max(1, workers) * 10)))


def _stream(client, todo, journals, store, counts, progress, prefix: str = "lanasim-run") -> None:
    """Submit the runs in batches (a task's key names its runs, so a cluster shared by two sweeps
    runs a batch once) and record each batch's rows as it finishes."""
    from dask.distributed import as_completed

    size = batch_size(len(todo), len(client.scheduler_info()["workers"]))
    batches = [todo[i:i + size] for i in range(0, len(todo), size)]
    keys = [f"{prefix}-{b[0].key}-{len(b)}" for b in batches]
    futures = client.map(run_batch, batches, journals=journals, key=keys, pure=False)
    specs = dict(zip(keys, batches))
    try:
        for future in as_completed(futures):
            try:
                rows = future.result()
            except Exception as exc:  # noqa: BLE001 -- the worker died (or the task could not reach it): still rows
                rows = [lost_run(spec, exc) for spec in specs[future.key]]
            for row in rows:
                store.add(row)
                counts["ran"] += 1
                counts["failed"] += row["status"] != "ok"
                if progress:
                    progress(counts["ran"], len(todo), row)
    finally:
        client.cancel(futures)
