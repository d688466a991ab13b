"""The book verbs of `lanasim`: import, export, fork, `show JOURNAL book` and `run --from`.

`register_cli(sub)` adds them to the main parser (after the journal verbs). Refusals end with
lines on stderr and exit status 2; no journal or book file is left behind by a refused command,
and none that exists is overwritten.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from domains.money import MAX_CENTS
from scenarios.book.sheet import BOOK_SUFFIXES
from scenarios.console import RunProgress, path_arg, working
from scenarios.library.params import ScenarioError, assignments

__all__ = ["register_cli"]


def register_cli(sub) -> None:
    imp = sub.add_parser("import", help="build a journal from a book file (or a Lana outbox export)")
    imp.add_argument("book", type=path_arg, nargs="?",
                     help="the book file: CSV, Excel (.xlsx) or Parquet (see README: Your own book)")
    imp.add_argument("--as-of", help="the date the book stands at: the journal's clock starts there")
    imp.add_argument("--price-usd", help="BTC price in USD at that date (at most 2 decimals)")
    imp.add_argument("--journal", type=path_arg, required=True, help="the new journal file (must not exist)")
    imp.add_argument("--seed", type=int, default=0,
                     help="the seed of the journal's ids and random streams (default 0)")
    imp.add_argument("--from-outbox", type=path_arg, metavar="EVENTS.jsonl",
                     help="rebuild the book from a Lana outbox export (`lanasim outbox` JSON Lines; - reads stdin)")
    imp.set_defaults(handler=_import)
    exp = sub.add_parser("export", help="write a journal's book as it stood at an instant")
    exp.add_argument("journal", type=path_arg, help="a journal file or a run directory")
    exp.add_argument("--as-of", help="ISO-8601 sim time (default: the journal's last instant)")
    exp.add_argument("--out", type=path_arg, required=True,
                     help="the book file to write (must not exist): CSV, or Parquet if "
                          "named .parquet; - : CSV to standard output")
    exp.set_defaults(handler=_export)
    fork = sub.add_parser("fork", help="copy a journal's history up to an instant into a new journal")
    fork.add_argument("journal", type=path_arg, help="a journal file or a run directory")
    fork.add_argument("--at", help="ISO-8601 sim time (default: the journal's last instant)")
    fork.add_argument("--journal", type=path_arg, dest="new", required=True,
                      help="the new journal file (must not exist)")
    fork.set_defaults(handler=_fork)
    _extend_show(sub.choices["show"])
    _extend_run(sub.choices["run"])


def _journal(path: str) -> str:
    """A journal file, or the journal of a run directory, checked to be a lanasim journal no one is
    writing (`NotALanasimJournal`, `JournalLocked`: the file named in one line)."""
    from scenarios.library.rundir import journal_meta, journal_of

    journal = journal_of(path)
    journal_meta(Path(journal))
    return journal


_NAMED = {".csv": "csv", ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "xlsx", ".xls": "xlsx",
          ".json": "json", ".jsonl": "json", ".sqlite": "sqlite", ".sqlite3": "sqlite", ".db": "sqlite",
          ".feather": "arrow", ".arrow": "arrow"}  # extension -> the format it says
_FORMAT = {"csv": ("CSV", ".csv"), "parquet": ("Parquet", ".parquet"), "sqlite": ("an SQLite journal", ".sqlite")}


def _new_file(path: str, kind: str | None = None, hint: str = "") -> Path:
    """`path` as a new file to write: refused if it exists, or if another lanasim is writing it now
    (`BeingWritten`: before, the second import of a book to one name was refused only once it had
    imported the whole book). With the `kind` written (csv, parquet, sqlite), also refused if its name
    says another format: `export --out book.parquet` wrote CSV that pandas' `read_parquet` then
    refused, and `import --journal book.csv` a journal that a spreadsheet then opened as text."""
    from engine.kernel.aside import refuse_other_writer

    target = Path(path)
    named = _NAMED.get(target.suffix.lower())
    if kind is not None and named is not None and named != kind:
        written, suffix = _FORMAT[kind]
        raise ScenarioError(f"{path}: this writes {written}, which a {target.suffix} name would hide; "
                            f"name it {suffix}{hint if named == 'parquet' else ''}")
    if target.exists():
        raise ScenarioError(f"{path}: exists already; choose a new file (lanasim never overwrites it)")
    if not target.parent.is_dir():
        raise ScenarioError(f"{path}: no such directory {target.parent}")
    refuse_other_writer(path)
    return target


def _cents(text: str | None, flag: str) -> int:
    if text is None:
        raise ScenarioError(f"{flag} is required (the BTC price the book is valued at)")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ScenarioError(f"{flag} expects a number of USD, got {text!r}") from None
    if value.is_finite() and value * 100 > MAX_CENTS:  # first: 1e30's quantize raised decimal.InvalidOperation
        raise ScenarioError(f"{flag} must be at most 10,000,000,000,000 USD a BTC, got {text}")
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise ScenarioError(f"{flag} must be above 0 with at most 2 decimals, got {text}")
    return int(value * 100)


def _import(args: argparse.Namespace) -> int:
    from engine.bank.importer import import_chunks
    from engine.kernel.aside import written_aside
    from engine.kernel.errors import EngineError
    from engine.simulation import Simulation
    from scenarios.book.format import BookRefused

    source = args.from_outbox or args.book
    if args.from_outbox and (args.book or args.as_of or args.price_usd):
        raise ScenarioError("--from-outbox takes the date and price from the export: no BOOK, --as-of, --price-usd")
    if not args.from_outbox and (not args.book or not args.as_of):
        raise ScenarioError("import needs BOOK (.csv, .xlsx or .parquet) and --as-of DATE (and --price-usd P), "
                            "or --from-outbox EVENTS.jsonl")
    journal = _new_file(args.journal, "sqlite")
    if not _readable(source, stream=bool(args.from_outbox)):
        raise ScenarioError(f"{source}: {_not_a_file(Path(source))}")
    try:
        with working(f"checking {source}"):  # a whole book read before anything is written: seconds for a big one
            chunks, count, as_of, price = _read(args)
    except BookRefused as refused:
        return _refused(source, refused.problems, "no journal written")
    started, progress = time.perf_counter(), RunProgress()
    exists = lambda: ScenarioError(f"{journal}: exists already; choose a new file (lanasim never overwrites it)")
    partial = ""  # none yet: a writer found as this one starts (`BeingWritten`) is named as it is
    try:  # written aside and put in place whole: an import killed on the way leaves no part of a book as one
        with written_aside(str(journal), exists) as partial, \
                Simulation(seed=args.seed, start=as_of.isoformat(), journal=partial) as sim:
            sim.journal.set_meta(book=str(source))
            import_chunks(sim, _reporting(chunks, count, progress), price)
    except EngineError as failed:  # a full disk: named by the journal asked for, not the partial file
        raise _named(failed, partial, str(journal)) from None
    finally:
        progress.close()
    print(f"imported {_facilities(count)} into {journal} as of {as_of} at {_price(price)} "
          f"({time.perf_counter() - started:.1f} s)")
    return 0


def _named(failed: Exception, partial: str, journal: str) -> Exception:
    """`failed` naming `journal` where it names the partial file the import wrote."""
    fields = getattr(failed, "fields", {})
    if fields.get("path") != partial:
        return failed
    return type(failed)(**{**fields, "path": journal})


def _readable(source: str, *, stream: bool) -> bool:
    """A regular file; for an outbox export, read once, also `-` (stdin) or a pipe (`/dev/stdin`,
    `<(lanasim outbox ...)`). A book file is read twice (checked whole, then imported), so a file."""
    path = Path(source)
    return path.is_file() or (stream and (source == "-" or path.is_fifo() or path.is_char_device()))


def _not_a_file(path: Path) -> str:
    """Why `path` is no book file to read: none there, or a directory (`scenarios.book.sheet.directory`)."""
    from scenarios.book.sheet import directory

    return directory(path) if path.is_dir() else "no such file" if not path.exists() else "not a file"


def _refused(source: str, problems: list, written: str) -> int:
    """A refused book on stderr, a line per problem (one line for one problem; one for a problem
    that many rows share, naming them: `scenarios.book.sheet.grouped`); exit status 2."""
    from scenarios.book.sheet import grouped

    if len(problems) == 1:
        print(f"lanasim: error: {source}: {problems[0]}; refused, {written}", file=sys.stderr)
        return 2
    for line in grouped(problems):
        print(f"lanasim: error: {source}: {line}", file=sys.stderr)
    print(f"lanasim: error: {source}: refused ({len(problems):,} problems); {written}", file=sys.stderr)
    return 2


def _reporting(chunks: Iterable[list], count: int, progress: RunProgress) -> Iterator[list]:
    """The chunks, with the share imported reported on stderr before each next one is read (a bar
    on a terminal, a line per tenth otherwise): a 100,000-facility book takes minutes."""
    done = 0
    for chunk in chunks:
        yield chunk
        done += len(chunk)
        progress(done / max(count, 1), f"{done:,} of {_facilities(count)}")


def _read(args: argparse.Namespace) -> tuple[Iterable[list], int, date, int]:
    """(the positions a chunk at a time, how many, the date, the price): a book file is checked whole
    first (refused before any journal exists), then read again a chunk at a time while importing."""
    from engine.kernel.clock import check_start
    from engine.kernel.errors import StartOutOfRange
    from scenarios.book.format import book_chunks, check_book
    from scenarios.book.outbox import read_outbox

    if args.from_outbox:  # imported a chunk at a time, as a book file is (each chunk's actors released after it)
        positions, as_of, price = read_outbox(args.from_outbox)
        from scenarios.book.format import CHUNK

        chunks = [positions[i:i + CHUNK] for i in range(0, len(positions), CHUNK)]
        return chunks, len(positions), as_of, price
    try:
        as_of = date.fromisoformat(args.as_of)
        check_start(as_of)  # the journal's clock starts there
    except ValueError:
        raise ScenarioError(f"--as-of expects a date YYYY-MM-DD, got {args.as_of!r}") from None
    except StartOutOfRange as refused:
        raise ScenarioError(f"--as-of {args.as_of}: {refused}") from None
    price = _cents(args.price_usd, "--price-usd")
    return book_chunks(args.book, as_of), check_book(args.book, as_of, _noting(args.book)), as_of, price


def _noting(source: str) -> Callable[[str], None]:
    """What a command prints of a book it accepted that holds a likely mistake (a rate written as a
    fraction), on stderr before it imports: a note, not a refusal, so the exit status is the run's."""
    return lambda note: print(f"lanasim: note: {source}: {note}", file=sys.stderr)


