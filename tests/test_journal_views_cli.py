"""The journal views a program reads (`lanasim outbox`, `show`, `verify`): JSON text in UTF-8 whatever
the locale, one-line refusals a script can tell apart by exit status, nothing written beside a file."""

from __future__ import annotations

import io
import json

import pytest

from scenarios.cli import main


@pytest.fixture(scope="module")
def journal(tmp_path_factory):
    """A journal whose borrower's email is not ASCII."""
    from engine import Simulation

    path = tmp_path_factory.mktemp("j") / "uni.sqlite"
    with Simulation(seed=1, start="2024-01-01", journal=str(path)) as sim:
        sim.price.set(7_000_000)
        sim.deposit.create_account(sim.customer.create_customer("zoë.ñandú@exämple.com"))
        sim.advance(days=2)
    return path


def ascii_stdout(monkeypatch) -> io.BytesIO:
    """Standard output as a C locale without UTF-8 mode gives it (`LC_ALL=C PYTHONUTF8=0`)."""
    raw = io.BytesIO()
    monkeypatch.setattr("sys.stdout", io.TextIOWrapper(raw, encoding="ascii", write_through=True))
    return raw


def test_the_outbox_is_utf8_json_lines_under_an_ascii_locale(journal, monkeypatch):
    raw = ascii_stdout(monkeypatch)
    assert main(["outbox", str(journal)]) == 0
    lines = raw.getvalue().decode("utf-8").splitlines()
    envelopes = [json.loads(line) for line in lines]
    assert [e["sequence"] for e in envelopes] == list(range(1, len(lines) + 1))
    assert {"zoë.ñandú@exämple.com"} == {e["payload"]["entity"]["email"] for e in envelopes
                                         if e["event_type"] == "core.customer.party-created"}


def test_show_prints_an_entity_as_utf8_json_under_an_ascii_locale(journal, monkeypatch, capsys):
    assert main(["outbox", str(journal), "--type", "core.customer.party-created"]) == 0
    party = json.loads(capsys.readouterr().out)["payload"]["entity"]["id"]
    raw = ascii_stdout(monkeypatch)
    assert main(["show", str(journal), "party", party]) == 0
    assert json.loads(raw.getvalue().decode("utf-8"))["email"] == "zoë.ñandú@exämple.com"
