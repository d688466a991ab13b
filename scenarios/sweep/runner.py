"""Run a planned sweep on Dask: skip the runs the directory already holds, stream each finished
run's row to disk, and leave a consistent partial result when interrupted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from scenarios.sweep.cluster import connect
from scenarios.sweep.plan import RunSpec
from scenarios.sweep.store import Store
from scenarios.sweep.worker import lost_run, run_one

__all__ = ["execute"]


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


def _stream(client, todo, journals, store, counts, progress, prefix: str = "lanasim-run") -> None:
    """Submit every run (its task key is its run key: a cluster shared by two sweeps runs it once)."""
    from dask.distributed import as_completed

    futures = client.map(run_one, todo, journals=journals, key=[f"{prefix}-{s.key}" for s in todo], pure=False)
    specs = dict(zip((f.key for f in futures), todo))
    try:
        for future in as_completed(futures):
            try:
                row = future.result()
            except Exception as exc:  # noqa: BLE001 -- the worker died (or the task could not reach it): still a row
                row = lost_run(specs[future.key], exc)
            store.add(row)
            counts["ran"] += 1
            counts["failed"] += row["status"] != "ok"
            if progress:
                progress(counts["ran"], len(todo), row)
    finally:
        client.cancel(futures)
