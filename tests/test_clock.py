"""Simulated time: end-of-day catch-up, job ordering within an instant, refusals to go back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domains.aggregate import Refusal
from domains.price import BTC_USD, PRICE
from domains.time import CALENDAR
from engine import InvalidInstant, Simulation, StartOutOfRange, TimeInPast
from engine.kernel.clock import Clock, Jobs, Priority
from engine.kernel.errors import ReentrantAsk


@pytest.fixture
def clock_sim(tmp_path):
    with Simulation(seed=1, journal=str(tmp_path / "j.sqlite"), aggregates=[CALENDAR, PRICE]) as sim:
        yield sim


def test_a_forty_day_jump_publishes_every_missed_end_of_day_in_order(clock_sim):
    clock_sim.advance(days=40)
    days = [e["payload"]["day"] for e in clock_sim.outbox.tail(types=["core.time.end-of-day"])]
    assert len(days) == 40 and days[0] == "2024-01-02" and days[-1] == "2024-02-10"
    assert days == sorted(days)
    recorded = [e["recorded_at"] for e in clock_sim.outbox.tail(types=["core.time.end-of-day"])]
    assert recorded[0] == "2024-01-02T00:00:00Z" and recorded[-1] == "2024-02-10T00:00:00Z"


def test_end_of_day_is_published_once_per_day_however_time_is_advanced(clock_sim):
    for _ in range(48):
        clock_sim.advance(hours=1)
    clock_sim.run_until("2024-01-03T00:00:00Z")
    days = [e["payload"]["day"] for e in clock_sim.outbox.tail(types=["core.time.end-of-day"])]
    assert days == ["2024-01-02", "2024-01-03"]


def test_jobs_at_the_same_instant_run_by_priority_then_insertion(clock_sim):
    ran = []
    noon = datetime(2024, 1, 1, 12, tzinfo=UTC)
    clock_sim.jobs.at(noon, lambda: ran.append("scenario-1"), Priority.SCENARIO)
    clock_sim.jobs.at(noon, lambda: ran.append("obligations"), Priority.OBLIGATIONS)
    clock_sim.jobs.at(noon, lambda: ran.append("scenario-2"), Priority.SCENARIO)
    clock_sim.jobs.at(noon, lambda: ran.append("price"), Priority.PRICE)
    clock_sim.jobs.at(noon, lambda: ran.append("end of day"), Priority.END_OF_DAY)
    clock_sim.advance(hours=11)
    assert ran == []
    clock_sim.advance(hours=1)
    assert ran == ["price", "end of day", "obligations", "scenario-1", "scenario-2"]


def test_an_unknown_priority_name_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="unknown priority 'accruals'; known: price, liquidation"):
        Priority.of("accruals")


def test_a_job_scheduled_in_the_past_runs_at_once(clock_sim):
    clock_sim.advance(days=1)
    ran = []
    clock_sim.jobs.at(datetime(2023, 12, 31, tzinfo=UTC), lambda: ran.append(clock_sim.now))
    assert ran == [clock_sim.now]


def test_the_clock_refuses_to_go_back_and_journals_nothing(clock_sim):
    clock_sim.advance(days=2)
    before = clock_sim.journal.digest()
    with pytest.raises(TimeInPast) as err:
        clock_sim.run_until("2024-01-02")
    assert err.value.now == "2024-01-03T00:00:00Z"
    assert clock_sim.journal.digest() == before and clock_sim.now.isoformat() == "2024-01-03T00:00:00+00:00"


@pytest.mark.parametrize("text, problem", [("next tuesday", "not an ISO-8601 date or time"),
                                           ("2020-13-01", "month must be in 1..12"),
                                           ("2024-01-05T25:00", "hour must be in 0..23")])
def test_text_that_is_no_instant_is_refused_as_an_invalid_instant_not_a_time_in_the_past(clock_sim, text, problem):
    before = clock_sim.journal.digest()
    for refused in (clock_sim.run_until, clock_sim.fork, lambda at: clock_sim.load("calendar", "c", as_of=at)):
        with pytest.raises(InvalidInstant) as err:
            refused(text)
        assert not isinstance(err.value, TimeInPast) and isinstance(err.value, Refusal)
        assert (err.value.value, err.value.problem) == (text, problem)
        assert repr(text) in str(err.value)
    assert clock_sim.journal.digest() == before and clock_sim.clock.iso == "2024-01-01T00:00:00Z"


def test_a_start_that_is_no_instant_is_an_invalid_instant_and_leaves_no_journal(tmp_path):
    with pytest.raises(InvalidInstant) as err:
        Simulation(seed=1, start="garbage", journal=str(tmp_path / "j.sqlite"))
    assert err.value.value == "garbage"
    assert not (tmp_path / "j.sqlite").exists()


def test_time_is_whole_seconds_from_a_utc_start(tmp_path):
    with Simulation(seed=1, start="2024-03-01T10:30:00+02:00", journal=":memory:", aggregates=[CALENDAR]) as sim:
        assert sim.now == datetime(2024, 3, 1, 8, 30, tzinfo=UTC)
        sim.advance(minutes=90)
        assert sim.clock.iso == "2024-03-01T10:00:00Z"


def test_an_instant_with_a_fraction_of_a_second_is_refused_where_the_clock_would_cut_it(clock_sim, tmp_path):
    """`run_until("...00:00:00.5Z")` left the clock at 00:00:00 and a job asked for 12:00:00.5 ran at
    12:00:00, half a second early, without a word; a start's fraction was dropped the same way."""
    clock_sim.advance(hours=1)
    before, ran = clock_sim.journal.digest(), []
    for refused in (clock_sim.run_until, lambda at: clock_sim.jobs.at(at, lambda: ran.append(at))):
        for instant in ("2024-01-01T12:00:00.5Z", datetime(2024, 1, 1, 12, 0, 0, 500_000, tzinfo=UTC)):
            with pytest.raises(InvalidInstant, match="whole seconds"):
                refused(instant)
    clock_sim.run_until("2024-01-02")
    assert ran == [] and clock_sim.clock.iso == "2024-01-02T00:00:00Z" and clock_sim.journal.digest() != before
    with clock_sim.fork("2024-01-01T12:00:00.5Z") as branch:  # a read of what stood then takes one
        assert branch.clock.iso == "2024-01-01T12:00:00Z"
    with pytest.raises(InvalidInstant, match="whole seconds"):
        Simulation(seed=1, start="2024-01-01T00:00:00.250Z", journal=str(tmp_path / "s.sqlite"))
    assert not (tmp_path / "s.sqlite").exists()


