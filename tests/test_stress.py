"""The stress scenario as a specification: its outputs agree with the agents that acted, are
regenerated from the journal alone, carry numbers (never formatted strings), and its parameters are
range-checked; presets are parameter sets of it; the Python API runs it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from domains.accounting import chart
from engine import Simulation
from engine.kernel.errors import InvalidArgument, InvalidInstant
from scenarios import run_stress
from scenarios.analysis import analyse, analyse_run
from scenarios.behaviour.agents import Borrowers, LiquidationDesk
from scenarios.library import ScenarioError, load_scenario, parse_params, scenario_names

SMALL = {"facilities": 20, "days": 3, "desk_capacity_per_hour": 1}
SUMMARY_FIELDS = {"seed", "facilities", "price_start_cents", "price_trough_cents", "price_end_cents", "margin_calls",
                  "liquidations_executed", "btc_sold_sats", "proceeds_cents", "slippage_cents", "shortfall_max_cents",
                  "shortfall_end_cents", "min_cvl_pct", "hours_under_margin_call_mean", "digest"}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return run_stress("march-2020", seed=1, out=tmp_path_factory.mktemp("runs") / "march", **SMALL)


def test_every_preset_is_a_scenario_with_the_stress_parameters():
    names = set(scenario_names())
    assert {"stress", "march-2020", "may-2021", "june-2022", "ftx-2022", "aug-2024", "bear-2018"} <= names
    stress = set(load_scenario("stress").params)
    for preset in ("march-2020", "may-2021", "june-2022", "ftx-2022", "aug-2024", "bear-2018"):
        assert set(load_scenario(preset).params) == stress


def test_a_dated_path_opens_the_book_lead_days_before_it_begins():
    march = load_scenario("march-2020")
    assert march.start(march.defaults) == "2020-02-25T00:00:00Z"
    may = load_scenario("may-2021")
    assert may.start({**may.defaults, "lead_days": 0}) == "2021-05-12T00:00:00Z"
    stress = load_scenario("stress")
    assert stress.start({**stress.defaults, "path": "gbm:mu=0,sigma=0.8,start=60000"}) == "2024-01-01"


@pytest.mark.parametrize("assignment, message", [
    ("facilities=0", "facilities=0 is out of range"),
    ("size_distribution=pareto", "is not one of: fixed, uniform, lognormal"),
    ("cvl_low=400", "cvl_low=400.0 is above cvl_high=300.0"),
    ("repay_share=0.9", "exceeds 1"),
    ("terms_mix=12:12:140:150:105", "terms_mix="),
    ("path=nowhere-2030", "market spec 'nowhere-2030'"),
    ("gap_hours=5", "gap_hours=5 needs gap_every_hours"),
    ("stale_after_hours=10", "stale_after_hours=10 needs stale_hours"),
    ("spike_after_hours=3", "spike_after_hours=3 needs spike_pct"),
])
def test_a_bad_parameter_is_refused_in_one_line(assignment, message):
    with pytest.raises(ScenarioError) as refused:
        parse_params(load_scenario("stress"), [assignment])
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_the_summary_agrees_with_what_the_desk_and_the_borrowers_did():
    scenario = load_scenario("march-2020")
    params = {**scenario.defaults, **SMALL}
    with Simulation(seed=1, start=scenario.start(params)) as sim:
        summary = scenario.module.story(sim, **params)
        desk, borrowers = _agent(sim, LiquidationDesk), _agent(sim, Borrowers)
        sold = desk.executions
        assert (summary["liquidations_executed"], summary["btc_sold_sats"]) == (
            len(sold), sum(e.sats_sold for e in sold))
        assert summary["proceeds_cents"] == sum(e.proceeds_cents for e in sold)
        assert summary["slippage_cents"] == sum(e.slippage_cents for e in sold)
        assert summary["margin_calls"] == len(borrowers.margin_calls()) > 0
        collaterals = [sim.state("credit-facility", f).collateral_id for f in sim.journal.entity_ids("credit-facility")]
        assert summary["btc_sold_sats"] == sum(sim.ledger.balance(chart.liquidated_collateral(c), currency="BTC")
                                               for c in collaterals) > 0
        assert summary["proceeds_cents"] == sim.ledger.balance(chart.LIQUIDATION_PROCEEDS_OMNIBUS)
        facilities = analyse_run(sim).facilities.set_index("facility_id")
        for facility in facilities.index:
            view = sim.credit.facility(facility)
            assert facilities.loc[facility, "collateral_sats_end"] == view.collateral_sats
            assert facilities.loc[facility, "outstanding_cents_end"] == view.books.outstanding
            hours = facilities.loc[facility, "hours_under_margin_call"]
            assert hours * 3600 == borrowers.time_under_margin_call(facility)


def test_the_analysis_read_as_a_stream_equals_the_analysis_of_the_whole_outbox():
    scenario = load_scenario("march-2020")
    params = {**scenario.defaults, **SMALL}
    with Simulation(seed=1, start=scenario.start(params)) as sim:
        scenario.module.story(sim, **params)
        streamed, whole = analyse_run(sim), analyse(sim.outbox.tail(), seed=sim.seed, digest=sim.journal.digest())
    assert streamed.summary == whole.summary and streamed.summary["margin_calls"] > 0
    for frame in ("timeseries", "facilities", "markers"):
        pd.testing.assert_frame_equal(getattr(streamed, frame), getattr(whole, frame))


def _agent(sim, cls):
    """The story's agent of type `cls`, found among the outbox consumers it registered."""
    return next(c.policy.react.__self__ for c in sim.reactions.consumers
                if isinstance(getattr(c.policy.react, "__self__", None), cls))