def _export(args: argparse.Namespace) -> int:
    from scenarios.book.export import awaiting_disbursals, book_rows, branch_at
    from scenarios.book.format import write_book

    named = _NAMED.get(Path(args.out).suffix.lower())  # a book is CSV, or Parquet named so
    out = None if args.out == "-" else _new_file(args.out, "parquet" if named == "parquet" else "csv")  # -: stdout
    with working(f"reading the book of {args.journal}"), \
            branch_at(_journal(args.journal), args.as_of, "no book is exported") as sim:
        awaiting = awaiting_disbursals(sim)
        rows = book_rows(sim, awaiting)
    if awaiting:  # on stderr, as an import's notes: the book itself may be going to standard output
        from scenarios.analysis.units import usd

        print(f"lanasim: note: {len(awaiting):,} disbursal(s) of {usd(sum(awaiting.values()))} in all await approval "
              "or settlement: not in the book's disbursed_usd (nothing of them was paid out)", file=sys.stderr)
    if out is None:
        _book_to_stdout(rows)
        print(f"wrote {_facilities(len(rows))} to standard output", file=sys.stderr)
        return 0
    write_book(rows, out)  # a new file (CSV in UTF-8 whatever the locale, or Parquet), removed if writing fails
    print(f"wrote {_facilities(len(rows))} to {out}")
    return 0


