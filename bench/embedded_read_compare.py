"""Does a change to the embedded read change what it reads? Dump with each version, then compare.

    OLD_PYTHON bench/embedded_read_compare.py dump WORLD old.pkl   # e.g. a worktree's virtualenv
    python     bench/embedded_read_compare.py dump WORLD new.pkl
    python     bench/embedded_read_compare.py compare old.pkl new.pkl

A dump holds ``validate_folder``'s accepted tables, quarantine and pending rows, every file's
counts and reasons, and the projection's tables; ``compare`` asserts each equal
(``pandas.testing.assert_frame_equal``) and exits non-zero on the first difference.
"""

from __future__ import annotations

import pickle
import sys

import pandas as pd

PROJECTION_TABLES = ("orders", "follows", "consumers", "streamers", "products", "factories", "returns")


def dump(world: str, out: str) -> None:
    from livetrust.graph.projection import Projection
    from livetrust.loaders import validate_folder

    v = validate_folder(world)
    p = Projection.from_validated(v)
    state = {
        "tables": v.tables, "quarantine": v.quarantine, "pending": v.pending,
        "report": [(f.file, f.read, f.loaded, f.duplicate, f.pending, f.quarantined, dict(f.reasons))
                   for f in v.report.files],
        "projection": {name: getattr(p, name) for name in PROJECTION_TABLES},
    }
    with open(out, "wb") as fh:
        pickle.dump(state, fh, protocol=5)


def compare(old: str, new: str) -> None:
    with open(old, "rb") as fh:
        a = pickle.load(fh)
    with open(new, "rb") as fh:
        b = pickle.load(fh)
    for name in a["tables"]:
        pd.testing.assert_frame_equal(a["tables"][name], b["tables"][name], obj=f"tables[{name}]")
    for name in PROJECTION_TABLES:
        pd.testing.assert_frame_equal(a["projection"][name], b["projection"][name], obj=f"projection.{name}")
    pd.testing.assert_frame_equal(a["quarantine"], b["quarantine"], obj="quarantine")
    pd.testing.assert_frame_equal(a["pending"], b["pending"], obj="pending")
    assert a["report"] == b["report"], "per-file counts differ"
    print(f"identical: {len(a['quarantine'])} quarantined, {len(a['pending'])} pending, "
          f"{sum(r[3] for r in a['report'])} duplicates, {sum(r[2] for r in a['report'])} loaded")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "dump":
        dump(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
