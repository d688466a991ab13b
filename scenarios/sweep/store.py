"""A sweep directory: `runs.parquet/` holds parts that are only ever added, `sweep.json` the
manifest naming the sweep, its planned run keys, the parts written so far and the books opened
(key -> seconds to open, bytes, error; `books/KEY-CODE.sqlite` keeps each for a rerun).

Every file is written under a temporary name and renamed into place, and a part counts only once
the manifest lists it, so an interrupted sweep leaves a consistent partial result. A directory
that holds something else, or another sweep, is refused before anything is written.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pandas as pd

from scenarios.library import ScenarioError
from scenarios.library.rundir import SWEEP_MANIFEST

__all__ = ["FORMAT", "Store", "is_sweep_dir", "read_manifest", "read_runs"]

FORMAT = "lanasim-sweep/1"
MANIFEST = SWEEP_MANIFEST
PARTS = "runs.parquet"
# what the outputs read from the runs, not what runs: a rerun may change it (the manifest keeps the latest)
READ_ONLY = ("metric",)


def is_sweep_dir(path) -> bool:
    """True when `path` holds a sweep's manifest."""
    try:
        found = json.loads((Path(path) / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    return isinstance(found, dict) and found.get("format") == FORMAT


def read_manifest(path: Path) -> dict:
    """The manifest, refused in one line when it lacks what every sweep writes (a KeyError traceback
    from `report` or a rerun otherwise)."""
    if not isinstance(path, str | os.PathLike) or isinstance(path, bytes):  # a TypeError from pathlib
        raise ScenarioError(f"a sweep directory is a path (str or Path), not {path!r}")
    file = Path(path) / MANIFEST
    try:
        text = file.read_text()
    except OSError as exc:  # FileNotFoundError, IsADirectoryError, PermissionError tracebacks from read_runs
        raise ScenarioError(f"{file}: no sweep manifest to read ({exc.strerror or type(exc).__name__}); give the "
                            "--out of a lanasim sweep (out= of run_sweep)") from None
    except UnicodeDecodeError as exc:  # garbled: not text
        raise ScenarioError(f"{file}: a damaged sweep manifest (not JSON: {str(exc).splitlines()[0][:120]}); "
                            "choose another --out (out=)") from None
    except ValueError as exc:  # a NUL or a lone surrogate in the path: no file has that name
        raise ScenarioError(f"{path!r}: holds no sweep (no file system names it: {exc})") from None
    try:
        manifest = json.loads(text)
    except ValueError as exc:  # cut short or garbled: JSONDecodeError tracebacks
        raise ScenarioError(f"{file}: a damaged sweep manifest (not JSON: {str(exc).splitlines()[0][:120]}); "
                            "choose another --out (out=)") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ScenarioError(f"{file}: not a lanasim sweep manifest (damaged, or another's); "
                            "choose another --out (out=)")
    lacking = [key for key in ("scenario", "design", "plan", "parts") if key not in manifest]
    if lacking:
        raise ScenarioError(f"{file}: a damaged sweep manifest (no {lacking[0]}); choose another --out (out=)")
    if not isinstance(manifest["parts"], list) or not all(isinstance(p, str) for p in manifest["parts"]):
        raise ScenarioError(f"{file}: a damaged sweep manifest (its parts are not a list of file names); "
                            "choose another --out (out=)")
    return manifest


def _part(path: Path) -> pd.DataFrame:
    """One part of the runs, refused in one line when it cannot be read (a damaged or deleted file:
    Parquet's ArrowInvalid traceback, or an error naming only the path, otherwise)."""
    if path.is_dir():  # pandas reads a directory as a dataset: no columns, a KeyError traceback later
        raise ScenarioError(f"{path}: a part of the sweep's runs that cannot be read (a directory, not a file); "
                            "choose another --out (out=)")
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as bad:
        why = bad if path.exists() else "no such file"
        raise ScenarioError(f"{path}: a part of the sweep's runs that cannot be read ({why}); "
                            "choose another --out (out=)") from None


def read_runs(path, *, planned_only: bool = True) -> pd.DataFrame:
    """Every recorded run (the latest row per key), restricted to the last plan by default."""
    manifest = read_manifest(path)  # first: a path that is no str or Path is refused there
    path = Path(path)
    frames = [_part(path / part) for part in manifest["parts"]]
    runs = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["key", "status"])
    runs = runs.drop_duplicates("key", keep="last")
    if planned_only:
        order = {key: i for i, key in enumerate(manifest["plan"])}
        runs = runs[runs["key"].isin(order)].sort_values("key", key=lambda k: k.map(order))
    return runs.reset_index(drop=True)


class Store:
    """Rows buffered in memory and flushed as a new part every `every` rows or `seconds`."""

    def __init__(self, path: Path, identity: dict, plan: list[str], *, meta: dict | None = None,
                 every: int = 64, seconds: float = 10.0):
        self.path, self.every, self.seconds = Path(path), every, seconds
        self.buffer: list[dict] = []
        self.flushed_at = time.monotonic()
        self.manifest = {"format": FORMAT, **identity, **(meta or {}), "plan": plan, "parts": []}

    @staticmethod
    def check(path: Path, identity: dict) -> list[str]:
        """Keys already recorded in `path`, or [] for a new directory; refuses (one line) a path
        that is not a directory, a non-empty directory that is no sweep, or another sweep."""
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise ScenarioError(f"--out (out=) {path} is a file, not a sweep directory")
        if not path.exists() or not any(path.iterdir()):
            return []
        if (path / MANIFEST).exists():
            read_manifest(path)  # a damaged one is named with its problem (it said "holds no sweep")
        if not is_sweep_dir(path):
            raise ScenarioError(f"--out (out=) {path} is not empty and holds no sweep; choose another directory")
        found, identity = read_manifest(path), json.loads(json.dumps(identity))
        mismatch = [k for k in identity if k not in READ_ONLY and found.get(k) != identity[k]]
        if mismatch:
            raise ScenarioError(f"--out (out=) {path} holds another sweep (they differ in {mismatch[0]}); "
                                "choose another directory")
        runs = read_runs(path, planned_only=False)
        return runs[runs["status"] != "lost"]["key"].tolist()

    def open(self) -> Store:
        (self.path / PARTS).mkdir(parents=True, exist_ok=True)
        if (self.path / MANIFEST).exists():
            earlier = read_manifest(self.path)
            self.manifest["parts"], self.manifest["books"] = earlier["parts"], earlier.get("books", {})
        self.manifest.setdefault("books", {})
        self._write_manifest()
        return self

    def add(self, row: dict) -> None:
        self.buffer.append(row)
        if len(self.buffer) >= self.every or time.monotonic() - self.flushed_at >= self.seconds:
            self.flush()

    def add_book(self, key: str, facts: dict) -> None:
        """List an opened book (its build time, size and error, if any) in the manifest at once."""
        self.manifest["books"][key] = facts
        self._write_manifest()

    def flush(self) -> None:
        """Write the buffered rows as a new part and list it in the manifest."""
        self.flushed_at = time.monotonic()
        if not self.buffer:
            return
        taken = [int(p.stem.split("-")[1]) for p in (self.path / PARTS).glob("part-*.parquet")]
        name = f"{PARTS}/part-{max(taken, default=-1) + 1:05d}.parquet"
        temporary = self.path / f"{name}.tmp"
        pd.DataFrame(self.buffer).to_parquet(temporary, index=False)
        os.replace(temporary, self.path / name)
        self.buffer = []
        self.manifest["parts"].append(name)
        self._write_manifest()

    def _write_manifest(self) -> None:
        temporary = self.path / f"{MANIFEST}.tmp"
        temporary.write_text(json.dumps(self.manifest, indent=1))
        os.replace(temporary, self.path / MANIFEST)
