"""Streamer -> products and streamer -> factories to carry: good quality that fits the audience.

Model (candidates: products / factories the streamer has not sold yet):

``demand(s, p) = sum_c audience(s, c) * kept(c, p)``: what the streamer's audience
(followers now and buyers, each weighing ``1 / audience size``) bought and kept anywhere
on the platform, recency-weighted;

``score(s, p) = demand(s, p) * product_trust(p) * factory_trust(factory(p)) * demotion(p)``

``score(s, f) = sum_{p of f} demand(s, p) * product_trust(p) * factory_trust(f) * demotion(f)``

``demotion`` is the documented rule (``scores.py``): products sold mainly (or, in
proportion, partly) by fraud-flagged streamers, flagged factories and little-known ones
are demoted, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .common import blocked_top_k, flag, join_parts, labels, pair_values, pairs_of, part, pct, row_normalize, top_k_dense
from .context import Context


def _audience(g) -> sp.csr_matrix:
    buyers = g.consumer_streamer_orders.copy()
    buyers.data[:] = 1.0
    aud = ((g.following + buyers) > 0).astype(np.float64).T.tocsr()
    return aud


@dataclass
class StreamerProducts:
    """Streamer -> products to carry (see the module docstring)."""

    def fit(self, ctx: Context) -> "StreamerProducts":
        g = ctx.graph
        self.ctx_ = ctx
        aud = _audience(g)
        self.audience_size_ = np.diff(aud.indptr).astype(np.float64)
        self.demand_ = sp.csr_matrix(row_normalize(aud) @ g.consumer_product_kept)
        # audience buyers per (streamer, product): for the reason text
        bought = g.bought
        self.buyers_ = sp.csr_matrix(aud @ bought)
        self.factor_ = ctx.p_trust * ctx.p_factory_trust * ctx.p_demotion
        carried = g.streamer_product_units.copy()
        carried.data[:] = 1.0
        self.carried_ = carried
        return self

    def score_block(self, rows: np.ndarray) -> np.ndarray:
        block = self.demand_[rows].toarray() * self.factor_
        c = sp.coo_matrix(self.carried_[rows])
        block[c.row, c.col] = -np.inf
        block[block <= 0] = -np.inf  # no audience demand: no evidence to recommend on
        return block

    def recommend(self, k: int, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        g = self.ctx_.graph
        rows = np.arange(g.n_streamers) if rows is None else np.asarray(rows, dtype=np.int64)
        return blocked_top_k(self.score_block, rows, g.n_products, k)

    def frame(self, rows: np.ndarray, idx: np.ndarray, vals: np.ndarray) -> pd.DataFrame:
        ctx, g = self.ctx_, self.ctx_.graph
        subj, rank, obj, score = pairs_of(rows, idx, vals)
        n_buy = pair_values(self.buyers_, subj, obj).astype(np.int64)
        ret = ctx.p_return_rate[obj]
        factory = g.p_factory[obj]
        f_trust = ctx.p_factory_trust[obj]
        reason = join_parts(
            part("{} of your audience bought it", n_buy),
            part("{:.1f}% return rate", pct(ret)),
            part("factory trust {:.2f}", np.round(f_trust, 2)),
            flag(ctx.p_flagged[obj], "demoted: sold mainly by fraud-flagged streamers"),
            part("demoted: {:g}% of its recent sales by fraud-flagged streamers", pct(ctx.p_flagged_share[obj]),
                 when=ctx.p_partly_flagged[obj]),
            flag(ctx.rule.low_confidence(ctx.p_confidence[obj]), "demoted: little evidence"),
        )
        return pd.DataFrame({
            "subject_id": labels(subj, g.streamers),
            "rank": rank.astype(np.int64),
            "object_id": labels(obj, g.products),
            "score": score,
            "audience_buyers": n_buy,
            "return_rate": ret,
            "product_trust": ctx.p_trust[obj],
            "factory_id": labels(factory, g.factories),
            "factory_trust": f_trust,
            "demotion": ctx.p_demotion[obj],
            "reason": reason,
        })


@dataclass
class StreamerFactories:
    """Streamer -> factories to carry (see the module docstring)."""

    def fit(self, ctx: Context) -> "StreamerFactories":
        g = ctx.graph
        self.ctx_ = ctx
        to_factory = g.product_factory
        aud = _audience(g)
        demand = sp.csr_matrix(row_normalize(aud) @ g.consumer_product_kept)
        self.demand_ = sp.csr_matrix(demand @ sp.diags(ctx.p_trust) @ to_factory)
        self.buyers_ = sp.csr_matrix(aud @ ((g.bought @ to_factory) > 0).astype(np.float64))
        self.factor_ = ctx.f_trust * ctx.f_demotion
        carried = g.streamer_factory_units.copy()
        carried.data[:] = 1.0
        self.carried_ = carried
        self.f_keep_ = np.asarray(to_factory.T @ (ctx.graph.product_units - ctx.graph.product_returned_units)).ravel()
        units = np.asarray(to_factory.T @ ctx.graph.product_units).ravel()
        self.f_return_rate_ = np.divide(units - self.f_keep_, units, out=np.zeros_like(units), where=units > 0)
        return self

    def score_block(self, rows: np.ndarray) -> np.ndarray:
        block = self.demand_[rows].toarray() * self.factor_
        c = sp.coo_matrix(self.carried_[rows])
        block[c.row, c.col] = -np.inf
        block[block <= 0] = -np.inf
        return block

    def recommend(self, k: int, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        g = self.ctx_.graph
        rows = np.arange(g.n_streamers) if rows is None else np.asarray(rows, dtype=np.int64)
        return top_k_dense(self.score_block(rows), k)

    def frame(self, rows: np.ndarray, idx: np.ndarray, vals: np.ndarray) -> pd.DataFrame:
        ctx, g = self.ctx_, self.ctx_.graph
        subj, rank, obj, score = pairs_of(rows, idx, vals)
        n_buy = pair_values(self.buyers_, subj, obj).astype(np.int64)
        ret = self.f_return_rate_[obj]
        reason = join_parts(
            part("{} of your audience bought its goods", n_buy),
            part("{:.1f}% return rate", pct(ret)),
            part("factory trust {:.2f}", np.round(ctx.f_trust[obj], 2)),
            flag(ctx.f_flagged[obj], "demoted: fraud-flagged"),
            flag(ctx.rule.low_confidence(ctx.f_confidence[obj]), "demoted: little evidence"),
        )
        return pd.DataFrame({
            "subject_id": labels(subj, g.streamers),
            "rank": rank.astype(np.int64),
            "object_id": labels(obj, g.factories),
            "score": score,
            "audience_buyers": n_buy,
            "return_rate": ret,
            "factory_trust": ctx.f_trust[obj],
            "demotion": ctx.f_demotion[obj],
            "reason": reason,
        })
