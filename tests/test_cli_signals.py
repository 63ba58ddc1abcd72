"""SIGTERM while the Neo4j driver is at work.

One long Cypher statement (``livetrust query`` on a large graph): the first SIGTERM is announced
but waits, since a stop raised inside the driver breaks its connection; a second SIGTERM ends the
process at once with 143 and no traceback, and the server drops the query of the closed
connection. A loop of transactions, as in the jobs: every SIGTERM stops it cleanly, a transaction
later. (A job stopped in its write-back: ``test_job_lock.py``; a stopped load:
``test_load_neo4j.py``; the handler itself: ``test_stopping.py``.)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.integration

# Runs for many minutes on any machine: the test must stop it, or the server never would.
ENDLESS = "UNWIND range(1, 20000000000) AS x RETURN sum(x) AS total"

QUERYING_CHILD = f'''
from livetrust.cli import main
from livetrust.db import connect
from livetrust.settings import Neo4jSettings

@main.command("endless-query")
def endless_query():
    """One read statement the way `livetrust query` runs a library query."""
    settings = Neo4jSettings.from_env()
    with connect(settings) as driver:
        print("querying", flush=True)
        driver.execute_query({ENDLESS!r}, database_=settings.database, routing_="r")

main(["endless-query"])
'''


def running_endless(driver, database: str) -> int:
    records = driver.execute_query(
        "SHOW TRANSACTIONS YIELD currentQuery WHERE currentQuery = $query RETURN count(*) AS n",
        query=ENDLESS, database_=database).records
    return records[0]["n"]


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_second_sigterm_ends_the_wait_and_the_server_drops_the_query(driver, neo4j_settings, tmp_path):
    database = neo4j_settings.database
    script = tmp_path / "endless.py"
    script.write_text(QUERYING_CHILD)
    err_file = tmp_path / "stderr.txt"
    with open(err_file, "w") as err:
        proc = subprocess.Popen([sys.executable, str(script)], env=dict(os.environ), stdout=subprocess.PIPE,
                                stderr=err, text=True)
    try:
        assert proc.stdout.readline().strip() == "querying", err_file.read_text()[-2000:]
        assert wait_for(lambda: running_endless(driver, database) == 1, 30)

        proc.send_signal(signal.SIGTERM)
        assert wait_for(lambda: "livetrust: stopped by SIGTERM" in err_file.read_text(), 30)
        time.sleep(1.0)
        assert proc.poll() is None  # the stop waits for the statement in flight
        assert running_endless(driver, database) == 1

        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM
    err = err_file.read_text()
    assert "Traceback" not in err
    assert err.strip().splitlines()[:2] == ["livetrust: stopped by SIGTERM"] * 2
    assert wait_for(lambda: running_endless(driver, database) == 0, 30)  # the server stopped it too


def sigterm_into_driver_calls(driver, database: str, mode: str, trials: int, seed: int,
                              handler=None) -> list[tuple[BaseException, float]]:
    """SIGTERM 0-50 ms into a loop of driver transactions (a read of 3,000 rows or a write of
    2,000 CREATEs), with a checkpoint between transactions as the jobs' loops have; per trial,
    what stopped the loop and how long after the signal. ``handler()`` makes the handler to try
    (``install(signum)``, ``uninstall()``) [default: livetrust's StopOnSignal]. Also run by
    ``bench/sigterm_in_driver.py`` beside the handler livetrust had before."""
    import random
    import threading

    from livetrust.stopping import StopOnSignal, checkpoint

    handler = handler or (lambda: StopOnSignal(echo=lambda line: None))
    rows = [{"i": i, "s": "x" * 20} for i in range(2000)]

    def work(tx):
        if mode == "read":
            return tx.run("UNWIND range(1, 3000) AS i RETURN i, toString(i) AS s").data()
        return tx.run("UNWIND $rows AS r CREATE (:SigProbe {i: r.i, s: r.s})", rows=rows).consume()

    def loop(stop, timer) -> BaseException:
        deadline = time.monotonic() + 10
        stop.install(signal.SIGTERM)
        try:
            try:
                timer.start()
                while time.monotonic() < deadline:
                    checkpoint()
                    with driver.session(database=database) as session:
                        (session.execute_read if mode == "read" else session.execute_write)(work)
                return TimeoutError("not stopped in 10 s")
            finally:
                try:
                    timer.join()  # a loop that failed before the signal still gets it, handled
                finally:
                    stop.uninstall()
        except BaseException as err:  # the stop, or what came out instead
            return err

    rng, main, outcomes = random.Random(seed), threading.main_thread().ident, []
    for _ in range(trials):
        sent = []
        timer = threading.Timer(rng.random() * 0.05, lambda: (sent.append(time.monotonic()),
                                                              signal.pthread_kill(main, signal.SIGTERM)))
        outcome = loop(handler(), timer)
        outcomes.append((outcome, time.monotonic() - sent[0]))
    return outcomes


def outcome_name(err: BaseException) -> str:
    return type(err).__name__ + ("" if err.__context__ is None else f" <- {type(err.__context__).__name__}")


@pytest.mark.parametrize("mode", ["read", "write"])
def test_sigterm_inside_driver_calls_always_stops_cleanly(neo4j_db, neo4j_settings, mode):
    """A stop raised inside the driver was sometimes replaced by a BufferError or ClientError of
    the broken connection, or vanished (a load then ran on and exited 0). Now every trial stops
    with the stop itself, nothing in its context, and the driver works after."""
    from livetrust.db import open_driver
    from livetrust.errors import Terminated

    driver = open_driver(neo4j_settings)  # its own pool: a broken connection must not leak into others
    try:
        outcomes = sigterm_into_driver_calls(driver, neo4j_settings.database, mode, trials=40, seed=7)
        assert [outcome_name(err) for err, _ in outcomes] == ["Terminated"] * 40
        assert all(isinstance(err, Terminated) and err.code == 128 + signal.SIGTERM for err, _ in outcomes)
        assert max(seconds for _, seconds in outcomes) < 4.0  # a transaction or two, not the 5 s grace
        assert driver.execute_query("RETURN 1 AS one", database_=neo4j_settings.database).records[0]["one"] == 1
    finally:
        driver.close()