def _book_to_stdout(rows) -> None:
    """The book's CSV on standard output in UTF-8 (what `import` reads), whatever the locale says."""
    from scenarios.book.format import write_book

    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        write_book(rows, sys.stdout)
        return
    sys.stdout.flush()  # what was written as text goes first
    text = io.TextIOWrapper(buffer, encoding="utf-8", newline="", write_through=True)
    try:
        write_book(rows, text)
    finally:
        text.flush()
        text.detach()  # standard output stays open


class _Aggregates:
    """The bank's aggregates, imported when a fork iterates them: only a cut before the journal's
    last instant reindexes entities (with their domains' rules); a cut at its end copies rows only,
    and importing every domain for it was a quarter of `lanasim fork`'s time on a 10,000-facility book."""

    def __iter__(self) -> Iterator[Any]:
        from engine.bank import modules

        return iter(modules.aggregates())


def _fork(args: argparse.Namespace) -> int:
    from engine.kernel.chain_check import intact_meanwhile
    from engine.kernel.codec import loads
    from engine.kernel.fork import fork_journal, open_source
    from scenarios.book.export import as_of_iso

    new = _new_file(args.new, "sqlite")
    journal = _journal(args.journal)
    source = open_source(journal)
    try:  # a fork re-seals the rows (an edit would verify after it): the chain is checked while they are copied
        with intact_meanwhile(journal) as checked:
            meta = {k: loads(v) for k, v in source.execute("SELECT key, value FROM lanasim_meta")}
            at = as_of_iso(args.at) if args.at else str(meta.get("now", meta.get("start")))
            fork_journal(source, str(new), at, _Aggregates(), before_place=checked)
    finally:
        source.close()
    print(f"forked {args.journal} at {at} into {new}")
    return 0


