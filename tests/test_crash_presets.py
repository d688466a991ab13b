"""A historical crash preset publishes that crash: a preset run with another path replays that path
from its own level (not the preset's), and each shape's published trough is the documented one, at
its instant, whatever the seed."""

from __future__ import annotations

import pytest

from scenarios import run_stress
from scenarios.library import load_scenario

PRESETS = ("march-2020", "may-2021", "june-2022", "ftx-2022", "aug-2024", "bear-2018")
TINY = {"facilities": 2, "days": 1, "lead_days": 0}


@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_replays_its_path_from_the_paths_own_level(preset):
    assert load_scenario(preset).defaults["btc_usd"] == 0


@pytest.mark.parametrize("preset", ["march-2020", "bear-2018"])
def test_a_preset_given_another_shape_or_a_price_file_starts_at_that_paths_price(preset, tmp_path):
    prices = tmp_path / "btc.csv"
    prices.write_text("date,close\n2024-08-01,65000\n2024-08-05,49000\n2024-08-20,59000\n")
    june = run_stress(preset, seed=1, path="june-2022", **TINY)
    mine = run_stress(preset, seed=1, path=f"csv:{prices}", **TINY)
    assert june.summary["price_start_cents"] == 3_180_000  # June 2022's $31,800, not March 2020's $7,900
    assert mine.summary["price_start_cents"] == 6_500_000  # the file's first close
