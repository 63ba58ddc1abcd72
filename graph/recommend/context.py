"""The graph and the trust scores aligned on the same integer codes, built once per run.

Every list recommender reads this instead of the raw frames, so ids are encoded once,
and the demotion rule (``scores.py``) is applied the same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .bursts import buyer_day_groups, burst_share, surprising_burst_lines
from .common import row_normalize
from .data import Graph, codes_of
from .scores import (CREDIBILITY_COLUMN, Demotion, Scores, aligned, confidence_of, flag_causes, flags_of, joined_words,
                     words_where)


@dataclass
class Context:
    """Aligned arrays: ``s_*`` per streamer, ``p_*`` per product, ``f_*`` per factory code.

    ``bonds`` is the consumer x streamer matrix of bond trust; ``*_demotion`` the demotion
    factor of every object (1 = not demoted); ``c_credibility`` each consumer's
    credibility when the bond frame carries a ``consumer_credibility`` column (the trust
    model's: low for fake and brushing-ring accounts), else 1.
    """

    graph: Graph
    scores: Scores
    rule: Demotion
    bonds: sp.csr_matrix
    bond_confidence: sp.csr_matrix
    s_trust: np.ndarray
    s_confidence: np.ndarray
    s_flagged: np.ndarray
    p_trust: np.ndarray
    p_confidence: np.ndarray
    p_flagged: np.ndarray
    f_trust: np.ndarray
    f_confidence: np.ndarray
    f_flagged: np.ndarray
    p_flagged_share: np.ndarray  # share of the product's recent units sold by flagged streamers
    p_flag_weight: np.ndarray  # the product's flagged weight in [0, 1] (Demotion.product_flag_weight)
    c_credibility: np.ndarray  # per consumer, in [0, 1] (1 when the trust frames do not say)
    s_burst_share: np.ndarray  # per streamer: share of its lines in brushing bursts (bursts.py)
    s_surprising_lines: np.ndarray  # per streamer: buyer-days in implausible same-day groups (bursts.py)
    s_flag_causes: np.ndarray  # per streamer: why it is flagged, in words ("" when it is not)

    @classmethod
    def build(cls, graph: Graph, scores: Scores, rule: Demotion | None = None) -> "Context":
        rule = rule or Demotion()
        scores.validate()
        cs = scores.consumer_streamer
        c = codes_of(graph.consumers, cs["consumer_id"].astype(str))
        s = codes_of(graph.streamers, cs["streamer_id"].astype(str))
        ok = (c >= 0) & (s >= 0)
        trust = cs["trust"].to_numpy(dtype=np.float64)
        shape = (graph.n_consumers, graph.n_streamers)
        bonds = sp.csr_matrix((trust[ok], (c[ok], s[ok])), shape=shape)
        conf = cs["confidence"].to_numpy(dtype=np.float64) if "confidence" in cs.columns else np.ones(len(cs))
        bond_conf = sp.csr_matrix((conf[ok], (c[ok], s[ok])), shape=shape)

        st, pt, ft = scores.streamers, scores.products, scores.factories
        groups = buyer_day_groups(graph)  # both burst tests read the same groups
        s_burst = burst_share(graph, rule.burst_min_buyers, rule.burst_max_p, dispersion=rule.burst_dispersion,
                              groups=groups)
        s_surprising = surprising_burst_lines(graph, rule.surprise_min_buyers, rule.surprise_max_p,
                                              dispersion=rule.burst_dispersion, groups=groups)
        s_causes = joined_words(
            flag_causes(st, "streamer_id", graph.streamers, rule),
            words_where(s_burst >= rule.flag_burst, "{:.0f}% of its lines in same-day bursts of one-streamer buyers",
                        np.round(s_burst * 100)),
            words_where(s_surprising >= rule.flag_surprising_lines, "{:.0f} buyer-days in implausible same-day bursts",
                        s_surprising))
        s_flagged = s_causes != ""
        units = graph.streamer_product_units
        flagged_units = np.asarray((sp.diags(s_flagged.astype(np.float64)) @ units).sum(axis=0)).ravel()
        total_units = np.asarray(units.sum(axis=0)).ravel()
        p_share = np.divide(flagged_units, total_units, out=np.zeros_like(total_units), where=total_units > 0)
        c_cred = np.ones(graph.n_consumers)
        if CREDIBILITY_COLUMN in cs.columns and len(cs):
            per = pd.to_numeric(cs[CREDIBILITY_COLUMN], errors="coerce").groupby(cs["consumer_id"].astype(str).to_numpy()).min()
            c_cred = np.clip(per.reindex(graph.consumers).fillna(1.0).to_numpy(dtype=np.float64), 0.0, 1.0)
        p_own = flags_of(pt, "product_id", graph.products, rule) if _has_flag(pt) else np.zeros(graph.n_products, bool)
        return cls(
            graph=graph, scores=scores, rule=rule, bonds=bonds, bond_confidence=bond_conf,
            s_trust=aligned(st, "streamer_id", graph.streamers, "trust", 0.5),
            s_confidence=confidence_of(st, "streamer_id", graph.streamers),
            s_flagged=s_flagged,
            p_trust=aligned(pt, "product_id", graph.products, "trust", 0.5),
            p_confidence=confidence_of(pt, "product_id", graph.products),
            p_flagged=p_own | (p_share > rule.product_flag_share),
            f_trust=aligned(ft, "factory_id", graph.factories, "trust", 0.5),
            f_confidence=confidence_of(ft, "factory_id", graph.factories),
            f_flagged=flags_of(ft, "factory_id", graph.factories, rule) if _has_flag(ft) else np.zeros(graph.n_factories, bool),
            p_flagged_share=p_share,
            p_flag_weight=rule.product_flag_weight(p_share, p_own),
            c_credibility=c_cred,
            s_burst_share=s_burst,
            s_surprising_lines=s_surprising,
            s_flag_causes=s_causes,
        )

    # ---- demotion factors (see scores.py)
    @cached_property
    def s_demotion(self) -> np.ndarray:
        return self.rule.factor(self.s_flagged, self.s_confidence)

    @cached_property
    def p_demotion(self) -> np.ndarray:
        return self.rule.factor(self.p_flag_weight, self.p_confidence)

    @cached_property
    def p_partly_flagged(self) -> np.ndarray:
        """Products demoted for the part of their sales made by flagged streamers, without
        being flagged, by at least ``rule.reason_min_loss`` of their score (the reason text names
        the share). A smaller part (0.1%: a factor 0.998) shows in the ``demotion`` column only:
        a review found a quarter of a list's reasons saying "demoted" for a few per mille."""
        loss = self.rule.fraud_penalty * self.p_flag_weight
        return ~self.p_flagged & (self.p_flag_weight > 0) & (loss >= self.rule.reason_min_loss)

    @cached_property
    def f_demotion(self) -> np.ndarray:
        return self.rule.factor(self.f_flagged, self.f_confidence)

    # ---- derived per-object evidence shared by several lists
    @cached_property
    def p_factory_trust(self) -> np.ndarray:
        pf = self.graph.p_factory
        return np.where(pf >= 0, self.f_trust[np.maximum(pf, 0)], 0.5)

    @cached_property
    def p_return_rate(self) -> np.ndarray:
        g = self.graph
        return np.divide(g.product_returned_units, g.product_units, out=np.zeros(g.n_products), where=g.product_units > 0)

    @cached_property
    def o_credible_weight(self) -> np.ndarray:
        """Per order line: recency weight x the buyer's credibility."""
        g = self.graph
        cred = np.where(g.o_consumer >= 0, self.c_credibility[np.maximum(g.o_consumer, 0)], 1.0)
        return g.o_weight * cred

    @cached_property
    def credible_orders(self) -> sp.csr_matrix:
        """Consumer x streamer: recency- and credibility-weighted order lines."""
        g = self.graph
        ok = (g.o_consumer >= 0) & (g.o_streamer >= 0)
        m = sp.csr_matrix((self.o_credible_weight[ok], (g.o_consumer[ok], g.o_streamer[ok])),
                          shape=(g.n_consumers, g.n_streamers))
        m.sum_duplicates()
        return m

    @cached_property
    def p_seller_trust(self) -> np.ndarray:
        """Per product: the trust of the streamers that sold it, weighted by their credible
        recent order lines (0.5 for a product nobody sold)."""
        g = self.graph
        ok = (g.o_streamer >= 0) & (g.o_product >= 0)
        w = self.o_credible_weight[ok]
        num = np.bincount(g.o_product[ok], weights=w * self.s_trust[g.o_streamer[ok]], minlength=g.n_products)
        den = np.bincount(g.o_product[ok], weights=w, minlength=g.n_products)
        return np.divide(num, den, out=np.full(g.n_products, 0.5), where=den > 0)

    @cached_property
    def carry(self) -> sp.csr_matrix:
        """Streamer x product: each streamer's recent sales mix (order lines weighted by
        recency and buyer credibility, rows sum to 1): a brushing ring does not make it."""
        g = self.graph
        ok = (g.o_streamer >= 0) & (g.o_product >= 0)
        m = sp.csr_matrix((self.o_credible_weight[ok], (g.o_streamer[ok], g.o_product[ok])),
                          shape=(g.n_streamers, g.n_products))
        m.sum_duplicates()
        return row_normalize(m)


def _has_flag(frame) -> bool:
    from .scores import FLAG_COLUMNS, INTEGRITY_COLUMN, LOCKSTEP_COLUMN, RISK_COLUMNS

    return any(c in frame.columns for c in (*FLAG_COLUMNS, *RISK_COLUMNS, INTEGRITY_COLUMN, LOCKSTEP_COLUMN))
