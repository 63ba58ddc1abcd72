"""SIGTERM a ``livetrust load`` of an s world at a random moment of its purchases, N times: the
exit status of each (143 is a clean stop; 0 is a stop that vanished, the CI failure of 6413612).
The database is wiped before each load: use a scratch database.

    source <(scripts/neo4j-local env)
    python bench/sigterm_load_loop.py N [WORLD_DIR]
"""

from __future__ import annotations

import collections
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from livetrust.db import open_driver
from livetrust.settings import Neo4jSettings
from livetrust.world import generate_world

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import wipe  # noqa: E402


def main() -> None:
    n = int(sys.argv[1])
    world = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.gettempdir()) / "livetrust-sigterm-world"
    if not world.exists():
        generate_world(world, scale="s", seed=12)  # the world of test_sigterm_stops_a_load_and_a_rerun_finishes_it
    settings = Neo4jSettings.from_env()
    driver, rng, codes = open_driver(settings), random.Random(7), collections.Counter()

    def orders() -> int:
        return driver.execute_query("MATCH (o:Order) RETURN count(o) AS n", database_=settings.database).records[0]["n"]

    for i in range(n):
        wipe(driver, settings.database)
        at = rng.randrange(2000, 32000, 2000)  # orders in the graph when the signal goes
        with tempfile.TemporaryDirectory() as report:
            proc = subprocess.Popen([sys.executable, "-m", "livetrust.cli", "load", str(world), "--batch-size", "2000",
                                     "--quiet", "--report-dir", report], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, env=dict(os.environ))
            while proc.poll() is None and orders() < at:
                time.sleep(rng.random() * 0.1)
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            proc.communicate()
        codes[proc.returncode] += 1
        print(f"{i}: signal at {at} orders, exit {proc.returncode}, {orders()} orders in the graph", flush=True)
    wipe(driver, settings.database)
    driver.close()
    print(f"exit statuses: {dict(codes)}")


if __name__ == "__main__":
    main()