def test_the_summary_holds_numbers_with_units_in_their_names(run):
    assert set(run.summary) >= SUMMARY_FIELDS
    for key, value in run.summary.items():
        assert key in ("digest", "run_start_utc", "run_end_utc") or isinstance(value, (int, float)), key
    assert run.summary["price_trough_cents"] < run.summary["price_start_cents"] == 790_000
    assert run.summary["liquidations_executed"] > 0
    assert run.summary["shortfall_max_cents"] >= run.summary["shortfall_end_cents"]


def test_the_run_directory_holds_every_output(run):
    files = {p.relative_to(run.out).as_posix() for p in run.out.rglob("*")}
    assert {"journal.sqlite", "summary.json", "timeseries.parquet", "facilities.parquet", "report.html"} <= files
    assert {f"plots/{name}.png" for name in ("price", "states", "cvl", "liquidations", "shortfall")} <= files
    page = (run.out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 5 and "Ten worst facilities" in page


def test_the_parquet_files_have_one_row_per_price_update_and_per_facility(run):
    timeseries = pd.read_parquet(run.out / "timeseries.parquet")
    facilities = pd.read_parquet(run.out / "facilities.parquet")
    assert len(timeseries) == run.summary["price_updates"] and len(facilities) == SMALL["facilities"]
    assert str(timeseries["time"].dt.tz) == "UTC" and timeseries["time"].is_monotonic_increasing
    states = timeseries[["fully_collateralized", "under_margin_call", "under_liquidation"]].sum(axis=1)
    assert (states == timeseries["facilities_active"]).all()
    assert timeseries["shortfall_cents"].max() == run.summary["shortfall_max_cents"]
    assert facilities["sats_sold"].sum() == run.summary["btc_sold_sats"]


def test_report_regenerates_the_outputs_from_the_journal_alone(run):
    written = json.loads((run.out / "summary.json").read_text())
    (run.out / "summary.json").unlink()
    (run.out / "timeseries.parquet").unlink()
    assert load_scenario("march-2020").module.report(run.out) == written == run.summary
    assert json.loads((run.out / "summary.json").read_text()) == written
    assert pd.read_parquet(run.out / "timeseries.parquet").equals(run.timeseries)


def test_the_same_seed_gives_the_same_summary_and_another_seed_another_digest(run):
    again = run_stress("march-2020", seed=1, **SMALL)
    other = run_stress("march-2020", seed=2, **SMALL)
    assert again.summary == run.summary and other.digest != run.digest


def test_oracle_faults_reach_the_feed():
    clean = run_stress("stress", seed=1, facilities=5, days=2, path="constant:50000")
    faulty = run_stress("stress", seed=1, facilities=5, days=2, path="constant:50000", stale_after_hours=6,
                        stale_hours=10, spike_after_hours=30, spike_pct=-60)
    assert clean.summary["price_updates"] - faulty.summary["price_updates"] == 10
    assert faulty.summary["price_trough_cents"] == 2_000_000 and faulty.summary["liquidations_executed"] > 0
    assert clean.summary["liquidations_executed"] == 0


def test_a_mixed_book_draws_sizes_terms_and_ages():
    result = run_stress("stress", seed=3, facilities=12, days=1, path="constant:50000", size_distribution="lognormal",
                        size_spread=0.5, terms_mix="12:12:140:125:105,9:6:150:130:110", aged_share=0.5)
    outstanding = result.facilities["outstanding_cents_end"]
    assert outstanding.nunique() > 6 and result.summary["facilities"] == 12


def test_the_readme_stress_example_runs_as_pasted():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Stress testing", 1)[1].split("\n## ", 1)[0]
    [block] = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert set(namespace["figures"]) == {"price", "states", "cvl", "liquidations", "shortfall"}


def test_every_figure_has_a_title_and_axes_with_units(run):
    import matplotlib.pyplot as plt

    for name, figure in run.plot().items():  # panels stacked on one time axis: the time labelled under the last
        assert figure.axes[0].get_title() and figure.axes[-1].get_xlabel().startswith("time (UTC)\n"), name
        for axes in figure.axes:
            assert axes.get_ylabel() in ("USD per BTC", "facilities", "CVL (%)", "liquidations (count)",
                                         "proceeds (USD)", "USD"), name
        plt.close(figure)


def test_the_figures_show_a_window_of_the_run_such_as_the_crash(run):
    """march-2020 opens the book 16 days before the crash: on the whole run's axis every call and
    sale sat in a sliver at the right (notebook 03). `plot(since=, until=)` shows the crash's days,
    ticked in hours, drawn from the whole run (the cumulative count is the run's, not restarted)."""
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    window = (pd.Timestamp("2020-03-12", tz="UTC"), pd.Timestamp("2020-03-14", tz="UTC"))
    for name, figure in run.plot(since="2020-03-12", until="2020-03-14T00:00Z").items():
        figure.canvas.draw()
        for axes in figure.axes:
            assert tuple(mdates.num2date(x) for x in axes.get_xlim()) == window, name
        labels = [t.get_text() for t in figure.axes[-1].get_xticklabels()]
        assert "Mar-13" in labels and "12:00" in labels, (name, labels)
        plt.close(figure)
    with pytest.raises(InvalidArgument, match="since") as reversed_window:
        run.plot(since="2020-03-14", until="2020-03-12")
    assert reversed_window.value.fields["problem"] == "not before until=2020-03-12T00:00:00+00:00"
    with pytest.raises(InvalidInstant, match="noon"):
        run.plot(since="noon")


def test_the_figures_leave_out_the_quiet_days_before_the_crash_and_say_so(run):
    """march-2020's 16 quiet days (BTC flat at $7,900) took over half of each figure's width, the
    crash a sliver at the right: the report's figures start shortly before the first move, their
    time axis saying what they left out; `whole=True` draws the whole run."""
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    ts = run.timeseries
    first_move = ts["time"][ts["price_cents"] != ts["price_cents"].iloc[0]].min()
    for name, figure in run.plot().items():
        start, end = (pd.Timestamp(mdates.num2date(x)) for x in figure.axes[0].get_xlim())
        assert ts["time"].min() + pd.Timedelta(days=15) < start < first_move and end == ts["time"].max(), name
        hidden = f"{(start - ts['time'].min()) / pd.Timedelta(days=1):.1f}"
        assert figure.axes[-1].get_xlabel() == (f"time (UTC)\nthe first {hidden} days, quiet (BTC at $7,900, no "
                                                "call, sale or change of state), not shown"), name
        plt.close(figure)
    for name, figure in run.plot(whole=True).items():
        assert figure.axes[-1].get_xlabel() == "time (UTC)", name
        assert pd.Timestamp(mdates.num2date(figure.axes[0].get_xlim()[0])) <= ts["time"].min(), name
        plt.close(figure)


def test_a_csv_export_sets_the_run_start_and_its_prices(tmp_path):
    prices = tmp_path / "btc.csv"
    prices.write_text("Date,Close\n2023-03-01,23000\n2023-03-02,20000\n2023-03-03,14000\n2023-03-04,15000\n")
    result = run_stress("stress", seed=1, facilities=10, days=3, lead_days=1, path=f"csv:{prices}")
    assert result.summary["run_start_utc"] == "2023-02-28T00:00:00+00:00"
    assert (result.summary["price_start_cents"], result.summary["price_trough_cents"]) == (2_300_000, 1_400_000)
    assert result.summary["margin_calls"] > 0


@pytest.mark.parametrize("start, days", [("2020-02-25", 21), ("2024-02-10", 35), ("2022-01-20", 60),
                                         ("2021-04-15", 110)])
def test_time_axis_ticks_are_days_apart_across_month_ends(start, days):
    import matplotlib.pyplot as plt
    import numpy as np

    from scenarios.analysis.plots import _dates

    fig, ax = plt.subplots()
    begin = pd.Timestamp(start)
    ax.plot([begin, begin + pd.Timedelta(days=days)], [1, 2])
    locator = _dates(ax)
    locator.set_axis(ax.xaxis)
    ticks = np.array(locator())
    plt.close(fig)
    low, high = ax.get_xlim()
    ticks = ticks[(ticks >= low) & (ticks <= high)]
    assert len(ticks) >= 3 and np.diff(ticks).min() >= 4  # no "29" printed over "Mar" a day later


def test_run_stress_refuses_a_scenario_that_is_not_a_stress_one_and_a_directory_it_must_not_replace(tmp_path):
    from scenarios.library.rundir import RunRefused

    with pytest.raises(ScenarioError, match="onboarding is not a stress scenario"):
        run_stress("onboarding")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    with pytest.raises(RunRefused, match="holds files but no lanasim journal"):
        run_stress("stress", out=tmp_path / "mine", facilities=2, days=1)
    first = run_stress("stress", out=tmp_path / "run", facilities=2, days=1)
    with pytest.raises(RunRefused, match="holds a previous run") as refused:
        run_stress("stress", out=tmp_path / "run", facilities=2, days=1)
    # the argument to change in Python too: `run_scenario`'s is run_dir=, and it was told `--out (out=)`
    assert str(refused.value).endswith("or choose another directory (--out; out= or run_dir= in Python)")
    again = run_stress("stress", out=tmp_path / "run", facilities=2, days=1, force=True)
    assert again.digest == first.digest and (tmp_path / "mine" / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("preset", [None, 2020, Path("march-2020")])
def test_run_stress_and_run_sweep_refuse_a_scenario_that_is_no_name_and_list_the_names(preset, tmp_path):
    """`run_stress(None)` (a notebook's SCENARIO left unset) was `'NoneType' object has no attribute
    'replace'` from inside the library."""
    from scenarios.sweep import run_sweep

    for run in (lambda: run_stress(preset, facilities=2, days=1),
                lambda: run_sweep(preset, seeds=[1], out=tmp_path / "sweep", workers=1)):
        with pytest.raises(ScenarioError, match=r"^a scenario is a name \(str\), got .*; known: .*march-2020"):
            run()
    assert not (tmp_path / "sweep").exists()


def test_run_stress_refuses_a_progress_that_is_not_callable():
    with pytest.raises(ScenarioError, match="progress must be a callable"):
        run_stress("stress", progress=5, facilities=2, days=1)


def test_describe_says_which_borrowers_never_pay():
    """Only those in none of the three shares never pay: "the rest never pay" read as every borrower
    but the late payers (a stress run's 5 borrowers all paid February's interest on 1 March)."""
    meaning = load_scenario("stress").params["late_share"].doc
    assert "1 - top_up_share - repay_share - late_share" in meaning and "the rest never pay" not in meaning


def test_a_run_directory_run_stress_wrote_is_a_finished_run_as_lanasim_run_writes_it(run, capsys):
    """`run_stress(out=DIR)` left its journal unmarked as finished, so `lanasim run --resume DIR`
    took the finished run for a stopped one and ran it again (exit 0) where it refuses a run
    `lanasim run --out` wrote."""
    from scenarios.cli import main

    before = {p.name: p.stat().st_mtime_ns for p in run.out.iterdir()}
    assert main(["run", "march-2020", "--resume", str(run.out)]) == 2
    assert "holds a finished run and its outputs; nothing to resume" in capsys.readouterr().err
    assert {p.name: p.stat().st_mtime_ns for p in run.out.iterdir()} == before


def test_a_finished_runs_journal_opened_from_python_is_read_not_continued(tmp_path):
    """`Simulation(journal=RUN/journal.sqlite)` then `sim.advance(days=1)` appended a day to the
    finished run, without its market, desk or borrowers: the digest changed, `lanasim verify`
    passed and `lanasim report` wrote the run's outputs again from the altered journal."""
    from engine.kernel.errors import RunFinished

    result = run_stress("march-2020", seed=1, out=tmp_path / "run", facilities=5, days=2)
    with Simulation(journal=str(tmp_path / "run" / "journal.sqlite")) as sim:
        assert sim.journal.digest() == result.digest and sim.outbox.tail(types=["core.credit.facility-activated"])
        for change in (lambda: sim.advance(days=1), lambda: sim.customer.create_customer("late@example.com"),
                       lambda: sim.price.set(100)):
            with pytest.raises(RunFinished, match="holds the finished run of march-2020"):
                change()
        assert sim.journal.digest() == result.digest
        with sim.fork() as branch:  # the way to go on from it
            branch.advance(days=1)
            assert branch.now > sim.now
    with Simulation(journal=str(tmp_path / "run" / "journal.sqlite")) as again:
        assert again.journal.digest() == result.digest


def _rows(path):
    """Every row of every table of a journal file, table by table (order aside)."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: sorted(map(repr, conn.execute(f"SELECT * FROM {t}"))) for t in tables}
    finally:
        conn.close()


def test_no_command_from_python_reaches_a_finished_runs_journal(tmp_path):
    """`sim.execute(...)`, `sim.tell(...)` then `settle()`, a job of `sim.jobs` and a service call
    refused after drawing an id each wrote to the finished run's journal: the first three appended
    their events (the digest changed), the last stored the id it drew (a fork of the run then drew
    other ids), and `settle(commit=True)` committed a link to its hash chain. Each is `RunFinished`
    or a read now, and the file gains nothing."""
    from domains.customer.commands import FreezeCustomer, UnfreezeCustomer
    from engine.kernel.errors import RunFinished

    run_stress("march-2020", seed=1, out=tmp_path / "run", facilities=5, days=2)
    journal = str(tmp_path / "run" / "journal.sqlite")
    before, as_written = _rows(journal), Path(journal).read_bytes()
    with Simulation(journal=journal) as sim:
        customer = sim.outbox.tail(types=["core.customer.customer-created"])[0]["payload"]["entity"]["id"]
        for change in (lambda: sim.execute("customer", customer, FreezeCustomer()),
                       lambda: sim.tell("customer", customer, UnfreezeCustomer()),
                       lambda: sim.jobs.at(0, lambda: sim.execute("customer", customer, FreezeCustomer())),
                       lambda: sim.customer.create_customer("late@example.com")):
            with pytest.raises(RunFinished):
                change()
        sim.settle(commit=True)
        sim.random("a stream").random()
        assert type(sim.load("customer", customer)).__name__ == "Customer"
    assert _rows(journal) == before
    # byte for byte: opening dropped the journal's stream index and closing built it again, and the
    # close wrote its digest and instant again, unchanged (the file's header and row order moved)
    assert Path(journal).read_bytes() == as_written


def test_run_stress_and_run_scenario_refuse_a_force_that_is_no_bool_and_a_directory_that_is_no_path(tmp_path):
    """`run_stress(out=DIR, force="no")` replaced the run in DIR ("no" is true); `out=5` and
    `run_scenario(run_dir=5)` / `resume_run(5)` were pathlib's TypeError, naming no argument."""
    from scenarios.library import resume_run, run_scenario

    first = run_stress("stress", out=tmp_path / "run", facilities=2, days=1)
    for force in ("no", 0, None):
        with pytest.raises(ScenarioError, match=r"force must be True or False \(--force\), got"):
            run_stress("stress", out=tmp_path / "run", facilities=3, days=1, force=force)
    with pytest.raises(ScenarioError, match=r"pass --force \(force=True\) to replace it, or choose another directory"):
        run_stress("stress", out=tmp_path / "run", facilities=3, days=1)
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["digest"] == first.digest
    for refused, argument in ((lambda: run_stress("stress", out=5, facilities=2, days=1), "out"),
                              (lambda: run_scenario("onboarding", run_dir=5), "run_dir"),
                              (lambda: resume_run(5), "run_dir")):
        with pytest.raises(ScenarioError, match=f"^{argument} must be a directory path \\(str or Path\\), got 5$"):
            refused()
    for refused, argument in ((lambda: run_stress("stress", out="", facilities=2, days=1), "out"),  # into the cwd
                              (lambda: run_scenario("onboarding", run_dir=" "), "run_dir"),
                              (lambda: resume_run(""), "run_dir")):
        with pytest.raises(ScenarioError, match=f"^{argument} is empty: give a directory path$"):
            refused()


def test_a_report_figure_shows_as_a_picture_in_a_notebook_without_pyplot(run):
    """`result.plot()["price"]` displayed in a notebook that never imported pyplot printed
    `<Figure size 900x400 with 1 Axes>`: the inline backend that gives a Figure its picture is
    pyplot's, and the report draws without pyplot."""
    formatters = pytest.importorskip("IPython.core.formatters")

    for name, figure in run.plot().items():
        data, _ = formatters.DisplayFormatter().format(figure)
        assert data["image/png"][:8] == b"\x89PNG\r\n\x1a\n", name


def test_the_price_legend_says_how_many_calls_and_liquidations_its_marks_stand_for(run):
    """Facilities called at the same price update share one mark: notebook 03's 32 margin calls
    fell on 17 marks, named only "margin-call" in the legend."""
    import matplotlib.pyplot as plt

    figure = run.plot()["price"]
    labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert labels == ["BTC price", f"margin calls ({run.summary['margin_calls']} in the run)",
                      f"liquidations ({run.summary['liquidations_executed']} in the run)"]
    plt.close(figure)


def test_report_whole_run_writes_the_plots_over_the_whole_run_from_the_command_line(tmp_path, capsys):
    """`result.plot(whole=True)` had no command: `lanasim report DIR --whole-run` writes the figures
    `whole=True` draws, where a plain report writes the default view, leaving the quiet days out."""
    import io

    import matplotlib.pyplot as plt

    from scenarios.analysis import read_run
    from scenarios.analysis.plots import DPI, figures
    from scenarios.cli import main

    def png(figure) -> bytes:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
        plt.close(figure)
        return buffer.getvalue()

    run_dir = tmp_path / "march"
    assert main(["run", "march-2020", "--seed", "1", *(f"--set={k}={v}" for k, v in SMALL.items()),
                 "--out", str(run_dir)]) == 0
    analysis, params = read_run(run_dir)
    default, whole = png(figures(analysis, params)["price"]), png(figures(analysis, params, whole=True)["price"])
    assert default != whole and (run_dir / "plots" / "price.png").read_bytes() == default
    assert main(["report", str(run_dir), "--whole-run"]) == 0
    assert (run_dir / "plots" / "price.png").read_bytes() == whole
    assert main(["report", str(run_dir)]) == 0
    assert (run_dir / "plots" / "price.png").read_bytes() == default
    sweep = tmp_path / "sweep"
    assert main(["sweep", "march-2020", "--seeds", "1", "--set", "facilities=2", "--set", "days=1",
                 "--out", str(sweep)]) == 0
    capsys.readouterr()
    assert main(["report", str(sweep), "--whole-run"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"lanasim: error: {sweep}: a sweep's figures have no time axis; --whole-run is for a run's"]
