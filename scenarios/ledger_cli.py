"""`lanasim trial-balance JOURNAL [--from DAY] [--until DAY]`: a journal's trial balance over a
period as CSV on stdout (the `trial-balance` report's columns); a bad day or range is one line on
stderr and exit status 2."""

from __future__ import annotations

import argparse
import csv
import sys

from domains.accounting.period_balances import COLUMNS, InvalidPeriod
from scenarios.console import fail

__all__ = ["register_cli"]


def register_cli(sub) -> None:
    tb = sub.add_parser("trial-balance", help="a journal's trial balance over a period, as CSV")
    tb.add_argument("journal", help="a journal file or a run directory")
    tb.add_argument("--from", dest="from_", metavar="DAY",
                    help="first day, YYYY-MM-DD, included (default: the 1st of --until's month)")
    tb.add_argument("--until", metavar="DAY", help="last day, YYYY-MM-DD, included (default: the journal's last day)")
    tb.set_defaults(handler=_trial_balance)


def _trial_balance(args: argparse.Namespace) -> int:
    from engine.inspect import open_readonly
    from scenarios.library.rundir import journal_of

    with open_readonly(journal_of(args.journal)) as view:
        try:
            period = view.trial_balance(args.from_, args.until)
        except InvalidPeriod as bad:
            flag = "--from" if bad.fields["argument"] == "from_" else "--until"
            return fail(f"{flag} {bad.fields['value']}: {bad.fields['problem']} (InvalidPeriod)")
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([getattr(v, "value", v) for v in row] for row in period.rows())
    return 0
