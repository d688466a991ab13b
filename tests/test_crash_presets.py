"""A historical crash preset publishes that crash: a preset run with another path replays that path
from its own level (not the preset's), and each shape's published trough is the documented one, at
its instant, whatever the seed."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from scenarios import run_stress
from scenarios.cli import main
from scenarios.library import load_scenario, run_scenario
from scenarios.library.params import ScenarioError
from scenarios.market import SHAPES, path_from_spec

PRESETS = ("march-2020", "may-2021", "june-2022", "ftx-2022", "aug-2024", "bear-2018")
HOUR = 3600
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


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_a_shapes_noise_never_makes_a_lower_low_than_its_documented_trough(name):
    """ftx-2022 of seed 1 bottomed at $15,340 on 23 Nov, not $15,600 on 21 Nov, and bear-2018 of some
    seeds 9 % under $3,200 up to 11 days early: noise below the trough anchor is folded back up."""
    trough_at, trough = min(SHAPES[name].anchors, key=lambda anchor: anchor[1])
    for seed in range(12):
        path = path_from_spec(name, seed=seed)
        prices = [path.price_at(t) for t in range(0, path.length_s + 1, HOUR)]
        assert min(prices) == trough, seed
        assert path.start + timedelta(hours=prices.index(trough)) == trough_at, seed


def test_the_floor_keeps_the_relative_moves_of_a_shape_replayed_from_another_price():
    own, scaled = path_from_spec("ftx-2022", seed=1), path_from_spec("ftx-2022", seed=1, price_cents=6_000_000)
    ratio = 6_000_000 / own.price_at(0)
    for t in range(0, own.length_s + 1, HOUR):
        assert scaled.price_at(t) == pytest.approx(own.price_at(t) * ratio, abs=3)  # cents rounded twice


BOOK = ("facility_id,customer_email,facility_usd,disbursed_usd,principal_outstanding_usd,interest_outstanding_usd,"
        "collateral_btc,annual_rate_pct,duration_months,activated_on,initial_cvl_pct,margin_call_cvl_pct,"
        "liquidation_cvl_pct\nfac-1,ada@example.com,100000,100000,80000,0,2.5,12,12,2024-01-15,140,125,105\n")


@pytest.fixture
def book_journal(tmp_path):
    (tmp_path / "book.csv").write_text(BOOK)
    journal = tmp_path / "book.sqlite"
    assert main(["import", str(tmp_path / "book.csv"), "--as-of", "2024-03-10", "--price-usd", "60000",
                 "--journal", str(journal)]) == 0
    return journal


def test_a_price_for_a_journals_book_is_refused_since_the_path_replays_from_the_journals_price(
        book_journal, tmp_path, capsys):
    """`run may-2021 --from book.sqlite --set btc_usd=100000` ran from the journal's $60,000 and said nothing."""
    out = tmp_path / "run"
    capsys.readouterr()
    assert main(["run", "may-2021", "--from", str(book_journal), "--set", "btc_usd=100000", "--set", "days=1",
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lanasim: error: btc_usd=100000 is unused with --from JOURNAL") and err.count("\n") == 1
    assert not out.exists()
    assert main(["sweep", "may-2021", "--from", str(book_journal), "--grid", "btc_usd=50000,70000",
                 "--seeds", "1", "--out", str(tmp_path / "sweep")]) == 2
    assert "btc_usd=50000 is unused with --from JOURNAL" in capsys.readouterr().err
    assert main(["run", "may-2021", "--from", str(book_journal), "--set", "btc_usd=0", "--set", "days=1",
                 "--set", "lead_days=0", "--out", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["price_start_cents"] == 6_000_000


def test_a_price_with_book_from_set_directly_or_through_the_api_is_refused_as_with_from(book_journal, tmp_path,
                                                                                        capsys):
    """`--set book_from=J --set btc_usd=...` and `run_scenario(..., params={"book_from": J, "btc_usd": ...})`
    ran from the journal's own $60,000 and said nothing of the price given."""
    out = tmp_path / "run"
    capsys.readouterr()
    assert main(["run", "may-2021", "--set", f"book_from={book_journal}", "--set", "btc_usd=100000",
                 "--set", "days=1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lanasim: error: btc_usd=100000 is unused with book_from") and err.count("\n") == 1
    assert not out.exists()
    with pytest.raises(ScenarioError, match="btc_usd=70000 is unused with book_from"):
        run_scenario("ftx-2022", params={"book_from": str(book_journal), "btc_usd": 70_000, "days": 1}, run_dir=out)
    assert not out.exists()


def _readme_shapes() -> list[list[str]]:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    rows = [line for line in readme.splitlines() if line.startswith("| `") and "-> $" in line]
    return [[cell.strip(" `") for cell in row.strip("|").split("|")] for row in rows]


def test_the_readmes_table_of_crash_presets_says_what_each_preset_runs():
    rows = _readme_shapes()
    assert [row[0] for row in rows] == list(PRESETS)
    for preset, name, window, fall, drawdown, horizon in rows:
        defaults, shape = load_scenario(preset).defaults, SHAPES[name]
        assert defaults["path"] == name and horizon == f"{defaults['lead_days']}, {defaults['days']}"
        (first_at, first), (last_at, _) = shape.anchors[0], shape.anchors[-1]
        trough_at, trough = min(shape.anchors, key=lambda anchor: anchor[1])
        assert window == f"{first_at:%Y-%m-%d} .. {last_at:%Y-%m-%d}"
        assert fall == f"${first // 100:,} -> ${trough // 100:,} ({trough_at:%Y-%m-%d %H:%M})"
        assert drawdown == f"{100 * (trough / first - 1):.1f} %"


def test_a_path_without_its_own_price_runs_on_a_journals_book_from_the_journals_price(book_journal, tmp_path, capsys):
    """`run may-2021 --from book.sqlite --set path=constant:` was refused ("needs a start price") though
    the journal's book has one; march-2020 took it only because it then fixed btc_usd at 7,900."""
    capsys.readouterr()
    for n, (preset, spec) in enumerate([("may-2021", "constant:"), ("march-2020", "gbm:sigma=0.8")]):
        assert main(["run", preset, "--from", str(book_journal), "--set", f"path={spec}", "--set", "days=1",
                     "--set", "lead_days=0", "--out", str(tmp_path / f"run{n}"), "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["price_start_cents"] == 6_000_000


def test_a_path_without_a_price_on_a_drawn_book_is_told_to_take_btc_usd(tmp_path, capsys):
    """march-2020 ran `path=gbm:sigma=0.8` from its fixed $7,900; now it asks for a price in the run's terms
    (the message named price_cents, a Python argument no run takes)."""
    out = tmp_path / "run"
    assert main(["run", "march-2020", "--set", "path=gbm:sigma=0.8", "--out", str(out)]) == 2
    assert capsys.readouterr().err == ("lanasim: error: market spec 'gbm:sigma=0.8' needs a start price: give "
                                       "start=DOLLARS in it, or btc_usd=DOLLARS\n")
    assert not out.exists()


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_a_shapes_noise_never_makes_a_higher_high_than_its_highest_anchor(name):
    """ftx-2022 of seed 1 rose to $22,275 on its way down from $21,300 (its highest anchor), up to 6 % over
    it among 200 seeds, so the drawdown from the top was up to -31 % instead of -27 %."""
    peak = max(cents for _, cents in SHAPES[name].anchors)
    for seed in range(12):
        path = path_from_spec(name, seed=seed)
        assert max(path.price_at(t) for t in range(0, path.length_s + 1, HOUR)) == peak, seed


def test_a_huge_noise_stays_between_the_shapes_extremes():
    path = path_from_spec("ftx-2022:noise=10", seed=3)
    prices = [path.price_at(t) for t in range(0, path.length_s + 1, HOUR)]
    assert min(prices) == 1_560_000 and max(prices) == 2_130_000


@pytest.mark.parametrize("argv", [
    ["run", "may-2021", "--from", "JOURNAL", "--set", "facilities=5"],
    ["run", "may-2021", "--from", "BOOK", "--at", "2024-03-10", "--set", "cvl_low=200"],
    ["sweep", "may-2021", "--from", "JOURNAL", "--grid", "facilities=200,500", "--seeds", "1"],
    ["sweep", "may-2021", "--from", "JOURNAL", "--design", "sobol", "--samples", "2", "--grid", "cvl_low=150:200"],
])
def test_a_drawn_books_parameter_with_from_is_refused_as_unused(book_journal, tmp_path, capsys, argv):
    """`sweep --from J --grid facilities=200,500` gave every cell the same runs (the book is the
    journal's), and `run --from J --set facilities=5` ran the journal's book; neither said so."""
    out = tmp_path / "out"
    args = [str(book_journal) if a == "JOURNAL" else str(tmp_path / "book.csv") if a == "BOOK" else a for a in argv]
    capsys.readouterr()
    assert main([*args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "is unused with --from: the book is the open facilities found there" in err and err.count("\n") == 1
    assert not out.exists()


@pytest.mark.parametrize(("start", "words"), [("abc", "start='abc' is not a number"),
                                              ("-5", "start='-5' must be at least one cent"),
                                              ("1e30", "start='1e30' is above $10,000,000,000,000")])
def test_a_bad_start_price_is_named_as_bad_not_as_missing(tmp_path, capsys, start, words):
    """`path=gbm:sigma=0.8,start=abc` (or -5, or 1e30) was answered "needs a start price: give
    start=DOLLARS in it", which it had given."""
    out = tmp_path / "run"
    assert main(["run", "march-2020", "--set", f"path=gbm:sigma=0.8,start={start}", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert words in err and "needs a start price" not in err and err.count("\n") == 1
    assert not out.exists()


@pytest.mark.parametrize(("spec", "words"), [("constant:start=50000", "constant takes no key 'start'; known: price"),
                                             ("may-2021:start=50000", "may-2021 takes no key 'start'; known: noise")])
def test_a_start_price_on_a_market_that_takes_none_is_named_as_unknown_not_as_missing(tmp_path, capsys, spec,
                                                                                      words):
    """`path=constant:start=50000` (its price is `constant:50000` or `price=`) and a historical shape's
    `start=` were answered "needs a start price: give start=DOLLARS in it", which they had given."""
    out = tmp_path / "run"
    assert main(["run", "stress", "--set", f"path={spec}", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert words in err and "needs a start price" not in err and err.count("\n") == 1
    assert not out.exists()


def test_run_stress_on_a_journals_book_gives_the_run_lanasim_run_from_gives(book_journal, tmp_path, capsys):
    """`run_stress("march-2020", book_from=J)` was refused with "a book held in a journal is branched,
    not opened: run it with the book `build_book(params)` gives (`Scenario.execute` does)"."""
    from scenarios import run_stress

    result = run_stress("march-2020", seed=3, book_from=str(book_journal), days=1, lead_days=0)
    capsys.readouterr()
    assert main(["run", "march-2020", "--from", str(book_journal), "--seed", "3", "--set", "days=1",
                 "--set", "lead_days=0", "--out", str(tmp_path / "run"), "--json"]) == 0
    assert result.digest == json.loads(capsys.readouterr().out)["digest"]
    assert result.summary["facilities"] == 1


def test_a_run_into_the_directory_whose_journal_is_its_book_is_refused_and_the_journal_kept(
        book_journal, tmp_path, capsys):
    """`run ftx-2022 --from DIR --out DIR --force` deleted DIR's journal (the previous run's, to be
    replaced), which was the book it was to read, then failed "no such file": the source was lost."""
    run = tmp_path / "run"
    assert main(["run", "ftx-2022", "--from", str(book_journal), "--set", "days=1", "--out", str(run)]) == 0
    before = (run / "journal.sqlite").read_bytes()
    capsys.readouterr()
    assert main(["run", "ftx-2022", "--from", str(run), "--set", "days=1", "--out", str(run), "--force"]) == 2
    err = capsys.readouterr().err
    assert "holds the journal the run's book is read from (--from); choose another --out" in err
    assert err.count("\n") == 1 and (run / "journal.sqlite").read_bytes() == before
