"""Run a planned sweep on Dask: skip the runs the directory already holds, open each distinct book
once and branch its runs from it, stream each finished run's row to disk, and leave a consistent
partial result when interrupted."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from scenarios.library import ScenarioError
from scenarios.sweep import books
from scenarios.sweep.cluster import connect
from scenarios.sweep.plan import RunSpec
from scenarios.sweep.store import Store, read_manifest
from scenarios.sweep.worker import SourceGone, lost_run, run_batch, source_gone

__all__ = ["batch_size", "execute"]


def execute(plan: list[RunSpec], out: Path, identity: dict, *, workers: int | None = None,
            scheduler: str | None = None, keep_journals: bool = False,
            progress: Callable[[int, int, dict], None] | None = None,
            echo: Callable[[str], None] = print) -> dict:
    """Run every planned run `out` does not hold yet; returns counts of runs done and skipped.

    Everything is checked (the directory, the scheduler) before the first file is written.
    """
    if isinstance(scheduler, str) and not scheduler.strip():  # '' was no address: a local cluster ran instead
        raise ScenarioError("--scheduler (scheduler=) is empty: give an address, tcp://HOST:PORT, or leave it out "
                            "to run on a local cluster")
    done = set(Store.check(out, identity))
    unique = list(dict.fromkeys(plan))  # a design may draw the same run twice
    todo = [spec for spec in unique if spec.key not in done]
    counts = {"planned": len(unique), "skipped": len(unique) - len(todo), "ran": 0, "failed": 0,
              "lost": 0, "books_built": 0, "books_kept": 0}
    meta = {"code_version": plan[0].code if plan else ""}
    if not todo:  # a finished sweep run again: no cluster to start (about 5 s of CPU) for nothing
        Store(out, identity, [spec.key for spec in plan], meta=meta).open()
        echo(f"dask: not started, {out} holds every planned run")
        return counts
    with connect(workers=workers, scheduler=scheduler) as client:
        info = client.scheduler_info()
        dashboard = client.dashboard_link if _has_dashboard(client, info) else "none"
        echo(f"dask: {len(info['workers'])} workers at {client.scheduler.address}; dashboard {dashboard}")
        store = Store(out, identity, [spec.key for spec in plan], meta=meta).open()
        journals = None
        if keep_journals:
            (out / "journals").mkdir(exist_ok=True)
            journals = str((out / "journals").resolve())
        try:
            _stream(client, todo, journals, store, counts, progress, out=out, shared=_shares_files(client, out),
                    echo=echo)
        finally:  # Ctrl-C included: what finished is on disk and listed
            store.flush()
    return counts


def _has_dashboard(client, info: dict) -> bool:
    """Whether the scheduler serves its dashboard: one started with `--no-dashboard` (or without bokeh)
    still lists a 'dashboard' service, its HTTP server, where the printed link's page is not found."""
    if "dashboard" not in info.get("services", {}):
        return False
    try:  # a lambda: pickled by value, so a scheduler that cannot import lanasim runs it too
        return bool(client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.http_application.applications)))
    except Exception:  # a scheduler that runs no client code: its link, as it lists one
        return True


