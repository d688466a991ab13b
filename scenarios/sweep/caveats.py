"""What a sweep's tables cannot tell with the runs it has, said under them in words a reader acts on.

A tail figure rests on k = ceil(n (1 - a)) runs (`scenarios.sweep.risk`): with 20 runs, VaR 95 and
ES 95 are both the single worst run, and so are VaR 99 and ES 99 up to 100 runs, whatever the
intervals beside them say. A Sobol index whose 95 % interval is wider than the index cannot be told
from 0 at the design's sample size (32 samples of one range and the seed: S1 0.217 +- 0.497); a metric
that never varied leaves every index undefined."""

from __future__ import annotations

import math

import pandas as pd

from scenarios.sweep.risk import LEVELS, tail_size

__all__ = ["caveats"]

TAIL_RUNS = 10  # the runs a tail figure should rest on before it is more than its worst few


def caveats(risk: pd.DataFrame, sensitivity: pd.DataFrame | None = None) -> list[str]:
    """One sentence per figure the runs do not support (none when every figure stands)."""
    notes = [] if risk.empty else [note for level in LEVELS if (note := _thin_tail(risk, level))]
    if sensitivity is not None and sensitivity[["S1", "ST"]].isna().all().all():
        notes.append(UNDEFINED)
    elif sensitivity is not None:
        notes += [note for order in ("S1", "ST") if (note := _unresolved(sensitivity, order))]
    return notes


UNDEFINED = ("the metric took one value in every run of the design's base samples: it has no variance for Sobol "
             "indices to apportion, so they are undefined (NaN); choose a --metric that varies, or wider ranges "
             "or more --samples if a rare outcome is what matters")


def _thin_tail(risk: pd.DataFrame, level: float) -> str | None:
    """A note when a cell with a loss in its tail has fewer than `TAIL_RUNS` runs there."""
    tag, share = round(level * 100), 1 - level
    lossy = risk[(risk["runs"] > 0) & (risk[f"es{tag}"].fillna(0) > 0)]
    if lossy.empty:
        return None
    runs = int(lossy["runs"].min())
    least = tail_size(runs, level)
    if least >= TAIL_RUNS:
        return None
    rests = "the single worst run" if least == 1 else f"the {least} worst runs"
    return (f"VaR {tag} and ES {tag} rest on {rests} of a cell of {runs:,} runs; "
            f"{math.ceil(round(TAIL_RUNS / share, 9)):,} runs a cell put {TAIL_RUNS} runs in the {100 - tag} % tail")


def _unresolved(sensitivity: pd.DataFrame, order: str) -> str | None:
    kind = {"S1": "first-order", "ST": "total-order"}[order]
    vague = [f"{row['factor']} ({row[order]:.3f} +- {row[f'{order}_conf']:.3f})" for _, row in sensitivity.iterrows()
             if pd.notna(row[order]) and not abs(row[order]) > row[f"{order}_conf"]]  # NaN: nothing to tell
    if not vague:
        return None
    return (f"{kind} Sobol indices within their 95 % interval of 0: {', '.join(vague)}; more --samples "
            "(a power of two) narrow the intervals")
