"""How much a day of new data changes the lists: two `livetrust recommend --out` folders compared.

Per list: rows of each run, pairs (subject, object) in both at the same rank, in both at another
rank, only in the new run (the write-back creates them), only in the old one (stale, deleted);
and how many of the pairs in both changed score. Used by bench/daily_rerun.sh's results
(bench/results/recommend.md, "A rerun after a day of new data").

    python bench/daily_rerun_diff.py /tmp/daily/rec-2 /tmp/daily/rec-3
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

COLUMNS = ["subject_id", "rank", "object_id", "score"]


def read_list(folder: Path, name: str) -> pd.DataFrame:
    path = next(folder.glob(f"{name}.*"))
    if path.suffix == ".parquet":
        return pd.read_parquet(path, columns=COLUMNS)
    return pd.read_csv(path, usecols=COLUMNS, engine="pyarrow")


def compare(old: pd.DataFrame, new: pd.DataFrame) -> dict[str, int]:
    both = old.merge(new, on=["subject_id", "object_id"], how="outer", suffixes=("_old", "_new"), indicator=True)
    kept = both[both["_merge"] == "both"]
    return {
        "rows_old": len(old),
        "rows_new": len(new),
        "same_rank": int((kept["rank_old"] == kept["rank_new"]).sum()),
        "other_rank": int((kept["rank_old"] != kept["rank_new"]).sum()),
        "new_pairs": int((both["_merge"] == "right_only").sum()),
        "dropped_pairs": int((both["_merge"] == "left_only").sum()),
        "score_changed": int((kept["score_old"] != kept["score_new"]).sum()),
    }


def main(old_dir: str, new_dir: str) -> None:
    old_dir, new_dir = Path(old_dir), Path(new_dir)
    names = sorted(p.stem for p in new_dir.iterdir() if p.stem != "manifest")
    rows = {name: compare(read_list(old_dir, name), read_list(new_dir, name)) for name in names}
    table = pd.DataFrame(rows).T
    table.loc["all"] = table.sum()
    print("| list | " + " | ".join(table.columns) + " |")
    print("| --- |" + " ---: |" * len(table.columns))
    for name, row in table.iterrows():
        print(f"| {name} | " + " | ".join(f"{int(v):,d}" for v in row) + " |")


if __name__ == "__main__":
    main(*sys.argv[1:3])
