"""SIGTERM at a random moment of a loop of driver transactions: what stops the loop, and how soon.

The trials of ``tests/test_cli_signals.py`` (``sigterm_into_driver_calls``: a read of 3,000 rows or
a write of 2,000 CREATEs per transaction, a checkpoint between transactions, SIGTERM 0-50 ms in),
run with two handlers side by side on the same seeded delays, each with its own driver:

- ``raise-anywhere``: the handler livetrust had until 6413612, which raised ``Terminated`` from the
  signal handler wherever the main thread was;
- ``stop-on-signal``: :class:`livetrust.stopping.StopOnSignal`.

Outcome per trial: ``Terminated`` (clean), ``Terminated <- X`` (X was raised while it propagated),
another error instead, or ``TimeoutError`` (the stop vanished; the loop ran on for 10 s).

    source <(scripts/neo4j-local env)   # or NEO4J_URI/USER/PASSWORD of a scratch database
    python bench/sigterm_in_driver.py [TRIALS]
"""

from __future__ import annotations

import collections
import signal
import statistics
import sys
from pathlib import Path

from livetrust.db import open_driver
from livetrust.errors import Terminated
from livetrust.settings import Neo4jSettings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_cli_signals import outcome_name, sigterm_into_driver_calls  # noqa: E402


class RaiseAnywhere:
    """The handler before livetrust.stopping: raise where the signal lands."""

    def install(self, signum: int) -> None:
        def terminate(signum, frame):
            raise Terminated(signum)
        signal.signal(signum, terminate)

    def uninstall(self) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def main() -> None:
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    settings = Neo4jSettings.from_env()
    print(f"python {sys.version.split()[0]}, {trials} trials per handler and mode")
    for mode in ("read", "write"):
        for name, handler in (("raise-anywhere", RaiseAnywhere), ("stop-on-signal", None)):
            driver = open_driver(settings)  # a broken pool must not leak into the other handler's trials
            try:
                rows = sigterm_into_driver_calls(driver, settings.database, mode, trials, seed=7, handler=handler)
                if mode == "write":
                    with driver.session(database=settings.database) as session:
                        session.run("MATCH (n:SigProbe) CALL (n) { DETACH DELETE n } "
                                    "IN TRANSACTIONS OF 10000 ROWS").consume()
            finally:
                driver.close()
            counts = collections.Counter(outcome_name(err) for err, _ in rows)
            latency = statistics.median(seconds for _, seconds in rows) * 1000
            shown = ", ".join(f"{k} {v}" for k, v in counts.most_common())
            print(f"{mode:5} {name:15} median stop {latency:6.1f} ms | {shown}", flush=True)


if __name__ == "__main__":
    main()
