"""A sweep directory's outputs, regenerated from its runs: `risk.parquet`, the printed risk table,
and `report.html` with its PNGs (loss histogram per cell, ES against each grid parameter, the 99 %
ES as seeds accumulate, Sobol indices for a sensitivity design). Amounts are USD."""

from __future__ import annotations

import html
import math
from pathlib import Path

import numpy as np
import pandas as pd

from scenarios.analysis.units import cvl_down
from scenarios.library import load_scenario
from scenarios.sweep.caveats import caveats
from scenarios.sweep.risk import convergence, loss_of, risk_table
from scenarios.sweep.sensitivity import SEED_FACTOR, sobol_indices
from scenarios.sweep.store import read_manifest, read_runs

__all__ = ["print_risk", "report", "write_outputs"]


def report(path) -> None:
    """Regenerate and print a sweep's risk outputs (what `lanasim report DIR` does)."""
    risk, sensitivity = write_outputs(Path(path))
    print_risk(risk, sensitivity, metric=read_manifest(Path(path)).get("metric", "loss"))
    print(Path(path) / "report.html")


def write_outputs(path: Path) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    manifest, runs = read_manifest(path), read_runs(path)
    scenario = load_scenario(manifest["scenario"])
    risk = risk_table(runs, scenario.defaults) if len(runs) else pd.DataFrame()
    risk.to_parquet(path / "risk.parquet", index=False)
    sensitivity = None
    if manifest.get("design") == "sobol" and len(runs):
        sensitivity = sobol_indices(runs, manifest["plan"], manifest["ranges"], manifest["metric"])
        sensitivity.to_parquet(path / "sensitivity.parquet", index=False)
    units = {key: param.unit for key, param in scenario.params.items()}
    figures = _figures(path, runs, risk, sensitivity, units, manifest.get("metric", "loss"))
    (path / "report.html").write_text(_html(manifest, runs, risk, sensitivity, figures))
    return risk, sensitivity


def _usd(cents: float) -> str:
    return "-" if cents is None or (isinstance(cents, float) and math.isnan(cents)) else f"${cents / 100:,.0f}"


def _num(value: float, spec: str) -> str:
    return "-" if value is None or math.isnan(value) else format(value, spec)


def _fig(value: float) -> str:
    """A figure to two decimals, or to three significant digits under 1 (at most 8 decimals: a
    satoshi): a mean of 0.004 BTC sold, or 0.008 desk days, read 0.00, as if none."""
    if value is None or math.isnan(value):
        return "-"
    if value == 0 or abs(value) >= 1:
        return f"{value:,.2f}"
    return f"{value:.{min(8, 2 - math.floor(math.log10(abs(value))))}f}"


def _share(p: float) -> str:
    """A probability in %, to 0.1 %, that never reads as none or as certain when it is neither: one
    run in 300 with a loss was printed "0%" beside that run's ES."""
    if p is None or math.isnan(p):
        return "-"
    if p in (0, 1):
        return f"{p:.0%}"
    return "<0.1%" if p < 0.001 else ">99.9%" if p > 0.999 else f"{p:.1%}"


def _cvl(pct: float) -> str:
    """A CVL (%) cut to two decimals, never rounded up past a threshold (104.996 read 105.00)."""
    return "-" if pct is None or math.isnan(pct) else f"{cvl_down(pct):,.2f}"


_HTML_FORMATS = {"p_loss": _share, "min_cvl_pct_min": _cvl, "min_cvl_pct_p5": _cvl}


def _es(row, tag: str) -> str:
    return f"{_usd(row[f'es{tag}'])} [{_usd(row[f'es{tag}_low'])}, {_usd(row[f'es{tag}_high'])}]"


