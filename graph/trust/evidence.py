"""From a :class:`~livetrust.graph.projection.Projection` to numpy arrays of evidence.

Entities get dense integer codes (ids sorted, so the same input always gives the same
codes and the same output order); every later step works on these arrays with
``np.bincount``, ``pandas`` group-bys and ``scipy.sparse`` matrices, never with Python
loops over nodes.

Per order (one purchase line) this module derives:

- ``age`` in days at the reference time ``as_of`` and its forgetting weight
  ``decay = 2 ** (-age / half_life_days)`` (Beta reputation, Jøsang and Ismail 2002);
- ``returned`` -- the returned share of the line's units, in [0, 1];
- ``maturity`` -- the share of eventual returns that are already visible at this age,
  the empirical CDF of return delays (Kaplan-Meier-style correction for censoring: an
  order bought yesterday and not returned *yet* is weak evidence of being kept);
- ``cause`` -- how its returned units split by the returns' reasons into the classes
  seller / product / neutral / unattributed (:mod:`.reasons`; returns seen by ``as_of``;
  returned units the projection's ``returns`` table does not explain are unattributed).

``as_of`` is the projection's ``as_of`` when set, else the latest event time; events
after it are ignored, so a result never depends on the wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..projection import Projection
from .beta import decay
from .reasons import UNATTRIBUTED, classify_reasons

DAY_NS = 86_400 * 10**9


def _encode(*columns: pd.Series) -> tuple[pd.Index, list[np.ndarray]]:
    """Sorted distinct ids over several columns, and each column's codes into them."""
    cols = [c.astype(str) for c in columns]
    lengths = [len(c) for c in cols]
    if sum(lengths) == 0:
        return pd.Index([], dtype=object), [np.zeros(0, np.int64) for _ in cols]
    codes, uniques = pd.factorize(pd.concat(cols, ignore_index=True), sort=True)
    if (codes < 0).any():
        raise ValueError("missing id in the projection")
    splits = np.split(codes.astype(np.int64), np.cumsum(lengths)[:-1])
    return pd.Index(np.asarray(uniques, dtype=object), dtype=object), splits


def _ns(ts: pd.Series) -> np.ndarray:
    """Timestamps -> int64 nanoseconds since the epoch (NaT -> minimum int64)."""
    s = pd.to_datetime(ts, utc=True)
    return s.dt.as_unit("ns").to_numpy(dtype="datetime64[ns]").astype(np.int64) if len(s) else np.zeros(0, np.int64)


NAT = np.iinfo(np.int64).min


@dataclass
class Evidence:
    """Encoded arrays of one projection; see the module docstring."""

    as_of: pd.Timestamp
    half_life_days: float
    streamer_ids: pd.Index
    consumer_ids: pd.Index
    product_ids: pd.Index
    factory_ids: pd.Index
    product_factory: np.ndarray  # factory code per product (-1 unknown)
    consumer_registered_age: np.ndarray  # days before as_of (NaN unknown)
    # orders
    o_consumer: np.ndarray
    o_streamer: np.ndarray
    o_product: np.ndarray
    o_factory: np.ndarray
    o_quantity: np.ndarray
    o_returned_units: np.ndarray
    o_returned: np.ndarray  # returned share of units, [0, 1]
    o_age: np.ndarray  # days
    o_decay: np.ndarray
    o_maturity: np.ndarray
    o_amount: np.ndarray
    o_day: np.ndarray  # integer day number of the purchase (days since the epoch)
    o_follower: np.ndarray  # the buyer followed the streamer when buying (bool)
    o_follow_tenure: np.ndarray  # days the buyer had followed the streamer when buying (0 if not)
    o_cause: np.ndarray  # (orders, 4) share of returned units: seller, product, neutral, unattributed
    # follows
    f_consumer: np.ndarray
    f_streamer: np.ndarray
    f_age: np.ndarray  # days since followed
    f_end_age: np.ndarray  # days since unfollowed (NaN while following)
    # return delays seen (days, sorted): the maturity curve
    return_delays: np.ndarray

    @property
    def n_streamers(self) -> int:
        return len(self.streamer_ids)

    @property
    def n_consumers(self) -> int:
        return len(self.consumer_ids)

    @property
    def n_products(self) -> int:
        return len(self.product_ids)

    @property
    def n_factories(self) -> int:
        return len(self.factory_ids)

    @property
    def n_orders(self) -> int:
        return len(self.o_consumer)

    def maturity(self, age_days: np.ndarray) -> np.ndarray:
        """Share of eventual returns visible by ``age_days`` (1 when no returns were seen)."""
        if len(self.return_delays) == 0:
            return np.ones_like(np.asarray(age_days, dtype=np.float64))
        pos = np.searchsorted(self.return_delays, age_days, side="right")
        return pos / len(self.return_delays)