def _extend_show(show: argparse.ArgumentParser) -> None:
    """`show JOURNAL book [--as-of T] [--csv F | --parquet F]`: the id becomes optional."""
    for action in show._actions:
        if action.dest == "id":
            action.nargs, action.default = "?", None
    show.add_argument("--csv", type=path_arg,
                      help="book view: also write the table as CSV (- : to stdout, instead of the table)")
    show.add_argument("--parquet", type=path_arg, help="book view: also write the table as Parquet")
    entity_view = show.get_default("handler")

    def handler(args: argparse.Namespace) -> int:
        if args.kind != "book":
            if args.csv or args.parquet:
                raise ScenarioError(f"--csv and --parquet write the book view (show JOURNAL book), not {args.kind}")
            return entity_view(args)
        if args.id is not None:
            raise ScenarioError(f"show JOURNAL book takes no id; got {args.id!r}")
        return _show_book(args)

    show.set_defaults(handler=handler)


def _show_book(args: argparse.Namespace) -> int:
    import pandas as pd
    from rich.table import Table

    from scenarios.book.export import book_summary, branch_at, portfolio_rows
    from scenarios.console import stdout_console

    if args.as_of is not None and not args.as_of.strip():  # a script's unset variable: not "now"
        raise ScenarioError("--as-of is empty: give an instant (2024-06-01, 2024-06-01T12:00:00Z) or leave it out")
    if args.parquet == "-":
        raise ScenarioError("--parquet - : Parquet is binary; write it to a file (--csv - writes CSV to stdout)")
    to_stdout = args.csv == "-"
    targets = [(_new_file(path, kind, " (or write it with --parquet)"), kind)
               for path, kind in ((args.csv, "csv"), (args.parquet, "parquet"))
               if path and path != "-"]
    with working(f"reading the book of {args.journal}"), branch_at(_journal(args.journal), args.as_of) as sim:
        at, rows, price = sim.clock.iso, portfolio_rows(sim), sim.price.current()
    frame = pd.DataFrame(rows, columns=["facility_id", "status", "state", "cvl_pct", "outstanding_cents",
                                        "collateral_sats"])
    frame["cvl_pct"] = frame["cvl_pct"].astype("Int64")  # the bank's CVL: whole percent (empty: infinite)
    for target, kind in targets:  # both checked before either is written
        _write_table(frame, target, kind)
    if to_stdout:  # the rows as the CSV file holds them, for a program reading the pipe
        frame.to_csv(sys.stdout, index=False)
        return 0
    console = stdout_console()
    if frame.empty:
        print(f"book as of {at}: no open facilities")
        return 0
    if not console.is_terminal:  # a pipe or a file: the same columns as plain text, at pandas' speed
        shown = frame.astype(object).fillna("")  # an infinite CVL an empty cell (na_rep leaves Int64's <NA>)
        print(f"book as of {at}\n{shown.to_string(index=False)}\n{book_summary(rows, price)}")  # (rich took 8 s
        return 0  # for 20,000 rows)
    table = Table(*frame.columns, title=f"book as of {at}", box=None)
    for row in frame.itertuples(index=False):
        table.add_row(*("" if v is None or v != v else str(v) for v in row))
    console.print(table)
    console.print(book_summary(rows, price), highlight=False)
    return 0


def _write_table(frame, target: Path, kind: str) -> None:
    """The book view to a new file, written aside and put in place whole: a full disk left the part
    written under the name (a 64 KiB CSV of a 112 KiB table) and said only `[Errno 28] No space left
    on device`; now it is one line naming the file, and nothing is left."""
    from engine.kernel.aside import written_aside
    from scenarios.book.sheet import unusable

    exists = lambda: ScenarioError(f"{target}: exists already; choose a new file (lanasim never overwrites it)")
    try:
        with written_aside(str(target), exists) as partial:
            if kind == "csv":
                frame.to_csv(partial, index=False)
            else:
                frame.to_parquet(partial, index=False, schema=_book_schema())
    except OSError as failed:
        raise ScenarioError(f"{target}: {unusable(failed)}; nothing written") from None


