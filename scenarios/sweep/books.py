"""The books of a sweep: each distinct book (the scenario's `book_key` of a run's parameters) is
opened once, on a worker, and kept in `DIR/books/KEY-CODE.sqlite` for a rerun. Workers that share
the sweep directory with the client (a local cluster's do) write it there and branch every run from
that file, so no copy of the book travels or stays in memory; others receive it from Dask as bytes,
each worker once."""

from __future__ import annotations

import os
import time
from pathlib import Path

from scenarios.library import load_scenario, parse_params
from scenarios.sweep.plan import RunSpec

__all__ = ["BOOKS", "build", "cached", "keep", "opened", "path_of"]

BOOKS = "books"


def path_of(out: Path, book: dict) -> Path:
    """Where the sweep in `out` keeps `book` (named by its key and the code version that built it)."""
    return Path(out) / BOOKS / f"{book['key']}-{book['code']}.sqlite"


def build(spec: RunSpec, out: str | None = None) -> dict:
    """On a worker: open the book `spec` starts from. With `out` (the sweep directory, which this
    worker shares with the client) it is written to its file there (`path`); else returned as
    `bytes`. Also `size` (bytes), `build_s`, and `error` ('' when built)."""
    started, named = time.perf_counter(), {"key": spec.book, "code": spec.code}
    try:
        scenario = load_scenario(spec.scenario)
        params = parse_params(scenario, [f"{k}={v}" for k, v in spec.assignments])
        if out is None:
            data = scenario.build_book(params)
            return {**named, "bytes": data, "size": len(data), "build_s": time.perf_counter() - started, "error": ""}
        path = path_of(Path(out), named)
        _placed(path, lambda temporary: scenario.write_book(params, temporary))
        return {**named, "path": str(path), "size": path.stat().st_size, "build_s": time.perf_counter() - started,
                "error": ""}
    except Exception as exc:
        error = (f"{type(exc).__name__}: {exc}".splitlines() or [""])[0][:500]
        return {**named, "bytes": b"", "size": 0, "build_s": time.perf_counter() - started, "error": error}


def cached(out: Path, spec: RunSpec, shared: bool = False, listed: dict | None = None) -> dict | None:
    """The book of `spec` an earlier attempt of this sweep kept (named by its file when the workers
    share the directory, else read as bytes), or None. `listed`: the manifest's facts of that book."""
    named = {"key": spec.book, "code": spec.code}
    path = path_of(out, named)
    if not path.is_file():
        return None
    _intact(path, listed)
    found = {"path": str(path.resolve())} if shared else {"bytes": path.read_bytes()}
    return {**named, **found, "size": path.stat().st_size, "build_s": 0.0, "error": ""}


def _intact(path: Path, listed: dict | None) -> None:
    """Refuse a kept book that is not the file this sweep wrote (cut short, overwritten): every run
    branched from it failed ('DatabaseError: database disk image is malformed', 'file is not a
    database'), and a failed run is final, so a rerun never ran them again."""
    from scenarios.library import ScenarioError

    with path.open("rb") as file:
        header = file.read(16)
    size, expected = path.stat().st_size, (listed or {}).get("bytes")
    if header != b"SQLite format 3\x00" or (isinstance(expected, int) and expected and size != expected):
        held = f"{size:,} bytes" + (f", where {expected:,} were written" if expected else "")
        raise ScenarioError(f"{path}: a kept book that is not the file this sweep wrote ({held}); "
                            "delete it and run the same command to open the book again")


def keep(out: Path, book: dict) -> None:
    """Write a book a worker returned as bytes under its own new name (a temporary file renamed into
    place); a book that failed, one a worker wrote itself, or one already kept is left alone."""
    path = path_of(out, book)
    if book["error"] or "bytes" not in book or path.exists():
        return
    _placed(path, lambda temporary: temporary.write_bytes(book["bytes"]))


def opened(book: dict) -> bytes | Path:
    """What a run branches from: the book's file, or its bytes."""
    return Path(book["path"]) if "path" in book else book["bytes"]


def _placed(path: Path, write) -> None:
    """`write(temporary)` a new file beside `path`, then rename it into place: a reader never sees
    half a book. A temporary left by an interrupted attempt is this sweep's own, and replaced."""
    path.parent.mkdir(exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.unlink(missing_ok=True)
    write(temporary)
    os.replace(temporary, path)
