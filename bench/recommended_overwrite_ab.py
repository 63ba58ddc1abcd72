"""Overwriting stock RECOMMENDED: the write statement's variants, side by side.

``per_row``, ``queries/writeback/recommended_write_columns.cypher`` until 2026-12-05, found each row's stock with
``MATCH (a)-[stock:RECOMMENDED]->(b)`` (Expand(Into)): from the subject, whose RECOMMENDED of both
lists and both generations were read again for every one of its rows (a consumer of the m world has
about 80, and 40 rows). The ``per_subject`` variant (the statement's text from 2026-12-05 to 2026-12-06)
groups a batch's rows by subject, reads the subject's stock of the list once (its `list` and `run_id`
properties), and picks each row's stock from that list by element id. ``by_node`` (the statement's text
now) tells the list's stock by the object's label and pairs rows with it by node.

Every variant writes the same rows (a list file of a `livetrust recommend --out` run, e.g. the current
run's consumer_products.csv) over the same stock, in transactions of 20,000 rows, one session, the
variants alternating; every run stamps its own run id, so each run overwrites the relationships the
run before it wrote (they are stock: neither the current run's nor its own). Prints a JSON line per run.

Use a database holding a recommend run's current relationships and stock (the m world after two
`livetrust recommend` runs); this script leaves the stock stamped with its last run id.

    eval "$(NEO4J_LOCAL_HOME=/work/.neo4j-m scripts/neo4j-local env)"
    python bench/recommended_overwrite_ab.py OUT/consumer_products.csv --rows 400000 --rounds 3 \
        --variant per_subject --variant by_node --server-pid "$(cat /work/.neo4j-m/neo4j.pid)"
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import pandas as pd

from livetrust.db import open_driver
from livetrust.graph.recommend.export import LABELS, WRITE_STATEMENT, write_columns
from livetrust.graph.recommend.run import LISTS
from livetrust.queries import cypher_statement
from livetrust.settings import Neo4jSettings
from livetrust.writeback import frame_to_columns, node_element_ids

# the statement of queries/writeback/recommended_write_columns.cypher until 2026-12-05
PER_ROW = """
OPTIONAL MATCH (current:JobRun {job: 'recommend', current: true})
WITH coalesce(current.run_id, '') AS current_run_id
UNWIND range(0, size($columns.subject_node) - 1) AS i
MATCH (a) WHERE elementId(a) = $columns.subject_node[i]
MATCH (b) WHERE elementId(b) = $columns.object_node[i]
OPTIONAL CALL (a, b, current_run_id) {
  MATCH (a)-[stock:RECOMMENDED]->(b)
  WHERE coalesce(stock.list, '') = $list AND NOT coalesce(stock.run_id, '') IN [current_run_id, $run_id]
  RETURN stock LIMIT 1
}
SET stock.run_id = $run_id, stock.rank = $columns.rank[i], stock.score = $columns.score[i],
    stock.reason = $columns.reason[i], stock.demotion = $columns.demotion[i]
