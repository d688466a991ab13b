"""A Sobol sensitivity design (SALib): parameters drawn over `KEY=LOW:HIGH` ranges, with the seed
as one more factor, so seed noise gets first- and total-order indices of its own beside the
parameters'. Integer parameters are rounded to whole values; the seed factor maps [0, 1) onto
seeds 0 .. 999,999.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scenarios.library import ScenarioError, load_scenario, parse_params
from scenarios.sweep.plan import RunSpec, check_size, code_version, fixed_pairs, market_data
from scenarios.sweep.risk import loss_of

__all__ = ["SEED_FACTOR", "check_metric", "parse_ranges", "plan_sobol", "sobol_indices"]

SEED_FACTOR = "seed (noise)"


def parse_ranges(items: list[str]) -> dict[str, tuple[float, float]]:
    """`KEY=LOW:HIGH` items -> {key: (low, high)}, both finite (`nan` and `inf` are refused)."""
    ranges = {}
    for item in items:
        key, _, raw = item.partition("=")
        low, sep, high = raw.partition(":")
        try:
            bounds = (float(low), float(high))
        except ValueError:
            bounds = (math.nan, math.nan)
        if not key or not sep or not bounds[0] < bounds[1] or not all(map(math.isfinite, bounds)) or key in ranges:
            raise ScenarioError("--design sobol expects --grid KEY=LOW:HIGH with finite LOW < HIGH once per key;"
                                f" got {item!r}")
        ranges[key] = bounds
    if not ranges:
        raise ScenarioError("--design sobol needs at least one --grid KEY=LOW:HIGH range (grid={KEY: (LOW, HIGH)})")
    return ranges


def _problem(ranges: dict[str, tuple[float, float]]) -> dict:
    return {"num_vars": len(ranges) + 1, "names": [*ranges, SEED_FACTOR], "bounds": [*ranges.values(), (0.0, 1.0)]}


def plan_sobol(name: str, ranges: dict[str, tuple[float, float]], samples: int, settings: list[str]) -> list[RunSpec]:
    """N x (D + 2) runs (Saltelli's scheme, first and total order), every point range-checked."""
    from SALib.sample import sobol

    if samples < 2 or samples & (samples - 1):
        raise ScenarioError(f"--samples (samples=) must be a power of two >= 2, got {samples}")
    check_size(samples * (len(ranges) + 2), f"--samples {samples} x {len(ranges) + 2} (ranges + 2)")
    scenario, code = load_scenario(name), code_version()
    fixed = fixed_pairs(settings)
    for key, (low, high) in ranges.items():
        if key not in scenario.params:
            raise ScenarioError(f"unknown parameter {key!r} for {name}; known: {', '.join(sorted(scenario.params))}")
        param = scenario.params[key]
        if (param.low is not None and low < param.low) or (param.high is not None and high > param.high):
            raise ScenarioError(f"--grid {key}={low:g}:{high:g} leaves the parameter's range [{param.range}]")
    points = sobol.sample(_problem(ranges), samples, calc_second_order=False, seed=0)
    runs = []
    for point in points:
        pairs = [*fixed, *((k, _typed(scenario.params[k].default, v)) for k, v in zip(ranges, point))]
        params = parse_params(scenario, [f"{k}={v}" for k, v in pairs])
        book, data = scenario.book_key(params), market_data(params)
        runs.append(RunSpec(name, tuple(pairs), int(point[-1] * 1_000_000), code, "sobol design", book, data))
    return runs


def _typed(default: object, value: float) -> str:
    return str(round(value)) if isinstance(default, int) and not isinstance(default, bool) else f"{value:.6g}"


def check_metric(name: str, metric: str) -> None:
    """Refuse, before any run, a metric a run of the stress family does not report (`--metric nosuch`
    ran every run first, and stayed in the sweep's manifest, so `report` kept failing); a story's
    numbers are known once it has run (`_metric_column`)."""
    from scenarios.analysis.metrics import NUMBERS

    if metric == "loss" or not load_scenario(name).stress_family:
        return
    known = (*NUMBERS, "events_journaled", "outbox_events", "wall_s", "setup_s")  # every run's own (worker.py)
    if metric not in known:
        raise ScenarioError(f"--metric (metric=) {metric} is not a number a {name} run reports; choose loss or one of: "
                            f"{', '.join(sorted(known))}")


def sobol_indices(runs: pd.DataFrame, plan: list[str], ranges: dict, metric: str) -> pd.DataFrame:
    """First- and total-order indices (95 % intervals) of `metric` (`loss`: see scenarios.sweep.risk)."""
    from SALib.analyze import sobol

    values = loss_of(runs) if metric == "loss" else _metric_column(runs, metric)
    by_key = dict(zip(runs["key"], values.astype(float)))
    y = np.array([by_key.get(key, np.nan) for key in plan])
    if np.isnan(y).any():
        raise ScenarioError(f"sensitivity of {metric!r} needs every planned run to report it; "
                            f"{int(np.isnan(y).sum())} of {len(y)} do not")
    names = _problem(ranges)["names"]
    if _no_variance(y, len(names)):
        return pd.DataFrame({"factor": names, **{c: math.nan for c in ("S1", "S1_conf", "ST", "ST_conf")}})
    # seeded so the intervals are the same each time: SALib takes a seed of 0 for none (`if seed:`)
    # and then bootstraps from numpy's global generator
    result = sobol.analyze(_problem(ranges), y, calc_second_order=False, conf_level=0.95, seed=1)
    return pd.DataFrame({"factor": names, "S1": result["S1"], "S1_conf": result["S1_conf"],
                         "ST": result["ST"], "ST_conf": result["ST_conf"]})


def _metric_column(runs: pd.DataFrame, metric: str) -> pd.Series:
    """The runs' `metric`, refused in one line when it is no number (`digest`, `status`, `repro`):
    a variance of text does not exist, and the float conversion raised a bare ValueError."""
    if metric in runs and not pd.api.types.is_numeric_dtype(runs[metric]):
        numeric = sorted(c for c in runs.select_dtypes("number") if c != "seed" and not c.startswith("param_"))
        raise ScenarioError(f"--metric (metric=) {metric} is not a number; choose loss or one of: {', '.join(numeric)}")
    return runs.get(metric, pd.Series(np.nan, index=runs.index))


def _no_variance(y: np.ndarray, factors: int) -> bool:
    """True when the base samples A and B (the first and last run of each block of `factors` + 2)
    all gave one value: the estimators divide by their variance, and SALib then answers 0 +- 0 for
    every index (a loss of $0 in every run read as "no factor moves the loss")."""
    if len(y) % (factors + 2):
        return False  # not a design of this shape: SALib says so
    blocks = y.reshape(-1, factors + 2)
    base = np.concatenate([blocks[:, 0], blocks[:, -1]])
    return bool(np.ptp(base) == 0)
