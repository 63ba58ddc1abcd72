"""What the projection read from Neo4j leaves in memory: peak, RSS, the frames' own size, and
how much of the rest glibc's heap and Arrow's pool give back when asked.

    eval "$(NEO4J_LOCAL_HOME=/work/.neo4j-l scripts/neo4j-local env)"
    flock /tmp/livetrust-bench.lock /usr/bin/time -v python bench/neo4j_read_memory.py

Prints one line for the read (seconds, peak and current RSS, the tables' deep memory, Arrow's
pool), one per table, then RSS after ``malloc_trim(0)`` and after Arrow's ``release_unused``.
Used for the l world's Neo4j-mode read (bench/results/score.md).
"""

from __future__ import annotations

import ctypes
import resource
import sys
import time
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rss_trace import read_neo4j, rss_gb  # noqa: E402


def main() -> None:
    started = time.time()
    projection = read_neo4j()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    frames = projection.tables()
    deep = sum(f.memory_usage(deep=True).sum() for f in frames.values()) / 1e9
    print(f"read {time.time() - started:.1f} s, peak {peak:.2f} GB, rss {rss_gb():.2f} GB, frames deep {deep:.2f} GB, "
          f"arrow pool {pa.total_allocated_bytes() / 1e9:.2f} GB, backend {pa.default_memory_pool().backend_name}")
    for name, frame in frames.items():
        print(name, len(frame), round(frame.memory_usage(deep=True).sum() / 1e9, 3))
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    print(f"after malloc_trim: rss {rss_gb():.2f} GB")
    pa.default_memory_pool().release_unused()
    print(f"after arrow release_unused: rss {rss_gb():.2f} GB")


if __name__ == "__main__":
    main()
