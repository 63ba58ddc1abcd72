"""What overwriting a RECOMMENDED relationship's properties costs Neo4j, by what changes.

The write-back overwrites the replaced run's relationships in place
(queries/writeback/recommended_write_columns.cypher) and SETs five properties on each. Neo4j records
no change for a property SET to the value it already has, so what a rerun costs depends on what
differs: in a steady rerun only ``run_id`` (the new run's stamp); after a day of new data also
``score`` on every pair and ``rank`` and ``reason`` on many (bench/results/recommend.md, "A rerun
after a day of new data"). Whether a numeric run stamp would be cheaper than the ``run_id`` string
was left open (2026-12-06). This script measures each case on the same relationships:

- ``find``: only find each relationship by element id (no SET);
- ``equal``: SET run_id, rank, score, reason to the values they hold (no change recorded);
- ``run_id``: a new run_id string, shaped like the job's (``rec-YYYYmmddTHHMMSSZ-xxxxxxxx``);
- ``int_stamp``: a new integer in a property of its own (the numeric run stamp);
- ``daily``: a new run_id, score and rank;
- ``daily_reason``: the same and a new reason text.

It creates ``--rows`` relationships of the job's shape (six properties and an integer ``stamp``)
between XU/XV scratch nodes, finds them by element id in transactions of 20,000 rows, one session,
like the job; the variants alternate within each round. With ``--server-pid`` it reads the server's
CPU seconds from /proc around each run; with ``--tx-log DIR`` (the database's transaction log folder)
the bytes the run added to the transaction log, per row (a rotation in the run can hide some: the
largest round is the bound). The scratch nodes are deleted at the end. Prints a JSON line per run.

Use a scratch server, never a database holding a world:

    eval "$(NEO4J_LOCAL_HOME=/work/.neo4j-dev NEO4J_LOCAL_BOLT_PORT=7693 scripts/neo4j-local env)"
    python bench/property_update_cost.py --rows 200000 --rounds 5 --server-pid "$(cat /work/.neo4j-dev/neo4j.pid)" \
        --tx-log /work/.neo4j-dev/data/transactions/neo4j
"""
from __future__ import annotations

import argparse
import json
import time
import uuid
from pathlib import Path

from livetrust.db import open_driver
from livetrust.settings import Neo4jSettings

from recommended_overwrite_ab import cpu_seconds

BATCH = 20_000
REASON = "3 of your trusted streamers sold it; 0.4% return rate"
CREATE = """
UNWIND range(0, $rows - 1) AS i
CALL (i) {
  CREATE (:XU)-[:XR {list: 'consumer_products', run_id: 'rec-20261206T120700Z-abcdef12', stamp: 0,
                     rank: i % 20 + 1, score: toFloat(i) / $rows, reason: $reason, demotion: ''}]->(:XV)
} IN TRANSACTIONS OF 20000 ROWS
"""
FIND = "UNWIND $ids AS id MATCH ()-[r:XR]->() WHERE elementId(r) = id "
VARIANTS = {
    "find": FIND + "RETURN count(r)",
    "equal": FIND + "SET r.run_id = r.run_id, r.rank = r.rank, r.score = r.score, r.reason = r.reason",
    "run_id": FIND + "SET r.run_id = $run_id",
    "int_stamp": FIND + "SET r.stamp = $stamp",
    "daily": FIND + "SET r.run_id = $run_id, r.score = r.score + 0.001, r.rank = r.rank % 20 + 1",
    "daily_reason": FIND + ("SET r.run_id = $run_id, r.score = r.score + 0.001, r.rank = r.rank % 20 + 1, "
                            "r.reason = $reason + ' ' + $stamp"),
}
CLEANUP = "MATCH (n) WHERE n:XU OR n:XV CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"


def tx_log_bytes(folder: str | None) -> int:
    """Bytes of the transaction log files in ``folder`` (0 without one)."""
    if folder is None:
        return 0
    return sum(p.stat().st_size for p in Path(folder).glob("*.transaction.db.*"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--server-pid", type=int, help="the server's pid: also record its CPU seconds per run")
    parser.add_argument("--tx-log", help="the database's transaction log folder: also record its growth per row")
    parser.add_argument("--variant", action="append", choices=list(VARIANTS),
                        help="variants to compare, alternating (default: all)")
    args = parser.parse_args()
    settings = Neo4jSettings.from_env()
    driver, database = open_driver(settings), settings.database
    variants = args.variant or list(VARIANTS)
    with driver.session(database=database) as session:
        session.run(CLEANUP).consume()
        session.run(CREATE, rows=args.rows, reason=REASON).consume()
        ids = [record[0] for record in session.run("MATCH ()-[r:XR]->() RETURN elementId(r)")]
    stamp = 0
    for round_ in range(args.rounds):
        for variant in (variants if round_ % 2 == 0 else list(reversed(variants))):
            stamp += 1
            run_id = f"rec-20261206T{stamp:06d}Z-{uuid.uuid4().hex[:8]}"
            properties_set = 0
            server_cpu, log_bytes = cpu_seconds(args.server_pid), tx_log_bytes(args.tx_log)
            started = time.perf_counter()
            with driver.session(database=database) as session:
                for start in range(0, len(ids), BATCH):
                    summary = session.execute_write(lambda tx, b=ids[start:start + BATCH]: tx.run(
                        VARIANTS[variant], ids=b, run_id=run_id, stamp=stamp, reason=REASON).consume())
                    properties_set += summary.counters.properties_set
            seconds = time.perf_counter() - started
            server_cpu = cpu_seconds(args.server_pid) - server_cpu
            log_bytes = tx_log_bytes(args.tx_log) - log_bytes
            print(json.dumps({"round": round_, "variant": variant, "rows": len(ids),
                              "properties_set": properties_set, "seconds": round(seconds, 2),
                              **({"server_cpu_us_per_row": round(server_cpu / len(ids) * 1e6, 2)}
                                 if args.server_pid else {}),
                              **({"tx_log_bytes_per_row": round(log_bytes / len(ids), 1)} if args.tx_log else {})}),
                  flush=True)
    with driver.session(database=database) as session:
        session.run(CLEANUP).consume()
    driver.close()


if __name__ == "__main__":
    main()
