"""Consumer -> streamers to follow.

Model (all sparse-matrix products; candidates are streamers the consumer has never followed: one
followed now, or unfollowed, is not recommended; an unfollow is the consumer's own answer):

``score(c, s) = [ w_peers * peers(c, s) + w_local * local(region(c), s) + w_bought * bought(c, s) ]
               * trust(s) ** trust_power * demotion(s)``

- ``peers(c, s)``: streamers trusted by consumers who trust the same streamers as c
  (bond matrix ``B``, streamer-streamer cosine of bond columns pruned to ``neighbours``,
  ``B[c] @ S`` row-normalised);
- ``local(r, s)``: the streamer's share of the follows running in c's region, shrunk
  toward its platform share (``region_prior`` pseudo-follows per streamer); with
  ``recent_days`` only follows started in those days count;
- ``bought(c, s)``: c's kept purchases from s without following (row share). Off by
  default: on generated worlds a buyer who has not followed yet mostly never does
  (conversions happen within days), so it predicted follows worse; it stays evidence;
- ``trust(s)``, ``demotion(s)``: the streamer's trust and the documented demotion rule
  (``scores.py``): fraud-flagged or little-known streamers are demoted, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.metrics.pairwise import cosine_similarity

from .common import flag, join_parts, labels, object_part, pair_values, pairs_of, part, row_normalize, top_k_sparse, top_k_sparse_rows
from .context import Context
from .data import codes_of
from .params import Interval, check_parameters

ROWS_PER_BLOCK = 20_000


@dataclass
class ConsumerStreamers:
    """Consumer -> streamers to follow (see the module docstring for the model)."""

    w_bought: float = 0.0
    w_peers: float = 0.1
    w_local: float = 0.9
    neighbours: int = 50
    recent_days: float = 0.0
    trust_power: float = 0.5
    region_prior: float = 50.0  # pseudo-follows per streamer
    trusted_bond: float = 0.5

    #: allowed values of the numeric parameters (checked by ``fit`` and by ``--set``)
    PARAMETER_RANGES: ClassVar[dict[str, Interval]] = {
        "w_bought": Interval(0),
        "w_peers": Interval(0),
        "w_local": Interval(0),
        "neighbours": Interval(1),
        "recent_days": Interval(0),
        "trust_power": Interval(0),
        "region_prior": Interval(0, open_low=True),  # 0: 0 / 0 in a region without follows
        "trusted_bond": Interval(0, 1),
    }

    def fit(self, ctx: Context) -> "ConsumerStreamers":
        check_parameters(self)
        g = ctx.graph
        self.ctx_ = ctx
        self.evidence_ = None  # built by the first frame()
        following = g.following
        kept = _kept_cs(g)
        self.bought_ = row_normalize(kept - kept.multiply(following))
        bonds = ctx.bonds.copy()
        bonds.eliminate_zeros()
        sim = sp.csr_matrix(cosine_similarity(bonds.T.tocsr(), dense_output=False))
        sim.setdiag(0.0)
        sim.eliminate_zeros()
        self.similarity_ = top_k_sparse_rows(sim, self.neighbours)
        self.bonds_ = bonds
        # where consumers of each region follow (running follows, or those of the last recent_days)
        regions = g.projection.consumers.drop_duplicates("consumer_id").set_index("consumer_id")["region"]
        region_ids = pd.Index(np.sort(regions.dropna().astype(str).unique()), dtype=object)
        c_region = codes_of(region_ids, regions.reindex(g.consumers).fillna("").astype(str))
        self.c_region_ = c_region
        fol = g.projection.follows
        if self.recent_days:
            use = (fol["followed_at"] >= g.as_of - pd.Timedelta(days=self.recent_days)).to_numpy()
        else:  # every follow running now
            use = g.f_active.copy()
        fc, fs = g.f_consumer[use], g.f_streamer[use]
        ok = (fc >= 0) & (fs >= 0)
        reg = np.where(c_region[fc[ok]] >= 0, c_region[fc[ok]], len(region_ids))  # unknown region: own row
        counts = np.zeros((len(region_ids) + 1, g.n_streamers))
        np.add.at(counts, (reg, fs[ok]), 1.0)
        overall = counts.sum(axis=0) / max(1.0, counts.sum())
        counts[-1] = 0.0
        # each region's share, shrunk toward the platform's with ``region_prior`` pseudo-follows
        prior = self.region_prior * g.n_streamers
        self.local_ = (counts + prior * overall) / (counts.sum(axis=1, keepdims=True) + prior)
        self.factor_ = np.power(ctx.s_trust, self.trust_power) * ctx.s_demotion
        # per region, streamers by their regional score (the order non-personal candidates come in)
        self.region_order_ = np.argsort(-(self.local_ * self.factor_), axis=1, kind="stable")
        self.excluded_ = g.followed_ever
        return self

    def score_block(self, rows: np.ndarray, k: int) -> sp.csr_matrix:
        """Sparse scores of these consumers over their candidates (followed or unfollowed ones are -inf).

        Candidates: the streamers the personal parts reach, plus the top ``k + follows``
        of the consumer's region -- every other streamer scores lower than those.
        """
        rows = np.asarray(rows, dtype=np.int64)
        personal = self.w_peers * row_normalize(self.bonds_[rows] @ self.similarity_)
        if self.w_bought:
            personal = personal + self.w_bought * self.bought_[rows]
        reg = self.c_region_[rows]
        reg = np.where(reg >= 0, reg, self.local_.shape[0] - 1)
        excluded = self.excluded_[rows]
        n_extra = np.minimum(k + np.diff(excluded.indptr), self.region_order_.shape[1])
        starts = np.cumsum(n_extra) - n_extra
        within = np.arange(int(n_extra.sum()), dtype=np.int64) - np.repeat(starts, n_extra)
        extra_rows = np.repeat(np.arange(len(rows)), n_extra)
        extra_cols = self.region_order_[reg[extra_rows], within]
        p = sp.coo_matrix(personal)
        s = sp.csr_matrix((np.concatenate([p.data, np.zeros(len(extra_rows))]),
                           (np.concatenate([p.row, extra_rows]), np.concatenate([p.col, extra_cols]))),
                          shape=(len(rows), self.local_.shape[1]))
        r = np.repeat(np.arange(len(rows)), np.diff(s.indptr))
        s.data = (s.data + self.w_local * self.local_[reg[r], s.indices]) * self.factor_[s.indices]
        s.data[pair_values(excluded, r, s.indices) > 0] = -np.inf
        return s

    def recommend(self, k: int, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` streamer codes and scores per consumer code in ``rows`` (default all)."""
        g = self.ctx_.graph
        rows = np.arange(g.n_consumers) if rows is None else np.asarray(rows, dtype=np.int64)
        idx = np.full((len(rows), k), -1, np.int64)
        vals = np.full((len(rows), k), np.nan)
        for start in range(0, len(rows), ROWS_PER_BLOCK):
            sl = slice(start, start + ROWS_PER_BLOCK)
            idx[sl], vals[sl] = top_k_sparse(self.score_block(rows[sl], k), k)
        return idx, vals

    def frame(self, rows: np.ndarray, idx: np.ndarray, vals: np.ndarray) -> pd.DataFrame:
        ctx, g = self.ctx_, self.ctx_.graph
        subj, rank, obj, score = pairs_of(rows, idx, vals)
        kept_lines, trusted, neighbours = self._evidence_matrices()
        kept, peer = np.zeros(len(subj)), np.zeros(len(subj))
        bounds = np.concatenate([[0], np.cumsum((idx >= 0).sum(axis=1))])
        for start in range(0, len(rows), ROWS_PER_BLOCK):
            stop = min(len(rows), start + ROWS_PER_BLOCK)
            block = np.asarray(rows[start:stop])
            sl = slice(bounds[start], bounds[stop])
            local = np.repeat(np.arange(stop - start), np.diff(bounds[start:stop + 1]))
            kept[sl] = pair_values(kept_lines[block], local, obj[sl])
            # how many of c's trusted streamers have s among their audience neighbours
            peer[sl] = pair_values(sp.csr_matrix(trusted[block] @ neighbours), local, obj[sl])
        kept = kept.astype(np.int64)
        peer = peer.astype(np.int64)
        reason = join_parts(
            part("you kept {} purchase(s) from them", kept, when=kept > 0),
            # the count is of neighbours, not of any overlap: most pairs of streamers share some audience
            part(f"its audience is among the {self.neighbours} most like that of {{}} of your trusted streamers", peer,
                 when=peer > 0),
            flag((kept == 0) & (peer == 0), "popular in your region"),
            part("streamer trust {:.2f}", np.round(ctx.s_trust[obj], 2)),
            object_part(ctx.s_flag_causes, obj, "demoted: fraud-flagged ({})"),
            flag(ctx.rule.low_confidence(ctx.s_confidence[obj]), "demoted: little evidence"),
        )
        return pd.DataFrame({
            "subject_id": labels(subj, g.consumers),
            "rank": rank.astype(np.int64),
            "object_id": labels(obj, g.streamers),
            "score": score,
            "kept_purchases": kept,
            "similar_trusted_streamers": peer,
            "streamer_trust": ctx.s_trust[obj],
            "streamer_confidence": ctx.s_confidence[obj],
            "demotion": ctx.s_demotion[obj],
            "reason": reason,
        })

    def _evidence_matrices(self) -> tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]:
        """The matrices behind the reason: kept order lines per (consumer, streamer), 0/1
        trusted bonds, 0/1 audience neighbours. Built once per fit (a streamed run calls
        :meth:`frame` once per block of subjects)."""
        if getattr(self, "evidence_", None) is None:
            trusted = self.bonds_.copy()
            trusted.data = (trusted.data >= self.trusted_bond).astype(np.float64)
            trusted.eliminate_zeros()
            self.evidence_ = (_kept_cs_lines(self.ctx_.graph), trusted, (self.similarity_ > 0).astype(np.float64))
        return self.evidence_


def _kept_cs(g) -> sp.csr_matrix:
    ok = (g.o_consumer >= 0) & (g.o_streamer >= 0)
    m = sp.csr_matrix(((g.kept_units > 0)[ok] * g.o_weight[ok], (g.o_consumer[ok], g.o_streamer[ok])),
                      shape=(g.n_consumers, g.n_streamers))
    m.sum_duplicates()
    m.eliminate_zeros()
    return m


def _kept_cs_lines(g) -> sp.csr_matrix:
    ok = (g.o_consumer >= 0) & (g.o_streamer >= 0)
    m = sp.csr_matrix(((g.kept_units > 0)[ok].astype(np.float64), (g.o_consumer[ok], g.o_streamer[ok])),
                      shape=(g.n_consumers, g.n_streamers))
    m.sum_duplicates()
    return m
