"""Risk statistics per grid cell over its seeds: the loss distribution, VaR and expected shortfall
with bootstrap intervals, liquidations against the desk, time under margin call, minimum CVL.

Loss of one run (USD cents) = shortfall at the end of the horizon: debt not covered by collateral
value, summed over the book, what the bank stands to lose. Liquidation slippage is not added: as in
Lana, a liquidation's proceeds (market value less slippage) are applied to the facility as a
payment, so the borrower pays the slippage, in a debt left higher; the part the collateral left
cannot cover is in the shortfall already. Adding it counted that part twice and the borrowers'
part as the bank's (march-2020 seed 1, 5 facilities, 2 days: $523.73 against a shortfall of
$157.56). NaN for a scenario whose summary has no shortfall.

With n runs and k = ceil(n (1 - a)): VaR_a is the k-th largest loss and ES_a the mean of the k
largest. Intervals are 95 % percentile bootstrap intervals over
runs (1,000 resamples, seeded: the same runs give the same table).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["LEVELS", "convergence", "es_var", "loss_of", "risk_table", "tail_size"]

LEVELS = (0.95, 0.99)
RESAMPLES = 1000
# a cell's runs in this order: a Sobol design can draw one seed twice, and its runs of one seed are
# taken by loss before key, so runs that lost the same under another code version (another key) give
# the same intervals
_ORDER = ["seed", "shortfall_end_cents", "key"]


def loss_of(runs: pd.DataFrame) -> pd.Series:
    """Per-run loss in cents: `shortfall_end_cents` (NaN when not reported)."""
    if "shortfall_end_cents" in runs.columns:
        return runs["shortfall_end_cents"].astype(float)
    return pd.Series(np.nan, index=runs.index, dtype=float)


def es_var(losses, level: float) -> tuple[float, float]:
    """(VaR, ES) at `level` (see the module docstring); NaN for no losses."""
    values = np.sort(np.asarray(losses, dtype=float))[::-1]
    if len(values) == 0 or np.isnan(values).all():
        return math.nan, math.nan
    k = tail_size(len(values), level)
    return float(values[k - 1]), float(values[:k].mean())


def tail_size(n: int, level: float) -> int:
    """k = ceil(n (1 - level)), at least 1 (rounded first: 100 x 0.05 is 5.000000000000004)."""
    return max(1, math.ceil(round(n * (1 - level), 9)))


def _es_interval(losses: np.ndarray, level: float, seed: int = 0) -> tuple[float, float]:
    n = len(losses)
    if n < 2 or np.isnan(losses).any():
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    samples = -np.sort(-losses[rng.integers(0, n, size=(RESAMPLES, n))], axis=1)
    k = tail_size(n, level)
    es = samples[:, :k].mean(axis=1)
    low, high = np.percentile(es, [2.5, 97.5])
    return float(low), float(high)


def _col(runs: pd.DataFrame, name: str) -> pd.Series:
    return runs[name].astype(float) if name in runs.columns else pd.Series(np.nan, index=runs.index)


def _cell_row(cell: str, runs: pd.DataFrame, defaults: dict) -> dict:
    ok = runs[runs["status"] == "ok"]
    loss = loss_of(ok).to_numpy()
    status = runs["status"]
    row: dict = {"cell": cell, "runs": len(ok), "failed": int((status == "failed").sum()),
                 "lost": int((status == "lost").sum())}
    # a parameter the cell varies (a Sobol design's ranges) has no single value to show
    row.update({c: runs[c].iloc[0] if runs[c].nunique(dropna=False) == 1 else None
                for c in runs.columns if c.startswith("param_")})
    has_loss = len(loss) > 0 and not np.isnan(loss).all()
    for q in (0.5, 0.9, 0.95, 0.99, 1.0):
        row[f"loss_p{round(q * 100)}"] = float(np.quantile(loss, q)) if has_loss else math.nan
    for level in LEVELS:
        tag = round(level * 100)
        row[f"var{tag}"], row[f"es{tag}"] = es_var(loss, level)
        row[f"es{tag}_low"], row[f"es{tag}_high"] = _es_interval(loss, level) if has_loss else (math.nan, math.nan)
    row["p_loss"] = float((loss > 0).mean()) if has_loss else math.nan
    liquidations, sold = _col(ok, "liquidations_executed"), _col(ok, "btc_sold_sats") / 1e8
    row.update(liquidations_mean=liquidations.mean(), liquidations_p99=liquidations.quantile(0.99),
               btc_sold_mean=sold.mean(), btc_sold_p99=sold.quantile(0.99))
    row["desk_days_p99"] = _desk_days_p99(runs, ok, liquidations, defaults)
    row["hours_under_margin_call_mean"] = _hours_called(ok)
    cvl = _col(ok, "min_cvl_pct")
    row.update(min_cvl_pct_min=cvl.min(), min_cvl_pct_p5=cvl.quantile(0.05))
    return row


def _hours_called(ok: pd.DataFrame) -> float:
    """Mean over the runs with a called facility of the mean hours one spent under margin call. A
    run with none reports 0 hours (no spell to average): counted, it read as calls that were short,
    a figure mixing how often calls happen with how long they last (8 GBM runs, 3 without a call:
    21.7 h where a called facility spent 34.6 h)."""
    hours = _col(ok, "hours_under_margin_call_mean")
    if "facilities_called" in ok.columns:
        hours = hours[ok["facilities_called"].astype(float) > 0]
    return float(hours.mean())


def _desk_days_p99(runs: pd.DataFrame, ok: pd.DataFrame, liquidations: pd.Series, defaults: dict) -> float:
    """Days of desk capacity the p99 liquidation count needs: p99 / (capacity x 24). A cell whose
    runs differ in capacity (a Sobol design) takes the p99 of each run's own liquidations / (capacity x 24)."""
    column = "param_desk_capacity_per_hour"
    if column in runs.columns and runs[column].nunique() > 1:
        per_day = pd.to_numeric(ok[column], errors="coerce") * 24
        return float((liquidations / per_day).quantile(0.99))
    capacity = runs[column].iloc[0] if column in runs.columns else defaults.get("desk_capacity_per_hour")
    per_day = float(capacity) * 24 if capacity else math.nan
    return float(liquidations.quantile(0.99)) / per_day