WITH a, b, i, stock WHERE stock IS NULL
CREATE (a)-[:RECOMMENDED {
  list: $list, run_id: $run_id, rank: $columns.rank[i], score: $columns.score[i],
  reason: $columns.reason[i], demotion: $columns.demotion[i]
}]->(b)
"""
# the statement of queries/writeback/recommended_write_columns.cypher from 2026-12-05 to 2026-12-06: per
# subject, the stock told from the other list's relationships by reading `list`, and paired with each
# row by element id string; now the object's label tells the list and rows pair by node (`by_node`)
PER_SUBJECT = """
OPTIONAL MATCH (current:JobRun {job: 'recommend', current: true})
WITH coalesce(current.run_id, '') AS current_run_id
UNWIND range(0, size($columns.subject_node) - 1) AS i
WITH current_run_id, $columns.subject_node[i] AS subject, collect(i) AS rows
MATCH (a) WHERE elementId(a) = subject
CALL (a, current_run_id) {
  OPTIONAL MATCH (a)-[stock:RECOMMENDED]->(b)
  WHERE coalesce(stock.list, '') = $list AND NOT coalesce(stock.run_id, '') IN [current_run_id, $run_id]
  RETURN collect(elementId(b)) AS stock_objects, collect(stock) AS stocks
}
CALL (a, rows, stock_objects, stocks) {
  UNWIND rows AS i
  MATCH (b) WHERE elementId(b) = $columns.object_node[i]
  WITH a, b, i, [j IN range(0, size(stock_objects) - 1) WHERE stock_objects[j] = $columns.object_node[i] | stocks[j]][0] AS stock
  SET stock.run_id = $run_id, stock.rank = $columns.rank[i], stock.score = $columns.score[i],
      stock.reason = $columns.reason[i], stock.demotion = $columns.demotion[i]
  WITH a, b, i, stock
  CALL (a, b, i, stock) {
    WITH a, b, i WHERE stock IS NULL
    CREATE (a)-[:RECOMMENDED {
      list: $list, run_id: $run_id, rank: $columns.rank[i], score: $columns.score[i],
      reason: $columns.reason[i], demotion: $columns.demotion[i]
    }]->(b)
  }
  RETURN count(*) AS subject_written, count(stock) AS subject_overwritten
}
RETURN sum(subject_written) AS written, sum(subject_overwritten) AS overwritten, collect([stock IN stocks WHERE stock.run_id <> $run_id | elementId(stock)]) AS stale
"""
BATCH = 20_000


def cpu_seconds(pid: int | None) -> float:
    """utime + stime of a process (the server's, for its CPU per row), 0 without a pid."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("list_file", help="a list file of `livetrust recommend --out` (CSV)")
    parser.add_argument("--rows", type=int, default=400_000, help="first rows of the file to write per run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--server-pid", type=int, help="the server's pid: also record its CPU seconds per run")
    parser.add_argument("--variant", action="append", choices=["per_row", "per_subject", "by_node"],
                        help="statements to compare, alternating (default: per_subject and by_node)")
    args = parser.parse_args()
    settings = Neo4jSettings.from_env()
    driver, database = open_driver(settings), settings.database
    name = Path(args.list_file).name.split(".")[0]
    frame = pd.read_csv(args.list_file, nrows=args.rows, keep_default_na=False)
    # the job's own write columns: both ends' element ids, then the properties
    batch = write_columns(frame, *LISTS[name][1:], node_element_ids(driver, database))
    batches = [frame_to_columns(batch.iloc[s : s + BATCH]) for s in range(0, len(batch), BATCH)]
    statements = {"per_row": PER_ROW, "per_subject": PER_SUBJECT, "by_node": cypher_statement(WRITE_STATEMENT)}
    variants = {v: statements[v] for v in args.variant or ["per_subject", "by_node"]}
    object_label = LABELS[LISTS[name][2]]
    for round_ in range(args.rounds):
        for variant in (variants if round_ % 2 == 0 else list(reversed(variants))):
            run_id = f"bench-overwrite-{round_}-{variant}"
            created = 0
            server_cpu = cpu_seconds(args.server_pid)
            started = time.perf_counter()
            with driver.session(database=database) as session:
                for columns in batches:
                    summary = session.execute_write(
                        lambda tx, c=columns: tx.run(variants[variant], columns=c, list=name, run_id=run_id,
                                                 object_label=object_label).consume())
                    created += summary.counters.relationships_created
            seconds = time.perf_counter() - started
            server_cpu = cpu_seconds(args.server_pid) - server_cpu
            print(json.dumps({"round": round_, "variant": variant, "rows": len(batch), "created": created,
                              "seconds": round(seconds, 2), "rows_per_s": round(len(batch) / seconds),
                              **({"server_cpu_us_per_row": round(server_cpu / len(batch) * 1e6, 2)}
                                 if args.server_pid else {})}), flush=True)
    driver.close()


if __name__ == "__main__":
    main()
