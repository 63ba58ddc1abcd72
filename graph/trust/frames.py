"""The four trust frames as the later stages (paths, recommendations) receive them.

One check at their boundary: key columns present and unique, scores within [0, 1].
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

KEYS: dict[str, tuple[str, ...]] = {
    "consumer_streamer": ("consumer_id", "streamer_id"),
    "streamers": ("streamer_id",),
    "products": ("product_id",),
    "factories": ("factory_id",),
}


def validate_trust_frames(frames: Mapping[str, pd.DataFrame], columns: tuple[str, ...] = ("trust",)) -> None:
    """Raise ``ValueError`` naming the frame and the problem, else return None.

    ``columns``: the score columns that must lie in [0, 1] where present (``trust`` always exists).
    """
    for name, keys in KEYS.items():
        frame = frames[name]
        missing = [c for c in (*keys, "trust") if c not in frame.columns]
        if missing:
            raise ValueError(f"trust frame {name!r} lacks column(s) {', '.join(missing)}")
        if frame.duplicated(list(keys)).any():
            raise ValueError(f"trust frame {name!r} has duplicate {'/'.join(keys)} rows")
        for column in columns:
            if column not in frame.columns:
                continue
            values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64)
            bad = np.isnan(values) | (values < 0.0) | (values > 1.0)
            if bad.any():
                raise ValueError(f"trust frame {name!r}: {int(bad.sum())} {column} value(s) outside [0, 1]")