def risk_table(runs: pd.DataFrame, defaults: dict | None = None) -> pd.DataFrame:
    """One row per grid cell (in the order cells first appear); `defaults` are the scenario's
    parameters not swept (the desk's capacity per hour, when the scenario has one). A cell's runs
    are taken in seed order, so the bootstrap intervals do not depend on the order seeds were listed
    (nor, for one seed drawn twice, on the runs' keys: see `_ORDER`)."""
    rows = [_cell_row(cell, _ordered(group), defaults or {}) for cell, group in runs.groupby("cell", sort=False)]
    return pd.DataFrame(rows)


def _ordered(runs: pd.DataFrame) -> pd.DataFrame:
    """A cell's runs in `_ORDER` (of the columns it has)."""
    return runs.sort_values([column for column in _ORDER if column in runs.columns], kind="stable")


def convergence(runs: pd.DataFrame, level: float = 0.99, points: int = 20) -> pd.DataFrame:
    """ES at `level` (and its interval) on the first n seeds of each cell, n growing to all of them."""
    rows = []
    for cell, group in runs[runs["status"] == "ok"].groupby("cell", sort=False):
        loss = loss_of(_ordered(group)).to_numpy()  # as `risk_table` takes them
        if len(loss) == 0 or np.isnan(loss).all():
            continue
        for n in sorted({int(x) for x in np.linspace(min(10, len(loss)), len(loss), points)}):
            low, high = _es_interval(loss[:n], level)
            rows.append({"cell": cell, "seeds": n, "es": es_var(loss[:n], level)[1], "es_low": low, "es_high": high})
    columns = {"cell": str, "seeds": int, "es": float, "es_low": float, "es_high": float}
    return pd.DataFrame(rows, columns=list(columns)).astype(columns)
