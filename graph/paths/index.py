"""Integer codes and sparse matrices of the factory → product → streamer → consumer graph.

Every algorithm of :mod:`livetrust.graph.paths` works on one :class:`PathIndex`, built
once from a :class:`~livetrust.graph.projection.Projection` and the trust frames
(:class:`~livetrust.graph.paths.inputs.TrustInputs`). Entities get integer codes in
sorted id order (so "smallest code" means "smallest id" in every tie-break) and the
graph becomes four sparse matrices:

- ``FP``  factory × product, 1 where the product is made by the factory (MADE_BY);
- ``PS_*`` product × streamer: orders, units, GMV, returned units of the product sold
  by the streamer (the streamer CARRIES the product when it sold it at least once);
- ``B``   streamer × consumer bond weight (trust × the consumer's credibility), and ``BT``
  its transpose (consumer rows);
- ``K``   factory × streamer carry trust of the streamer's best product of the factory.

Edge trusts (every path trust is a product of them; see the package docstring):

- bond ``b(c, s) = trust(c, s) · cred(c)``: the consumer→streamer trust of the trust model
  times the consumer's credibility (``consumer_credibility``; 1 where the frame has none). The
  trust of a bond without evidence is about its prior, the streamer's trust, so a bought
  follower's bond would count like a loyal customer's; its credibility (the s world's fraud
  accounts' bonds: 0.15 on average, the others' 0.87; bench/results/paths_credibility.log) is
  what tells them apart. Bonds with trust 0 or trust below ``min_bond`` are no edges.
- carry ``κ(s, p)``: how far the product can be trusted as sold by this streamer — the
  posterior mean of a Beta reputation (Jøsang and Ismail, 2002) of the pair's kept units,
  with the product's trust as prior mean and ``carry_prior`` units as prior strength::

      κ(s, p) = (units(s, p) − returned(s, p) + m · t(p)) / (units(s, p) + m)

  so a pair with few sales stays near the product's trust and a pair whose units come
  back falls towards 0. A product without a trust score uses ``missing_trust``.
- made-by ``(p, f)``: a catalogue fact, trust 1.

``K(f, s) = max over products p of f sold by s of κ(s, p)``, with the argmax product
(smallest product id on ties) in ``K_product``.

References
----------
.. [1] A. Jøsang and R. Ismail, "The Beta Reputation System", Proc. 15th Bled
   Electronic Commerce Conference, 2002.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .inputs import TrustInputs

UNKNOWN = "unknown"


@dataclass
class PathIndex:
    """Codes, attribute arrays and sparse matrices; build it with :func:`build_index`."""

    # ids in code order (sorted)
    factory_ids: np.ndarray
    product_ids: np.ndarray
    streamer_ids: np.ndarray
    consumer_ids: np.ndarray
    # attributes
    product_factory: np.ndarray  # int32 factory code of each product
    product_category: np.ndarray  # str
    consumer_region: np.ndarray  # str
    factory_trust: np.ndarray  # float64, NaN when not scored
    product_trust: np.ndarray  # float64, NaN when not scored
    streamer_trust: np.ndarray  # float64, NaN when not scored
    # orders (only those of known products), one element per order
    o_consumer: np.ndarray
    o_streamer: np.ndarray
    o_product: np.ndarray
    o_factory: np.ndarray
    o_quantity: np.ndarray  # float64 units
    o_amount: np.ndarray  # float64 money
    o_returned: np.ndarray  # float64 returned units
    # bonds (streamer-major order, aligned with B.data)
    bond_consumer: np.ndarray
    bond_streamer: np.ndarray
    bond_trust: np.ndarray  # the trust model's bond trust (B holds trust × credibility)
    bond_confidence: np.ndarray  # NaN when the frame has no confidence
    bond_credibility: np.ndarray  # the consumer's credibility; 1 when the frame has none
    # follows (for evidence), one element per follow episode
    f_consumer: np.ndarray
    f_streamer: np.ndarray
    f_followed: np.ndarray  # datetime64[ns] (UTC), NaT if missing
    f_unfollowed: np.ndarray  # datetime64[ns] (UTC), NaT while following
    # matrices
    FP: sp.csr_matrix
    PS_orders: sp.csr_matrix
    PS_units: sp.csr_matrix
    PS_gmv: sp.csr_matrix
    PS_returned: sp.csr_matrix
    carry: sp.csr_matrix  # product × streamer κ
    K: sp.csr_matrix  # factory × streamer best κ
    K_product: sp.csr_matrix  # factory × streamer: product code + 1 of the best κ
    B: sp.csr_matrix  # streamer × consumer bond weight b(c, s) = trust × credibility
    BT: sp.csr_matrix  # consumer × streamer bond weight
    # parameters
    carry_prior: float
    missing_trust: float
    min_bond: float
    # the inputs, for evidence (explain) and names
    projection: object
    trust: TrustInputs

    @property
    def n_factories(self) -> int:
        return len(self.factory_ids)

    @property
    def n_products(self) -> int:
        return len(self.product_ids)

    @property
    def n_streamers(self) -> int:
        return len(self.streamer_ids)

    @property
    def n_consumers(self) -> int:
        return len(self.consumer_ids)

    def code(self, kind: str, entity_id: str) -> int:
        """The code of one id (``kind`` in factory/product/streamer/consumer); KeyError if unknown."""
        ids = getattr(self, f"{kind}_ids")
        pos = int(np.searchsorted(ids, entity_id))
        if pos >= len(ids) or ids[pos] != entity_id:
            raise KeyError(f"unknown {kind} {entity_id!r}")
        return pos

    def streamer_trust_mass(self) -> np.ndarray:
        """``T(s) = Σ_c b(c, s)``: the credible consumer trust a streamer holds (row sums of ``B``)."""
        return np.asarray(self.B.sum(axis=1)).ravel()


def factory_ranges(size_per_factory: np.ndarray, block_size: int) -> Iterator[tuple[int, int]]:
    """Consecutive factory ranges ``[lo, hi)`` whose sizes add up to at most ``block_size``
    (a factory larger than that alone): how the path steps cut their work into blocks."""
    n = len(size_per_factory)
    cum = np.cumsum(size_per_factory)
    lo = 0
    while lo < n:
        base = cum[lo - 1] if lo else 0
        hi = min(max(int(np.searchsorted(cum, base + block_size, side="right")), lo + 1), n)
        yield lo, hi
        lo = hi


def _ids(*columns: pd.Series) -> np.ndarray:
    values = pd.concat([c.astype(str) for c in columns], ignore_index=True)
    return np.sort(values.unique()).astype(object)


def _codes(ids: np.ndarray, values: pd.Series) -> np.ndarray:
    """Position of each value in the sorted unique ``ids`` (-1 if absent), by one hash factorisation."""
    n = len(ids)
    joined = pd.concat([pd.Series(ids, dtype="str"), values.astype("str")], ignore_index=True)
    codes, _ = pd.factorize(joined, sort=False)  # the unique ids come first: codes 0..n-1 in order
    out = codes[n:].astype(np.int64)
    out[out >= n] = -1
    return out


def _trust_by_code(ids: np.ndarray, frame: pd.DataFrame, key: str) -> np.ndarray:
    out = np.full(len(ids), np.nan)
    codes = _codes(ids, frame[key])
    keep = codes >= 0
    out[codes[keep]] = pd.to_numeric(frame["trust"]).to_numpy(dtype=np.float64)[keep]
    return out


def _text(values: pd.Series) -> np.ndarray:
    text = values.astype("string").fillna("").str.strip()
    return np.where(text.to_numpy(dtype=object) == "", UNKNOWN, text.to_numpy(dtype=object)).astype(object)


def build_index(
    projection,
    trust: TrustInputs,
    *,
    carry_prior: float = 5.0,
    missing_trust: float = 0.5,
    min_bond: float = 0.0,
) -> PathIndex:
    """Encode ``projection`` and ``trust`` as a :class:`PathIndex`.

    Parameters
    ----------
    projection : Projection
        The graph tables (factories, streamers, products, consumers, follows, orders).
    trust : TrustInputs
        Bonds and entity trust scores.
    carry_prior : float, default 5.0
        Prior strength ``m`` (in units) of the carry trust κ(s, p).
    missing_trust : float, default 0.5
        Prior mean for products without a trust score.
    min_bond : float, default 0.0
        Bonds with trust below this (and bonds with trust 0) are no edges.

    Orders of products missing from ``products`` cannot be attributed to a factory and
    are left out. Consumers and streamers seen only in bonds or orders get codes too.
    """
    if carry_prior < 0:
        raise ValueError("carry_prior must be >= 0")
    if not 0.0 <= missing_trust <= 1.0:
        raise ValueError("missing_trust must be in [0, 1]")
    trust.validate()
    p = projection
    bonds = trust.consumer_streamer
    orders = p.orders

    factory_ids = _ids(p.factories["factory_id"], p.products["factory_id"])
    products = p.products.drop_duplicates("product_id").sort_values("product_id", kind="stable")
    product_ids = products["product_id"].astype(str).to_numpy(dtype=object)
    streamer_ids = _ids(p.streamers["streamer_id"], orders["streamer_id"], bonds["streamer_id"])
    consumer_ids = _ids(p.consumers["consumer_id"], orders["consumer_id"], bonds["consumer_id"])
    nF, nP, nS, nC = len(factory_ids), len(product_ids), len(streamer_ids), len(consumer_ids)

    product_factory = _codes(factory_ids, products["factory_id"]).astype(np.int32)
    category = products["category"] if "category" in products else pd.Series([None] * nP)
    product_category = _text(category.reset_index(drop=True))
    consumers = p.consumers.drop_duplicates("consumer_id")
    region = np.full(nC, UNKNOWN, dtype=object)
    if len(consumers):
        region[_codes(consumer_ids, consumers["consumer_id"])] = _text(consumers["region"].reset_index(drop=True))

    # orders of known products
    o_product = _codes(product_ids, orders["product_id"])
    known = o_product >= 0
    o_product = o_product[known]
    o_consumer = _codes(consumer_ids, orders["consumer_id"])[known]
    o_streamer = _codes(streamer_ids, orders["streamer_id"])[known]
    o_factory = product_factory[o_product].astype(np.int64)
    o_quantity = pd.to_numeric(orders["quantity"]).to_numpy(dtype=np.float64)[known]
    o_amount = pd.to_numeric(orders["amount"]).to_numpy(dtype=np.float64)[known]
    returned = orders["returned_quantity"] if "returned_quantity" in orders else pd.Series(0, index=orders.index)
    o_returned = pd.to_numeric(returned).fillna(0).to_numpy(dtype=np.float64)[known]

    FP = sp.csr_matrix(
        (np.ones(nP), (product_factory.astype(np.int64), np.arange(nP))), shape=(nF, nP)
    )

    # product × streamer aggregates, all on the same (sorted, unique) coordinates
    pair, inverse = np.unique(o_product * nS + o_streamer, return_inverse=True)
    ps_row, ps_col = pair // nS, pair % nS

    def ps(weights: np.ndarray | None) -> tuple[np.ndarray, sp.csr_matrix]:
        values = np.bincount(inverse, weights=weights, minlength=len(pair)).astype(np.float64)
        return values, sp.csr_matrix((values, (ps_row, ps_col)), shape=(nP, nS))

    _, PS_orders = ps(None)
    units, PS_units = ps(o_quantity)
    _, PS_gmv = ps(o_amount)
    ret, PS_returned = ps(o_returned)

    product_trust = _trust_by_code(product_ids, trust.products, "product_id")
    factory_trust = _trust_by_code(factory_ids, trust.factories, "factory_id")
    streamer_trust = _trust_by_code(streamer_ids, trust.streamers, "streamer_id")

    # carry trust κ(s, p) of every (product, streamer) pair with sales
    prior = np.where(np.isnan(product_trust), missing_trust, product_trust)[ps_row]
    kappa = ((units - ret) + carry_prior * prior) / (units + carry_prior)
    carry = sp.csr_matrix((kappa, (ps_row, ps_col)), shape=(nP, nS))

    # K(f, s) = max κ over the factory's products the streamer sold; argmax product
    pf = product_factory[ps_row].astype(np.int64)
    order = np.lexsort((ps_row, -kappa, ps_col, pf))
    pf_o, s_o = pf[order], ps_col[order]
    first = np.ones(len(order), bool)  # (no sales at all: empty, not [True])
    first[1:] = (pf_o[1:] != pf_o[:-1]) | (s_o[1:] != s_o[:-1])
    sel = order[first]
    sel = sel[kappa[sel] > 0]  # a carry edge of trust 0 is no edge
    K = sp.csr_matrix((kappa[sel], (pf[sel], ps_col[sel])), shape=(nF, nS))
    K_product = sp.csr_matrix(
        (ps_row[sel].astype(np.float64) + 1.0, (pf[sel], ps_col[sel])), shape=(nF, nS)
    )

    # bonds
    b_c = _codes(consumer_ids, bonds["consumer_id"])
    b_s = _codes(streamer_ids, bonds["streamer_id"])
    b_t = pd.to_numeric(bonds["trust"]).to_numpy(dtype=np.float64)
    if "confidence" in bonds:
        b_conf = pd.to_numeric(bonds["confidence"]).to_numpy(dtype=np.float64)
    else:
        b_conf = np.full(len(bonds), np.nan)
    b_cred = np.ones(len(bonds))
    if "consumer_credibility" in bonds:  # null (a run that stored none) counts 1, as in the Cypher
        b_cred = np.nan_to_num(pd.to_numeric(bonds["consumer_credibility"]).to_numpy(dtype=np.float64), nan=1.0)
    keep = (b_t > 0.0) & (b_t >= min_bond)
    b_c, b_s, b_t, b_conf, b_cred = b_c[keep], b_s[keep], b_t[keep], b_conf[keep], b_cred[keep]
    order = np.lexsort((b_c, b_s))
    b_c, b_s, b_t, b_conf, b_cred = b_c[order], b_s[order], b_t[order], b_conf[order], b_cred[order]
    indptr = np.r_[0, np.cumsum(np.bincount(b_s, minlength=nS))]
    B = sp.csr_matrix((b_t * b_cred, b_c, indptr), shape=(nS, nC))
    BT = B.T.tocsr()
    BT.sort_indices()

    follows = p.follows
    f_consumer = _codes(consumer_ids, follows["consumer_id"]) if len(follows) else np.zeros(0, np.int64)
    f_streamer = _codes(streamer_ids, follows["streamer_id"]) if len(follows) else np.zeros(0, np.int64)

    def times(column: str) -> np.ndarray:
        if column not in follows or not len(follows):
            return np.full(len(follows), np.datetime64("NaT"), dtype="datetime64[ns]")
        return pd.to_datetime(follows[column], utc=True).dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")

    return PathIndex(
        f_consumer=f_consumer, f_streamer=f_streamer, f_followed=times("followed_at"),
        f_unfollowed=times("unfollowed_at"),
        factory_ids=factory_ids, product_ids=product_ids, streamer_ids=streamer_ids, consumer_ids=consumer_ids,
        product_factory=product_factory, product_category=product_category, consumer_region=region,
        factory_trust=factory_trust, product_trust=product_trust, streamer_trust=streamer_trust,
        o_consumer=o_consumer, o_streamer=o_streamer, o_product=o_product, o_factory=o_factory,
        o_quantity=o_quantity, o_amount=o_amount, o_returned=o_returned,
        bond_consumer=b_c, bond_streamer=b_s, bond_trust=b_t, bond_confidence=b_conf, bond_credibility=b_cred,
        FP=FP, PS_orders=PS_orders, PS_units=PS_units, PS_gmv=PS_gmv, PS_returned=PS_returned,
        carry=carry, K=K, K_product=K_product, B=B, BT=BT,
        carry_prior=float(carry_prior), missing_trust=float(missing_trust), min_bond=float(min_bond),
        projection=projection, trust=trust,
    )

