"""The `lanasim` command: run scenarios into run directories, list and describe them, regenerate
reports, print the outbox, show an entity, print a trial balance, verify a journal.

Every bad input (unknown scenario, bad parameter, a path lanasim may not use, a locked or foreign
journal, an unwritable or full disk) ends with a one-line message on stderr and exit status 2 —
never a traceback, and never a file lanasim did not create deleted. Ctrl-C ends a run with one
line saying how far its journal is consistent and how to continue it (`run --resume DIR`), and
exit status 130.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

from domains.aggregate import Refusal
from engine.kernel.errors import (
    EngineError,
    InvalidInstant,
    JournalUnreadable,
    NotALanasimJournal,
    UnsupportedJournalFormat,
)
from scenarios.book.cli import register_cli as register_book
from scenarios.console import (
    RunProgress,
    Stopped,
    fail,
    param_table,
    path_arg,
    stdout_console,
    summary_table,
)
from scenarios.interrupt import by_interrupt, ignore_sigint, stop_on_sigint
from scenarios.journal_cli import register_cli as register_journal
from scenarios.library import (
    ScenarioError,
    load_scenario,
    report_run,
    resume_run,
    run_scenario,
    scenario_names,
)
from scenarios.library.params import CHECKED, assignments
from scenarios.library.rundir import JOURNAL, SUMMARY, journal_of
from scenarios.sweep import register_cli as register_sweep

__all__ = ["main"]

INTERRUPTED = 130


def main(argv: list[str] | None = None) -> int:
    progress = RunProgress()
    try:
        args = _parse(_parser(progress), argv)
    except SystemExit as done:  # --help, or a usage error already printed in one line
        return int(done.code or 0)
    args.process_ends = argv is None  # lanasim is the program: after a Ctrl-C, the process only exits
    try:
        code = args.handler(args, progress) if args.command == "run" else args.handler(args)
        if code == INTERRUPTED and args.process_ends:  # a sweep's: no later Ctrl-C kills the exit (-2)
            ignore_sigint()
        return code
    except NotALanasimJournal as exc:  # the file first, as an OSError's message names it
        return fail(_journal_problem(exc))
    except InvalidInstant as exc:  # an --at / --as-of typed by a person: its words, as a usage error's
        return fail(str(exc))
    except EngineError as exc:
        return fail(_engine_problem(exc))
    except (ScenarioError, Refusal) as exc:
        return fail(str(exc))
    except BrokenPipeError:
        return 0
    except OSError as exc:
        return fail(f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc))
    except sqlite3.Error as exc:  # the journal a verb names, when it names one
        named = getattr(args, "journal", None) or getattr(args, "from_", None)  # run --from: its source
        return fail(f"{journal_of(named) if isinstance(named, str) else 'journal'}: {exc}")
    except KeyboardInterrupt:
        if args.process_ends:
            ignore_sigint()
        print("lanasim: interrupted", file=sys.stderr)
        return INTERRUPTED
    finally:
        progress.close()


def _parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """parse_args, an unknown option sent to its command's help: `lanasim run march-2020 --sed 1` said
    `(see lanasim --help)`, whose page lists the commands, not `run`'s options."""
    args, extra = parser.parse_known_args(argv)
    if extra:
        unknown = " ".join(extra)
        parser.exit(2, f"lanasim: error: unrecognized arguments: {unknown} (see lanasim {args.command} --help)\n")
    return args


def _journal_problem(exc: NotALanasimJournal) -> str:
    """`PATH: no such file`, `PATH: exists already; ...`, `PATH: cannot be opened now (why)` of a disk
    that failed or is full or read-only, or `PATH: not a lanasim journal (why)`."""
    path, problem = exc.fields.get("path"), str(exc.fields.get("problem"))
    if isinstance(exc, JournalUnreadable):  # not "not a lanasim journal": a user would delete it
        return f"{path}: cannot be opened now ({problem}: a full or read-only disk?); the file is kept, try again then"
    if problem.startswith(("no such file", "not a file", "exists already")):
        return f"{path}: {problem}"
    return f"{path}: not a lanasim journal ({problem})"