def print_risk(risk: pd.DataFrame, sensitivity: pd.DataFrame | None = None, *, metric: str = "loss") -> None:
    from rich.table import Table

    from scenarios.console import stdout_console

    table = Table(title="risk per grid cell (loss = shortfall at the end, USD)")
    for name in ("cell", "runs", "failed", "lost", "P(loss)", "VaR 95", "ES 95 [95% CI]", "VaR 99", "ES 99 [95% CI]",
                 "liquidations", "desk days p99", "BTC sold", "h under call", "min CVL %"):
        table.add_column(name)
    for _, row in risk.iterrows():
        table.add_row(row["cell"], str(row["runs"]), str(row["failed"]), str(row["lost"]), _share(row["p_loss"]),
                      _usd(row["var95"]), _es(row, "95"),
                      _usd(row["var99"]), _es(row, "99"), _num(row["liquidations_mean"], ".1f"),
                      _fig(row["desk_days_p99"]), _fig(row["btc_sold_mean"]),
                      _num(row["hours_under_margin_call_mean"], ".1f"),
                      _num(cvl_down(row["min_cvl_pct_min"], 1), ".1f"))
    console = stdout_console(width=200)
    console.print(table)
    if sensitivity is not None:
        console.print(_sobol_table(sensitivity, metric))
    for note in caveats(risk, sensitivity):
        console.print(f"note: {note}", highlight=False, markup=False)


def _sobol_table(sensitivity: pd.DataFrame, metric: str):
    """The Sobol indices as a table beside the risk table, each with its 95 % interval (it was
    pandas' plain text under bare column names, S1_conf): a NaN index (nothing to apportion) reads -."""
    from rich.table import Table

    table = Table(title=f"Sobol indices of {metric} (shares of its variance)")
    for name in ("factor", "first order (S1) +- 95% CI", "total order (ST) +- 95% CI"):
        table.add_column(name)
    for _, row in sensitivity.iterrows():
        table.add_row(str(row["factor"]), *(
            "-" if math.isnan(row[index]) else f"{row[index]:.3f} +- {row[f'{index}_conf']:.3f}"
            for index in ("S1", "ST")))
    return table


