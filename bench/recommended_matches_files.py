"""Check that the current recommend run in Neo4j holds exactly the lists of a run folder.

Reads every RECOMMENDED of the current run, list by list, and compares it with the list's file:
the same (subject, object) pairs, the same rank and score, nothing more, nothing less. The files
may come from another run over the same data (the lists are deterministic). Used after the daily
reruns (bench/daily_rerun.sh), whose writes mixed overwrites, creates and stale deletes.

    eval "$(NEO4J_LOCAL_HOME=/work/.neo4j-h1 scripts/neo4j-local env)"
    python bench/recommended_matches_files.py /tmp/daily/rec-3
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import neo4j
import numpy as np
import pandas as pd

READ = """
MATCH (run:JobRun {job: 'recommend', current: true})
MATCH (a)-[r:RECOMMENDED {list: $list}]->(b) WHERE r.run_id = run.run_id
RETURN coalesce(a.consumer_id, a.streamer_id, a.factory_id) AS subject_id,
       coalesce(b.product_id, b.streamer_id, b.factory_id) AS object_id, r.rank AS rank, r.score AS score
"""


def read_file(folder: Path, name: str) -> pd.DataFrame:
    path = next(folder.glob(f"{name}.*"))
    columns = ["subject_id", "rank", "object_id", "score"]
    if path.suffix == ".parquet":
        return pd.read_parquet(path, columns=columns)
    return pd.read_csv(path, usecols=columns, engine="pyarrow", dtype={"subject_id": str, "object_id": str})


def compare(driver: neo4j.Driver, database: str | None, folder: Path, name: str) -> dict[str, int]:
    stored = driver.execute_query(READ, list=name, database_=database, result_transformer_=neo4j.Result.to_df)
    listed = read_file(folder, name)
    both = listed.merge(stored, on=["subject_id", "object_id"], how="outer", suffixes=("_file", "_db"), indicator=True)
    kept = both[both["_merge"] == "both"]
    return {
        "file_rows": len(listed),
        "neo4j_rows": len(stored),
        "only_in_file": int((both["_merge"] == "left_only").sum()),
        "only_in_neo4j": int((both["_merge"] == "right_only").sum()),
        "rank_differs": int((kept["rank_file"] != kept["rank_db"]).sum()),
        "score_differs": int((~np.isclose(kept["score_file"], kept["score_db"], rtol=1e-9, atol=0)).sum()),
    }


def main(folder: str) -> int:
    folder = Path(folder)
    names = sorted(p.stem for p in folder.iterdir() if p.stem != "manifest")
    auth = (os.environ["NEO4J_USER"], os.environ["NEO4J_PASSWORD"])
    bad = 0
    with neo4j.GraphDatabase.driver(os.environ["NEO4J_URI"], auth=auth) as driver:
        for name in names:
            t = time.perf_counter()
            row = compare(driver, os.environ.get("NEO4J_DATABASE"), folder, name)
            bad += sum(row[k] for k in ("only_in_file", "only_in_neo4j", "rank_differs", "score_differs"))
            bad += row["file_rows"] != row["neo4j_rows"]
            print(name, row, f"{time.perf_counter() - t:.1f} s", flush=True)
    print("identical" if bad == 0 else f"DIFFERENT ({bad} mismatches)")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
