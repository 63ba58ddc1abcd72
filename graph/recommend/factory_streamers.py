"""Factory -> streamers to partner with: trusted streamers whose audiences buy and keep its categories.

Model (per category ``k``; a factory's categories are the mix of its products):

``fit(s, k) = keep(s, k) * [ (1 - w_audience) * sells(s, k) + w_audience * audience(s, k) ]``
``score(f, s) = sum_k mix(f, k) * fit(s, k) * reach(s) * trust(s) * demotion(s)``

- ``sells(s, k)``: share of the streamer's recent sales in category k;
- ``audience(s, k)``: share of the kept purchases of the streamer's audience (followers
  and buyers), anywhere on the platform, in category k -- what its audience buys;
- ``keep(s, k)``: kept share of the streamer's sales in k, shrunk toward its overall
  kept share (``keep_prior`` pseudo-units) -- whether the audience keeps them;
- ``reach(s) = 0.5 + 0.5 * log1p(audience) / log1p(max audience)``: mild size bonus;
- ``trust(s)``, ``demotion(s)``: streamer trust and the documented demotion rule
  (``scores.py``): fraud-flagged or little-known streamers are demoted, never dropped.

Current partners (streamers that already sold the factory's goods) stay in the list,
marked ``current_partner``; ``exclude_partners=True`` leaves them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .common import blocked_top_k, flag, join_parts, labels, object_part, pair_values, pairs_of, part, pct, row_normalize
from .context import Context
from .params import Interval, check_parameters


@dataclass
class FactoryStreamers:
    """Factory -> streamers list (see the module docstring for the model)."""

    w_audience: float = 0.5
    keep_prior: float = 10.0
    exclude_partners: bool = False

    #: allowed values of the numeric parameters (checked by ``fit`` and by ``--set``)
    PARAMETER_RANGES: ClassVar[dict[str, Interval]] = {
        "w_audience": Interval(0, 1),
        "keep_prior": Interval(0, open_low=True),  # 0 divides 0 by 0 units
    }

    def fit(self, ctx: Context) -> "FactoryStreamers":
        check_parameters(self)
        g = ctx.graph
        self.ctx_ = ctx
        n_cat = max(1, len(g.categories))
        ok = (g.o_streamer >= 0) & (g.o_product >= 0)
        o_cat = np.where(ok, g.p_category[np.maximum(g.o_product, 0)], -1)
        ok &= o_cat >= 0
        w = g.o_weight[ok] * g.o_units[ok]
        kept_w = w * (1.0 - g.o_returned[ok])
        shape = (g.n_streamers, n_cat)
        units = sp.csr_matrix((w, (g.o_streamer[ok], o_cat[ok])), shape=shape).toarray()
        kept = sp.csr_matrix((kept_w, (g.o_streamer[ok], o_cat[ok])), shape=shape).toarray()
        total = units.sum(axis=1, keepdims=True)
        self.sells_ = np.divide(units, total, out=np.zeros_like(units), where=total > 0)
        keep_all = np.divide(kept.sum(axis=1, keepdims=True), total, out=np.full_like(total, 0.8), where=total > 0)
        self.keep_ = (kept + self.keep_prior * keep_all) / (units + self.keep_prior)
        # the audience: followers now and buyers, what they buy and keep anywhere
        c_ok = ok & (g.o_consumer >= 0)
        cons_cat = sp.csr_matrix((g.o_weight[c_ok] * g.o_units[c_ok] * (1.0 - g.o_returned[c_ok]),
                                  (g.o_consumer[c_ok], o_cat[c_ok])), shape=(g.n_consumers, n_cat))
        buyers = g.consumer_streamer_orders.copy()
        buyers.data[:] = 1.0
        audience = ((g.following + buyers) > 0).astype(np.float64).T.tocsr()  # streamers x consumers
        self.audience_size_ = np.diff(audience.indptr).astype(np.float64)
        self.audience_ = np.asarray(row_normalize(audience @ row_normalize(cons_cat)).toarray())
        self.reach_ = 0.5 + 0.5 * np.log1p(self.audience_size_) / max(np.log1p(self.audience_size_.max(initial=0.0)), 1e-9)
        self.fit_ = self.keep_ * ((1.0 - self.w_audience) * self.sells_ + self.w_audience * self.audience_)
        # the factories' category mix and current partners
        pf_ok = (g.p_factory >= 0) & (g.p_category >= 0)
        self.mix_ = row_normalize(sp.csr_matrix((np.ones(pf_ok.sum()), (g.p_factory[pf_ok], g.p_category[pf_ok])),
                                                shape=(g.n_factories, n_cat))).toarray()
        o_fac = np.where(g.o_product >= 0, g.p_factory[np.maximum(g.o_product, 0)], -1)
        okf = (o_fac >= 0) & (g.o_streamer >= 0)
        partners = sp.csr_matrix((np.ones(okf.sum()), (o_fac[okf], g.o_streamer[okf])), shape=(g.n_factories, g.n_streamers))
        partners.sum_duplicates()
        self.partners_ = partners
        self.factor_ = self.reach_ * ctx.s_trust * ctx.s_demotion
        return self

    def score_block(self, rows: np.ndarray) -> np.ndarray:
        block = (self.mix_[rows] @ self.fit_.T) * self.factor_
        if self.exclude_partners:
            p = sp.coo_matrix(self.partners_[rows])
            block[p.row, p.col] = -np.inf
        return block

    def recommend(self, k: int, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        g = self.ctx_.graph
        rows = np.arange(g.n_factories) if rows is None else np.asarray(rows, dtype=np.int64)
        return blocked_top_k(self.score_block, rows, g.n_streamers, k)

    def frame(self, rows: np.ndarray, idx: np.ndarray, vals: np.ndarray) -> pd.DataFrame:
        ctx, g = self.ctx_, self.ctx_.graph
        subj, rank, obj, score = pairs_of(rows, idx, vals)
        main_cat = self.mix_.argmax(axis=1)[subj] if self.mix_.shape[1] else np.zeros(len(subj), np.int64)
        cat_name = np.asarray(g.categories, dtype=object)[main_cat] if len(g.categories) else np.full(len(subj), "", object)
        sells = self.sells_[obj, main_cat]
        aud = self.audience_[obj, main_cat]
        keep = self.keep_[obj, main_cat]
        partner = pair_values(self.partners_, subj, obj) > 0
        reason = join_parts(
            part("{} is {:.0f}% of their sales", cat_name.astype(str), pct(sells, 0)),
            part("their audience buys {:.0f}% in it", pct(aud, 0)),
            part("keeps {:.0f}%", pct(keep, 0)),
            part("streamer trust {:.2f}", np.round(ctx.s_trust[obj], 2)),
            flag(partner, "already sells your goods"),
            object_part(ctx.s_flag_causes, obj, "demoted: fraud-flagged ({})"),
            flag(ctx.rule.low_confidence(ctx.s_confidence[obj]), "demoted: little evidence"),
        )
        return pd.DataFrame({
            "subject_id": labels(subj, g.factories),
            "rank": rank.astype(np.int64),
            "object_id": labels(obj, g.streamers),
            "score": score,
            "category": cat_name,
            "category_sales_share": sells,
            "audience_category_share": aud,
            "keep_rate": keep,
            "audience": self.audience_size_[obj].astype(np.int64),
            "streamer_trust": ctx.s_trust[obj],
            "current_partner": partner,
            "demotion": ctx.s_demotion[obj],
            "reason": reason,
        })
