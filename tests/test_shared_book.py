"""A stress book depends on the book's parameters alone: every run seed stresses the same book, and a
run branched from the book opened once writes the journal of a run that opens it itself."""

from __future__ import annotations

import pytest

from engine import Simulation
from engine.kernel.ids import Ids
from scenarios.book.shared import branch
from scenarios.cli import main
from scenarios.library import ScenarioError, load_scenario, parse_params
from scenarios.library.stress import book_key, open_book

SMALL = ["facilities=5", "days=2"]


def params_of(*assignments: str, name: str = "march-2020") -> dict:
    """SMALL's parameters, each overridden by an assignment of the same key (given once each)."""
    given = dict(a.split("=", 1) for a in [*SMALL, *assignments])
    return parse_params(load_scenario(name), [f"{k}={v}" for k, v in given.items()])


def book_of(seed: int, params: dict) -> list[tuple]:
    """The facilities a fresh run of `seed` opens: id, amount, collateral."""
    with Simulation(seed=seed, start=load_scenario("march-2020").start(params)) as sim:
        return [(f, sim.credit.facility(f).amount, sim.credit.facility(f).collateral_sats)
                for f in open_book(sim, params)]


def test_every_run_seed_opens_the_same_book_and_another_book_seed_another():
    params = params_of("cvl_low=130", "cvl_high=300")
    assert book_of(1, params) == book_of(7, params)
    assert book_of(1, params) != book_of(1, params_of("book_seed=2"))


def test_the_book_key_follows_the_book_parameters_and_not_the_market_or_the_desk():
    base = book_key(params_of())
    assert book_key(params_of("desk_capacity_per_hour=1", "days=5", "top_up_share=0.1")) == base
    assert book_key(params_of("facilities=6")) != base
    assert book_key(params_of("book_seed=2")) != base
    assert book_key(params_of("btc_usd=20000")) != base  # the book opens at another price


@pytest.mark.parametrize("seed", [1, 4])
def test_a_run_branched_from_the_book_opened_once_writes_the_journal_of_a_run_that_opens_it(seed, tmp_path):
    scenario, params = load_scenario("march-2020"), params_of()
    book = scenario.build_book(params)
    alone = scenario.execute(seed=seed, journal=":memory:", params=params)
    branched = scenario.execute(seed=seed, journal=":memory:", params=params, book=book)
    to_file = scenario.execute(seed=seed, journal=str(tmp_path / "run.sqlite"), params=params, book=book)
    assert alone == branched == to_file
    assert main(["verify", str(tmp_path / "run.sqlite")]) == 0


def test_a_run_of_other_seed_than_the_book_stresses_it_with_its_own_market_and_borrowers():
    scenario, params = load_scenario("stress"), params_of("path=gbm:mu=0,sigma=0.9,start=60000", name="stress")
    book = scenario.build_book(params)
    digests = {scenario.execute(seed=seed, journal=":memory:", params=params, book=book)["digest"]
               for seed in (1, 2, 3)}
    assert len(digests) == 3


def test_a_branch_holding_another_book_is_refused_in_one_line():
    scenario = load_scenario("march-2020")
    book = scenario.build_book(params_of())
    with pytest.raises(ScenarioError, match="holds book"):
        scenario.execute(seed=1, journal=":memory:", params=params_of("facilities=6"), book=book)


def test_a_branch_never_writes_over_an_existing_journal(tmp_path):
    from engine.kernel.errors import NotALanasimJournal

    (tmp_path / "run.sqlite").write_text("mine")
    with pytest.raises(NotALanasimJournal):
        branch(load_scenario("march-2020").build_book(params_of()), 2, str(tmp_path / "run.sqlite"))
    assert (tmp_path / "run.sqlite").read_text() == "mine"


def test_reseeded_ids_go_on_from_the_new_seed_and_a_reopened_run_draws_the_same():
    ids = Ids(5)
    drawn = [ids.entity() for _ in range(3)]
    ids.reseed(9)
    again = Ids(5)
    again.restore(ids.state())
    fresh = Ids(9)
    assert [fresh.entity() for _ in range(4)][3] == ids.entity() == again.entity()
    assert ids.entity() not in drawn and ids.state()["seed"] == 9 and ids.state()["commands"] == 0
