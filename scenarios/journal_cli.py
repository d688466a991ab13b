"""`lanasim outbox`, `show`, `verify` and `trial-balance`: a journal read-only, as JSON Lines, one
entity's state (optionally as of a sim time), the integrity report, and the trial balance of a
period as CSV (the `trial-balance` report's columns); a bad argument is one line on stderr and exit
status 2 (`verify`: 1 when a check fails)."""

from __future__ import annotations

import argparse
import csv
import json
import re
import sqlite3
import sys
from collections.abc import Callable
from datetime import date, timedelta

from engine.kernel.errors import UnknownEventType
from scenarios.console import fail, path_arg, working
from scenarios.library.rundir import journal_of

__all__ = ["register_cli"]


def _cursor(text: str) -> int:
    """`--after`'s sequence: a whole number, 0 (the default) or more. A negative one was read as 0 without
    a word (`--after -5` printed the whole outbox), where a consumer's cursor is never below 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number: an envelope's sequence") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is below 0: a sequence is 0 (the start) or more")
    return value


def register_cli(sub) -> None:
    outbox = sub.add_parser("outbox", help="print a journal's outbox as JSON Lines")
    outbox.add_argument("journal", type=path_arg, help="a journal file or a run directory")
    outbox.add_argument("--after", type=_cursor, default=0, metavar="SEQUENCE",
                        help="only envelopes after this sequence (a consumer's cursor)")
    outbox.add_argument("--type", action="append", dest="types", metavar="EVENT_TYPE",
                        help="only envelopes of this type (repeat for several)")
    outbox.set_defaults(handler=_outbox)
    show = sub.add_parser("show", help="print an entity's state, optionally as of a sim time")
    show.add_argument("journal", type=path_arg, help="a journal file or a run directory")
    show.add_argument("kind", help="an entity kind, or repayment-plan / history (of a facility id)")
    show.add_argument("id", help="the entity's id (a facility id for repayment-plan and history; none for book)")
    show.add_argument("--as-of", help="ISO-8601 sim time")
    show.set_defaults(handler=_show)
    verify = sub.add_parser("verify", help="check a journal read-only: integrity, hash chain, derived tables",
                            epilog="exit status: 0 every check passed; 1 a check failed (an edited, reordered or "
                                   "truncated journal; the report names the first bad row); 2 nothing to check "
                                   "(no such file, not a lanasim journal, another lanasim version's, unreadable) "
                                   "or a bad argument, said in one line on stderr")
    verify.add_argument("journal", type=path_arg, help="a journal file or a run directory")
    verify.add_argument("--expect-head", metavar="HEAD",
                        help="a chain head printed earlier by `lanasim run` or `verify`: detects a truncated tail")
    verify.add_argument("--json", action="store_true", help="print the report as JSON")
    verify.set_defaults(handler=_verify)
    tb = sub.add_parser("trial-balance", help="a journal's trial balance over a period, as CSV")
    tb.add_argument("journal", type=path_arg, help="a journal file or a run directory")
    tb.add_argument("--from", dest="from_", metavar="DAY",
                    help="first day, YYYY-MM-DD, included (default: the 1st of --until's month)")
    tb.add_argument("--until", metavar="DAY", help="last day, YYYY-MM-DD, included (default: the journal's last day)")
    tb.add_argument("--by", choices=("account", "code"), default="account",
                    help="a line per account (default), or per chart node as Lana's trial balance shows it: "
                         "each code and its parents, every account filed under it rolled up")
    tb.set_defaults(handler=_trial_balance)



def _outbox(args: argparse.Namespace) -> int:
    from engine.inspect import open_readonly
    from engine.kernel.chain_check import require_intact
    from engine.kernel.codec import dumps

    with open_readonly(journal_of(args.journal)) as view:
        # an edited envelope would import (`import --from-outbox`) into a journal that verifies
        require_intact(view.journal.conn, journal_of(args.journal), "its outbox is not written")
        try:
            envelopes = view.outbox_reader.stream(after=args.after, types=args.types)  # types checked here
        except UnknownEventType as exc:
            close = exc.fields.get("close")
            return fail(_unknown_type(str(exc.fields["name"]), close if isinstance(close, tuple) else ()))
        out = _utf8_stdout()
        for envelope in envelopes:  # read as written: never held whole
            out(dumps(envelope) + "\n")
    return 0


def _unknown_type(name: str, close: tuple[str, ...]) -> str:
    """`--type NAME: unknown event type; ` and the nearest types (the error's `close`), else its
    module's, else the modules."""
    from engine.bank.catalog import EVENT_TYPES

    if close:
        return f"--type {name}: unknown event type; did you mean {' or '.join(close)}? (UnknownEventType)"
    module = name.rpartition(".")[0]
    same = sorted(t for t in EVENT_TYPES if t.rpartition(".")[0] == module)
    known = f"its module's: {', '.join(same)}" if same else \
        f"the modules: {', '.join(sorted({t.rpartition('.')[0] for t in EVENT_TYPES}))}"
    return f"--type {name}: unknown event type; {known} (UnknownEventType)"


def _utf8_stdout() -> Callable[[str], object]:
    """A writer of JSON text to standard output as UTF-8 (JSON's encoding), whatever the locale says:
    under LC_ALL=C with PYTHONUTF8=0, or a Latin-1 locale, an email such as zoë@… would otherwise stop
    the output with UnicodeEncodeError or come out in another encoding."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None or (sys.stdout.encoding or "").lower().replace("-", "") == "utf8":
        return sys.stdout.write
    sys.stdout.flush()  # what was written as text goes first
    return lambda text: buffer.write(text.encode("utf-8"))


def _show(args: argparse.Namespace) -> int:
    from engine.inspect import VIEWS, open_readonly
    from engine.kernel.chain_check import require_intact
    from engine.kernel.codec import dumps
    from engine.kernel.errors import UnknownEntity
    from engine.kernel.fork import check_within
    from scenarios.book.export import as_of_iso

    as_of = None if args.as_of is None else as_of_iso(args.as_of)  # no instant (an empty $T too): one line
    with open_readonly(journal_of(args.journal)) as view:
        if args.kind not in view.kinds and args.kind not in VIEWS:
            known = ", ".join(sorted([*view.kinds, *VIEWS, "book"]))
            return fail(f"unknown kind {args.kind!r}; known: {known} (UnknownKind)")
        if args.id is None:  # after the kind: `show J nosuch` was told it needed an id, not that no such kind exists
            return fail(f"show {args.kind} needs an entity id")
        if as_of is not None:
            check_within(view.journal.conn, as_of)  # as `show JOURNAL book`, `export` and `fork` refuse it
        try:
            shown = view.entity(args.kind, args.id, as_of=as_of)
        except UnknownEntity:
            created = view.journal.created_at(args.kind, args.id) if as_of else None
            if created is None:
                raise
            # it exists, only later: "unknown entity" sent the user looking for a misspelt id
            return fail(f"{args.kind} {args.id} did not exist yet at {as_of}: it was created at {created}")
        except (ValueError, KeyError, TypeError):  # a stored row that no longer decodes was a traceback:
            require_intact(view.journal.conn, journal_of(args.journal), "it is not shown")  # named, if damaged
            raise  # the journal is whole: not its fault
        _utf8_stdout()(dumps(shown) + "\n")
    return 0


_HEAD = re.compile(r"[0-9a-f]{64}")
"""A chain head as printed: a SHA-256 in hex. Anything else (a head cut to 8 digits as digests are
quoted, a typo) was checked as a head and reported the journal `truncated or rewritten`, exit 1:
a bad argument read as tampering."""

_DAMAGE = ("SQLITE_ERROR", "SQLITE_CORRUPT", "SQLITE_SCHEMA", "SQLITE_MISMATCH", "SQLITE_FORMAT")
"""Errors of a journal that opened as one but cannot be read whole (a table dropped, a page damaged):
`verify` says `not ok` (exit status 1) rather than that there is nothing to check (a lock, a read error)."""


def _verify(args: argparse.Namespace) -> int:
    from engine.inspect import open_readonly

    head = args.expect_head
    if head is not None and not _HEAD.fullmatch(head.strip().lower()):
        return fail(f"--expect-head {head!r} is no chain head: give the 64 hex digits `lanasim run` or "
                    "`verify` printed after 'chain head:'")
    try:
        with open_readonly(journal_of(args.journal)) as view, working(f"verifying {args.journal}"):
            report = view.verify(expect_head=None if head is None else head.strip().lower())
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorname", None) not in _DAMAGE:
            raise
        found = _undecodable(journal_of(args.journal))  # a damaged byte in a stored text: its table and row
        bad = {"table": "sqlite", "key": "-", "problem": str(exc)}  # as the checks word a table they cannot read
        if found is not None:
            bad = {"table": found.table, "key": found.key, "problem": found.problem}
        report = {"ok": False, "first bad row": bad, "problems": [f"{bad['table']} {bad['key']}: {bad['problem']}"]}
    if args.json:
        sys.stdout.write(json.dumps(report) + "\n")
        return 0 if report["ok"] else 1
    _print_verdict(report)
    return 0 if report["ok"] else 1


def _undecodable(journal: str):
    """The first row of `journal` holding text that is not UTF-8 (`engine.kernel.verify.undecodable_row`),
    read on a connection of its own; None when there is none."""
    from engine.kernel.readonly import connect_readonly
    from engine.kernel.verify import undecodable_row

    conn = connect_readonly(journal)
    try:
        return undecodable_row(conn)
    finally:
        conn.close()


def _print_verdict(report: dict) -> None:
    """The verdict once, on the first line (`ok`, or `not ok: TABLE KEY: PROBLEM` naming the first bad
    row), then the report's other figures as `key: value`. The `ok: True` and `first bad row: ...`
    lines that followed said the first line again (`ok` then `ok: True`); `--json` keeps both keys,
    which a program reads as fields, not as repeated lines. Without `--expect-head` there is no line for
    it (it printed `expected head found: None`)."""
    bad = report["first bad row"]
    print("ok" if report["ok"] else f"not ok: {bad['table']} {bad['key']}: {bad['problem']}")
    for key, value in report.items():
        if key not in ("ok", "first bad row") and not (key == "expected head found" and value is None):
            print(f"{key}: {value}")  # no --expect-head: no `expected head found: None`, read as a failed check


def _note_no_data_after(journal: str, last: date, until: date) -> None:
    """Say on stderr (the CSV on stdout stays what a program reads) that the days of the period after
    the journal's last day hold no data, and that the figures run to that day. A period past the
    journal's end printed a trial balance for it without a word: the README's own example (March
    2020 on a run that ends on the 26th) read as a month's figures. A period that starts after the
    last day is refused instead: it holds no data at all."""
    print(f"lanasim: note: {journal} ends on {last}: {last + timedelta(days=1)} .. {until} has no data; "
          f"the figures run to {last}", file=sys.stderr)


def _note_nothing_posted_by(journal: str, conn: sqlite3.Connection, until: date) -> None:
    """Say on stderr that nothing is posted by `until`, and when the first posting is dated. A period
    before the journal's book (a year mistyped: `--until 2019-03-31` of a 2020 run) printed the header
    alone without a word. Not refused: an imported book has postings dated before its journal starts."""
    first = conn.execute("SELECT MIN(effective) FROM ledger_transactions").fetchone()[0]
    since = f"its first posting is dated {str(first)[:10]}" if first else "it has no postings"
    print(f"lanasim: note: {journal}: nothing is posted by {until}; {since}", file=sys.stderr)


def _trial_balance(args: argparse.Namespace) -> int:
    from domains.accounting.chart_view import CHART_COLUMNS, chart_rows
    from domains.accounting.period_balances import COLUMNS, InvalidPeriod
    from engine.inspect import open_readonly

    with open_readonly(journal_of(args.journal)) as view:
        try:
            period = view.trial_balance(args.from_, args.until)
        except InvalidPeriod as bad:
            if bad.fields["argument"] == "until" and args.until is None:  # not the user's --until: the default
                return fail(f"--from {args.from_}: after the journal's last day, {bad.fields['value']} (InvalidPeriod)")
            flag = "--from" if bad.fields["argument"] == "from_" else "--until"
            return fail(f"{flag} {bad.fields['value']}: {bad.fields['problem']} (InvalidPeriod)")
        last = view.last_day()
        if period.from_ > last:
            return fail(f"--from {args.from_}: after the journal's last day, {last} (InvalidPeriod)")
        if period.until > last:
            _note_no_data_after(args.journal, last, period.until)
            period = view.trial_balance(period.from_, last)
        if not period.lines:
            _note_nothing_posted_by(args.journal, view.journal.conn, period.until)
    columns, rows = (CHART_COLUMNS, chart_rows(period)) if args.by == "code" else (COLUMNS, period.rows())
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([getattr(v, "value", v) for v in row] for row in rows)
    return 0
