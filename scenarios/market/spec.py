"""Market paths by spec string (`kind[:args]`, grammar in the package docstring), seeded from the run's seed."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from difflib import get_close_matches
from pathlib import Path

from attrs import evolve, frozen

from scenarios.market import specvalue as value
from scenarios.market.csvfile import read_points
from scenarios.market.jumps import JumpDiffusion
from scenarios.market.parquetfile import as_csv, digest, is_parquet, row_of
from scenarios.market.paths import (
    DAY,
    GBM,
    MAX_CENTS,
    MAX_LOG_MOVE,
    BrownianBridge,
    Constant,
    MalformedPriceFile,
    PricePath,
)
from scenarios.market.piecewise import Piecewise
from scenarios.market.shapes import SHAPES, anchored_points
from scenarios.market.specvalue import PathSpecError

__all__ = ["KINDS", "MarketPath", "PathSpecError", "path_from_spec", "price_file_digest"]

DEFAULTS = {  # stochastic kinds: defaults of their optional keys (rates annual, dt seconds)
    "gbm": {"mu": "0", "sigma": "0.8", "dt": "3600"},
    "jump": {"mu": "0", "sigma": "0.6", "jumps": "6", "jump_mean": "-0.08", "jump_sd": "0.1", "dt": "3600"},
    "bridge": {"sigma": "0.8", "dt": "3600"},
}
RANGES: dict[str, tuple[float | None, float | None]] = {  # of the rates (a float beyond overflows)
    "mu": (None, None), "sigma": (0, MAX_LOG_MOVE), "jumps": (0, 10_000),
    "jump_mean": (-MAX_LOG_MOVE, MAX_LOG_MOVE), "jump_sd": (0, MAX_LOG_MOVE)}
KEYS: dict[str, set[str]] = {"constant": {"price"}, "csv": set(), "bridge": {"target", "days", "sigma", "start", "dt"},
                             **{kind: {*keys, "start"} for kind, keys in DEFAULTS.items() if kind != "bridge"},
                             **{name: {"noise"} for name in SHAPES}}
KINDS = tuple(sorted(KEYS))
DEFAULT_NOISE = 0.005


@frozen(eq=False)
class MarketPath:
    """A built spec: `price_at(t)` int cents at t whole seconds after `start` (t < 0 reads as 0).

    `start` is the aware UTC time a dated path's data begins (shapes, CSV), None for undated paths;
    `length_s` the seconds of data after it (None: open-ended); the price is flat after the data ends.
    """

    spec: str
    kind: str
    start: datetime | None
    length_s: int | None
    params: Mapping[str, object]
    path: PricePath

    def price_at(self, t: int) -> int:
        return self.path.price_at(max(0, t))

    def shifted(self, seconds: int) -> MarketPath:
        """The same prices `seconds` later (earlier if negative): the new path at t reads this one at
        t - seconds, and its `start` is the instant its t = 0 stands for (the data begins `seconds` in).
        To replay a dated path in a simulation that began at `sim_start`:
        `path.shifted(int((path.start - sim_start).totalseconds()))`."""
        if isinstance(seconds, bool) or not isinstance(seconds, int):
            raise PathSpecError(spec=self.spec, key="shift", value=seconds, problem="a shift is an int of seconds")
        start = None if self.start is None else self.start - timedelta(seconds=seconds)
        length = None if self.length_s is None else max(0, self.length_s + seconds)
        params = {**self.params, "shift_s": self.params.get("shift_s", 0) + seconds}  # type: ignore[operator]
        return MarketPath(self.spec, self.kind, start, length, params, _Shifted(self.path, seconds))

    def describe(self) -> dict[str, object]:
        start = None if self.start is None else self.start.isoformat().replace("+00:00", "Z")
        return {"spec": self.spec, "kind": self.kind, "start": start, "length_s": self.length_s, **self.params}


@frozen
class _Shifted:
    path: PricePath
    seconds: int

    def price_at(self, t: int) -> int:
        return self.path.price_at(max(0, t - self.seconds))

    def describe(self) -> dict[str, object]:
        return {**self.path.describe(), "shift_s": self.seconds}


def path_from_spec(spec: str, seed: int, price_cents: int | None = None) -> MarketPath:
    """Build the path `spec` names; random parts draw from a stream fixed by (seed, kind).

    `price_cents`, when given, makes a dated path (shape, CSV) replay its relative moves from that
    price, and is the start price of gbm/jump/bridge unless the spec says `start=`; `constant` without
    a price uses it too. A spec that needs a start price and gets none is refused.
    """
    if not isinstance(spec, str):
        raise PathSpecError(spec=spec, problem="a market spec is a string")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise PathSpecError(spec=spec, key="seed", value=seed, problem="the seed must be an int")
    if price_cents is not None and (isinstance(price_cents, bool) or not isinstance(price_cents, int)
                                    or price_cents <= 0):
        raise PathSpecError(spec=spec, key="price_cents", value=price_cents, problem="price_cents must be an int > 0")
    kind, arg, params = _split(spec)
    rng = random.Random(f"lanasim.market/{seed}/{kind}")
    if kind in SHAPES:
        path = _shape(spec, kind, params, rng, price_cents)
        return evolve(path, params={**path.params, "seed": seed}) if path.params["noise"] else path
    if kind == "csv":
        return _csv(spec, arg, price_cents)
    if kind == "constant":
        cents = value.dollars(spec, "price", params["price"]) if "price" in params else _start(spec, {}, price_cents)
        return MarketPath(spec, kind, None, None, {"price_cents": cents}, Constant(cents))
    path = _stochastic(spec, kind, params, rng, price_cents)
    return evolve(path, params={**path.params, "seed": seed})


def _split(spec: str) -> tuple[str, str, dict[str, str]]:
    kind, _, rest = spec.strip().partition(":")
    kind = kind.strip().lower()
    if kind not in KEYS:
        close = get_close_matches(kind, KINDS, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        if kind.endswith((".csv", ".txt")):
            hint = f" (a price file? write csv:{spec.strip()})"
        raise PathSpecError(spec=spec, key="kind", value=kind, known=KINDS,
                            problem=f"unknown market {kind!r}{hint}; known: {', '.join(KINDS)}")
    if kind == "csv":
        return kind, rest.strip(), {}
    params: dict[str, str] = {}
    for n, item in enumerate(rest.split(",") if rest.strip() else []):
        key, eq, raw = (part.strip() for part in item.partition("="))
        if not eq and n == 0 and kind == "constant":
            key, raw = "price", key
        elif not eq or not key:
            hint = " (a thousands separator? write 60000, not 60,000)" if key.isdigit() and n else ""
            raise PathSpecError(spec=spec, value=item, problem=f"{item.strip()!r} is not key=value{hint}")
        key = key.lower()
        if key not in KEYS[kind]:
            raise PathSpecError(spec=spec, key=key, known=sorted(KEYS[kind]),
                                problem=f"{kind} takes no key {key!r};"
                                        f" known: {', '.join(sorted(KEYS[kind])) or 'none'}")
        if key in params:
            raise PathSpecError(spec=spec, key=key, problem=f"key {key!r} is given twice")
        params[key] = raw
    return kind, "", params


def _shape(spec: str, kind: str, params: dict[str, str], rng: random.Random, price_cents: int | None) -> MarketPath:
    shape, noise = SHAPES[kind], value.number(spec, "noise", params.get("noise", str(DEFAULT_NOISE)), 0, MAX_LOG_MOVE)
    points = anchored_points(shape.anchors, price_cents)
    path = Piecewise(points, geometric=True, noise=noise, rng=rng)
    return MarketPath(spec, kind, shape.start, path.length_s,
                      {"noise": noise, "from_cents": points[0][1], "about": shape.about}, path)


def _csv(spec: str, file: str, price_cents: int | None) -> MarketPath:
    if not file:
        raise PathSpecError(spec=spec, key="file", problem="csv needs a file: csv:FILE")
    table = is_parquet(file)  # a Parquet table of the same columns, read as the CSV it stands for
    try:
        text, digest = as_csv(file) if table else _text_and_digest(file)
        rows = read_points(text, file, newest_first=True)
    except MalformedPriceFile as bad:
        line, problem = bad.fields["line"], bad.fields["problem"]
        if table and isinstance(line, int):  # its rows have numbers, not lines; its header is its columns
            line, problem = row_of(line, str(problem))
            where = f"{file}: " if line == 0 else f"{file} row {line}: "
        else:
            where = f"{file} line {line}: "
        raise PathSpecError(spec=spec, path=file, line=line, problem=f"{where}{problem}") from None
    except UnicodeDecodeError:
        problem = f"{file} is not UTF-8 text (a workbook or binary file? save it as CSV UTF-8)"
        raise PathSpecError(spec=spec, path=file, problem=problem) from None
    except OSError as bad:
        absolute = Path(file).expanduser().absolute()
        problem = f"cannot read {file}{'' if str(absolute) == file else f' ({absolute})'}: {bad.strerror or bad}"
        raise PathSpecError(spec=spec, path=file, problem=problem) from None
    points = anchored_points(rows, price_cents)
    _within_max(spec, file, points)
    path = Piecewise(points, geometric=False)
    return MarketPath(spec, "csv", rows[0][0], path.length_s,
                      {"file": file, "rows": len(rows), "from_cents": points[0][1], "sha256": digest}, path)


def price_file_digest(spec: str) -> str | None:
    """The `sha256` a `csv:FILE` market records of its file now (None: unreadable), so that a resume
    can tell the file the run read from one edited since, or another of that name elsewhere."""
    file = spec.strip()[4:]
    try:
        return digest(file) if is_parquet(file) else _text_and_digest(file)[1]
    except (OSError, UnicodeDecodeError):
        return None


def _text_and_digest(file: str) -> tuple[str, str]:
    """A CSV price file's text and the sha256 of that text (newlines as Python reads them)."""
    text = Path(file).expanduser().read_text(encoding="utf-8-sig")
    return text, hashlib.sha256(text.encode()).hexdigest()