def reference_time(projection: Projection) -> pd.Timestamp:
    """``projection.as_of`` or the latest event time (UTC); the epoch for an empty projection."""
    if projection.as_of is not None:
        ts = pd.Timestamp(projection.as_of)
        return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    candidates = []
    o, f = projection.orders, projection.follows
    for col, frame in (("purchased_at", o), ("first_returned_at", o), ("followed_at", f), ("unfollowed_at", f)):
        if len(frame) and col in frame:
            m = pd.to_datetime(frame[col], utc=True).max()
            if pd.notna(m):
                candidates.append(m)
    return max(candidates) if candidates else pd.Timestamp(0, tz="UTC")


def build_evidence(projection: Projection, half_life_days: float = 60.0,
                   reason_map: dict[str, str] | None = None) -> Evidence:
    """Encode a projection; see :class:`Evidence` (``reason_map``: :func:`.reasons.reason_classes`)."""
    as_of = reference_time(projection)
    t_ref = as_of.value
    o = projection.orders
    f = projection.follows
    # events after the reference time are not evidence yet
    o_at = _ns(o["purchased_at"]) if len(o) else np.zeros(0, np.int64)
    keep_o = o_at <= t_ref
    if not keep_o.all():
        o = o.loc[keep_o]
        o_at = o_at[keep_o]
    f_at = _ns(f["followed_at"]) if len(f) else np.zeros(0, np.int64)
    keep_f = f_at <= t_ref
    if not keep_f.all():
        f = f.loc[keep_f]
        f_at = f_at[keep_f]

    p = projection.products
    c = projection.consumers
    streamer_ids, (_, o_streamer, f_streamer) = _encode(projection.streamers["streamer_id"], o["streamer_id"], f["streamer_id"])
    consumer_ids, (c_code, o_consumer, f_consumer) = _encode(c["consumer_id"], o["consumer_id"], f["consumer_id"])
    product_ids, (p_code, o_product) = _encode(p["product_id"], o["product_id"])
    factory_ids, (_, pf_code) = _encode(projection.factories["factory_id"], p["factory_id"])

    product_factory = np.full(len(product_ids), -1, dtype=np.int64)
    product_factory[p_code] = pf_code

    reg_age = np.full(len(consumer_ids), np.nan)
    if len(c) and "registered_at" in c:
        reg = _ns(c["registered_at"])
        ok = reg != NAT
        reg_age[c_code[ok]] = (t_ref - reg[ok]) / DAY_NS

    qty = np.maximum(o["quantity"].to_numpy(dtype=np.float64), 1.0) if len(o) else np.zeros(0)
    ret_units = np.clip(o["returned_quantity"].fillna(0).to_numpy(dtype=np.float64), 0.0, None) if len(o) else np.zeros(0)
    r_at = _ns(o["first_returned_at"]) if len(o) else np.zeros(0, np.int64)
    seen = (r_at != NAT) & (r_at <= t_ref) & (ret_units > 0)
    ret_units = np.where(seen, np.minimum(ret_units, qty), 0.0)
    age = (t_ref - o_at) / DAY_NS
    delays = np.sort(np.maximum((r_at[seen] - o_at[seen]) / DAY_NS, 0.0))
    ev = Evidence(
        as_of=as_of,
        half_life_days=float(half_life_days),
        streamer_ids=streamer_ids,
        consumer_ids=consumer_ids,
        product_ids=product_ids,
        factory_ids=factory_ids,
        product_factory=product_factory,
        consumer_registered_age=reg_age,
        o_consumer=o_consumer,
        o_streamer=o_streamer,
        o_product=o_product,
        o_factory=product_factory[o_product] if len(o_product) else np.zeros(0, np.int64),
        o_quantity=qty,
        o_returned_units=ret_units,
        o_returned=np.where(qty > 0, ret_units / qty, 0.0),
        o_age=age,
        o_decay=decay(age, half_life_days),
        o_maturity=np.ones(len(age)),
        o_amount=o["amount"].fillna(0).to_numpy(dtype=np.float64) if len(o) else np.zeros(0),
        o_day=np.floor_divide(o_at, DAY_NS),
        o_follower=np.zeros(len(age), bool),
        o_follow_tenure=np.zeros(len(age)),
        o_cause=_cause_shares(projection, o["order_id"], ret_units, t_ref, reason_map),
        f_consumer=f_consumer,
        f_streamer=f_streamer,
        f_age=(t_ref - f_at) / DAY_NS,
        f_end_age=np.zeros(0),
        return_delays=delays,
    )
    if len(f):
        u_at = _ns(f["unfollowed_at"])
        ended = (u_at != NAT) & (u_at <= t_ref)
        ev.f_end_age = np.where(ended, (t_ref - np.where(ended, u_at, t_ref)) / DAY_NS, np.nan)
    ev.o_maturity = ev.maturity(age)
    ev.o_follower, ev.o_follow_tenure = _follower_at_purchase(ev)
    return ev