def _figures(path: Path, runs: pd.DataFrame, risk: pd.DataFrame, sensitivity, units: dict[str, str],
             metric: str = "loss") -> list[tuple[str, str]]:
    from matplotlib.figure import Figure  # not pyplot: a sweep run in a notebook keeps its inline plots

    from scenarios.analysis.plots import count_ticks

    figures: list[tuple[str, str]] = []

    def save(fig, name: str, caption: str) -> None:
        fig.tight_layout()
        fig.savefig(path / name, dpi=90)
        figures.append((name, caption))

    ok = runs[runs["status"] == "ok"] if len(runs) else runs
    for i, (cell, group) in enumerate(ok.groupby("cell", sort=False) if len(ok) else []):
        loss = loss_of(group).dropna() / 100
        if loss.empty:
            continue
        fig = Figure(figsize=(6, 3.5))
        ax = fig.subplots()
        ax.hist(loss, bins=min(40, max(5, len(loss) // 3)), color="#4a7ab0")
        cell_risk = risk[risk["cell"] == cell].iloc[0]
        for tag, style in (("95", "--"), ("99", ":")):
            ax.axvline(cell_risk[f"es{tag}"] / 100, color="#b04a4a", linestyle=style, label=f"ES {tag} %")
        ax.set(xlabel="loss per run (USD)", ylabel="runs", title=f"loss distribution: {cell} ({len(loss)} runs)")
        _dollars(ax.xaxis)
        ax.yaxis.set_major_locator(count_ticks())  # a count of runs: no 3.5 runs
        ax.legend()
        save(fig, f"loss-hist-{i:02d}.png", f"Loss histogram, {cell}")
    params = [c for c in risk.columns if c.startswith("param_")]
    for column in params if len(risk) and risk["es99"].notna().any() else []:
        x = pd.to_numeric(risk[column], errors="coerce")
        if x.isna().any() or x.nunique() < 2:
            continue
        fig = Figure(figsize=(6, 3.5))
        ax = fig.subplots()
        for rows, other in _series(risk, column, params):
            for tag in ("95", "99"):
                es = rows[f"es{tag}"] / 100
                err = np.vstack([es - rows[f"es{tag}_low"] / 100, rows[f"es{tag}_high"] / 100 - es])
                ax.errorbar(x[rows.index], es, yerr=err, fmt="o-" if other else "o", capsize=3,
                            label=f"ES {tag} % (95 % CI){other}")
        unit = units.get(column[6:], "")
        _dollars(ax.yaxis)
        if x.nunique() <= 8:  # ticks at the values run (2, 5, 20), not 2.5 or 7.5 liquidations an hour
            ax.set_xticks(sorted(x.unique()), [f"{v:g}" for v in sorted(x.unique())])
        ax.set(xlabel=f"{column[6:]} ({unit})" if unit else column[6:], ylabel="expected shortfall (USD)",
               title=f"ES against {column[6:]}")
        if len(ax.get_legend_handles_labels()[1]) > 2:  # a series per other value: the legend under the axes
            fig.set_size_inches(6, 3.5 + 0.2 * len(ax.get_legend_handles_labels()[1]))
            ax.legend(fontsize="x-small", loc="upper center", bbox_to_anchor=(0.5, -0.2))
        else:
            ax.legend()
        save(fig, f"es-vs-{column[6:]}.png", f"Expected shortfall against {column[6:]}")
    converging = convergence(runs) if len(runs) else pd.DataFrame()
    if len(converging):
        fig = Figure(figsize=(6, 3.5))
        ax = fig.subplots()
        _draw_convergence(ax, converging)
        ax.set(xlabel="seeds", ylabel="ES 99 % (USD)", title="99 % ES as seeds accumulate (95 % CI band)")
        _dollars(ax.yaxis)
        ax.xaxis.set_major_locator(count_ticks())  # a count of seeds: no 7.6 seeds
        entries = sum(label.count("\n") + 1 for label in ax.get_legend_handles_labels()[1])  # text lines
        fig.set_size_inches(6, 3.7 + 0.2 * entries)  # under the axes: "best" put it on the bands
        ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.2))
        save(fig, "es99-convergence.png", "Convergence of the 99 % ES: a band still narrowing needs more seeds")
    if sensitivity is not None:
        fig = Figure(figsize=(6, 3.5))
        ax = fig.subplots()
        x = np.arange(len(sensitivity))
        ax.bar(x - 0.2, sensitivity["S1"], 0.4, yerr=sensitivity["S1_conf"], label="first order", capsize=3)
        ax.bar(x + 0.2, sensitivity["ST"], 0.4, yerr=sensitivity["ST_conf"], label="total order", capsize=3)
        ax.set_xticks(x, sensitivity["factor"])
        ax.set(xlabel=f"factor ({SEED_FACTOR}: the seed's share)", ylabel="Sobol index (share of variance)",
               title=f"Sobol indices of {metric} (95 % intervals)")
        ax.legend()
        save(fig, "sobol.png", "Sobol indices with 95 % intervals")
    return figures


LINE_STYLES, MARKERS = ("-", "--", "-.", ":"), ("o", "s", "^", "D", "v", "P")


def _draw_convergence(ax, converging: pd.DataFrame) -> None:
    """One line (and its band) per series of `_coinciding`, each in its own line style and hollow
    marker, so that where a line runs over an earlier one the earlier one's colour shows between its
    dashes and its marker inside the later one's; the legend names each stretch it runs over
    (`_overlap_note`). Cells equal for some seed counts only were drawn in one style, and the later
    line hid the earlier one there without a word: a cell looked as if it had no points at 10-25 seeds."""
    import textwrap

    series = _coinciding(converging)
    for i, (cells, group) in enumerate(series):
        label = cells[0] if len(cells) == 1 else f"{', '.join(cells)} (identical: one line)"
        label = textwrap.fill(label + _overlap_note(group, series[:i]), 90)
        line = ax.plot(group["seeds"], group["es"] / 100, linestyle=LINE_STYLES[i % len(LINE_STYLES)],
                       marker=MARKERS[i % len(MARKERS)], markersize=4, markerfacecolor="none", label=label)[0]
        ax.fill_between(group["seeds"], group["es_low"] / 100, group["es_high"] / 100, alpha=0.2,
                        color=line.get_color())


def _overlap_note(group: pd.DataFrame, earlier: list[tuple[list[str], pd.DataFrame]]) -> str:
    """" (over CELL at 10 to 25 seeds)" for each series drawn before `group` that has the same ES at
    some of its seed counts (consecutive counts as one stretch); "" when it covers none."""
    notes = []
    for cells, other in earlier:
        same = group.merge(other[["seeds", "es"]], on="seeds", suffixes=("", "_other"))
        counts = same.loc[same["es"] == same["es_other"], "seeds"].tolist()
        if counts:
            notes.append(f"{', '.join(cells)} at {_stretches(counts, group['seeds'].tolist())} seeds")
    return f" (over {'; '.join(notes)})" if notes else ""


def _stretches(counts: list[int], points: list[int]) -> str:
    """Seed counts as stretches of consecutive points of the series: "10 to 25 and 40"."""
    runs: list[list[int]] = []
    for n in counts:
        if runs and points.index(n) == points.index(runs[-1][-1]) + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = [f"{run[0]}" if len(run) == 1 else f"{run[0]} to {run[-1]}" for run in runs]
    return ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else parts[0]


def _coinciding(converging: pd.DataFrame) -> list[tuple[list[str], pd.DataFrame]]:
    """The convergence series with the cells that drew the same one (the same seeds, ES and interval:
    a grid value that changed nothing) named together, in the cells' order. Each drawn on its own,
    the last of them hid the others, which the legend still listed in colours seen nowhere."""
    drawn: dict[tuple, tuple[list[str], pd.DataFrame]] = {}
    for cell, group in converging.groupby("cell", sort=False):
        key = tuple(group[["seeds", "es", "es_low", "es_high"]].itertuples(index=False, name=None))
        drawn.setdefault(key, ([], group))[0].append(str(cell))
    return list(drawn.values())


def _dollars(axis) -> None:
    """Dollars on a money axis: matplotlib's own ticks wrote a loss of $100M and more as 1.0 to 3.0
    under a "1e8" at the axis' end; written out whole (300,000,000) they ran into each other along x."""
    from matplotlib.ticker import FuncFormatter

    def tick(value: float, _pos) -> str:
        top = max(abs(v) for v in axis.get_view_interval())
        for scale, suffix in ((1e9, "B"), (1e6, "M")):
            if top >= scale and value:
                return f"{value / scale:,.6g}{suffix}"
        return f"{value:,.0f}"

    axis.set_major_formatter(FuncFormatter(tick))


def _series(risk: pd.DataFrame, column: str, params: list[str]) -> list[tuple[pd.DataFrame, str]]:
    """The cells to draw against `column`, one series per value of the other grid parameters (with
    that value for its legend): drawn as one, cells of two markets stood at one x, unlabelled."""
    others = [c for c in params if c != column and risk[c].nunique(dropna=False) > 1]
    if not others:
        return [(risk, "")]
    return [(rows, ", " + ", ".join(f"{c[6:]}={v}" for c, v in zip(others, values)))
            for values, rows in risk.groupby(others, sort=False, dropna=False)]


def _html(manifest: dict, runs: pd.DataFrame, risk: pd.DataFrame, sensitivity, figures) -> str:
    failed = runs[runs["status"] != "ok"][["cell", "seed", "status", "error", "repro"]] if len(runs) else pd.DataFrame()
    parts = [f"<h1>Sweep of {html.escape(manifest['scenario'])}</h1>",
             (f"<p>{len(runs)} runs; code version {html.escape(str(manifest.get('code_version', '')))}. "
              "Loss = shortfall at the end of the horizon: debt not covered by collateral value (USD cents "
              "in the tables; liquidation slippage is the borrowers', in the debt it leaves). "
              "VaR<sub>a</sub> is the k-th largest loss and ES<sub>a</sub> the mean of the k largest, "
              "k = ceil(n(1-a)); intervals are 95 % bootstrap intervals over runs; p_loss is the share of runs "
              "with a loss.</p>"),
             "<h2>Risk per grid cell</h2>",
             risk.to_html(index=False, float_format=_fig, formatters=_HTML_FORMATS)]
    if sensitivity is not None:
        parts += ["<h2>Sobol indices</h2>", sensitivity.to_html(index=False, float_format=lambda v: f"{v:.3f}")]
    parts += [f"<p><strong>Note:</strong> {html.escape(note)}.</p>" for note in caveats(risk, sensitivity)]
    parts += [f'<figure><img src="{name}"><figcaption>{html.escape(caption)}</figcaption></figure>'
              for name, caption in figures]
    if len(failed):
        parts += ["<h2>Runs that failed or were lost</h2>", failed.to_html(index=False)]
    return "<!doctype html><meta charset='utf-8'><title>lanasim sweep</title>\n" + "\n".join(parts) + "\n"
