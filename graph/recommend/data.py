"""Inputs of the recommenders: the projection, its time split, and its encoded matrices.

- :func:`load_projection` reads a contract folder in embedded mode
  (``Projection.from_folder``, i.e. through the loaders' validation).
- :func:`time_split` hides the last N days of a projection: what the recommenders may
  see (``train``) and what really happened afterwards (``test``), without leaking
  returns or unfollows that happen after the cut.
- :class:`Graph` encodes a projection once: dense integer codes per entity and the
  arrays / sparse matrices every recommender works on (no Python loops over nodes).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ...errors import LivetrustError
from ..projection import Projection

DAY = pd.Timedelta(days=1)
DAY_NS = 86_400 * 10**9


# --------------------------------------------------------------------------- loading

def load_projection(folder: str | Path, *, progress: bool = False) -> Projection:
    """The projection of a contract folder (embedded mode, through the loaders' validation)."""
    return Projection.from_folder(Path(folder), progress=progress)


# --------------------------------------------------------------------------- time split

def latest_event(projection: Projection) -> pd.Timestamp:
    """The latest purchase or follow time of a projection (its end of observation)."""
    times = [projection.orders["purchased_at"].max(), projection.follows["followed_at"].max()]
    times = [t for t in times if pd.notna(t)]
    if not times:
        raise LivetrustError("the graph (or the --data folder) holds no purchases or follows: nothing to recommend from or to evaluate")
    return max(times)


@dataclass
class TimeSplit:
    """A projection cut at ``cutoff``: ``train`` sees only what was known before it.

    ``test_orders`` are the orders placed at or after the cutoff (with their eventual
    returns); ``test_follows`` the follows started at or after it.
    """

    train: Projection
    test_orders: pd.DataFrame
    test_follows: pd.DataFrame
    cutoff: pd.Timestamp
    holdout_days: float


def time_split(projection: Projection, holdout_days: float, *, end: pd.Timestamp | None = None) -> TimeSplit:
    """Hide the last ``holdout_days`` days (ending at ``end``, default the latest event).

    In ``train``: orders placed before the cutoff, counting only the units returned before
    it (a later return, even of an order partly returned before, is the future; the
    ``returns`` table keeps the returns made before the cutoff of those orders); follows started before it, still
    running where they ended after it. Consumers, streamers, products and factories
    are kept whole (catalogue data, not behaviour).
    """
    if holdout_days <= 0:
        raise ValueError("holdout_days must be positive")
    end = latest_event(projection) if end is None else end
    cutoff = end - pd.Timedelta(days=holdout_days)
    orders, follows = projection.orders, projection.follows
    before = orders["purchased_at"] < cutoff
    train_orders = orders.loc[before].copy()
    f_before = follows["followed_at"] < cutoff
    train_follows = follows.loc[f_before].copy()
    train_follows.loc[~(train_follows["unfollowed_at"] < cutoff), "unfollowed_at"] = pd.NaT
    # the returns table (one row per return, with its reason): only returns already made
    # at the cutoff, of orders placed before it
    returns = projection.returns
    train_returns = returns.loc[(returns["returned_at"] < cutoff)
                                & returns["order_id"].isin(train_orders["order_id"])].reset_index(drop=True)
    # an order's returned units as known at the cutoff: its returns made before it (the whole
    # order's total would count a later partial return of an order first returned before it).
    # An order without rows in the returns table (a projection built by hand may hold only the
    # totals) keeps its total when its first return came before the cutoff.
    late = ~(train_orders["first_returned_at"] < cutoff)  # NaT or on/after the cutoff
    listed = train_orders["order_id"].isin(returns["order_id"])
    known = train_orders["order_id"].map(train_returns.groupby("order_id")["quantity"].sum()).fillna(0)
    train_orders["returned_quantity"] = train_orders["returned_quantity"].where(~listed, known).where(~late, 0).astype(
        train_orders["returned_quantity"].dtype)
    train_orders.loc[late, "first_returned_at"] = pd.NaT
    train = Projection(
        factories=projection.factories, streamers=projection.streamers, products=projection.products,
        consumers=projection.consumers, follows=train_follows, orders=train_orders, returns=train_returns, as_of=cutoff,
        counts={"orders": int(before.sum()), "follows": int(f_before.sum())},
    )
    return TimeSplit(
        train=train,
        test_orders=orders.loc[~before].reset_index(drop=True),
        test_follows=follows.loc[~f_before].reset_index(drop=True),
        cutoff=cutoff,
        holdout_days=float(holdout_days),
    )


# --------------------------------------------------------------------------- encoding

def _index(*columns: pd.Series) -> pd.Index:
    values = pd.concat([c.dropna().astype(str) for c in columns], ignore_index=True)
    return pd.Index(np.sort(values.unique()), dtype=object)


def codes_of(index: pd.Index, values: pd.Series | np.ndarray) -> np.ndarray:
    """Codes of ``values`` in ``index`` (-1 where unknown)."""
    return index.get_indexer(pd.Index(np.asarray(values, dtype=object))).astype(np.int64)


@dataclass
class Graph:
    """A projection encoded for the recommenders (built once, shared by every list).

    Ids are sorted and coded ``0..n-1`` per entity (``consumers``, ``streamers``,
    ``products``, ``factories`` are ``pd.Index`` of ids). Order arrays (``o_*``) hold one
    entry per order line; follow arrays (``f_*``) one per follow. ``half_life_days``
    weighs recent orders more (``o_weight = 2 ** (-age / half_life)``).
    """

    projection: Projection
    as_of: pd.Timestamp
    half_life_days: float
    consumers: pd.Index
    streamers: pd.Index
    products: pd.Index
    factories: pd.Index
    categories: pd.Index
    p_factory: np.ndarray
    p_category: np.ndarray
    s_category: np.ndarray
    f_category: np.ndarray
    o_consumer: np.ndarray
    o_streamer: np.ndarray
    o_product: np.ndarray
    o_units: np.ndarray
    o_returned: np.ndarray  # returned share of the line's units, in [0, 1]
    o_weight: np.ndarray
    o_day: np.ndarray  # UTC calendar day of the purchase (days since the epoch)
    f_consumer: np.ndarray
    f_streamer: np.ndarray
    f_active: np.ndarray

    @classmethod
    def build(cls, projection: Projection, *, half_life_days: float = 60.0) -> "Graph":
        orders, follows = projection.orders, projection.follows
        as_of = projection.as_of if projection.as_of is not None else latest_event(projection)
        consumers = _index(projection.consumers["consumer_id"], orders["consumer_id"], follows["consumer_id"])
        streamers = _index(projection.streamers["streamer_id"], orders["streamer_id"], follows["streamer_id"])
        products = _index(projection.products["product_id"], orders["product_id"])
        factories = _index(projection.factories["factory_id"], projection.products["factory_id"])
        prod = projection.products.drop_duplicates("product_id").set_index("product_id").reindex(products)
        categories = _index(prod["category"], projection.streamers["category"])
        p_factory = codes_of(factories, prod["factory_id"].fillna(""))
        p_category = codes_of(categories, prod["category"].fillna(""))
        strm = projection.streamers.drop_duplicates("streamer_id").set_index("streamer_id").reindex(streamers)
        s_category = codes_of(categories, strm["category"].fillna(""))
        # a factory's category: the most common category of its products
        f_category = np.full(len(factories), -1, np.int64)
        ok = (p_factory >= 0) & (p_category >= 0)
        if ok.any():
            counts = sp.coo_matrix((np.ones(ok.sum()), (p_factory[ok], p_category[ok])),
                                   shape=(len(factories), max(1, len(categories)))).toarray()
            has = counts.sum(axis=1) > 0
            f_category[has] = counts[has].argmax(axis=1)
        units = orders["quantity"].to_numpy(dtype=np.float64)
        returned = np.clip(orders["returned_quantity"].to_numpy(dtype=np.float64) / np.maximum(units, 1.0), 0.0, 1.0)
        age = (as_of - orders["purchased_at"]).dt.total_seconds().to_numpy(dtype=np.float64) / 86_400.0
        weight = np.power(2.0, -np.maximum(age, 0.0) / half_life_days)
        unf = follows["unfollowed_at"]
        active = (unf.isna() | (unf > as_of)).to_numpy()
        return cls(
            projection=projection, as_of=as_of, half_life_days=half_life_days,
            consumers=consumers, streamers=streamers, products=products, factories=factories,
            categories=categories, p_factory=p_factory, p_category=p_category,
            s_category=s_category, f_category=f_category,
            o_consumer=codes_of(consumers, orders["consumer_id"]),
            o_streamer=codes_of(streamers, orders["streamer_id"]),
            o_product=codes_of(products, orders["product_id"]),
            o_units=units, o_returned=returned, o_weight=weight,
            o_day=((orders["purchased_at"] - pd.Timestamp(0, tz="UTC")) // DAY).to_numpy(dtype=np.int64),
            f_consumer=codes_of(consumers, follows["consumer_id"]),
            f_streamer=codes_of(streamers, follows["streamer_id"]),
            f_active=active,
        )

    @property
    def n_consumers(self) -> int:
        return len(self.consumers)

    @property
    def n_streamers(self) -> int:
        return len(self.streamers)

    @property
    def n_products(self) -> int:
        return len(self.products)

    @property
    def n_factories(self) -> int:
        return len(self.factories)

    def _matrix(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
        ok = (rows >= 0) & (cols >= 0)
        m = sp.csr_matrix((values[ok], (rows[ok], cols[ok])), shape=shape, dtype=np.float64)
        m.sum_duplicates()
        return m

    @cached_property
    def bought(self) -> sp.csr_matrix:
        """Consumer x product: 1 where the consumer ever bought the product (before ``as_of``)."""
        m = self._matrix(self.o_consumer, self.o_product, np.ones(len(self.o_consumer)), (self.n_consumers, self.n_products))
        m.data[:] = 1.0
        return m

    @cached_property
    def kept_units(self) -> np.ndarray:
        return self.o_units * (1.0 - self.o_returned)

    @cached_property
    def streamer_product_units(self) -> sp.csr_matrix:
        """Streamer x product: recency-weighted units sold (all, returned or not)."""
        return self._matrix(self.o_streamer, self.o_product, self.o_units * self.o_weight, (self.n_streamers, self.n_products))

    @cached_property
    def product_factory(self) -> sp.csr_matrix:
        """Product x factory: 1 where the factory makes the product (a product without one: none)."""
        products = np.arange(self.n_products)
        return self._matrix(products, self.p_factory, np.ones(self.n_products), (self.n_products, self.n_factories))

    @cached_property
    def streamer_factory_units(self) -> sp.csr_matrix:
        """Streamer x factory: recency-weighted units of the factory's products sold."""
        return sp.csr_matrix(self.streamer_product_units @ self.product_factory)

    @cached_property
    def consumer_product_kept(self) -> sp.csr_matrix:
        """Consumer x product: recency-weighted units kept."""
        return self._matrix(self.o_consumer, self.o_product, self.kept_units * self.o_weight, (self.n_consumers, self.n_products))

    @cached_property
    def consumer_streamer_orders(self) -> sp.csr_matrix:
        """Consumer x streamer: recency-weighted order lines."""
        return self._matrix(self.o_consumer, self.o_streamer, self.o_weight, (self.n_consumers, self.n_streamers))

    @cached_property
    def following(self) -> sp.csr_matrix:
        """Consumer x streamer: 1 where the follow is running at ``as_of``."""
        return self._follows(self.f_active)

    @cached_property
    def followed_ever(self) -> sp.csr_matrix:
        """Consumer x streamer: 1 where a follow is running at ``as_of`` or has ended (unfollowed)."""
        return self._follows((self.f_consumer >= 0) & (self.f_streamer >= 0))

    def _follows(self, mask: np.ndarray) -> sp.csr_matrix:
        m = self._matrix(self.f_consumer[mask], self.f_streamer[mask], np.ones(int(mask.sum())),
                         (self.n_consumers, self.n_streamers))
        m.data[:] = 1.0
        return m

    @cached_property
    def product_units(self) -> np.ndarray:
        return np.bincount(self.o_product[self.o_product >= 0], weights=self.o_units[self.o_product >= 0],
                           minlength=self.n_products)

    @cached_property
    def product_returned_units(self) -> np.ndarray:
        ok = self.o_product >= 0
        return np.bincount(self.o_product[ok], weights=(self.o_units * self.o_returned)[ok], minlength=self.n_products)
