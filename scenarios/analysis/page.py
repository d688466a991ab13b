"""The stress run's report.html: parameters, summary, plots (embedded) and the ten worst facilities,
in one self-contained file; tables rendered by pandas."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

from scenarios.analysis.metrics import Analysis

__all__ = ["worst_facilities", "write_page"]

_STYLE = ("body{font-family:sans-serif;max-width:1000px;margin:2em auto}table{border-collapse:collapse}"
          "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}img{max-width:100%}")


def worst_facilities(a: Analysis, n: int = 10) -> pd.DataFrame:
    """The `n` facilities with the largest end shortfall, then the lowest minimum CVL."""
    return a.facilities.sort_values(["shortfall_cents", "cvl_min_pct"], ascending=[False, True]).head(n)


def write_page(a: Analysis, params: dict, plots: list[Path], path: Path) -> None:
    parts = [f"<h1>Stress run, seed {a.summary['seed']}</h1>",
             "<h2>Parameters</h2>", _table(params, "parameter"),
             "<h2>Summary</h2>", _table(a.summary, "metric"),
             "<h2>Plots</h2>", *(_image(p) for p in plots),
             "<h2>Ten worst facilities</h2>", worst_facilities(a).to_html(index=False, float_format="%.2f")]
    path.write_text(f"<!doctype html><html><head><meta charset='utf-8'><title>Stress run</title>"
                    f"<style>{_STYLE}</style></head><body>{''.join(parts)}</body></html>\n")


def _table(values: dict, key: str) -> str:
    return pd.DataFrame({key: list(values), "value": [str(v) for v in values.values()]}).to_html(index=False)


def _image(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return f"<h3>{html.escape(path.stem)}</h3><img alt='{html.escape(path.stem)}' src='data:image/png;base64,{data}'>"
