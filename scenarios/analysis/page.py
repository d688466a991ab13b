"""The stress run's report.html: parameters (with units), summary (figures with units, field names
as in summary.json), plots (embedded) and the ten worst facilities, in one self-contained file."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

from scenarios.analysis.metrics import Analysis
from scenarios.analysis.units import human

__all__ = ["WORST_RULE", "readable_summary", "readable_worst", "worst_facilities", "write_page"]

_STYLE = ("body{font-family:sans-serif;max-width:1000px;margin:2em auto}table{border-collapse:collapse}"
          "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}img{max-width:100%}")
WORST_RULE = ("Ordered by shortfall at the end of the run (at the last published price), largest first; "
              "then by lowest CVL reached, lowest first; then by facility id.")
_COLUMNS = {"facility_id": "facility", "cvl_start_pct": "CVL at start", "cvl_min_pct": "lowest CVL",
            "cvl_end_pct": "CVL at end", "hours_under_margin_call": "time under margin call",
            "margin_calls": "margin calls", "margin_call_instants": "margin-call instants (no call)",
            "liquidations": "liquidations", "sats_sold": "collateral sold",
            "proceeds_cents": "proceeds", "proceeds_surplus_cents": "proceeds above the debt",
            "collateral_sats_end": "collateral at end",
            "outstanding_cents_end": "outstanding at end", "shortfall_cents": "shortfall at end"}


def worst_facilities(a: Analysis, n: int = 10) -> pd.DataFrame:
    """The `n` facilities with the largest end shortfall, then the lowest minimum CVL, then by id
    (so ties, such as a quiet market's zero shortfalls, always list in the same order)."""
    return a.facilities.sort_values(["shortfall_cents", "cvl_min_pct", "facility_id"],
                                    ascending=[False, True, True], kind="mergesort").head(n)


def write_page(a: Analysis, params: dict, plots: list[Path], path: Path) -> None:
    parts = [f"<h1>Stress run, seed {html.escape(str(a.summary['seed']))}</h1>",
             "<p>Money in US dollars (the outputs' integer cents), collateral in BTC (the outputs' integer "
             "satoshis), CVL in %; every time is UTC.</p>",
             "<h2>Parameters</h2>", _parameters(params),
             "<h2>Summary</h2>", _summary(a.summary),
             "<h2>Plots</h2>", *(_image(p) for p in plots),
             "<h2>Ten worst facilities</h2>", f"<p>{WORST_RULE}</p>", _worst(worst_facilities(a))]
    path.write_text(f"<!doctype html><html><head><meta charset='utf-8'><title>Stress run</title>"
                    f"<style>{_STYLE}</style></head><body>{''.join(parts)}</body></html>\n")


def _parameters(params: dict) -> str:
    """Every parameter the run used, with its unit. A run on a book held elsewhere (`book_from`)
    never drew one, so a drawn book's parameters (`BOOK_PARAMS`) are left out: listed, their
    defaults (`facilities 200`) read as the book the run stressed."""
    from scenarios.library.stress import BOOK_PARAMS, PARAMS  # the library runs the analysis: imported when drawn

    specs, held = {p.name: p for p in PARAMS}, bool(params.get("book_from"))
    rows = [(name, "" if value is None else str(value), getattr(specs.get(name), "unit", ""),
             getattr(specs.get(name), "doc", "")) for name, value in params.items()
            if not (held and name in BOOK_PARAMS)]
    return pd.DataFrame(rows, columns=["parameter", "value", "unit", "meaning"]).to_html(index=False)


def readable_summary(summary: dict) -> pd.DataFrame:
    """The summary as the report shows it, one row per summary.json field with its value in its unit
    ($147,095.14, 32.61185390 BTC, 49.40 %): shown raw in a notebook, the dict read
    `'proceeds_cents': 14709514` and `'btc_sold_sats': 3261185390`."""
    rows = [(key, human(key, value)) for key, value in summary.items()]
    return pd.DataFrame(rows, columns=["summary.json field", "value"]).set_index("summary.json field")


def readable_worst(worst: pd.DataFrame) -> pd.DataFrame:
    """`worst_facilities` as the report shows it: columns named for people, values in their units
    (raw, a CVL read 49.402045 beside 137.18 and proceeds 881569, in cents)."""
    return pd.DataFrame({_COLUMNS.get(c, c): [human(c, v) for v in worst[c]] for c in worst.columns})


def _summary(summary: dict) -> str:
    return readable_summary(summary).reset_index().to_html(index=False)


def _worst(worst: pd.DataFrame) -> str:
    return readable_worst(worst).to_html(index=False)


def _image(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return f"<h3>{html.escape(path.stem)}</h3><img alt='{html.escape(path.stem)}' src='data:image/png;base64,{data}'>"
