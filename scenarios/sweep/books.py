"""The books of a sweep: each distinct book (the scenario's `book_key` of a run's parameters) is
opened once, on a worker, kept in `DIR/books/KEY-CODE.sqlite` for a rerun, and shipped by Dask to
every worker whose runs branch from it (each worker receives it once)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from scenarios.library import load_scenario, parse_params
from scenarios.sweep.plan import RunSpec

__all__ = ["BOOKS", "build", "cached", "keep", "path_of"]

BOOKS = "books"


def path_of(out: Path, book: dict) -> Path:
    """Where the sweep in `out` keeps `book` (named by its key and the code version that built it)."""
    return Path(out) / BOOKS / f"{book['key']}-{book['code']}.sqlite"


def build(spec: RunSpec) -> dict:
    """On a worker: open the book `spec` starts from; `bytes`, `build_s`, and `error` ('' when built)."""
    started, named = time.perf_counter(), {"key": spec.book, "code": spec.code}
    try:
        scenario = load_scenario(spec.scenario)
        data = scenario.build_book(parse_params(scenario, [f"{k}={v}" for k, v in spec.assignments]))
        return {**named, "bytes": data, "build_s": time.perf_counter() - started, "error": ""}
    except Exception as exc:
        error = (f"{type(exc).__name__}: {exc}".splitlines() or [""])[0][:500]
        return {**named, "bytes": b"", "build_s": time.perf_counter() - started, "error": error}


def cached(out: Path, spec: RunSpec) -> dict | None:
    """The book of `spec` an earlier attempt of this sweep kept, or None."""
    named = {"key": spec.book, "code": spec.code}
    path = path_of(out, named)
    if not path.is_file():
        return None
    return {**named, "bytes": path.read_bytes(), "build_s": 0.0, "error": ""}


def keep(out: Path, book: dict) -> None:
    """Write a built book under its own new name (a temporary file renamed into place); a book that
    failed, or one already kept, is left alone."""
    path = path_of(out, book)
    if book["error"] or path.exists():
        return
    path.parent.mkdir(exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(book["bytes"])
    os.replace(temporary, path)