def batch_size(runs: int, workers: int) -> int:
    """Runs per task: about four tasks per worker, at most 8 runs each. A task costs the client,
    scheduler and worker CPU of its own (about 15 ms on a loaded 2-core machine, a fifth of a
    20-facility, 3-day run), so short runs go in batches; four tasks per worker still balance the
    end of the sweep, and at most 8 runs a task keep rows streaming and an interrupt cheap."""
    return max(1, min(8, runs // (max(1, workers) * 4)))


def _stream(client, todo, journals, store, counts, progress, prefix: str = "lanasim-run",
            out: Path | None = None, shared: bool = False, echo: Callable[[str], None] = print) -> None:
    """Open the books the runs need (or take those `out` kept), submit the runs in batches of one
    book each (a task's key names its runs, so a cluster shared by two sweeps runs a batch once) and
    record each batch's rows as it finishes. `shared`: every worker sees `out` (`_shares_files`).
    `echo` is told when books are being opened and as each is open: a big book (an imported file of
    100,000 facilities takes minutes) showed nothing until its first run ended."""
    from dask.distributed import Future, as_completed

    shipped, building = _books(client, todo, out, counts, prefix, shared)
    if building:
        echo(f"opening {len(building)} book(s) on the workers; the runs of each start once it is open")
    size = batch_size(len(todo), len(client.scheduler_info()["workers"]))
    batches = [group[i:i + size] for group in _by_book(todo) for i in range(0, len(group), size)]
    keys = [f"{prefix}-{b[0].key}-{len(b)}" for b in batches]
    futures = client.map(run_batch, batches, [shipped.get(b[0].book) for b in batches], journals=journals,
                         key=keys, pure=False)
    specs = dict(zip(keys, batches))
    try:
        # results come back with their completion (no round trip per task); a lost task's is its exception
        for future, result in as_completed([*building.values(), *futures], with_results=True, raise_errors=False):
            result = _outcome(future, result)
            if getattr(result, "reason", None) == "scheduler-connection-lost":
                raise ScenarioError(f"lost the dask scheduler at {client.scheduler.address} mid-sweep: the runs that "
                                    f"finished are kept in {out} (run the same command to run the rest)")
            if future.key in specs:
                gone = _record(result, specs[future.key], store, counts, progress, len(todo))
                if gone is not None:
                    raise ScenarioError(_stopped(gone, specs[future.key][0], out))
            else:
                _built(result, out, store, counts, echo)
    finally:
        client.cancel([*futures, *(f for f in shipped.values() if isinstance(f, Future))])


def _outcome(future, result):
    """A task's result, or the exception it ended with: `as_completed(raise_errors=False)` yields an
    erred task's result as the (type, exception, traceback) triple (its worker died more often than
    the scheduler allows: `KilledWorker`; or a book it needed was lost with it), a cancelled one's as
    the exception itself."""
    if future.status == "error" and isinstance(result, tuple) and len(result) == 3:
        return result[1] if isinstance(result[1], BaseException) else RuntimeError(str(result[1]))
    return result


def _shares_files(client, out: Path) -> bool:
    """Whether every worker sees the sweep directory as the client does (its manifest's size and
    modification time): a local cluster's workers do, a remote cluster's need not. Then books are
    written there and runs branch from the files; else they travel as bytes."""
    manifest = str((out / "sweep.json").resolve())
    mine = _manifest_stat(manifest)
    try:
        seen = client.run(_manifest_stat, manifest)
    except Exception:  # a worker that cannot answer: ship the books
        return False
    return mine is not None and bool(seen) and all(found == mine for found in seen.values())


def _manifest_stat(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def _books(client, todo: list[RunSpec], out: Path | None, counts: dict, prefix: str,
           shared: bool = False) -> tuple[dict, dict]:
    """{book key: what every run of that book gets (its file's name, or a future of its bytes)},
    and the futures of those being built now."""
    first: dict[str, RunSpec] = {}
    for spec in todo:
        if spec.book is not None:
            first.setdefault(spec.book, spec)
    shipped, building = {}, {}
    listed = read_manifest(out).get("books", {}) if out is not None else {}
    for key, spec in first.items():
        kept = books.cached(out, spec, shared, listed.get(key)) if out is not None else None
        if kept is not None:
            shipped[key] = kept if "path" in kept else client.scatter([kept])[0]
            counts["books_kept"] += 1
        else:
            place = str(out.resolve()) if shared and out is not None else None
            shipped[key] = building[key] = client.submit(books.build, spec, place,
                                                         key=f"{prefix}-book-{key}-{spec.code}", pure=False)
    return shipped, building


def _by_book(todo: list[RunSpec]) -> list[list[RunSpec]]:
    groups: dict[str | None, list[RunSpec]] = {}
    for spec in todo:
        groups.setdefault(spec.book, []).append(spec)
    return list(groups.values())


def _built(book, out: Path | None, store: Store, counts: dict, echo: Callable[[str], None] = print) -> None:
    """A book is open: keep it for a rerun and list it (key, seconds, bytes, error) in the manifest."""
    if isinstance(book, BaseException):  # its worker was lost: the runs waiting on it are recorded as lost
        return
    echo(f"book {book['key']} failed to open: {book['error']}" if book["error"] else
         f"book {book['key']} open in {book['build_s']:.1f} s ({book['size'] / 1e6:,.1f} MB)")
    if out is not None:
        books.keep(out, book)
    counts["books_built"] += 1
    store.add_book(book["key"], {"build_s": book["build_s"], "bytes": book["size"], "error": book["error"]})


def _record(rows, batch: list[RunSpec], store: Store, counts: dict, progress, total: int) -> str | None:
    """Keep a batch's rows; returns why its runs' source journal could not be read, if one said so."""
    if isinstance(rows, BaseException):
        rows = [lost_run(spec, rows) for spec in batch]
    gone = None
    for row in rows:
        store.add(row)
        counts["ran"] += 1
        counts["failed"] += row["status"] == "failed"
        counts["lost"] += row["status"] == "lost"
        if row["status"] == "lost" and row["error"].startswith(f"{SourceGone.__name__}: "):
            gone = row["error"].removeprefix(f"{SourceGone.__name__}: ")
        if progress:
            progress(counts["ran"], total, row)
    return gone


def _stopped(gone: str, spec: RunSpec, out: Path | None) -> str:
    """The line a sweep stops with when its `--from` journal could not be read on a worker, or its
    `csv:` price file is gone or changed: every run after would fail the same way, each a row (and a
    failed row is final, so a rerun never ran them), or be keyed by one file and computed from another."""
    if gone.startswith("price file "):
        return (f"the price file changed or disappeared mid-sweep: {gone.removeprefix('price file ')}; the sweep "
                f"stopped, and the runs that finished are kept in {out} (put the file back as it was and run the "
                "same command to run the rest; with the file edited, the same command runs every run on it anew)")
    kept = (f"the sweep stopped, and the runs that finished are kept in {out} (restore the journal and run the "
            "same command to run the rest)")
    here = source_gone(spec)
    if here is not None:
        return f"the source journal disappeared mid-sweep: {here}; {kept}"
    return (f"the source journal could not be read on a worker: {gone}, though it can be here (workers must see "
            f"the file the client names); {kept}")
