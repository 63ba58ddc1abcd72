"""Peak memory and time of the whole co-audience index (graph/paths/co_audience.py) on a seeded,
l-sized bond matrix, and a digest of what it kept.

    python bench/co_audience_memory.py [--consumers 3400000] [--streamers 20000] [--seed 1]
    python bench/co_audience_memory.py --digest        # the kept pairs' sha256 instead

The bond matrix: every consumer bonds to 1 + Poisson(3.5) streamers (at most 40), drawn with
weights rank^-0.9 so a few hubs share most audiences, trusts uniform in (0, 1]; about 10M
streamer pairs at the defaults, the l world's 10,141,042. The run drains
``co_audience_chunks`` as the paths job does (each chunk dropped once made) and prints the
process's peak RSS (``ru_maxrss``; the peak of making the matrix is printed beside it) and the wall time.

``--digest`` hashes the kept (streamer, partner, consumer, trust, trust) entries as 64-bit
integers and floats, so versions that hold them in other integer types compare equal.
Run each version in its own process (its own virtualenv for an older commit).
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import time
from types import SimpleNamespace

import numpy as np
from scipy.sparse import coo_matrix

from livetrust.graph.paths import co_audience as co


def bonds(consumers: int, streamers: int, seed: int):
    rng = np.random.default_rng(seed)
    degree = np.minimum(1 + rng.poisson(3.5, consumers), 40)
    weights = np.arange(1, streamers + 1, dtype=np.float64) ** -0.9
    rows = np.repeat(np.arange(consumers), degree)
    cols = rng.choice(streamers, size=len(rows), p=weights / weights.sum())
    matrix = coo_matrix((rng.uniform(1e-6, 1.0, len(rows)), (rows, cols)), shape=(consumers, streamers)).tocsr()
    matrix.sum_duplicates()  # a consumer drawn to one streamer twice keeps one bond
    matrix.data = np.minimum(matrix.data, 1.0)
    return matrix


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--consumers", type=int, default=3_400_000)
    parser.add_argument("--streamers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--digest", action="store_true")
    args = parser.parse_args()
    BT = bonds(args.consumers, args.streamers, args.seed)
    if args.digest:
        best = co._BestPerPair(co.KEEP, co.BLOCK_ENTRIES)
        for lo, hi in co._consumer_blocks(BT, co.BLOCK_ENTRIES):
            best.add(co._pairs(BT, lo, hi))
        kept = best.result()
        digest = hashlib.sha256()
        for column, kind in zip(kept, (np.int64, np.int64, np.int64, np.float64, np.float64)):
            digest.update(np.ascontiguousarray(column, dtype=kind).tobytes())
        print(f"{co.__file__}: {len(kept[0]):,} kept entries, sha256 {digest.hexdigest()}")
        return
    index = SimpleNamespace(BT=BT, streamer_ids=np.array([f"s{i}" for i in range(args.streamers)]),
                            consumer_ids=np.array([f"c{i}" for i in range(args.consumers)]))
    before = max_rss_mib()  # making the matrix and the ids
    t0 = time.perf_counter()
    pairs = 0
    for chunk in co.co_audience_chunks(index):
        pairs += len(chunk)
        del chunk
    seconds = time.perf_counter() - t0
    print(f"{co.__file__}: {BT.nnz:,} bonds, {pairs:,} pairs in {seconds:.1f} s; "
          f"peak RSS {max_rss_mib():,.0f} MiB (before the index: {before:,.0f} MiB)")


if __name__ == "__main__":
    main()