def _engine_problem(exc: EngineError) -> str:
    """A typed error in words: its own words when it has them (`describe`, naming its file itself),
    else `PATH: ` first when it names a file, its problem when it states one (`ARGUMENT=VALUE: ` first
    unless the problem names the value), or its name in words and its fields; the type's name last,
    for a program to match (`... (JournalLocked)`)."""
    fields = dict(exc.fields)
    path, problem = fields.pop("path", None), fields.pop("problem", None)
    name = type(exc).__name__
    if type(exc).describe is not EngineError.describe:  # the error words itself, its path too
        text, path = str(exc), None
    elif problem is not None:
        argument, value = fields.get("argument"), fields.get("value")
        text = f"{argument}={value!r}: {problem}" if argument and str(value) not in str(problem) else str(problem)
        if isinstance(exc, UnsupportedJournalFormat):  # which format it is, which this lanasim reads
            supported = fields.get("supported")
            readable = ", ".join(map(str, supported)) if isinstance(supported, (tuple, list)) else supported
            text += f" ({fields.get('format')}; this lanasim reads {readable})"
    else:
        words = re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()
        text = words + (f": {', '.join(f'{k}={v!r}' for k, v in fields.items())}" if fields else "")
    return f"{f'{path}: ' if path else ''}{text} ({name})"


def _version() -> str:
    """`lanasim 0.1.0 (journal format lanasim-journal/4)`: the package's version, and the journal format it writes
    and reads (a journal of another format is refused by name), for a bug report or a script."""
    from importlib.metadata import PackageNotFoundError, version

    from engine.kernel.schema import FORMAT

    try:
        number = version("lanasim")
    except PackageNotFoundError:  # run from a checkout that was never installed
        number = "not installed"
    return f"lanasim {number} (journal format {FORMAT})"


