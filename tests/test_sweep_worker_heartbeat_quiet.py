"""A local sweep's worker whose heartbeat meets the scheduler already closed (the sweep ending, or
stopped by Ctrl-C, on a loaded machine) logged 'Failed to communicate with scheduler during
heartbeat.' with a 40-line CommClosedError traceback under the sweep's closing lines (seen twice in
seven sweeps at load 6). The local cluster's workers now drop that record; other worker errors
still reach stderr."""

from __future__ import annotations

import logging

from scenarios.sweep.cluster import connect

HEARTBEAT = "Failed to communicate with scheduler during heartbeat."


def _log_in_worker(message: str) -> None:
    try:
        raise OSError("Stream is closed")
    except OSError:
        logging.getLogger("distributed.worker").exception(message)


def test_a_local_workers_lost_heartbeat_prints_nothing_while_its_other_errors_still_show(capfd):
    with connect(workers=1) as client:
        client.run(_log_in_worker, HEARTBEAT)
        client.run(_log_in_worker, "another worker error")
    err = capfd.readouterr().err
    assert HEARTBEAT not in err and "Stream is closed" in err and "another worker error" in err
