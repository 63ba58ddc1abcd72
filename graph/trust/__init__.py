"""Trust scores of live commerce: bonds, streamers, products and factories.

Usage::

    from livetrust.graph.trust import TrustModel
    model = TrustModel(half_life_days=90).fit(projection)
    model.streamers          # streamer_id, trust, confidence, trust_low, trust_high, components...
    model.consumer_streamer  # consumer_id, streamer_id, trust, confidence, ...
    model.products, model.factories

One small module per algorithm (each cites its sources): :mod:`.beta` (Beta
reputation with forgetting), :mod:`.shrinkage` (Wilson bound, empirical Bayes),
:mod:`.eigentrust` (EigenTrust / TrustRank / spam mass power iteration),
:mod:`.lockstep` (CopyCatch-style ring detection), :mod:`.credibility`,
:mod:`.effects` (additive logistic model separating streamer, factory and product
effects), :mod:`.integrity`, :mod:`.streamers`, :mod:`.products`, :mod:`.bonds`,
:mod:`.model` (the estimator), :mod:`.io` (files and manifest) and :mod:`.job` (the
scoring job the CLI and the scheduler run).
"""

from .model import OUTPUTS, TrustModel, TrustParams

__all__ = ["OUTPUTS", "TrustModel", "TrustParams"]