class _Version(argparse._VersionAction):
    """`--version`, its text made when asked for: reading the installed package's metadata cost every
    command (`--help` too) the import of importlib.metadata."""

    def __call__(self, parser, namespace, values, option_string=None):
        self.version = _version()
        super().__call__(parser, namespace, values, option_string)


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors (`lanasim run: error: ...`), exit status 2."""

    def error(self, message: str):
        if message.startswith("argument --") and message.endswith(": expected one argument"):
            # `--seeds -3--1` (argparse reads a value that begins with '-' as an option): say the way that works
            option = message.split()[1].rstrip(":").split("/")[-1]
            message += f"; a value that begins with '-' is written {option}=VALUE"
            message += " (--seeds=-3--1)" if option == "--seeds" else ""
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser(progress: RunProgress) -> argparse.ArgumentParser:
    parser = _Parser(prog="lanasim", description="Deterministic simulation of a Lana-style bank.")
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="run a scenario into a run directory and print its summary")
    run.add_argument("scenario", nargs="?", help="a name from `lanasim scenarios` (optional with --resume)")
    run.add_argument("--seed", type=int, default=None, help="the run's seed (default 0)")
    run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                     help="override a parameter (see `lanasim describe SCENARIO`)")
    run.add_argument("--out", type=path_arg, metavar="DIR", help="run directory (default: out/SCENARIO-seedN)")
    run.add_argument("--force", action="store_true", help="replace a previous run's lanasim journal in DIR")
    run.add_argument("--json", action="store_true", help="print summary.json to stdout instead of a table")
    run.add_argument("--resume", type=path_arg, metavar="DIR",
                     help="continue the stopped run in DIR (Ctrl-C, kill, full disk) to the journal an "
                          "uninterrupted run writes; its scenario, seed and parameters come from its journal")
    run.set_defaults(handler=_run)
    listing = sub.add_parser("scenarios", help="list the scenarios, each with its story")
    listing.set_defaults(handler=_scenarios)
    describe = sub.add_parser("describe", help="a scenario's story and every parameter")
    describe.add_argument("scenario", help="a name from `lanasim scenarios`")
    describe.set_defaults(handler=_describe)
    report = sub.add_parser("report", help="regenerate a run's (or sweep's) outputs from its journal; "
                                           "a story's: print its summary")
    report.add_argument("dir", type=path_arg, help="a run directory (its journal) or a sweep directory (its runs)")
    report.add_argument("--json", action="store_true", help="print summary.json to stdout")
    report.add_argument("--whole-run", action="store_true",
                        help="plot the whole run (a run quiet for over a quarter of its time before its first "
                             "move is plotted from shortly before it by default)")
    report.set_defaults(handler=_report)
    register_sweep(sub, progress=progress)
    register_journal(sub)  # outbox, show, verify, trial-balance (scenarios/journal_cli.py)
    register_book(sub)  # import, export, fork, `show JOURNAL book`, `run --from` (scenarios/book/cli.py)
    return parser


# -- run ---------------------------------------------------------------------------------
def _run(args: argparse.Namespace, progress: RunProgress) -> int:
    from engine.kernel.ids import check_seed

    params = assignments(args.set)
    if args.seed is not None:
        check_seed(args.seed)  # one the journal cannot store: refused before any file is made
    if args.resume:
        run_dir = Path(args.resume)
        if args.out or args.force:
            raise ScenarioError("--resume continues the run in its own directory; drop --out/--force")
        start = lambda: _resumed(run_dir, args, params, progress)
        title = f"{run_dir} (resumed)"
    else:
        if args.scenario is None:
            raise ScenarioError("run needs a SCENARIO (or --resume DIR); see lanasim scenarios")
        seed = 0 if args.seed is None else args.seed
        run_dir = Path(args.out or f"out/{args.scenario}-seed{seed}")
        start = lambda: run_scenario(args.scenario, seed, params, run_dir, force=args.force,
                                     progress=progress)
        held = getattr(args, "from_", None)  # `run --from JOURNAL`: the book named, as a book file's run names it
        title = f"{args.scenario}{f' from {held}' if held else ''} seed {seed}"
    started = time.perf_counter()
    summary = guarded(start, run_dir, progress, args.process_ends)
    if isinstance(summary, int):
        return summary
    progress.close()
    _print_summary(run_dir, summary, as_json=args.json, title=title)
    print(f"chain head: {_chain_head(run_dir / JOURNAL)}", file=sys.stderr if args.json else sys.stdout)
    print(f"wall seconds: {time.perf_counter() - started:.2f}", file=sys.stderr)
    return 0


def guarded(start: Callable[[], dict], run_dir: Path, progress: RunProgress, process_ends: bool) -> dict | int:
    """`start()`'s summary, or the exit status of a run it stopped: Ctrl-C stops it at the next day
    (a second, where it is), with the one line saying where its journal stands; a full disk or a
    vanished directory mid-run is one line too."""
    from engine.kernel.journal_commit import JournalWriteFailed

    with stop_on_sigint(progress, process_ends=process_ends):
        try:
            return start()
        except (Stopped, KeyboardInterrupt):
            return _interrupted(run_dir, progress)
        except (sqlite3.Error, OSError, JournalWriteFailed) as exc:  # a full disk or a vanished directory mid-run
            if progress.stopping and by_interrupt(exc):  # a second Ctrl-C landed in a journal write
                return _interrupted(run_dir, progress)
            progress.close()
            if not (run_dir / JOURNAL).is_file():  # SQLite could not create it (a read-only file system)
                if getattr(exc, "sqlite_errorname", None) in _NOT_CREATED:  # said `journal: unable to open ...`
                    return fail(f"{run_dir / JOURNAL}: {exc}; nothing was written")
                raise  # another journal's (a --from source's, read before this one is made)
            return fail(f"{run_dir / JOURNAL}: {_failure(exc)}; {_stopped(run_dir)}")
        except Exception as exc:
            if progress.stopping and by_interrupt(exc):
                return _interrupted(run_dir, progress)
            raise


def _failure(exc: BaseException) -> str:
    """What failed, in SQLite's or the OS's words (`database or disk is full`): a failed write said
    `JournalWriteFailed(path=..., error="OperationalError('database or disk is full')", retained=6941)`."""
    from engine.kernel.journal_commit import JournalWriteFailed

    if isinstance(exc, JournalWriteFailed) and exc.__cause__ is not None:
        exc = exc.__cause__
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc)


_NOT_CREATED = ("SQLITE_CANTOPEN", "SQLITE_READONLY")  # SQLite's errors of a file it could not create


def _interrupted(run_dir: Path, progress: RunProgress) -> int:
    """The one line of a run stopped by Ctrl-C, and its exit status."""
    progress.close()
    if _finished(run_dir / JOURNAL):  # stopped while its outputs were being written
        print(f"lanasim: interrupted: the run had finished, its outputs are not all written; write them "
              f"with lanasim run --resume {run_dir}", file=sys.stderr)  # `report` needs a scenario's report()
    else:
        print(f"lanasim: interrupted: {_stopped(run_dir)}", file=sys.stderr)
    return INTERRUPTED


def _finished(journal: Path) -> bool:
    """Whether the journal records a finished run (what `--resume` refuses to continue)."""
    from scenarios.library.rundir import journal_meta

    try:
        return bool(journal.is_file() and journal_meta(journal).get("finished"))
    except (EngineError, sqlite3.Error):
        return False


def _resumed(run_dir: Path, args: argparse.Namespace, params: dict, progress: RunProgress) -> dict:
    """`--resume DIR`: a SCENARIO, --seed or --set given must be the run's own."""
    from scenarios.library.rundir import RunRefused, journal_meta

    if not (run_dir / JOURNAL).is_file():
        raise RunRefused(run_dir, "holds no lanasim journal to resume")
    if args.scenario is not None:
        recorded = journal_meta(run_dir / JOURNAL).get("scenario")
        if recorded is not None and load_scenario(args.scenario).name != recorded:
            raise ScenarioError(f"{run_dir} holds a run of {recorded}, not {args.scenario}")
    return resume_run(run_dir, seed=args.seed, params=params, progress=progress,
                      announce=lambda line: print(line, file=sys.stderr))


