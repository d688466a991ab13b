"""The summaries of `onboarding` and of Lana's six stories, as `lanasim run` writes them to
summary.json, carry money as the stress family's does: integer cents under a snake_case name ending
`_cents`. They held float dollars (`"btc low (USD)": 41513.46`, `min(prices) / 100`) and dollar text
a program had to parse back (`"interest posted": "$302,466.56"`, `"payments": "1 for $..."`), under
names with spaces and parentheses."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from engine.inspect import open_readonly
from scenarios.library import run_scenario

STORIES = ["timely-payments", "interest-late", "principal-late", "disbursal-different-months",
           "interest-under-payment", "principal-under-payment"]
NAME = re.compile(r"[a-z][a-z0-9_]*\Z")


def no_float(text: str) -> dict:
    """summary.json read with every JSON number that is not an integer refused."""
    def refuse(literal: str) -> Decimal:
        raise AssertionError(f"a float in summary.json: {literal}")
    return json.loads(text, parse_float=refuse)


def walk(value: object):
    if isinstance(value, list):
        for item in value:
            yield from walk(item)
    else:
        yield value


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    made = {}
    for name in ["onboarding", *STORIES]:
        run_dir = tmp_path_factory.mktemp(name) / "run"
        summary = run_scenario(name, seed=1, params={"days": 4}, run_dir=run_dir)
        made[name] = (run_dir, summary, (run_dir / "summary.json").read_text())
    return made


@pytest.mark.parametrize("name", ["onboarding", *STORIES])
def test_every_amount_is_integer_cents_under_a_snake_case_name(runs, name):
    _, summary, text = runs[name]
    assert no_float(text) == json.loads(json.dumps(summary))  # the file is the summary returned
    for key, value in summary.items():
        assert NAME.match(key), key
        assert not any(isinstance(v, float) for v in walk(value)), (key, value)
        assert not any(isinstance(v, str) and "$" in v for v in walk(value)), (key, value)  # no dollar text
        if key.endswith("_cents"):
            assert all(type(v) is int for v in walk(value)), (key, value)
    assert {"events_journaled", "outbox_events", "digest"} <= summary.keys()


def test_onboarding_reports_the_btc_range_in_cents_as_the_oracle_published_it(runs):
    run_dir, summary, _ = runs["onboarding"]
    with open_readonly(str(run_dir / "journal.sqlite")) as view:
        prices = [e["payload"]["PriceUpdated"]["price"] for e in view.outbox(types=["core.price.price-updated"])]
        assert view.journal.digest() == summary["digest"]
    assert (summary["price_low_cents"], summary["price_high_cents"]) == (min(prices), max(prices))
    assert (summary["price_low_cents"], summary["price_high_cents"]) == (4_151_346, 4_865_109)


def test_a_story_reports_cents_that_add_up(runs):
    _, summary, _ = runs["timely-payments"]
    assert summary["paid_cents"] == summary["interest_paid_cents"] + summary["principal_paid_cents"] \
        == summary["paid_off_at_end_cents"] == 1_030_246_656
    assert (summary["payments"], summary["obligations_due"], summary["obligations_overdue"]) == (1, 5, 1)
    _, drawn, _ = runs["disbursal-different-months"]
    assert drawn["disbursals_cents"] == [100_000, 100_000_000] and drawn["disbursals_on"] == ["2024-01-01"] * 2
    assert sum(drawn["disbursals_cents"]) == drawn["principal_disbursed_cents"]


def test_the_table_prints_each_amount_in_cents_and_exactly_in_dollars():
    from scenarios.console import shown

    assert shown("paid_off_at_end_cents", 1_030_246_656) == "1,030,246,656 = $10,302,466.56"
    assert shown("btc_sold_sats", 760_708_214) == "760,708,214 = 7.60708214 BTC"
    assert shown("disbursals_cents", [100_000, 5]) == "100,000 = $1,000.00, 5 = $0.05"
    assert shown("payments", 1_000) == "1,000" and shown("ledger_balanced", True) == "yes"
