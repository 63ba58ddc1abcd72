"""Shared helpers of the scoring benchmarks and the validation script."""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from livetrust.graph.projection import Projection

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / "bench" / ".cache"


@contextmanager
def timed(label: str, into: dict):
    t0 = time.perf_counter()
    yield
    into[label] = time.perf_counter() - t0


def load_projection(folder: Path) -> Projection:
    """The projection of a contract folder, through the loaders' validation."""
    return Projection.from_folder(Path(folder))


def world_end(folder: Path) -> pd.Timestamp:
    """End of the simulated span (or of the main part, before a holdout), from truth/world.json."""
    meta = json.loads((Path(folder) / "truth" / "world.json").read_text())
    return pd.Timestamp(meta["holdout_cutoff"] or meta["end"])


def ensure_world(scale: str, seed: int = 7, holdout_days: int = 0, file_format: str = "parquet") -> Path:
    """Generate (once) and cache a world under bench/.cache/."""
    out = CACHE / f"world_{scale}_seed{seed}_h{holdout_days}_{file_format}"
    if not (out / "truth" / "world.json").is_file():
        from livetrust.world import generate_world

        generate_world(out, scale=scale, seed=seed, file_format=file_format, holdout_days=holdout_days)
    return out
