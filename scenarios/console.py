"""What the terminal shows: a progress bar with rate and ETA (rich), summaries and parameters as tables.

Numbers are formatted for people here only; files keep the values as the scenario returned them.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from decimal import Decimal
from typing import IO, TYPE_CHECKING, TextIO, cast

if TYPE_CHECKING:  # rich is imported where it draws: `lanasim --help` or `verify` in a pipe never does
    from rich.console import Console
    from rich.progress import Progress, TaskID
    from rich.table import Table

__all__ = ["RunProgress", "Stopped", "fail", "human", "param_table", "path_arg", "shown", "stdout_console",
           "summary_table", "working"]


class Stopped(Exception):
    """The user asked the run to stop (Ctrl-C); raised at the next progress point (field: at)."""

    def __init__(self, at: str) -> None:
        self.at = at
        super().__init__(f"stopped at {at}")


class RunProgress:
    """`progress(fraction, label)` for `Simulation.progress`: a rich bar with sim-days per second
    and ETA on a terminal, one line per tenth of the run otherwise (CI logs).

    `stop_requested` set (by a SIGINT handler) makes the next call raise `Stopped`: progress is
    reported between simulated days, where the journal has just committed a whole day. `stopping`
    is set once the run is being stopped (that `Stopped`, or the handler's own interrupt)."""

    def __init__(self, console: Console | None = None) -> None:
        self._console = console
        self.stop_requested = False
        self.stopping = False
        self._bar: Progress | None = None
        self._task = cast("TaskID", 0)
        self._tenth = -1
        self._first: tuple[float, datetime | None] | None = None

    @property
    def console(self) -> Console:
        """Standard error's console, made on first use: every command makes a RunProgress, few report progress."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=True)
        return self._console

    def __call__(self, fraction: float, label: str) -> None:
        if self.stop_requested:
            self.stopping = True
            raise Stopped(label)
        if self.console.is_terminal:
            self._draw(fraction, label)
        elif int(fraction * 10) > self._tenth:
            self._tenth = int(fraction * 10)
            print(f"{fraction:4.0%} {label}", file=self.console.file, flush=True)

    def _draw(self, fraction: float, label: str) -> None:
        if self._bar is None:
            from rich.progress import (
                BarColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                                 TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"),
                                 TimeRemainingColumn(), console=self.console, transient=True)
            self._bar.start()
            self._task = self._bar.add_task(label, total=1.0, rate="")
        self._bar.update(self._task, completed=fraction, description=label, rate=self._rate(label))

    def _rate(self, label: str) -> str:
        """Simulated days per wall second, when labels are sim times."""
        try:
            at = datetime.fromisoformat(label)
        except ValueError:
            return ""
        now = time.perf_counter()
        if self._first is None:
            self._first = (now, at)
            return ""
        started, first_at = self._first
        if now <= started or first_at is None:
            return ""
        return f"{(at - first_at).total_seconds() / 86_400 / (now - started):,.1f} sim-days/s"

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def fail(message: str) -> int:
    """A bad input's one line on stderr (`lanasim: error: ...`); returns exit status 2."""
    print(f"lanasim: error: {message}", file=sys.stderr)
    return 2


def path_arg(text: str) -> str:
    """An argument naming a file or directory (argparse's `type=`): an empty one is refused as argparse
    refuses a bad number. `--out=` ran into the default directory, `export --out=` said `: exists
    already`, and `verify ''` looked for `journal.sqlite` in the working directory."""
    if not text.strip():
        import argparse

        raise argparse.ArgumentTypeError(f"{text!r} is empty: give a file or directory name")
    return text


def human(value: object) -> str:
    """A value as people read it: thousands separators, a few significant digits for floats."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}" if 1_000 <= abs(value) < 1e15 else f"{value:.6g}"
    if isinstance(value, Decimal):
        return f"{value:,f}"
    return str(value)


def summary_table(summary: Mapping[str, object], title: str = "") -> Table:
    from rich.table import Table

    table = Table(title=title or None, show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for key, value in summary.items():
        table.add_row(str(key), shown(str(key), value))
    return table


def shown(field: str, value: object) -> str:
    """A summary's value as the table prints it: `human`, and an amount in integer cents or
    satoshis (a field named `..._cents`, `..._sats`) followed by it in dollars or BTC, exactly
    (`1,030,246,656 = $10,302,466.56`), so the figure a program reads stands beside the one a
    person does. A list is shown item by item."""
    from scenarios.analysis.units import btc, usd

    if isinstance(value, list):
        return ", ".join(shown(field, item) for item in value)
    if isinstance(value, int) and not isinstance(value, bool):
        if field.endswith("_cents"):
            return f"{value:,} = {usd(value)}"
        if field.endswith("_sats"):
            return f"{value:,} = {btc(value)}"
    return human(value)


def param_table(params: Mapping[str, object]) -> Table:
    """Each parameter: name, default, unit, range, meaning."""
    from rich.table import Table

    table = Table("parameter", "default", "unit", "range", "meaning", box=None)
    for p in params.values():
        low, high = (None if x is None else human(x) for x in (p.low, p.high))  # type: ignore[attr-defined]
        bounds = p.range if p.choices or (low is None and high is None) else f"{low or '-inf'} .. {high or 'inf'}"  # type: ignore[attr-defined]
        table.add_row(p.name, human(p.default), p.unit, bounds, p.doc)  # type: ignore[attr-defined]
    return table


def stdout_console(width: int | None = None) -> Console:
    """Standard output (`width` columns on a terminal, its own width by default); wide when piped, so
    a digest or a story stays on one line, and without the spaces rich pads a table's lines with to
    its width (a file or a program reading it has no use for them). A reader that closed the pipe
    (`| head -1`) ends the command as it ends every other: quietly, exit 0 (rich's own console
    exited 1)."""
    from rich.console import Console

    class PipeConsole(Console):
        def on_broken_pipe(self) -> None:
            try:
                super().on_broken_pipe()  # later writes go nowhere, the interpreter's last flush too
            except SystemExit:
                raise BrokenPipeError(32, "Broken pipe") from None  # `lanasim`'s main: exit 0

    console = PipeConsole(file=sys.stdout, width=width)
    return console if console.is_terminal else PipeConsole(file=cast(IO[str], _Unpadded(sys.stdout)), width=200)


class _Unpadded:
    """A text stream that drops the spaces ending each line written through it."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(_PADDING.sub("\n", text))

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return False


_PADDING = re.compile(r"[ \t]+\n")


def working(label: str) -> AbstractContextManager[object]:
    """A spinner on stderr while a long read runs, on a terminal (verifying a journal of 20,000
    imported facilities took 14 s, exporting it 6 s); nothing otherwise."""
    from rich.console import Console

    console = Console(stderr=True)
    return console.status(label, spinner="dots") if console.is_terminal else nullcontext()
