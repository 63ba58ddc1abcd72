"""The baselines' top-K both ways on the same fitted models: the dense path (every item scored for
every user, :meth:`MatrixRecommender.recommend` given only ``score_block``) against the shared and
sparse paths they use, on a sample of the users ``livetrust evaluate`` scores.

    python bench/baselines_sparse_ab.py WORLD [--users 10000] [--matrix bought|following]

Prints per baseline the fit, both paths' seconds, whether lists and scores are identical, and how
many items a user's sparse scores reach on average.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from livetrust.graph.projection import Projection
from livetrust.graph.recommend import ItemKNN, MostPopular, RP3beta
from livetrust.graph.recommend.common import MatrixRecommender
from livetrust.graph.recommend.data import Graph, codes_of, time_split
from livetrust.graph.recommend.evaluate import BASELINE_PARAMS


class DenseOnly(MatrixRecommender):
    """The same scores, given only as dense blocks."""

    def __init__(self, model: MatrixRecommender):
        self.model, self.X_ = model, model.X_

    def score_block(self, rows):
        return self.model.score_block(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("world")
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--matrix", choices=("bought", "following"), default="bought")
    args = parser.parse_args()
    split = time_split(Projection.from_folder(args.world), 30)
    g = Graph.build(split.train)
    X = getattr(g, args.matrix).tocsr()
    test = split.test_orders
    buyers = codes_of(g.consumers, test["consumer_id"])
    users = np.unique(buyers[buyers >= 0])
    sample = np.sort(np.random.default_rng(0).choice(users, min(args.users, len(users)), replace=False))
    print(f"{args.world}: {args.matrix} {X.shape[0]:,} x {X.shape[1]:,}; {len(sample):,} users")
    for name, cls in (("most_popular", MostPopular), ("item_knn", ItemKNN), ("rp3beta", RP3beta)):
        t = time.perf_counter()
        model = cls(**BASELINE_PARAMS.get(name, {})).fit(X)
        fit = time.perf_counter() - t
        t = time.perf_counter()
        fast = model.recommend(10, sample)
        fast_s = time.perf_counter() - t
        t = time.perf_counter()
        dense = DenseOnly(model).recommend(10, sample)
        dense_s = time.perf_counter() - t
        same = np.array_equal(fast[0], dense[0]) and np.array_equal(fast[1], dense[1], equal_nan=True)
        reach = "" if name == "most_popular" else \
            f"; scored items per user {model.score_sparse(sample[:2000]).nnz / min(2000, len(sample)):.0f} of {X.shape[1]:,}"
        print(f"  {name}: fit {fit:.1f} s; shared/sparse {fast_s:.1f} s, dense {dense_s:.1f} s, identical={same}{reach}")


if __name__ == "__main__":
    main()
