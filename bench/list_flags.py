"""A consumer -> streamers export against the world's truth: fraud streamers in it, and the
streamers that appear demoted as fraud-flagged (with their truth kind).

    python bench/list_flags.py OUT/consumer_streamers.parquet WORLD/truth
"""

from __future__ import annotations

import sys

import pandas as pd
import pyarrow.parquet as pq


def main() -> None:
    path, truth_dir = sys.argv[1], sys.argv[2]
    rows = pq.read_table(path, columns=["object_id", "rank", "demotion", "streamer_trust"]).to_pandas()
    truth = pd.read_csv(f"{truth_dir}/streamers.csv", dtype={"streamer_id": str}).set_index("streamer_id")
    kind = truth["fraud_kind"].fillna("none").reindex(rows["object_id"]).fillna("none").to_numpy()
    print(f"{len(rows):,} rows, {rows['object_id'].nunique():,} distinct streamers; rows by truth kind: "
          f"{pd.Series(kind).value_counts().to_dict()}")
    flagged = rows[rows["demotion"] <= 0.1 + 1e-9]  # the fraud penalty keeps 10%
    print(f"rows demoted as fraud-flagged: {len(flagged):,}")
    for sid, g in flagged.groupby("object_id"):
        t = truth.loc[sid]
        print(f"  {sid}: {len(g):,} rows, median rank {g['rank'].median():.0f}, trust {g['streamer_trust'].iloc[0]:.2f}, "
              f"truth {t['fraud_kind'] if isinstance(t['fraud_kind'], str) else 'none'} (honesty {t['honesty']}, "
              f"lucky-draw follows {t['lucky_draw_follows']})")


if __name__ == "__main__":
    main()
