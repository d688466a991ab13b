"""`--scheduler` naming something that is no dask scheduler ends in one line, exit 2, touching
nothing: a port where another service listens hung the sweep for good (dask waits for the
scheduler's handshake without a limit), a websocket address of a web server ended in tornado's
WebSocketError traceback, and a port out of range was tried for the whole connect timeout."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from scenarios.cli import main
from scenarios.sweep import cluster

pytestmark = pytest.mark.timeout(60)


@contextmanager
def silent_listener(root) -> Iterator[str]:
    """A port that accepts connections and never says a word (a service that reads first)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield f"tcp://127.0.0.1:{listener.getsockname()[1]}"


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def web_server(scheme: str, root) -> Iterator[str]:
    """`python -m http.server`: a web server serving `root`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("listening", "message"), [
    (silent_listener, "something listens there but gave no dask handshake within 3 s (not a dask scheduler?)"),
    (lambda root: web_server("tcp", root), "something listens there but gave no dask handshake within 3 s"),
    (lambda root: web_server("ws", root), "not a dask scheduler (WebSocketError: Non-websocket response)"),
], ids=["silent", "web-server", "web-server-as-websocket"])
def test_a_scheduler_address_where_something_else_listens_is_refused_in_one_line(tmp_path, capsys, monkeypatch,
                                                                                listening, message):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 3)
    out = tmp_path / "absent"
    with listening(tmp_path) as address:
        assert main(["sweep", "march-2020", "--seeds", "1", "--scheduler", address, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"lanasim: error: cannot reach the dask scheduler at {address}: {message}" in err
    assert err.count("\n") == 1 and not out.exists()


def test_a_scheduler_port_out_of_range_is_refused_at_once(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 30)  # refused before any connection is tried
    assert main(["sweep", "march-2020", "--scheduler", "tcp://127.0.0.1:99999", "--out", str(tmp_path / "x")]) == 2
    assert "port 99999 is out of range (1-65535)" in capsys.readouterr().err


@pytest.mark.parametrize("address", ["", "  "])
def test_an_empty_scheduler_address_is_refused_in_one_line_not_run_on_a_local_cluster(tmp_path, capsys, address):
    from scenarios.library import ScenarioError
    from scenarios.sweep import run_sweep

    out = tmp_path / "absent"
    assert main(["sweep", "march-2020", "--seeds", "1", "--scheduler", address, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == ("lanasim: error: --scheduler (scheduler=) is empty: give an address, tcp://HOST:PORT, or leave it "
                   "out to run on a local cluster\n")
    with pytest.raises(ScenarioError, match=r"--scheduler \(scheduler=\) is empty"):
        run_sweep("march-2020", [1], settings={"days": 1}, out=out, scheduler=address)
    assert not out.exists()


def add_a_dashboard_page(dask_scheduler) -> None:
    """On the scheduler: serve one more web application, as its dashboard (bokeh's) is one."""
    from tornado.web import Application

    dask_scheduler.http_application.add_application(Application())


class Said(Exception):
    """Raised by `echo` once the sweep has said where it runs: the test ends the sweep there."""


def test_the_dashboard_link_is_printed_only_when_the_scheduler_serves_a_dashboard(tmp_path):
    """A scheduler without a dashboard (`dask scheduler --no-dashboard`, or without bokeh) still lists
    its HTTP server as a 'dashboard' service: its link, printed, led to a page not found."""
    import logging

    from dask.distributed import Client, LocalCluster

    from scenarios.sweep import sweep

    said: list[str] = []

    def echo(line: str) -> None:
        said.append(line)
        raise Said

    with LocalCluster(n_workers=0, processes=False, protocol="tcp://", host="127.0.0.1", dashboard_address=None,
                      silence_logs=logging.ERROR) as local, Client(local) as client:
        address = local.scheduler_address
        with pytest.raises(Said):
            sweep("march-2020", [1], [], ["days=1"], tmp_path / "sweep", scheduler=address, echo=echo)
        client.run_on_scheduler(add_a_dashboard_page)
        with pytest.raises(Said):
            sweep("march-2020", [1], [], ["days=1"], tmp_path / "sweep", scheduler=address, echo=echo)
        link = client.dashboard_link
    assert said == [f"dask: 0 workers at {address}; dashboard none", f"dask: 0 workers at {address}; dashboard {link}"]
    assert not (tmp_path / "sweep").exists()
