"""Merton jump-diffusion: GBM plus Poisson jumps in log price, for fat-tailed seeded markets."""

from __future__ import annotations

import math
import random

from attrs import define, field

from scenarios.market.paths import (
    YEAR,
    _cents,
    _Grid,
    _log_move,
    _non_negative,
    _positive_seconds,
    _private_stream,
    _real,
)

__all__ = ["JumpDiffusion"]


@define(eq=False)
class JumpDiffusion:
    """Per grid step of dt seconds the log price moves by a GBM step plus N jumps, N ~ Poisson(
    jumps_per_year * dt / year), each jump ~ Normal(jump_mean, jump_sd) in log price.

    The drift is compensated (minus jumps_per_year * (E[e^jump] - 1)), so `mu_annual` stays the
    expected annual return as in GBM. Same floats, rounding and clamping as GBM; stepwise between points.
    """

    s0_cents: int = field(validator=_cents)
    mu_annual: float = field(validator=_real)
    sigma_annual: float = field(validator=[_non_negative, _log_move])
    jumps_per_year: float = field(validator=_non_negative)
    jump_mean: float = field(validator=_log_move)
    jump_sd: float = field(validator=[_non_negative, _log_move])
    dt_seconds: int = field(validator=_positive_seconds)
    rng: random.Random = field(converter=_private_stream, repr=False)
    _grid: _Grid = field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self._grid = _Grid(self.s0_cents, self.dt_seconds, self._step)

    def _step(self, k: int, x: float) -> float:
        years = self.dt_seconds / YEAR
        compensator = self.jumps_per_year * math.expm1(self.jump_mean + self.jump_sd**2 / 2)
        drift = (self.mu_annual - self.sigma_annual**2 / 2 - compensator) * years
        x += drift + self.sigma_annual * math.sqrt(years) * self.rng.gauss(0.0, 1.0)
        for _ in range(_poisson(self.rng, self.jumps_per_year * years)):
            x += self.rng.gauss(self.jump_mean, self.jump_sd)
        return x

    def price_at(self, t: int) -> int:
        return self._grid.price_at(t)

    def describe(self) -> dict[str, object]:
        return {"kind": "jump-diffusion", "s0_cents": self.s0_cents, "mu_annual": self.mu_annual,
                "sigma_annual": self.sigma_annual, "jumps_per_year": self.jumps_per_year,
                "jump_mean": self.jump_mean, "jump_sd": self.jump_sd, "dt_seconds": self.dt_seconds}


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's product-of-uniforms draw (means per step are small here)."""
    if mean <= 0:
        return 0
    limit, n, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        n += 1
        product *= rng.random()
    return n
