"""SIGTERM in the middle of one long Cypher statement (``livetrust query`` on a large graph).

The first SIGTERM stops the command cleanly, but the driver closes its session by rolling back,
which waits for the statement in flight; a second SIGTERM interrupts that wait, the command exits
143 without a traceback, and the server drops the query of the closed connection. (A job stopped in its write-back: ``test_job_lock.py``; a
stopped load: ``test_load_neo4j.py``.)
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
        assert proc.poll() is None  # closing the session waits for the statement in flight
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