def _book_schema():
    """The book table's Parquet types, given rather than inferred: a book with no open facility (every
    one closed by then, or none yet) wrote its ids and amounts as Parquet's `null` type, which a program
    stacking the books of several dates read as objects."""
    import pyarrow as pa

    text, whole = pa.large_string(), pa.int64()
    return pa.schema([("facility_id", text), ("status", text), ("state", text), ("cvl_pct", whole),
                      ("outstanding_cents", whole), ("collateral_sats", whole)])


def _facilities(count: int) -> str:
    """`1 facility`, `2 facilities`: an import or export of one facility said `1 facilities`."""
    return f"{count:,} facilit{'y' if count == 1 else 'ies'}"


def _price(cents: int) -> str:
    """`$60,000`, `$60,000.50`: the price an import stands at, as --price-usd gave it; Decimal's text of
    60000.5 printed `$60,000.5`."""
    dollars, rest = divmod(cents, 100)
    return f"${dollars:,}" + (f".{rest:02d}" if rest else "") + " per BTC"


def _extend_run(run: argparse.ArgumentParser) -> None:
    """`run SCENARIO --from JOURNAL_OR_BOOK [--at T]`: a stress on a branch instead of a synthetic book."""
    run.add_argument("--from", type=path_arg, dest="from_", metavar="JOURNAL_OR_BOOK",
                     help="run on a branch of this journal (or run directory) or on this imported book file "
                          "(.csv, .xlsx, .parquet)")
    run.add_argument("--at", help="with --from: the instant to branch at (a book: the date it stands at)")
    synthetic = run.get_default("handler")

    def handler(args: argparse.Namespace, progress) -> int:
        if not args.from_:
            if args.at is not None:
                raise ScenarioError("--at needs --from JOURNAL_OR_BOOK (what stands at that instant)")
            return synthetic(args, progress)
        from scenarios.library import load_scenario

        _from_needs_a_scenario(args)
        load_scenario(args.scenario).require_stress("--from")
        if Path(args.from_).suffix.lower() in BOOK_SUFFIXES:
            from scenarios.book.format import BookRefused

            try:
                return _run_from(args, progress)
            except BookRefused as refused:
                return _refused(args.from_, refused.problems, "nothing run")
        # a journal's book: the scenario run with book_from/book_at, with that run's Ctrl-C, resume and output
        from scenarios.book.held import settings

        args.set = [*args.set, *(f"{k}={v}" for k, v in settings(args.from_, args.at, args.set).items())]
        args.out = args.out or f"out/{args.scenario}-from-seed{0 if args.seed is None else args.seed}"
        return synthetic(args, progress)

    run.set_defaults(handler=handler)


def _from_needs_a_scenario(args: argparse.Namespace) -> None:
    """`--from` with `--resume`, or with no SCENARIO, was looked up as the scenario None and ended in
    an AttributeError traceback. A resumed run's book is the one its journal records."""
    if args.resume:
        raise ScenarioError("--resume continues the run on the book its journal records; drop --from/--at")
    if args.scenario is None:
        raise ScenarioError("run --from needs a SCENARIO: stress or one of its presets (lanasim scenarios)")


def _run_from(args: argparse.Namespace, progress) -> int:
    from scenarios.book.branch import run_from
    from scenarios.cli import _chain_head, _print_summary, guarded

    params = assignments(args.set)
    seed = 0 if args.seed is None else args.seed  # `run`'s default, as a synthetic run's
    run_dir = Path(args.out or f"out/{args.scenario}-from-seed{seed}")
    summary = guarded(lambda: run_from(args.scenario, args.from_, at=args.at, seed=seed, params=params,
                                       run_dir=run_dir, force=args.force, progress=progress,
                                       note=_noting(args.from_)),
                      run_dir, progress, args.process_ends)  # Ctrl-C as in every run: it said only "interrupted"
    if isinstance(summary, int):
        return summary
    progress.close()
    _print_summary(run_dir, summary, as_json=args.json, title=f"{args.scenario} from {args.from_} seed {seed}")
    # the head `verify --expect-head` checks: a run from a book printed none, nor its report's path
    print(f"chain head: {_chain_head(run_dir / 'journal.sqlite')}", file=sys.stderr if args.json else sys.stdout)
    return 0