def _stopped(run_dir: Path) -> str:
    """Where a stopped run's journal stands: its last committed instant and event count and the
    command that continues it; that nothing was written; or that it cannot be read (a resume of an
    unreadable journal was told to run the resume that had just failed)."""
    from engine.inspect import open_readonly

    journal = run_dir / JOURNAL
    if not journal.exists():
        return f"nothing was written to {journal}"
    try:
        with open_readonly(str(journal)) as view:
            at, events = view.journal.meta().get("now", "its start"), view.journal.last_seq
    except JournalUnreadable:  # a full disk: a reader cannot grow the -shm file; a resume continues it later
        return f"{journal} is kept; once there is space, continue it with lanasim run --resume {run_dir}"
    except (EngineError, sqlite3.Error, OSError):  # unreadable, or stopped before its first commit
        return f"{journal} cannot be read as a journal (its permissions, or no journal), so it cannot be resumed"
    return f"{journal} is consistent up to {at} ({events:,} events); continue it with lanasim run --resume {run_dir}"


def _chain_head(journal: Path) -> str | None:
    """The head of the journal's hash chain (`lanasim verify --expect-head` checks a file against it)."""
    from engine.inspect import open_readonly

    with open_readonly(str(journal)) as view:
        return view.journal.meta().get("chain_head")


def _print_summary(run_dir: Path, summary: dict, *, as_json: bool, title: str) -> None:
    if as_json:
        recorded = run_dir / SUMMARY
        sys.stdout.write(recorded.read_text() if recorded.is_file() else json.dumps(summary, default=str) + "\n")
        return
    console = stdout_console()
    console.print(summary_table(summary, title=title))
    report = run_dir / "report.html"
    console.print(f"run directory: {run_dir}" + (f"  report: {report}" if report.is_file() else ""),
                  highlight=False)


# -- scenarios, describe, report ---------------------------------------------------------
def _scenarios(args: argparse.Namespace) -> int:
    from rich.table import Table

    table = Table("scenario", "story", box=None)
    for name in scenario_names():
        table.add_row(name, load_scenario(name).story)
    stdout_console().print(table)
    return 0


def _describe(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    console = stdout_console()
    console.print(f"{scenario.name}: {scenario.story}", highlight=False)
    console.print(param_table(scenario.params))
    check = getattr(scenario.module, "check", None)
    relations = CHECKED.get(check) if check is not None else None  # a scenario's own words, not its docstring
    if relations:
        console.print(f"checked: {relations}", highlight=False)
    return 0


def _report(args: argparse.Namespace) -> int:
    from scenarios import sweep

    run_dir = Path(args.dir)
    if not run_dir.is_dir():  # was 'not a run directory', for a path missing or the run's journal file alike
        if not run_dir.exists():
            raise ScenarioError(f"{run_dir}: no such directory")
        hint = f": lanasim report {run_dir.parent}" if run_dir.name == JOURNAL else ""
        raise ScenarioError(f"{run_dir}: a file; report takes the directory lanasim run or sweep wrote{hint}")
    is_sweep = getattr(sweep, "is_sweep_dir", None)
    if is_sweep is not None and is_sweep(run_dir):
        if args.json:  # the table went to stdout where a program read it as JSON
            raise ScenarioError(f"{run_dir}: a sweep has no summary.json for --json; read {run_dir}/risk.parquet")
        if args.whole_run:
            raise ScenarioError(f"{run_dir}: a sweep's figures have no time axis; --whole-run is for a run's")
        sweep.report(run_dir)  # prints the sweep's risk outputs itself (it returns nothing to summarize)
        return 0
    if not (run_dir / JOURNAL).is_file():
        if (run_dir / "sweep.json").is_file():  # was told "(no sweep.json)" beside the file it named
            raise ScenarioError(f"{run_dir / 'sweep.json'}: not a lanasim sweep manifest (damaged, or another's)")
        raise ScenarioError(f"{run_dir}: neither a run directory (no {JOURNAL}) nor a sweep directory (no sweep.json)")
    summary = report_run(run_dir, whole=args.whole_run)
    _print_summary(run_dir, summary, as_json=args.json, title=str(run_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
