"""Channels of each factory: the streamers that sold its products, and the trust they carry.

For a factory ``f`` and a streamer ``s`` that sold at least one of ``f``'s products:

- ``orders``, ``units``, ``gmv``, ``returned_units``: sums over the orders of ``f``'s
  products sold by ``s`` (``gmv`` is the gross amount, returns not deducted);
- ``return_rate = returned_units / units``;
- ``buyers``: distinct consumers who bought ``f``'s products through ``s``;
- ``share_of_factory_gmv = gmv(f, s) / gmv(f)``;
- ``flow_score``, the trust-weighted flow: how much consumer trust the channel carries
  to this factory's products::

      flow_score(f, s) = T(s) · gmv(f, s) / gmv(s),     T(s) = Σ_c b(c, s)

  ``T(s)`` is the credible consumer trust the streamer holds (the sum of its bonds
  ``b(c, s) = trust · credibility(c)`` over every bonded consumer, follower or buyer), and
  the streamer spends it on the goods it sells in proportion to their GMV. The score is
  conserved: summed over factories it gives back ``T(s)`` for every streamer with sales.
  Bought followers count little (their credibility is low), so a fake-follower streamer's
  channel carries the flow of its real audience, however big its follower count looks.
  Unit: "fully trusting, credible consumers" (a bond of 1 from a credible consumer counts 1).
- ``rank``: 1 = largest ``flow_score`` within the factory (ties: larger ``gmv``,
  then smaller streamer id);
- ``trust_mass`` ``T(s)`` and ``streamer_gmv`` ``gmv(s)``: the two factors of ``flow_score``
  besides the channel's own ``gmv``, so that the score can be recomputed from its row.

In matrix form (all sparse): with ``FP`` factory × product, ``PS`` product × streamer
and ``B`` streamer × consumer, ``GMV_FS = FP · PS_gmv`` and
``flow = GMV_FS · diag(B·1 / gmv_s)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._arrays import unique
from .index import PathIndex

COLUMNS = (
    "factory_id", "streamer_id", "orders", "gmv", "units", "returned_units", "return_rate",
    "buyers", "share_of_factory_gmv", "flow_score", "rank", "trust_mass", "streamer_gmv",
)


def factory_channels(index: PathIndex) -> pd.DataFrame:
    """One row per (factory, streamer) with sales; columns in the module docstring."""
    FP = index.FP
    orders = (FP @ index.PS_orders).tocoo()
    f, s = orders.row.astype(np.int64), orders.col.astype(np.int64)
    gmv_fs = FP @ index.PS_gmv
    units_fs = FP @ index.PS_units
    ret_fs = FP @ index.PS_returned

    def at(matrix: sp.csr_matrix) -> np.ndarray:
        return np.asarray(matrix[f, s]).ravel() if len(f) else np.zeros(0)

    gmv, units, returned = at(gmv_fs), at(units_fs), at(ret_fs)

    # distinct buyers per (factory, streamer): unique (f, s, c) triples of the orders
    nS, nC = index.n_streamers, index.n_consumers
    triples = unique((index.o_factory * nS + index.o_streamer) * nC + index.o_consumer)
    fs_of_triple = triples // nC
    pair_keys, buyer_counts = np.unique(fs_of_triple, return_counts=True)
    buyers = buyer_counts[np.searchsorted(pair_keys, f * nS + s)] if len(f) else np.zeros(0, np.int64)

    gmv_f = np.asarray(gmv_fs.sum(axis=1)).ravel()
    gmv_s = np.asarray(index.PS_gmv.sum(axis=0)).ravel()
    mass = index.streamer_trust_mass()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(gmv_f[f] > 0, gmv / gmv_f[f], 0.0)
        flow = np.where(gmv_s[s] > 0, mass[s] * (gmv / gmv_s[s]), 0.0)
        return_rate = np.where(units > 0, returned / units, 0.0)

    frame = pd.DataFrame({
        "factory_id": index.factory_ids[f],
        "streamer_id": index.streamer_ids[s],
        "orders": orders.data.astype(np.int64),
        "gmv": gmv,
        "units": units.astype(np.int64),
        "returned_units": returned.astype(np.int64),
        "return_rate": return_rate,
        "buyers": np.asarray(buyers, dtype=np.int64),
        "share_of_factory_gmv": share,
        "flow_score": flow,
        "trust_mass": mass[s],
        "streamer_gmv": gmv_s[s],
        "_f": f,
        "_s": s,
    })
    frame = frame.sort_values(["_f", "flow_score", "gmv", "_s"], ascending=[True, False, False, True], kind="stable")
    frame["rank"] = frame.groupby("_f", sort=False).cumcount().astype(np.int64) + 1
    return frame.drop(columns=["_f", "_s"]).reset_index(drop=True)[list(COLUMNS)]
