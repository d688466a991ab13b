"""The stress scenario's knobs do what `lanasim describe stress` says over their whole documented range:
a value inside the range runs, one the run would refuse later is refused first, in one line."""

from __future__ import annotations

import json

import pytest

from scenarios import run_stress
from scenarios.cli import main
from scenarios.library import ScenarioError, load_scenario, parse_params

TINY = ["--seed", "1", "--set", "facilities=4", "--set", "days=1", "--set", "lead_days=0"]


def test_the_top_of_the_documented_base_slippage_range_runs_at_the_desks_cap(tmp_path, capsys):
    assert main(["run", "march-2020", *TINY, "--set", "base_slippage_bps=5000", "--out", str(tmp_path / "run"),
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["facilities"] == 4


def test_a_base_slippage_above_the_desks_cap_is_refused_before_anything_is_written(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "march-2020", *TINY, "--set", "base_slippage_bps=5001", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "base_slippage_bps=5001.0 is out of range [0 .. 5000]" in err and err.count("\n") == 1
    assert not out.exists()


@pytest.mark.parametrize("assignments, message", [
    (["cvl_low=124.99"], "cvl_low=124.99 is below the margin-call CVL 125 % of terms 12:12:140:125:105"),
    (["cvl_low=50", "cvl_high=60"], "cvl_low=50 is below the margin-call CVL 125 %"),
    (["cvl_low=128", "terms_mix=12:12:140:125:105,5:6:150:130:110"],
     "cvl_low=128 is below the margin-call CVL 130 % of terms 5:6:150:130:110"),
])
def test_a_cvl_low_under_a_margin_call_cvl_is_refused_since_such_facilities_never_open(assignments, message):
    with pytest.raises(ScenarioError) as refused:
        parse_params(load_scenario("march-2020"), assignments)
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_a_book_drawn_at_the_margin_call_cvl_opens_every_facility(tmp_path, capsys):
    assert main(["run", "march-2020", *TINY, "--set", "cvl_low=125", "--set", "cvl_high=125.5",
                 "--set", "path=constant:7900", "--out", str(tmp_path / "run"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["facilities"] == 4


def test_a_book_needing_more_than_all_the_bitcoin_there_is_is_refused_before_anything_is_written(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "march-2020", *TINY, "--set", "facility_usd=100000000", "--set", "btc_usd=1",
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == ("lanasim: error: a facility of $100,000,000.00 at cvl_high=300 % needs 300,000,000 BTC of "
                   "collateral at the opening price $1.00, more than the 21,000,000 BTC there are\n")
    assert not out.exists()


def test_the_largest_uniform_size_counts_against_the_bitcoin_there_is():
    big = ["facility_usd=100000000", "btc_usd=15", "facilities=1"]
    parse_params(load_scenario("march-2020"), big)  # 20,000,000 BTC at 300 %: there are that many (one facility)
    with pytest.raises(ScenarioError, match=r"a facility of \$150,000,000.00 at cvl_high=300 % needs 30,000,000 BTC"):
        parse_params(load_scenario("march-2020"), [*big, "size_distribution=uniform", "size_spread=0.5"])


def test_a_book_whose_facilities_together_need_more_than_all_the_bitcoin_is_refused(tmp_path, capsys):
    """200 facilities of $10,000 at 1,000 % and $0.01 a BTC: 10 million BTC each, under the limit one
    by one, 2 billion BTC together; the book opened without a word."""
    out = tmp_path / "run"
    assert main(["run", "stress", "--set", "path=constant:0.01", "--set", "facilities=200",
                 "--set", "facility_usd=10000", "--set", "cvl_low=1000", "--set", "cvl_high=1000",
                 "--set", "days=1", "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        "lanasim: error: 200 facilities of at least $10,000.00 at cvl_low=1000 % need at least 2,000,000,000 BTC "
        "of collateral at the opening price $0.01, more than the 21,000,000 BTC there are\n")
    assert not out.exists()


def test_the_check_draws_the_book_the_run_opens():
    """`drawn_collateral` reads the `portfolio` stream of `book_seed` in the order `a_book_is_opened`
    does (terms, size, age, CVL), whatever the run's own seed: the refusals below rest on it."""
    from engine.simulation import Simulation
    from scenarios.book.synthetic import drawn_collateral
    from scenarios.library import stress

    params = parse_params(load_scenario("stress"), [
        "facilities=12", "size_distribution=lognormal", "size_spread=1.5", "aged_share=0.5", "book_seed=3",
        "terms_mix=12:12:140:125:105,5:6:150:130:110", "cvl_low=130"])
    with Simulation(seed=7, start=stress.start(params)) as sim:
        book = stress.open_book(sim, params)
        opened = [(sim.credit.facility(f).amount, sim.credit.facility(f).collateral_sats) for f in book]
        price = sim.price.current()
    drawn = drawn_collateral(stress._spec(params), 3, price)
    assert [(cents, sats) for cents, _, sats in drawn] == opened


def test_a_lognormal_draw_beyond_all_the_bitcoin_is_refused_naming_the_parameters(tmp_path, capsys):
    """The median ($1M at 300 %: 3M BTC) passed the check; facility 1 drew $10.7M, 31.9M BTC, and the
    run ended in a bare AmountOutOfRange(field='sats') as the book opened, its directory left behind."""
    out = tmp_path / "run"
    assert main(["run", "stress", "--set", "size_distribution=lognormal", "--set", "size_spread=2",
                 "--set", "facility_usd=1000000", "--set", "btc_usd=1", "--set", "days=1", "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        "lanasim: error: facility 1 of the book drawn from book_seed=1, facility_usd=1000000, size_distribution="
        "lognormal, size_spread=2 is $10,748,019.76, needing 31,929,142 BTC at its CVL of 297.07 % and the opening "
        "price $1.00, more than the 21,000,000 BTC there are; lower facility_usd or size_spread, or draw another "
        "book_seed\n")
    assert not out.exists()


@pytest.mark.parametrize("book", [["size_distribution=lognormal", "size_spread=0.5", "facilities=1000"],
                                  ["facilities=1500"]])
def test_a_drawn_book_whose_total_lies_between_the_bound_checked_and_the_draw_is_refused(book):
    """$1 a BTC: each facility fits, the bound at cvl_low and the smallest size fits (13 to 19.5M
    BTC), and the book as drawn needs more than 21M BTC together: it opened without a word, holding
    24.5M (lognormal) or 32M (fixed) BTC, a book an import refuses."""
    with pytest.raises(ScenarioError, match=r"facilities drawn from book_seed=1, .* need [\d,]+ BTC of collateral "
                                            r"together at the opening price \$1.00, more than the 21,000,000 BTC"):
        parse_params(load_scenario("stress"), [*book, "btc_usd=1"])


def test_a_lognormal_book_that_fits_when_drawn_is_accepted():
    parse_params(load_scenario("stress"), ["size_distribution=lognormal", "size_spread=2", "facility_usd=1000000",
                                           "btc_usd=1000"])


def test_terms_with_an_initial_cvl_of_100_pct_have_their_liquidations_executed_and_none_left_queued():
    """Such terms size every liquidation (0 cents, 0 sats). The desk skipped them: a 20-facility
    stress run (Black Thursday) with `terms_mix=12:12:100:90:80` reported 20 liquidations started,
    0 executed, all in flight and queued at the desk to the end. They now complete with nothing sold."""
    run = run_stress("march-2020", seed=1, facilities=3, days=2, terms_mix="12:12:100:90:80", cvl_low=95,
                     cvl_high=99)
    summary, rows = run.summary, run.timeseries
    assert summary["liquidations_started"] == summary["liquidations_executed"] == 3
    assert (summary["btc_sold_sats"], summary["proceeds_cents"]) == (0, 0)
    assert rows["desk_queue"].max() == 3 and rows["desk_queue"].iloc[-1] == 0
    assert rows["liquidations_in_flight"].iloc[-1] == 0
