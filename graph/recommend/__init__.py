"""Ranked lists built on trust scores and paths, with an offline evaluation that proves them.

Lists (``run.LISTS``; each row: subject_id, rank, object_id, score, evidence columns, reason):

- ``consumer_streamers`` -- streamers to follow (``consumer_streamers.py``);
- ``consumer_products`` -- products to buy, through trusted streamers, from good
  factories, not already bought, unlikely to be returned (``consumer_products.py``);
- ``factory_streamers`` -- streamers to partner with (``factory_streamers.py``);
- ``streamer_products`` / ``streamer_factories`` -- what to carry (``streamer_products.py``).

Inputs are the :class:`~livetrust.graph.projection.Projection` and four trust frames
(:class:`~.scores.Scores`); fraud-flagged or low-confidence objects are demoted by the
documented rule in ``scores.py``, never dropped. Baselines (``popular.py``,
``itemknn.py``, ``rp3beta.py``, ``followed_sellers.py``), metrics (``metrics.py``) and the time-split evaluation
(``evaluate.py``) prove the lists; ``export.py`` writes files + manifest and Neo4j.
"""

from .data import Graph, TimeSplit, load_projection, time_split
from .evaluate import Evaluation, Truth, evaluate
from .export import export, publish, verify
from .followed_sellers import FollowedSellers
from .itemknn import ItemKNN
from .popular import MostPopular
from .rp3beta import RP3beta
from .run import LISTS, RecommendResult, read_subjects, recommend
from .scores import Demotion, Scores, scores_from_model

__all__ = [
    "Demotion", "Evaluation", "FollowedSellers", "Graph", "ItemKNN", "LISTS", "MostPopular", "RP3beta", "RecommendResult",
    "Scores", "TimeSplit", "Truth", "evaluate", "export", "load_projection", "publish", "read_subjects",
    "recommend", "scores_from_model", "time_split", "verify",
]