def _cause_shares(projection: Projection, order_ids: pd.Series, returned_units: np.ndarray, t_ref: int,
                  reason_map: dict[str, str] | None) -> np.ndarray:
    """Per order, the share of its returned units by cause class (columns seller, product,
    neutral, unattributed); rows of orders without returned units are 0."""
    n = len(order_ids)
    units = np.zeros((n, 4))
    r = getattr(projection, "returns", None)
    if r is not None and len(r) and n:
        r = r.loc[(_ns(r["returned_at"]) <= t_ref)]
        first = pd.Series(np.arange(n), index=pd.Index(order_ids.astype(str)))
        first = first[~first.index.duplicated()]  # a repeated order id: its first line takes the returns
        row = first.reindex(pd.Index(r["order_id"].astype(str))).fillna(-1).to_numpy(dtype=np.int64)
        cls = classify_reasons(r["reason"], reason_map)
        col = np.where(cls == UNATTRIBUTED, 3, cls)
        qty = pd.to_numeric(r["quantity"], errors="coerce").fillna(0).to_numpy(dtype=np.float64)
        ok = (row >= 0) & (qty > 0)
        np.add.at(units, (row[ok], col[ok]), qty[ok])
    # units the returns table does not explain (or explains beyond what the order shows) -> unattributed
    told = units.sum(axis=1)
    units[:, 3] += np.maximum(returned_units - told, 0.0)
    total = units.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(total[:, None] > 0, units / np.maximum(total, 1e-300)[:, None], 0.0)
    return np.where(returned_units[:, None] > 0, shares, 0.0)


def _follower_at_purchase(ev: Evidence) -> tuple[np.ndarray, np.ndarray]:
    """Per order: was the buyer following the streamer at that moment, and for how long."""
    n = ev.n_orders
    if n == 0 or len(ev.f_consumer) == 0:
        return np.zeros(n, bool), np.zeros(n)
    S = max(ev.n_streamers, 1)
    orders = pd.DataFrame({"key": ev.o_consumer * S + ev.o_streamer, "t": -ev.o_age, "i": np.arange(n)})
    follows = pd.DataFrame({"key": ev.f_consumer * S + ev.f_streamer, "t": -ev.f_age, "end": -ev.f_end_age})
    follows["start"] = follows["t"]
    m = pd.merge_asof(orders.sort_values(["t", "i"], kind="stable"), follows.sort_values(["t", "key"], kind="stable"),
                      on="t", by="key", direction="backward")
    end = m["end"].to_numpy()
    start = m["start"].to_numpy()
    t = m["t"].to_numpy()
    following = ~np.isnan(start) & (np.isnan(end) | (end > t))
    idx = m["i"].to_numpy()
    out = np.zeros(n, bool)
    tenure = np.zeros(n)
    out[idx] = following
    tenure[idx] = np.where(following, t - np.nan_to_num(start), 0.0)
    return out, tenure
