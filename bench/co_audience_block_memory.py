"""Memory of making one block of co-audience pair entries (graph/paths/co_audience.py, ``_pairs``).

    python bench/co_audience_block_memory.py

Builds a bond matrix of 500,000 consumers with 1-12 bonds each over 20,000 streamers (seeded),
takes its first block of at most ``BLOCK_ENTRIES`` pair entries and prints the peak of the
arrays allocated while ``_pairs`` makes it (tracemalloc: numpy reports its buffers), per entry.
The figure behind ``BLOCK_ENTRIES``'s comment.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
from scipy.sparse import csr_matrix

from livetrust.graph.paths.co_audience import BLOCK_ENTRIES, _consumer_blocks, _pairs


def main() -> None:
    rng = np.random.default_rng(1)
    degrees = rng.integers(1, 13, 500_000)
    indptr = np.concatenate([[0], np.cumsum(degrees)]).astype(np.int32)
    bonds = csr_matrix((rng.random(indptr[-1]), rng.integers(0, 20_000, indptr[-1]).astype(np.int32), indptr),
                       shape=(len(degrees), 20_000))
    lo, hi = _consumer_blocks(bonds, BLOCK_ENTRIES)[0]
    entries = int((np.diff(bonds.indptr[lo:hi + 1]).astype(np.int64) ** 2).sum())
    tracemalloc.start()
    pairs = _pairs(bonds, lo, hi)
    held, peak = tracemalloc.get_traced_memory()
    print(f"block of consumers {lo}-{hi}: {entries:,} pair entries, {len(pairs[0]):,} pairs; "
          f"peak {peak / 1e9:.2f} GB = {peak / entries:.0f} B per entry; pairs returned {held / 1e9:.2f} GB")


if __name__ == "__main__":
    main()
