"""A book kept in a file (CSV, Excel workbook or Parquet: `scenarios.book.format`) as the book a
stress run starts from: the parameter `book_from` naming the file, `book_at` the day it stands at,
BTC at `btc_usd` (0: the market path's first price). The book is imported at the run's start
(`lanasim import`'s rules), its ids drawn from `book_seed` as a drawn book's are, after which the run
continues as the run of its own seed; so every seed of a sweep stresses the same imported book,
which the sweep imports once and branches per seed, to the journal `lanasim run SCENARIO --from
BOOK --at DATE --seed N` writes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from engine.bank.importer import Position, import_positions
from engine.kernel.clock import check_start
from engine.kernel.errors import StartOutOfRange
from scenarios.book.export import as_of_iso
from scenarios.book.format import Note, read_book
from scenarios.book.sheet import BOOK_SUFFIXES
from scenarios.library.params import ScenarioError

__all__ = ["digest", "is_book_file", "key", "opened", "positions", "settings", "source", "start"]

_READ: dict[tuple, list[Position]] = {}  # the last book read: a sweep checks every cell's parameters
_DIGESTS: dict[tuple, str] = {}


def is_book_file(book_from: object) -> bool:
    """Whether `book_from` names a book file (by its suffix) rather than a journal or run directory."""
    return isinstance(book_from, str) and Path(book_from).suffix.lower() in BOOK_SUFFIXES


def source(book_from: str) -> Path:
    """The book file as an absolute path: a sweep's workers read it, and a rerun from elsewhere
    names the same file."""
    return Path(book_from).expanduser().resolve()


def start(book_from: str, book_at: str, label: str = "book_at=") -> str:
    """The instant the run starts at, where the book stands (`book_at` as journal text);
    `ScenarioError` when there is none, or one no simulation starts at (naming it as `label` does:
    `--at ` on the command line)."""
    if not book_at:
        raise ScenarioError(f"book_from={book_from} is a book file: it needs book_at=DATE, the day the book "
                            "stands at (--at DATE)")
    at = as_of_iso(book_at)
    try:
        check_start(at)
    except StartOutOfRange as refused:
        raise ScenarioError(f"{label}{book_at}: {refused}") from None
    return at


def settings(book_from: str, at: str | None, given: Iterable[str] = (), note: Note | None = None) -> dict[str, str]:
    """`--from BOOK --at DATE` as the parameters they stand for (`held.settings` for a journal): the
    file's absolute path and the instant. Refused before anything is written: no `--at`, one no
    simulation starts at, a `--set KEY=VALUE` (`given`) of a drawn book's parameter or of one these
    set, and a bad book (`BookRefused`, every problem named; `note` is told of a likely mistake)."""
    from scenarios.book import held

    if at is None:
        raise ScenarioError(f"--from {book_from} needs --at DATE (the day the book stands at)")
    given = list(given)
    held.no_book_params(given)
    held.not_set_twice(given)
    instant = start(book_from, at, label="--at ")  # the instant, as the report shows it
    positions(book_from, instant, note)
    return {"book_from": str(source(book_from)), "book_at": instant}


def _identity(path: Path) -> tuple:
    try:
        stat = path.stat()
    except OSError:
        return (str(path),)  # read_book names what is wrong with it
    return str(path), stat.st_size, stat.st_mtime_ns


def positions(book_from: str, book_at: str, note: Note | None = None) -> list[Position]:
    """Every row of the book as it stands at `book_at`, or `BookRefused` naming each bad row. The
    last book read is kept (by path, size, modification time and day): a sweep checks the
    parameters of every cell, and its book task reads it again."""
    path = source(book_from)
    day = date.fromisoformat(start(book_from, book_at)[:10])
    identity = (*_identity(path), day)
    if note is None and identity in _READ:
        return _READ[identity]
    found = read_book(path, day, note)
    _READ.clear()
    _READ[identity] = found
    return found


def digest(book_from: str) -> str:
    """The SHA-256 of the book file's bytes (kept by path, size and modification time)."""
    path = source(book_from)
    identity = _identity(path)
    found = _DIGESTS.get(identity)
    if found is None:
        sha = hashlib.sha256()
        with path.open("rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                sha.update(block)
        found = _DIGESTS[identity] = sha.hexdigest()
    return found


def key(book_from: str, book_at: str, price_cents: int, book_seed: int) -> str:
    """What identifies the imported book: the file's bytes (a hash: an edited book is another
    book, which a sweep's rerun runs again), the instant, the price and the seed of its ids."""
    text = f"{digest(book_from)}\x1f{start(book_from, book_at)}\x1f{price_cents}\x1f{book_seed}"
    return "from-file-" + hashlib.sha256(text.encode()).hexdigest()[:16]


def opened(sim, book_from: str, book_at: str, price_cents: int, book_seed: int) -> list[str]:
    """Import the book into `sim` (a fresh simulation standing at `start(book_from, book_at)`), its
    entity ids drawn from `book_seed`, then continue as the run of `sim`'s own seed; the book's key,
    facilities, and where the run starts counting are kept in the journal's metadata. Returns the
    facilities in book order."""
    from scenarios.book import held

    book = positions(book_from, book_at)
    run_seed = sim.ids.seed
    sim.ids.reseed(book_seed)
    facilities = import_positions(sim, book, price_cents)
    sim.journal.set_meta(book={"key": key(book_from, book_at, price_cents, book_seed), "facilities": facilities},
                         run_from=held.run_from(sim))
    sim.ids.reseed(run_seed)
    return facilities
