"""np.unique against the sort-based ``graph/_arrays.unique`` on seeded int64 keys, all distinct-ish.

    python bench/unique_speed.py
"""

from __future__ import annotations

import time

import numpy as np

from livetrust.graph._arrays import unique


def main() -> None:
    rng = np.random.default_rng(0)
    print(f"numpy {np.__version__}")
    for n in (1_000_000, 3_000_000, 12_000_000):
        keys = rng.integers(0, 10**10, n)
        t = time.perf_counter()
        want = np.unique(keys)
        numpy_s = time.perf_counter() - t
        t = time.perf_counter()
        got = unique(keys)
        ours = time.perf_counter() - t
        print(f"{n:>12,} keys: np.unique {numpy_s:6.2f} s, sort-based {ours:5.2f} s, equal={np.array_equal(want, got)}")


if __name__ == "__main__":
    main()
