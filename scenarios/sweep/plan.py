"""What a sweep runs: seeds, grid cells and fixed settings parsed and checked, each run keyed by a
hash of scenario, parameters, seed and code version (so a finished run is never run twice)."""

from __future__ import annotations

import hashlib
import itertools
import math
import re
import shlex
from functools import cache
from pathlib import Path

from attrs import frozen

from engine.kernel.ids import SEED_RANGE
from scenarios.library import ScenarioError, load_scenario, parse_params
from scenarios.library.params import assignments

__all__ = ["MAX_RUNS", "RunSpec", "cell_label", "check_seeds", "check_size", "code_version", "fixed_pairs",
           "market_data", "parse_grid", "parse_seeds", "plan_grid", "repro_command"]

_SOURCES = ("domains", "engine", "scenarios")
MAX_RUNS = 1_000_000  # the most runs a sweep plans (seeds x grid cells, or a Sobol design's points)
_RANGE = re.compile(r"\s*(-?\d+)\s*-\s*(-?\d+)\s*")  # A-B, either end negative: -3--1, -1-1


@frozen
class RunSpec:
    """One run: a scenario, its `KEY=VALUE` assignments (as typed, in order), a seed, and the
    code version it is keyed by. `book` is the key of the book the run branches from (the
    scenario's `book_key(params)`: runs of one key share one book, opened once per sweep), or None
    for a scenario whose runs share no book."""

    scenario: str
    assignments: tuple[tuple[str, str], ...]
    seed: int
    code: str
    cell: str
    book: str | None = None
    data: str = ""

    @property
    def key(self) -> str:
        """A hash of what the run computes: scenario, parameters, seed, code; and what can change
        under the same parameters: the key of a book held in a journal (`book_from`; a drawn book is
        a function of them) and the hash of a `csv:` market's price file (`data`)."""
        held = [self.book] if self.book is not None and self.book.startswith("from-") else []
        text = "\x1f".join([self.scenario, *(f"{k}={v}" for k, v in sorted(self.assignments)),
                            str(self.seed), self.code, *held, *([self.data] if self.data else [])])
        return hashlib.sha256(text.encode()).hexdigest()[:20]


def parse_seeds(text: str) -> list[int]:
    """`7`, `1-8` or `1,3,5` -> seeds; an empty range, or one of more than MAX_RUNS seeds, is refused
    (before it is built). Any 64-bit integer is a seed, negative ones too (a seed only names random
    streams; the journal stores it as a 64-bit integer): one outside -2**63 .. 2**63 - 1 is refused."""
    try:
        span = _RANGE.fullmatch(text)
        if span:
            low, high = int(span[1]), int(span[2])
            check_seeds([low, high])
            check_size(high - low + 1, f"--seeds {text}")
            seeds = list(range(low, high + 1))
        else:
            seeds = [int(x) for x in text.split(",")]
    except ValueError:
        raise ScenarioError(f"--seeds expects N, A-B or A,B,C; got {text!r}") from None
    if not seeds:
        raise ScenarioError(f"--seeds {text} is an empty range (A-B needs A <= B)")
    check_size(len(seeds), f"--seeds {text}")
    return check_seeds(seeds)


def check_seeds(seeds: object) -> list[int]:
    """`seeds` as a list if every one is an int from -2**63 to 2**63 - 1 (bool excluded), else
    `ScenarioError` naming the first that is not (a str such as "1-8" is text for `parse_seeds`), or
    the first given twice."""
    if isinstance(seeds, (str, bytes)):
        raise ScenarioError(f"seeds must be ints, not the text {seeds!r} (parse_seeds reads N, A-B or A,B,C)")
    try:
        listed = list(seeds)  # type: ignore[call-overload]
    except TypeError:
        raise ScenarioError(f"seeds must be ints, not {seeds!r}") from None
    seen: set[int] = set()
    for seed in listed:
        if type(seed) is not int or not SEED_RANGE[0] <= seed <= SEED_RANGE[1]:
            raise ScenarioError(f"seed {seed!r} is not a seed: a seed is an integer from -2**63 to 2**63 - 1")
        if seed in seen:  # a seed's run of a cell is made once: [1, 1, 2] ran 2 seeds and said nothing
            raise ScenarioError(f"seed {seed} is given twice: a sweep runs each seed once per cell")
        seen.add(seed)
    return listed


def check_size(runs: int, what: str) -> None:
    """Refuse, in one line, a plan of more than MAX_RUNS runs (`what` names it)."""
    if runs > MAX_RUNS:
        raise ScenarioError(f"{what} plans {runs:,} runs; a sweep plans at most {MAX_RUNS:,}")


