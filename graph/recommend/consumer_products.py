"""Consumer -> products to buy: through the streamers they trust, from good factories.

Model (expected kept purchases per consumer, ranked; all sparse-matrix products):

``score(c, p) = [ sum_s r(c, s) * mix(s, p) + delta * discover(p) ] * keep(p) * demotion(p)``

Order lines are weighted by recency (half-life) and by the buyer's credibility when the
trust frames carry it, so brushing-ring orders shape neither mixes nor rates.

- ``r(c, s) = bond(c, s) * rate(s) * (1 if c follows s now else lapsed_weight)``: how
  much c buys from s -- the bond trust (livetrust.graph.trust) times the streamer's
  orders per follower (shrunk to the platform mean); a lapsed bond still counts a little;
- ``mix(s, p)``: the streamer's recent sales mix (recency-weighted order lines, rows
  sum to 1) -- what buying from s means;
- ``discover(p)``: what people buy from streamers they do not follow (plus a tenth of
  all sales), weighted by the streamer's trust; ``delta`` its per-consumer rate: the
  part of buying not explained by bonds, which also gives consumers without bonds a list;
- ``keep(p) = product_trust(p) ** keep_power * seller_trust(p) ** seller_power``: good
  quality, unlikely to be returned, sold by trusted streamers;
- ``demotion(p)``: the documented demotion rule (``scores.py``): products sold mainly by
  fraud-flagged streamers, or with little evidence, are demoted, never dropped; products
  partly sold by them are demoted in proportion to that part of their recent units.

Already-bought products are never recommended. Only the candidates a consumer can
reach (through bonds) plus the top of ``discover`` are scored, so the work is
proportional to the bonds, not to consumers x products.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .common import flag, join_parts, labels, pair_values, pairs_of, part, pct, top_k_sparse, with_candidates
from .context import Context
from .params import Interval, check_parameters

#: Rows per block of the sparse computation.
ROWS_PER_BLOCK = 20_000


@dataclass
class ConsumerProducts:
    """Consumer -> products list (see the module docstring for the model).

    Parameters
    ----------
    lapsed_weight : float
        Weight of a bond whose follow has ended (or never existed: bought without following).
        0.1 since 2026-12-07 (was 0.3): NDCG@10 +0.0013 to +0.0025 on six generated worlds, fraud
        exposure unchanged (bench/results/recommend.md, "A lapsed bond weighs 0.1").
    keep_power : float
        Exponent of the product's trust (quality / keep probability) in the score.
    rate_prior : float
        Pseudo-followers shrinking each streamer's orders-per-follower to the platform mean.
    trusted_bond : float
        Bond trust from which a streamer counts as "trusted" in the reason text.
    seller_power : float
        Exponent of the product's seller trust (trust of the streamers that sold it,
        weighted by their credible order lines): products pushed by untrusted streamers sink.
    all_sales_share : float
        Weight of all sales (not only non-follower ones) in ``discover``.
    """

    lapsed_weight: float = 0.1
    keep_power: float = 1.0
    rate_prior: float = 20.0
    trusted_bond: float = 0.5
    seller_power: float = 2.0
    all_sales_share: float = 0.1

    #: allowed values of the numeric parameters (checked by ``fit`` and by ``--set``)
    PARAMETER_RANGES: ClassVar[dict[str, Interval]] = {
        "lapsed_weight": Interval(0, 1),
        "keep_power": Interval(0),
        "rate_prior": Interval(0, open_low=True),  # 0 divides by a follower count of 0
        "trusted_bond": Interval(0, 1),
        "seller_power": Interval(0),
        "all_sales_share": Interval(0, 1),
    }

    def fit(self, ctx: Context) -> "ConsumerProducts":
        check_parameters(self)
        g = ctx.graph
        self.ctx_ = ctx
        self.evidence_ = None  # built by the first frame()
        following = g.following
        orders_cs = ctx.credible_orders  # order lines weighted by recency and buyer credibility
        # orders per follower of each streamer (recency-weighted), shrunk to the mean
        follower_orders = np.asarray(orders_cs.multiply(following).sum(axis=0)).ravel()
        followers = np.asarray(following.sum(axis=0)).ravel()
        mean_rate = follower_orders.sum() / max(1.0, followers.sum())
        self.s_rate_ = (follower_orders + self.rate_prior * mean_rate) / (followers + self.rate_prior)
        # r(c, s): bond x rate x (follow running ? 1 : lapsed_weight)
        bonds = ctx.bonds.tocsr()
        active = pair_values(following, *_rows_cols(bonds)) > 0
        weight = np.where(active, 1.0, self.lapsed_weight)
        r = bonds.copy()
        r.data = r.data * weight * self.s_rate_[_rows_cols(bonds)[1]]
        self.r_ = r
        # discovery: order lines at streamers the buyer does not follow, weighted by streamer trust
        non_follow = orders_cs - orders_cs.multiply(following)
        non_follow = sp.csr_matrix(non_follow)
        non_follow.eliminate_zeros()
        n_active = max(1, int(((np.diff(orders_cs.indptr) > 0) | (np.diff(following.indptr) > 0)).sum()))
        # every streamer's sales count a little (``all_sales_share``), so there is a
        # discovery part even where nobody buys without following
        lines = np.asarray(non_follow.sum(axis=0)).ravel() + self.all_sales_share * np.asarray(orders_cs.sum(axis=0)).ravel()
        self.delta_ = float(lines.sum()) / n_active
        by_streamer = lines * ctx.s_trust
        disc = np.asarray(ctx.carry.T @ by_streamer).ravel()
        self.discover_ = disc / disc.sum() if disc.sum() > 0 else disc
        self.factor_ = (np.power(np.clip(ctx.p_trust, 0.0, 1.0), self.keep_power)
                        * np.power(np.clip(ctx.p_seller_trust, 0.0, 1.0), self.seller_power) * ctx.p_demotion)
        self.bought_ = g.bought
        order = np.argsort(-(self.discover_ * self.factor_), kind="stable")
        self.discover_order_ = order[self.discover_[order] > 0]
        return self

    def score_block(self, rows: np.ndarray, k: int) -> sp.csr_matrix:
        """Sparse scores of these consumers over their candidates (bought ones are -inf)."""
        rows = np.asarray(rows, dtype=np.int64)
        personal = sp.csr_matrix(self.r_[rows] @ self.ctx_.carry)
        bought = self.bought_[rows]
        # enough of the discovery list that k candidates remain after removing what was bought
        s = with_candidates(personal, self.discover_order_, k + np.diff(bought.indptr))
        cols = s.indices
        s.data = (s.data + self.delta_ * self.discover_[cols]) * self.factor_[cols]
        r, c = _rows_cols(s)
        s.data[pair_values(bought, r, c) > 0] = -np.inf
        return s

    def recommend(self, k: int, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` product codes and scores per consumer code in ``rows`` (default all)."""
        n = self.ctx_.graph.n_consumers
        rows = np.arange(n) if rows is None else np.asarray(rows, dtype=np.int64)
        idx = np.full((len(rows), k), -1, np.int64)
        vals = np.full((len(rows), k), np.nan)
        for start in range(0, len(rows), ROWS_PER_BLOCK):
            sl = slice(start, start + ROWS_PER_BLOCK)
            idx[sl], vals[sl] = top_k_sparse(self.score_block(rows[sl], k), k)
        return idx, vals

    def frame(self, rows: np.ndarray, idx: np.ndarray, vals: np.ndarray) -> pd.DataFrame:
        """The list as a table: subject_id, rank, object_id, score and the evidence
        (trusted_streamers, return_rate, product_trust, factory_id, factory_trust,
        demotion) with a ``reason`` text."""
        ctx, g = self.ctx_, self.ctx_.graph
        subj, rank, obj, score = pairs_of(rows, idx, vals)
        # per pair: how many of the consumer's streamers (trusted ones / any bond) sold the product
        known, trusted, sells = self._evidence_matrices()
        n_trusted, n_known = np.zeros(len(subj)), np.zeros(len(subj))
        bounds = np.concatenate([[0], np.cumsum((idx >= 0).sum(axis=1))])  # pairs of row i: bounds[i]:bounds[i+1]
        for start in range(0, len(rows), ROWS_PER_BLOCK):
            stop = min(len(rows), start + ROWS_PER_BLOCK)
            block = np.asarray(rows[start:stop])
            sl = slice(bounds[start], bounds[stop])
            local = np.repeat(np.arange(stop - start), np.diff(bounds[start:stop + 1]))
            n_trusted[sl] = pair_values(sp.csr_matrix(trusted[block] @ sells), local, obj[sl])
            n_known[sl] = pair_values(sp.csr_matrix(known[block] @ sells), local, obj[sl])
        n_trusted, n_known = n_trusted.astype(np.int64), n_known.astype(np.int64)
        ret = ctx.p_return_rate[obj]
        factory = g.p_factory[obj]
        f_trust = np.where(factory >= 0, ctx.f_trust[np.maximum(factory, 0)], np.nan)
        reason = join_parts(
            part("{} of your trusted streamers sold it", n_trusted, when=n_trusted > 0),
            part("{} streamer(s) you bought from or followed sold it", n_known, when=(n_trusted == 0) & (n_known > 0)),
            flag(n_known == 0, "popular with new buyers"),
            part("{:.1f}% return rate", pct(ret)),
            part("factory trust {:.2f}", np.round(np.nan_to_num(f_trust, nan=0.5), 2)),
            flag(ctx.p_flagged[obj], "demoted: sold mainly by fraud-flagged streamers"),
            part("demoted: {:g}% of its recent sales by fraud-flagged streamers", pct(ctx.p_flagged_share[obj]),
                 when=ctx.p_partly_flagged[obj]),
            flag(ctx.rule.low_confidence(ctx.p_confidence[obj]), "demoted: little evidence"),
        )
        return pd.DataFrame({
            "subject_id": labels(subj, g.consumers),
            "rank": rank.astype(np.int64),
            "object_id": labels(obj, g.products),
            "score": score,
            "trusted_streamers": n_trusted,
            "return_rate": ret,
            "product_trust": ctx.p_trust[obj],
            "factory_id": labels(factory, g.factories),
            "factory_trust": f_trust,
            "demotion": ctx.p_demotion[obj],
            "reason": reason,
        })

    def _evidence_matrices(self) -> tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]:
        """0/1 matrices behind the reason: consumer -> any bonded streamer, consumer -> trusted
        streamer, streamer -> products it sold. Built once per fit (a streamed run calls
        :meth:`frame` once per block of subjects)."""
        if getattr(self, "evidence_", None) is None:
            bonded = self.ctx_.bonds.copy()
            bonded.eliminate_zeros()
            known = bonded.copy()
            known.data[:] = 1.0
            trusted = bonded.copy()
            trusted.data = (trusted.data >= self.trusted_bond).astype(np.float64)
            sells = self.ctx_.carry.copy()
            sells.data[:] = 1.0
            self.evidence_ = (known, trusted, sells)
        return self.evidence_


def _rows_cols(m: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    return np.repeat(np.arange(m.shape[0]), np.diff(m.indptr)), m.indices
