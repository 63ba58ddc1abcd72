"""The loader's written-key bookkeeping (``loaders/state.py``): one sorted array against two sorted runs.

A fresh stream's keys are remembered as 64-bit hashes, one chunk at a time. Until 497b549 they were one
sorted array with an ``np.insert`` per chunk (``_merge_runs`` into that one array), which copies the whole
array every chunk; ``_SortedRuns`` (``_WrittenHashes`` until 2026-12-06) inserts into a small run and merges
it into the large one now and then. This
times both on random hashes in chunks, for the chunk sizes given (the loader's 20,000 before, 5,000
now), and checks they hold the same hashes. Python and numpy only; no Neo4j.

    python bench/written_hashes_cost.py --hashes 14654079 --chunk 20000 --chunk 5000   # l's follows
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from livetrust.loaders.state import _merge_runs, _SortedRuns


def one_array(chunks: list[np.ndarray]) -> tuple[float, np.ndarray]:
    known = (np.empty(0, dtype=np.uint64),)
    started = time.perf_counter()
    for h in chunks:
        known = _merge_runs(known, (np.sort(h),))
    return time.perf_counter() - started, known[0]


def two_runs(chunks: list[np.ndarray]) -> tuple[float, np.ndarray]:
    written = _SortedRuns(positions=False)
    started = time.perf_counter()
    for h in chunks:
        written.add(h)
    return time.perf_counter() - started, np.sort(np.concatenate([written.main[0], written.recent[0]]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hashes", type=int, default=14_654_079)
    ap.add_argument("--chunk", type=int, action="append")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    hashes = rng.integers(0, 2**63, args.hashes, dtype=np.uint64)
    for chunk in args.chunk or [20_000, 5_000]:
        chunks = [hashes[i:i + chunk] for i in range(0, len(hashes), chunk)]
        old_s, old = one_array(chunks)
        new_s, new = two_runs(chunks)
        print(f"{args.hashes:,} hashes in chunks of {chunk:,}: one sorted array {old_s:.1f} s, "
              f"two runs {new_s:.1f} s ({old_s / new_s:.0f}x); same hashes: {np.array_equal(old, new)}",
              flush=True)


if __name__ == "__main__":
    main()