def _within_max(spec: str, file: str, points: list[tuple[int, int]]) -> None:
    """A file's moves replayed from `btc_usd` may rise past what a price can be (each row was checked
    at its own level): refused here in one line, where the run's price event refused it later as a
    bare AmountOutOfRange naming neither file nor setting, its run directory left behind."""
    top = max(cents for _, cents in points)
    if top > MAX_CENTS:
        problem = (f"{file} replayed from {points[0][1] / 100:,.2f} USD rises to {top / 100:,.2f} USD a BTC, "
                   "above $10 trillion, the most a price reaches: choose a lower btc_usd")
        raise PathSpecError(spec=spec, path=file, problem=problem)


def _stochastic(spec: str, kind: str, params: dict[str, str], rng: random.Random,
                price_cents: int | None) -> MarketPath:
    s0, given = _start(spec, params, price_cents), {**DEFAULTS[kind], **params}
    dt = value.seconds(spec, "dt", given["dt"])
    rates = {key: value.number(spec, key, given[key], *RANGES[key]) for key in DEFAULTS[kind] if key != "dt"}
    values: dict[str, object] = {"start_cents": s0, **rates, "dt": dt}
    if kind == "gbm":
        return MarketPath(spec, kind, None, None, values, GBM(s0, rates["mu"], rates["sigma"], dt, rng))
    if kind == "jump":
        diffusion = JumpDiffusion(s0, rates["mu"], rates["sigma"], rates["jumps"], rates["jump_mean"],
                                  rates["jump_sd"], dt, rng)
        return MarketPath(spec, kind, None, None, values, diffusion)
    for key in ("target", "days"):
        if key not in params:
            raise PathSpecError(spec=spec, key=key, problem=f"bridge needs {key}=")
    target, days = value.target(spec, params["target"], s0), value.days(spec, params["days"])
    length = int(days * DAY)
    values |= {"target_cents": target, "days": float(days)}
    return MarketPath(spec, kind, None, length, values, BrownianBridge(s0, target, length, rates["sigma"], dt, rng))


def _start(spec: str, params: dict[str, str], price_cents: int | None) -> int:
    if "start" in params:
        return value.dollars(spec, "start", params["start"])
    if price_cents is None:
        raise PathSpecError(spec=spec, key="start", problem="needs a start price: give start=DOLLARS (or price_cents)")
    return price_cents
