"""The trust scores the recommenders consume, and the demotion rule.

The recommenders depend only on four plain DataFrames (``livetrust.graph.trust``
computes them; tests build them by hand):

- ``consumer_streamer``: consumer_id, streamer_id, trust [, confidence] -- the bonds;
- ``streamers``: streamer_id, trust [, confidence] [, fraud flag];
- ``products``:  product_id, trust [, confidence];
- ``factories``: factory_id, trust [, confidence].

Every ``trust`` and ``confidence`` is in [0, 1]; a missing confidence counts as 1. An
optional ``consumer_credibility`` column of ``consumer_streamer`` (in [0, 1]; low for
fake and brushing-ring accounts) weighs each buyer's orders where the lists read sales
mixes and popularity, so a ring's orders do not make a product look wanted.

Demotion rule (fraud-flagged or low-confidence objects are demoted, never dropped)
-------------------------------------------------------------------------------
Every candidate's score is multiplied by ::

    demotion = (1 - fraud_penalty * flagged) * (1 - confidence_penalty * shortfall)
    shortfall = max(0, min_confidence - confidence) / min_confidence

with ``fraud_penalty = 0.9``, ``confidence_penalty = 0.5`` and ``min_confidence = 0.2``
by default: a fraud-flagged object keeps a tenth of its score; an object whose
confidence is below 0.2 loses up to half (linearly, all of the half at confidence 0);
objects with enough evidence are not demoted for it. A demoted object stays a
candidate: it still appears when the subject has nothing better, its ``demotion``
column holds the factor and its ``reason`` says why.

- A **streamer** is flagged when its trust row says so: a boolean ``fraud_flag``
  (``flagged``, ``is_fraud``) column; a ``fraud_risk``/``fraud_score`` in [0, 1] of at
  least 0.5; or the trust model's components: ``integrity`` (spam mass: how much of its
  audience is real) below ``flag_integrity`` (0.7: spam mass more than 0.11 above the
  platform's reference, a third of integrity's decay width; at 0.9, a tenth, honest
  streamers of the whole m world were flagged at 0.871-0.888, while fake-follower
  streamers reach 0.31 at most), or ``lockstep_buyers`` (buyers
  caught ordering in lockstep, i.e. a brushing ring) at least ``flag_lockstep`` (3) and
  at least ``flag_lockstep_share`` (0.1 %) of its ``buyers``: chance meetings grow with
  the audience (the whole l world's most bought honest streamer, 343,704 buyers, had 3:
  shoppers who also buy at 1, 7 and 27 other streamers and met there on the same days),
  while a ring is a visible part of its streamer's
  buyers (at least 0.9 % on l, 2 % on m).
  Without any of these, when its trust is below ``flag_trust`` (0.3) with confidence
  at least 0.5. In every case also when its **burst share** (``bursts.py``: the share of
  its order lines bought by single-streamer accounts in groups of at least
  ``burst_min_buyers`` (3) buying the same product the same day, groups that are a burst
  for the pair: tail below ``burst_max_p`` (0.01) at its expected buyers that day --
  a brushing campaign) is at least ``flag_burst`` (0.1): this catches rings too young for
  the lockstep test; and when at least ``flag_surprising_lines`` (8) of its buyer-days fall
  in groups of at least ``surprise_min_buyers`` (5) such buyers whose tail is below
  ``surprise_max_p`` (1e-8): this catches rings a share dilutes in a large streamer's
  volume. The expected buyers are the pair's leave-one-out daily rate times the day's
  factor (how busy the streamer was that day with buyers of several streamers), so a
  promotion day that lifts a large streamer's whole trade is no burst; the tails are a
  negative binomial's with ``burst_dispersion`` (50), so a product that surges a third
  more than its streamer on such a day is no burst either.
- A **product** is flagged when more than half (``product_flag_share``) of its recent
  units were sold by flagged streamers -- its sales are mainly theirs -- or its own row
  flags it. Below that share the product is demoted **in proportion** to it: its
  ``flagged`` weight is ``min(1, share / product_flag_share)``, so a product a fifth of
  whose recent units flagged streamers sold keeps ``1 - 0.9 * 0.4 = 0.64`` of its score,
  and the penalty reaches the full 0.9 at the flag threshold (no cliff at one half).
  Fraud streamers' goods are often sold by honest streamers too; the share, not a
  yes/no, says how much of what a buyer would see of the product comes from fraud.
- A **factory** is flagged when its own row flags it (same columns as streamers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..trust.frames import KEYS, validate_trust_frames
from .bursts import DISPERSION

FLAG_COLUMNS = ("fraud_flag", "flagged", "is_fraud", "fraud_flagged")
RISK_COLUMNS = ("fraud_risk", "fraud_score", "fraud_probability", "suspicion")
CREDIBILITY_COLUMN = "consumer_credibility"  # optional, on consumer_streamer rows
INTEGRITY_COLUMN = "integrity"  # livetrust.graph.trust: 1 = a real audience, lower = spam mass
LOCKSTEP_COLUMN = "lockstep_buyers"  # livetrust.graph.trust: buyers caught in lockstep (brushing rings)
BUYERS_COLUMN = "buyers"  # livetrust.graph.trust: distinct buyers of the streamer


@dataclass(frozen=True)
class Demotion:
    """Parameters of the demotion rule (see the module docstring)."""

    fraud_penalty: float = 0.9
    confidence_penalty: float = 0.5
    min_confidence: float = 0.2
    flag_integrity: float = 0.7
    flag_lockstep: float = 3.0
    flag_lockstep_share: float = 0.001
    flag_trust: float = 0.3
    flag_min_confidence: float = 0.5
    product_flag_share: float = 0.5
    flag_burst: float = 0.1
    burst_min_buyers: int = 3
    burst_max_p: float = 0.01
    flag_surprising_lines: int = 8
    surprise_min_buyers: int = 5
    surprise_max_p: float = 1e-8
    burst_dispersion: float | None = DISPERSION
    #: a partly flagged product's reason names its share when the demotion costs it at least this
    #: part of its score (0.05: a share of 2.8%); below, only the ``demotion`` column shows it
    reason_min_loss: float = 0.05

    def product_flag_weight(self, flagged_share: np.ndarray, own_flag: np.ndarray | None = None) -> np.ndarray:
        """The ``flagged`` weight of products (0..1) from the share of their recent units
        sold by fraud-flagged streamers: ``min(1, share / product_flag_share)``, 1 where
        the product's own row flags it (see the module docstring).

        Parameters
        ----------
        flagged_share : array of float in [0, 1]
            Per product, the share of its recent units that flagged streamers sold.
        own_flag : array of bool, optional
            Products flagged by their own trust row.

        Returns
        -------
        weight : array of float in [0, 1], for :meth:`factor`.

        Examples
        --------
        >>> Demotion().product_flag_weight(np.array([0.0, 0.1, 0.5, 0.8])).tolist()
        [0.0, 0.2, 1.0, 1.0]
        """
        share = np.clip(np.asarray(flagged_share, dtype=np.float64), 0.0, 1.0)
        weight = np.minimum(1.0, share / self.product_flag_share) if self.product_flag_share > 0 else (share > 0) * 1.0
        if own_flag is not None:
            weight = np.where(np.asarray(own_flag, dtype=bool), 1.0, weight)
        return weight

    def factor(self, flagged: np.ndarray, confidence: np.ndarray) -> np.ndarray:
        """The demotion factor: ``(1 - fraud_penalty * flagged) * (1 - confidence_penalty *
        shortfall)``; ``flagged`` is a boolean or a weight in [0, 1]."""
        flagged = np.asarray(flagged, dtype=np.float64)
        confidence = np.clip(np.asarray(confidence, dtype=np.float64), 0.0, 1.0)
        if self.min_confidence > 0:
            shortfall = np.maximum(self.min_confidence - confidence, 0.0) / self.min_confidence
        else:
            shortfall = np.zeros_like(confidence)
        return (1.0 - self.fraud_penalty * flagged) * (1.0 - self.confidence_penalty * shortfall)

    def low_confidence(self, confidence: np.ndarray) -> np.ndarray:
        """Objects demoted for lack of evidence."""
        return np.asarray(confidence) < self.min_confidence


@dataclass
class Scores:
    """The four trust frames (see the module docstring) and the score run they come from."""

    consumer_streamer: pd.DataFrame
    streamers: pd.DataFrame
    products: pd.DataFrame
    factories: pd.DataFrame
    run_id: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> "Scores":
        validate_trust_frames({name: getattr(self, name) for name in KEYS}, columns=("trust", "confidence"))
        return self

    @classmethod
    def from_mapping(cls, frames: dict[str, pd.DataFrame], run_id: str | None = None, **kw: Any) -> "Scores":
        return cls(**{name: frames[name] for name in KEYS}, run_id=run_id, **kw)


def aligned(frame: pd.DataFrame, key: str, index: pd.Index, column: str, default: float) -> np.ndarray:
    """``frame[column]`` in the order of ``index`` (``default`` where absent)."""
    if column not in frame.columns or len(frame) == 0:
        return np.full(len(index), default, dtype=np.float64)
    series = pd.to_numeric(frame[column], errors="coerce")
    series.index = frame[key].astype(str).to_numpy()
    return series.reindex(index).fillna(default).to_numpy(dtype=np.float64)


def confidence_of(frame: pd.DataFrame, key: str, index: pd.Index) -> np.ndarray:
    """Confidence per id; a missing confidence column counts as 1, a missing row as 0."""
    if "confidence" not in frame.columns:
        present = pd.Index(frame[key].astype(str)) if len(frame) else pd.Index([])
        return index.isin(present).astype(np.float64)
    return aligned(frame, key, index, "confidence", 0.0)


def flags_of(frame: pd.DataFrame, key: str, index: pd.Index, rule: Demotion) -> np.ndarray:
    """Fraud flag per id (see the module docstring); ids without a row are not flagged."""
    return flag_causes(frame, key, index, rule) != ""


def flag_causes(frame: pd.DataFrame, key: str, index: pd.Index, rule: Demotion) -> np.ndarray:
    """Why each id's row flags it, in words (``""``: not flagged), for the lists' reasons.

    Examples
    --------
    >>> frame = pd.DataFrame({"streamer_id": ["a", "b", "c"], "trust": 0.9, "integrity": [0.4, 1.0, 1.0],
    ...                       "lockstep_buyers": [0, 12, 1], "buyers": [100, 400, 50]})
    >>> flag_causes(frame, "streamer_id", pd.Index(["a", "b", "c"]), Demotion()).tolist()
    ['audience integrity 0.40', '12 lockstep buyers', '']
    """
    for col in FLAG_COLUMNS:
        if col in frame.columns:
            flagged = aligned(frame.assign(**{col: frame[col].astype(float)}), key, index, col, 0.0) > 0.5
            return words_where(flagged, "flagged by its score row")
    for col in RISK_COLUMNS:
        if col in frame.columns:
            risk = aligned(frame, key, index, col, 0.0)
            return words_where(risk >= 0.5, "fraud risk {:.2f}", risk)
    if INTEGRITY_COLUMN in frame.columns or LOCKSTEP_COLUMN in frame.columns:
        causes = np.full(len(index), "", dtype=object)
        if INTEGRITY_COLUMN in frame.columns:
            integrity = aligned(frame, key, index, INTEGRITY_COLUMN, 1.0)
            causes = joined_words(causes, words_where(integrity < rule.flag_integrity, "audience integrity {:.2f}", integrity))
        if LOCKSTEP_COLUMN in frame.columns:
            lockstep = aligned(frame, key, index, LOCKSTEP_COLUMN, 0.0)
            buyers = aligned(frame, key, index, BUYERS_COLUMN, 0.0)  # 0 (no share condition) without the column
            ring = (lockstep >= rule.flag_lockstep) & (lockstep >= rule.flag_lockstep_share * buyers)
            causes = joined_words(causes, words_where(ring, "{:.0f} lockstep buyers", lockstep))
        return causes
    trust = aligned(frame, key, index, "trust", 1.0)
    conf = confidence_of(frame, key, index) if "confidence" in frame.columns else np.ones(len(index))
    return words_where((trust < rule.flag_trust) & (conf >= rule.flag_min_confidence), "trust {:.2f}", trust)


def words_where(mask: np.ndarray, template: str, *values: np.ndarray) -> np.ndarray:
    """``template`` filled with each flagged id's values; ``""`` elsewhere."""
    out = np.full(len(mask), "", dtype=object)
    for i in np.flatnonzero(mask):
        out[i] = template.format(*(v[i] for v in values))
    return out


def joined_words(*parts: np.ndarray, sep: str = ", ") -> np.ndarray:
    """Element-wise join of the non-empty texts of ``parts``."""
    out = parts[0]
    for b in parts[1:]:
        out = np.where((out != "") & (b != ""), out + sep + b, np.where(out != "", out, b)).astype(object)
    return out


def scores_from_model(projection, **model_params: Any) -> Scores:
    """Score ``projection`` with livetrust's trust model (``livetrust.graph.trust``)."""
    from ..trust import TrustModel

    model = TrustModel(**model_params).fit(projection)
    return Scores.from_mapping(model.results_, run_id=None, parameters=model.get_params()).validate()
