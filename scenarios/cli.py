"""The `lanasim` command: run scenarios, print the outbox, show an entity, verify a journal.

Every bad input (unknown scenario, bad parameter, missing or foreign journal) ends with a one-line
message on stderr and exit status 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from domains.aggregate import Refusal
from engine.kernel.codec import dumps
from engine.kernel.errors import EngineError
from scenarios.library import ScenarioError, load_scenario, parse_params, scenario_names
from scenarios.sweep import register_cli as register_sweep

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (EngineError, ScenarioError, Refusal) as exc:
        print(f"lanasim: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lanasim", description="Deterministic simulation of a Lana-style bank.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a scenario and print its summary")
    run.add_argument("scenario", help=f"one of: {', '.join(scenario_names())}")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a parameter")
    run.add_argument("--out", default="out", help="directory for the journal (default: out/)")
    run.add_argument("--journal", help="journal path (default: OUT/SCENARIO-seedN.sqlite, or :memory:)")
    run.set_defaults(handler=_run)
    register_sweep(sub, progress=_progress)
    outbox = sub.add_parser("outbox", help="print a journal's outbox as JSON Lines")
    outbox.add_argument("journal")
    outbox.add_argument("--after", type=int, default=0)
    outbox.add_argument("--type", action="append", dest="types", metavar="EVENT_TYPE")
    outbox.set_defaults(handler=_outbox)
    show = sub.add_parser("show", help="print an entity's state, optionally as of a sim time")
    show.add_argument("journal")
    show.add_argument("kind")
    show.add_argument("id")
    show.add_argument("--as-of", help="ISO-8601 sim time")
    show.set_defaults(handler=_show)
    verify = sub.add_parser("verify", help="replay a journal, check its invariants and digest")
    verify.add_argument("journal")
    verify.set_defaults(handler=_verify)
    return parser


def _run(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    params = parse_params(scenario, args.set)
    journal = args.journal or str(Path(args.out) / f"{args.scenario}-seed{args.seed}.sqlite")
    if journal != ":memory:":
        Path(journal).parent.mkdir(parents=True, exist_ok=True)
        Path(journal).unlink(missing_ok=True)
    started = time.perf_counter()
    summary = scenario.execute(seed=args.seed, journal=journal, params=params, progress=_progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    width = max(len(k) for k in summary)
    for key, value in summary.items():
        print(f"{key:<{width}}  {value}")
    print(f"{'journal':<{width}}  {journal}")
    print(f"{'wall seconds':<{width}}  {time.perf_counter() - started:.2f}", file=sys.stderr)
    return 0


_shown = {"tenth": -1}


def _progress(done: float, label: str) -> None:
    """A progress bar on a terminal; one line per tenth of the run otherwise (CI logs)."""
    if sys.stderr.isatty():
        print(f"\r[{'#' * int(done * 30):<30}] {done:4.0%} {label}", end="", file=sys.stderr, flush=True)
    elif int(done * 10) > _shown["tenth"]:
        _shown["tenth"] = int(done * 10)
        print(f"{done:4.0%} {label}", file=sys.stderr, flush=True)


def _outbox(args: argparse.Namespace) -> int:
    from engine.inspect import open_readonly

    with open_readonly(args.journal) as view:
        for envelope in view.outbox(after=args.after, types=args.types):
            sys.stdout.write(dumps(envelope) + "\n")
    return 0


def _show(args: argparse.Namespace) -> int:
    from engine.inspect import open_readonly

    with open_readonly(args.journal) as view:
        print(dumps(view.entity(args.kind, args.id, as_of=args.as_of)))
    return 0


def _verify(args: argparse.Namespace) -> int:
    from engine.inspect import open_readonly

    with open_readonly(args.journal) as view:
        report = view.verify()
    for key, value in report.items():
        print(f"{key}: {value}")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
