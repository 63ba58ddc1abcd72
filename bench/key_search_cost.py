"""The embedded key index's look-up (``loaders/state.py``): keys searched as they come against sorted.

``_run_matches`` finds a chunk's key hashes in a sorted run of stored hashes. Until 2026-12-06 it passed
the chunk's hashes to ``np.searchsorted`` as they came (random order), twice (left and right end of equal
entries); now it sorts them first and searches the right end only for the hashes found. This times both
on random hashes -- a run of ``--stored`` hashes, ``--chunks`` chunks of ``--chunk`` asked hashes, a share
``--found`` of them stored -- and checks that they return the same (asked row, position) pairs. Python
and numpy only; no Neo4j.

    python bench/key_search_cost.py --stored 10000000 --chunk 20000 --found 0 --found 0.5
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from livetrust.loaders.state import _run_matches


def as_they_come(run: tuple[np.ndarray, np.ndarray], h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The look-up before 2026-12-06: both ends searched for every asked hash, in the order asked."""
    hashes, positions = run
    lo = np.searchsorted(hashes, h, side="left")
    hi = np.searchsorted(hashes, h, side="right")
    n = hi - lo
    rows = np.repeat(np.arange(len(h), dtype=np.int64), n)
    offsets = np.arange(int(n.sum()), dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
    return rows, positions[np.repeat(lo, n) + offsets]


def sorted_search(run: tuple[np.ndarray, np.ndarray], h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Today's look-up (``_run_matches``), its run indices turned into positions as ``_SortedRuns.find`` does."""
    rows, at = _run_matches(run[0], h)
    return rows, run[1][at]


def timed(search, run, chunks) -> float:
    started = time.perf_counter()
    for h in chunks:
        search(run, h)
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stored", type=int, default=10_000_000)
    ap.add_argument("--chunk", type=int, default=20_000)
    ap.add_argument("--chunks", type=int, default=200)
    ap.add_argument("--found", type=float, action="append", help="share of asked hashes that are stored")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    hashes = np.sort(rng.integers(0, 2**63, args.stored, dtype=np.uint64))
    run = (hashes, np.arange(args.stored, dtype=np.int64))
    for share in args.found or [0.0, 0.5]:
        chunks = []
        for _ in range(args.chunks):
            h = rng.integers(0, 2**63, args.chunk, dtype=np.uint64)
            k = int(share * args.chunk)
            h[:k] = hashes[rng.integers(0, args.stored, k)]
            chunks.append(rng.permutation(h))
        same = all(sorted(zip(*map(list, as_they_come(run, h)))) == sorted(zip(*map(list, sorted_search(run, h))))
                   for h in chunks[:3])
        for r in range(args.rounds):
            old, new = timed(as_they_come, run, chunks), timed(sorted_search, run, chunks)
            print(f"{args.chunks} chunks of {args.chunk:,} ({share:.0%} stored) against {args.stored:,} hashes, "
                  f"round {r + 1}: as they come {old:.2f} s, sorted {new:.2f} s ({old / new:.1f}x); same pairs: {same}",
                  flush=True)


if __name__ == "__main__":
    main()
