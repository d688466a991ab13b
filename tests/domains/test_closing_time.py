"""Closing time and time zone of the end of day (Lana's `closing-time` / `timezone` configs):
given a schedule -> when the clock moves -> then `EndOfDay{D}` at D's local closing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from domains.time import ClosingSchedule, InvalidClosingSchedule
from engine.bank.settings import BankSettings, InvalidSetting
from engine.simulation import Simulation


def test_given_the_default_schedule_day_d_closes_at_d_midnight_utc():
    assert ClosingSchedule().closing_for_day(date(2024, 3, 5)) == datetime(2024, 3, 5, tzinfo=UTC)


def test_given_a_local_closing_time_the_instant_follows_the_zone_offset():
    schedule = ClosingSchedule("17:00", "America/El_Salvador")  # UTC-6, no daylight saving
    assert schedule.closing_for_day(date(2024, 3, 5)) == datetime(2024, 3, 5, 23, tzinfo=UTC)


def test_given_a_closing_time_inside_a_dst_gap_the_day_closes_an_hour_later():
    schedule = ClosingSchedule("02:30", "Europe/Berlin")  # 2024-03-31 02:30 does not exist in Berlin
    assert schedule.closing_for_day(date(2024, 3, 31)) == datetime(2024, 3, 31, 1, 30, tzinfo=UTC)


def test_when_asked_for_the_next_closing_it_is_strictly_after_now():
    schedule = ClosingSchedule(time(17), "America/El_Salvador")
    assert schedule.next_closing(datetime(2024, 1, 1, 23, tzinfo=UTC)) == \
        (date(2024, 1, 2), datetime(2024, 1, 2, 23, tzinfo=UTC))


@pytest.mark.parametrize(("closing", "zone"), [("25:00", "UTC"), ("17:00", "Mars/Olympus")])
def test_a_bad_closing_time_or_zone_is_refused_with_its_value(closing, zone):
    with pytest.raises(InvalidClosingSchedule) as refused:
        ClosingSchedule(closing, zone)
    assert refused.value.fields.get("closing_time", refused.value.fields.get("timezone")) in (closing, zone)


def _end_of_days(sim) -> list[tuple[str, str, str]]:
    return [(e["recorded_at"], e["payload"]["day"], e["payload"]["closing_time"])
            for e in sim.outbox.tail() if e["event_type"] == "core.time.end-of-day"]


def test_scenario_a_bank_closing_at_17_00_in_el_salvador_publishes_each_day_at_23_00_utc():
    settings = BankSettings(closing_time="17:00", timezone="America/El_Salvador")
    with Simulation(seed=1, start="2024-01-01", settings=settings) as sim:
        sim.advance(days=2)
        published = _end_of_days(sim)
        assert [(day, closing) for _, day, closing in published] == [
            ("2024-01-01", "2024-01-01T23:00:00Z"), ("2024-01-02", "2024-01-02T23:00:00Z")]
        assert all(recorded.startswith(closing[:13]) for recorded, _, closing in published)
        assert {e["payload"]["timezone"] for e in sim.outbox.tail() if e["event_type"] == "core.time.end-of-day"} \
            == {"America/El_Salvador"}


def test_scenario_by_default_each_day_closes_at_its_own_midnight_utc():
    with Simulation(seed=1, start="2024-01-01") as sim:
        sim.advance(days=2)
        assert [(day, closing) for _, day, closing in _end_of_days(sim)] == [
            ("2024-01-02", "2024-01-02T00:00:00Z"), ("2024-01-03", "2024-01-03T00:00:00Z")]


def test_settings_of_the_wrong_type_are_refused_with_the_setting_named():
    with pytest.raises(InvalidSetting) as refused:
        BankSettings(allow_auto_approval="no")
    assert refused.value.setting == "allow_auto_approval"
    with pytest.raises(InvalidClosingSchedule):
        BankSettings(closing_time="5pm")