def test_deferred_jobs_run_one_after_another_however_many_a_cascade_defers():
    """A job deferred by a settling cascade runs after it; each job's own commands settle again,
    and that settle must leave the other deferred jobs to the loop already running them (it ran the
    next one inside the job: 5,000 borrowers paying at one instant exceeded Python's stack)."""
    settling, ran, running, nested = [True], [], [0], [0]
    jobs: Jobs

    def settle() -> None:  # what `Simulation.settle` does after each job and command
        if jobs.deferred and not settling[0]:
            jobs.run_deferred()

    def job(i: int):
        def run() -> None:
            running[0] += 1
            nested[0] = max(nested[0], running[0])
            ran.append(i)
            settle()  # the job's command settles
            running[0] -= 1
        return run

    jobs = Jobs(Clock("2024-01-01"), after_each=settle, busy=lambda: settling[0])
    for i in range(5_000):
        jobs.at(0, job(i))  # due now, while the cascade settles: deferred
    assert ran == [] and len(jobs.deferred) == 5_000
    settling[0] = False
    settle()
    assert ran == list(range(5_000)) and not jobs.deferred
    assert nested[0] == 1  # none ran inside another


@pytest.mark.parametrize("start", ["9999-12-31", "9000-01-01", "0999-12-31", "8999-12-31T23:00:00-05:00"])
def test_a_start_outside_the_years_1000_to_8999_is_refused_with_its_fields_before_any_journal_exists(tmp_path, start):
    journal = tmp_path / "j.sqlite"
    with pytest.raises(StartOutOfRange) as refused:
        Simulation(seed=1, start=start, journal=str(journal))
    assert refused.value.fields == {"start": start, "earliest": "1000-01-01", "latest": "8999-12-31"}
    assert isinstance(refused.value, Refusal) and "\n" not in str(refused.value)
    assert not journal.exists()


def test_the_first_and_last_days_a_simulation_starts_in_run_their_end_of_day(tmp_path):
    for start, day in (("1000-01-01", "1000-01-02"), ("8999-12-31", "9000-01-01")):
        with Simulation(seed=1, start=start, journal=str(tmp_path / f"{start}.sqlite"),
                        aggregates=[CALENDAR, PRICE]) as sim:
            sim.advance(days=1)
            assert [e["payload"]["day"] for e in sim.outbox.tail(types=["core.time.end-of-day"])] == [day]


def test_a_job_that_moves_the_clock_is_refused_and_the_run_keeps_its_own_time(tmp_path):
    sim = Simulation(seed=1, start="2024-01-01", journal=str(tmp_path / "j.sqlite"))
    refused = []

    class AdvancingPath:  # a price path whose sampling tries to move the clock
        def price_at(self, t: int) -> int:
            with pytest.raises(ReentrantAsk) as error:
                sim.advance(days=1)
            refused.append(error.value.call)
            return 4_000_000 + t

    sim.price.follow(AdvancingPath(), every_seconds=3600)
    assert sim.now == datetime(2024, 1, 1, tzinfo=UTC)
    sim.advance(hours=2)
    assert sim.now == datetime(2024, 1, 1, 2, tzinfo=UTC) and refused == ["advance"] * 3
    published = [(e.timestamp, e.price) for _, e in sim.journal.events("price", BTC_USD)]
    sim.close()
    assert published == [(datetime(2024, 1, 1, h, tzinfo=UTC), 4_000_000 + 3600 * h) for h in range(3)]



def test_the_clock_moves_no_later_than_its_latest_instant_and_journals_nothing_when_asked_to(clock_sim):
    """`run_until("9999-12-31")` ran 8,000 years of end of day; at the end the next command that
    scheduled a day later (a deposit account's alarm) raised OverflowError from inside the command."""
    from engine.kernel.errors import InvalidArgument

    digest, now = clock_sim.journal.digest(), clock_sim.now
    with pytest.raises(InvalidArgument) as refused:
        clock_sim.run_until("9999-12-31")
    assert refused.value.argument == "when" and "9799-12-31" in refused.value.problem
    assert (clock_sim.journal.digest(), clock_sim.now) == (digest, now)


@pytest.mark.parametrize("text", ["9999-12-31T23:00:00-05:00", "0001-01-01T01:00:00+05:00"])
def test_an_instant_its_offset_moves_off_the_calendar_is_an_invalid_instant_not_an_overflow(text):
    """These read as UTC in year 10000 or year 0: `run_until`, `load(as_of=)` and `fork(at=)` raised a
    bare OverflowError ('date value out of range')."""
    with Simulation(seed=1, start="2024-01-01") as sim:
        customer = sim.customer.create_customer("ada@example.com")
        for attempt in (lambda: sim.run_until(text), lambda: sim.fork(at=text),
                        lambda: sim.load("customer", customer, as_of=text)):
            with pytest.raises(InvalidInstant) as refused:
                attempt()
            assert refused.value.problem == "outside the years 1 to 9999 once converted to UTC"
