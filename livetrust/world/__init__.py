"""The seeded live-commerce simulator behind ``livetrust generate``.

``generate_world(out_dir, scale=, seed=, file_format=, corrupt=, holdout_days=, span_days=)``
writes a contract folder plus ``truth/`` (latent honesty, quality, fraud membership and
every injected defect) and returns a ``WorldSummary``.
"""

from .config import SCALES, Params, Scale
from .generate import WorldSummary, generate_world

__all__ = ["SCALES", "Params", "Scale", "WorldSummary", "generate_world"]
