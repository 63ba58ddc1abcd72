"""What a RECOMMENDED relationship costs Neo4j to write: its properties, the run_id index, the relationship.

The recommend job's write-back (queries/writeback/recommended_create_columns.cypher) finds both ends by
element id and CREATEs one relationship per row with six properties (list, run_id, rank, score, reason,
demotion), and the schema keeps a range index on RECOMMENDED.run_id. This script writes the same shape
of batches (20,000 rows, one list per column, one managed write transaction each, one session) into a
scratch database, in four variants, each under its own relationship type so the index applies only
where named:

- ``full, indexed``: every property, with the run_id index (what the job writes);
- ``full, no index``: every property, no index on the type;
- ``no reason, indexed``: without the reason string (the longest property);
- ``no properties``: the bare relationship.

Each variant writes ``--rows`` relationships between random pairs of 400,000 ``XC`` and 20,000 ``XP``
nodes (created on first use), then deletes them, so every variant starts from the same store. Rounds
alternate the order of the variants. Prints one JSON line per run.

Use a scratch server, never a database holding a world: the script creates XC/XP nodes and
R_* relationship types of its own.

    eval "$(NEO4J_LOCAL_HOME=/work/.neo4j-exp NEO4J_LOCAL_BOLT_PORT=7695 scripts/neo4j-local env)"
    python bench/recommended_write_cost.py --rows 1000000 --rounds 2
    python bench/recommended_write_cost.py --variant "full, no index" --batch 20000 --batch 5000 --rounds 3

``--variant`` (repeatable) picks variants; ``--batch`` (repeatable, default 20,000) the rows per
transaction, each batch size a run of its own within a round (alternating order, like the variants).
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np

from livetrust.db import open_driver
from livetrust.settings import Neo4jSettings

ALL_PROPERTIES = ("list: $list, run_id: $run_id, rank: $columns.rank[i], score: $columns.score[i], "
                  "reason: $columns.reason[i], demotion: $columns.demotion[i]")
VARIANTS = {  # name: (relationship type, properties, indexed)
    "full, indexed": ("R_IDX", ALL_PROPERTIES, True),
    "full, no index": ("R_NOIDX", ALL_PROPERTIES, False),
    "no reason, indexed": ("R_NOREASON", ALL_PROPERTIES.replace("reason: $columns.reason[i], ", ""), True),
    "no properties": ("R_BARE", "", False),
}
BATCH = 20_000  # the job's rows per transaction (export.publish's batch_size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="relationships per variant and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--variant", action="append", choices=list(VARIANTS), help="default: all")
    parser.add_argument("--batch", action="append", type=int, help=f"rows per transaction (default {BATCH})")
    args = parser.parse_args()
    runs = [(name, batch) for name in (args.variant or list(VARIANTS)) for batch in (args.batch or [BATCH])]
    settings = Neo4jSettings.from_env()
    driver, database = open_driver(settings), settings.database
    consumers, products = _scratch_nodes(driver, database)
    reasons = _reasons()
    for round_ in range(args.rounds):
        order = runs if round_ % 2 == 0 else list(reversed(runs))
        for name, batch in order:
            rel_type, properties, _ = VARIANTS[name]
            statement = (f"UNWIND range(0, size($columns.a) - 1) AS i "
                         f"MATCH (a) WHERE elementId(a) = $columns.a[i] "
                         f"MATCH (b) WHERE elementId(b) = $columns.b[i] "
                         f"CREATE (a)-[:{rel_type} {{{properties}}}]->(b)")
            batches = list(_batches(args.rows, round_, consumers, products, reasons, batch))  # built before the clock
            started = time.perf_counter()
            with driver.session(database=database) as session:
                for columns in batches:
                    session.execute_write(lambda tx, c=columns: tx.run(
                        statement, columns=c, list="consumer_products",
                        run_id="rec-20261205T031552Z-1963dad3").consume())
            seconds = time.perf_counter() - started
            print(json.dumps({"round": round_, "variant": name, "batch": batch, "rows": args.rows, "s": round(seconds, 2),
                              "rows_per_s": round(args.rows / seconds)}), flush=True)
            _auto_commit(driver, database, f"MATCH ()-[r:{rel_type}]->() CALL (r) {{ DELETE r }} "
                                           "IN TRANSACTIONS OF 50000 ROWS")
    driver.close()


def _scratch_nodes(driver, database: str) -> tuple[list[str], list[str]]:
    """400,000 XC and 20,000 XP nodes (created once) and their element ids; the indexes of the variants."""
    with driver.session(database=database) as session:
        if not session.run("MATCH (c:XC) RETURN count(c) AS n").single()["n"]:
            _auto_commit(driver, database, "UNWIND range(0, 399999) AS i CALL (i) { CREATE (:XC {id: 'c' + i}) } "
                                           "IN TRANSACTIONS OF 50000 ROWS")
            _auto_commit(driver, database, "UNWIND range(0, 19999) AS i CALL (i) { CREATE (:XP {id: 'p' + i}) } "
                                           "IN TRANSACTIONS OF 20000 ROWS")
        for rel_type, _, indexed in VARIANTS.values():
            if indexed:
                session.run(f"CREATE INDEX {rel_type.lower()}_run IF NOT EXISTS "
                            f"FOR ()-[r:{rel_type}]-() ON (r.run_id)").consume()
        session.run("CALL db.awaitIndexes(300)").consume()
        consumers = session.run("MATCH (c:XC) RETURN collect(elementId(c)) AS ids").single()["ids"]
        products = session.run("MATCH (p:XP) RETURN collect(elementId(p)) AS ids").single()["ids"]
    return consumers, products


def _auto_commit(driver, database: str, statement: str) -> None:
    # CALL { } IN TRANSACTIONS needs an auto-commit transaction (session.run, not a managed one)
    with driver.session(database=database) as session:
        session.run(statement).consume()


def _reasons() -> list[str]:
    """500 reason texts shaped like consumer_products' (about 60 characters)."""
    rng = np.random.default_rng(7)
    return [f"{a} of your trusted streamers sold it; {b:.1f}% return rate; factory trust {c:.2f}"
            for a, b, c in zip(rng.integers(1, 6, 500), rng.uniform(0, 20, 500), rng.uniform(0.3, 1, 500))]


def _batches(rows: int, seed: int, consumers: list[str], products: list[str], reasons: list[str], batch: int):
    rng = np.random.default_rng(seed)
    consumers, products, reasons = (np.array(v, dtype=object) for v in (consumers, products, reasons))
    for start in range(0, rows, batch):
        n = min(batch, rows - start)
        yield {"a": consumers[rng.integers(0, len(consumers), n)].tolist(),
               "b": products[rng.integers(0, len(products), n)].tolist(),
               "rank": rng.integers(1, 21, n).tolist(), "score": rng.random(n).tolist(),
               "reason": reasons[rng.integers(0, len(reasons), n)].tolist(), "demotion": [1.0] * n}


if __name__ == "__main__":
    main()