def parse_grid(items: list[str], seeds: int = 1) -> list[dict[str, str]]:
    """`KEY=v1,v2` items -> every combination as KEY=VALUE assignments (in the order given); values
    that hold commas themselves (a `gbm:mu=0,sigma=0.8` market) are separated by `|` instead. A grid
    whose cells x `seeds` exceed MAX_RUNS is refused before its cells are built."""
    keys, values = [], []
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not raw or key in keys:
            raise ScenarioError(f"--grid (grid=) expects KEY=V1,V2,... once per key; got {item!r}")
        keys.append(key)
        values.append(_once(item, _values(item, raw)))
    cells = math.prod(map(len, values))
    check_size(cells * seeds, f"{seeds:,} seed(s) x {cells:,} grid cell(s)")
    return [dict(zip(keys, combo)) for combo in itertools.product(*values)] or [{}]


def _once(item: str, values: list[str]) -> list[str]:
    """The values, refused in one line when one is given twice (`facilities=10,10` planned the same
    runs twice, which the sweep then ran once: a grid of one cell where the user typed two)."""
    twice = sorted({v for v in values if values.count(v) > 1})
    if twice:
        raise ScenarioError(f"--grid (grid=) {item!r} gives {twice[0]!r} twice: give each value once")
    return values


def _values(item: str, raw: str) -> list[str]:
    """A grid key's values: comma-separated, or `|`-separated when they hold commas; a trailing `|`
    marks one value that holds commas (`path=gbm:mu=0,sigma=0.8|`), which commas would split."""
    if "|" not in raw:
        values = raw.split(",")
        torn = [v for v in values[1:] if "=" in v and ":" not in v]  # `sigma=0.8`: a market spec's own key
        if torn:
            key = item.partition("=")[0]
            raise ScenarioError(
                f"--grid (grid=) {item!r} splits at its commas into {', '.join(map(repr, values))}: values that "
                f"hold commas are separated by '|', and a single one ends with '|' ({key}={raw}|)")
        return values
    values = raw.removesuffix("|").split("|")
    if "" in values:
        raise ScenarioError(f"--grid (grid=) expects KEY=V1|V2,... with no empty value; got {item!r}")
    return values


def cell_label(assignments) -> str:
    """`facilities=20 days=3` (grid keys only); `all` for a sweep with no grid."""
    return " ".join(f"{k}={v}" for k, v in assignments) or "all"


def plan_grid(name: str, seeds: list[int], grid: list[dict[str, str]], settings: list[str]) -> list[RunSpec]:
    """Every (cell, seed) in cell-major order; every cell's parameters are checked before any run."""
    check_size(len(seeds) * len(grid), f"{len(seeds):,} seed(s) x {len(grid):,} grid cell(s)")
    scenario, code = load_scenario(name), code_version()
    fixed = fixed_pairs(settings)
    grid_keys = set(grid[0])
    overlap = grid_keys & {k for k, _ in fixed}
    if overlap:
        raise ScenarioError(f"parameter {min(overlap)!r} is both in --grid and --set (grid= and settings=)")
    runs = []
    for point in grid:
        pairs = [*fixed, *point.items()]
        params = parse_params(scenario, [f"{k}={v}" for k, v in pairs])
        book, data = scenario.book_key(params), market_data(params)
        runs += [RunSpec(name, tuple(pairs), seed, code, cell_label(point.items()), book, data) for seed in seeds]
    return runs


def market_data(params: dict) -> str:
    """A hash of the price file a `csv:` market reads ('' for any other market): a rerun after the
    file changed found its runs "already done" under the same parameters and kept the old figures."""
    spec = str(params.get("path", "")).strip()
    if spec[:4].lower() != "csv:":
        return ""
    return hashlib.sha256(Path(spec[4:]).expanduser().read_bytes()).hexdigest()[:16]


def fixed_pairs(settings: list[str]) -> list[tuple[str, str]]:
    """`--set KEY=VALUE` items as (key, value), refused as `lanasim run` refuses them (`assignments`)."""
    return list(assignments(settings).items())


def repro_command(spec: RunSpec) -> str:
    """The one-line command that reruns this run alone, into a directory named by the run's key (two
    cells' runs of one seed never share it: `--force` would replace the other's)."""
    sets = "".join(f" --set {shlex.quote(f'{k}={v}')}" for k, v in spec.assignments)
    out = f"out/repro/{spec.scenario}-seed{spec.seed}-{spec.key[:8]}"
    return f"lanasim run {spec.scenario} --seed {spec.seed}{sets} --out {out} --force"


@cache
def code_version() -> str:
    """A hash of every Python source under domains/, engine/ and scenarios/ (the sweep's own
    files excluded: changing how results are stored does not change a run)."""
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256()
    for folder in _SOURCES:
        for path in sorted((root / folder).rglob("*.py")):
            if "sweep" in path.relative_to(root).parts[:2]:
                continue
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]
