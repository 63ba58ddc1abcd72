"""Demand back to the factory (C2M): what a factory's trusted audience buys and returns.

The *audience* of a factory ``f`` is every consumer it reaches (the consumers of
:func:`livetrust.graph.paths.reach.best_paths`, before any ``top_k``):

- its direct buyers, and
- every consumer with a bond (trust > 0 and >= ``min_bond``) to a streamer that sold
  ``f``'s products.

``factory_demand`` aggregates **all** orders placed by the audience (of any factory's
products, so a factory also sees the categories its audience buys elsewhere) by the
consumer's region and the product's category:

- ``orders``, ``units``, ``gmv``, ``returned_units``: sums over those orders;
- ``return_rate = returned_units / units``;
- ``consumers``: audience consumers of that region with at least one order in that
  category.

Missing regions or categories are reported as ``"unknown"``. Rows with no orders are
left out.

In matrix form: ``A`` (factory × consumer, 1 for the audience) is the boolean sum of
``K · B`` (factory × streamer × consumer) and the factory × consumer incidence of the
orders; ``M_x`` (consumer × region/category cell) holds each consumer's order sums; the
result is ``A · M_x``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .index import PathIndex

COLUMNS = (
    "factory_id", "region", "category", "orders", "units", "gmv", "returned_units", "return_rate", "consumers",
)


def audience_matrix(index: PathIndex) -> sp.csr_matrix:
    """Factory × consumer 0/1 matrix of each factory's audience."""
    nF, nC = index.n_factories, index.n_consumers
    Kb = (index.FP @ index.PS_orders).tocsr()  # factory × streamer: the streamer sold its products
    Kb.data = np.ones_like(Kb.data)
    Bb = index.B.copy()
    Bb.data = np.ones_like(Bb.data)
    bonded = Kb @ Bb
    bought = sp.csr_matrix(
        (np.ones(len(index.o_factory)), (index.o_factory, index.o_consumer)), shape=(nF, nC)
    )
    audience = (bonded + bought).tocsr()
    audience.data = np.ones_like(audience.data)
    audience.eliminate_zeros()
    return audience


def factory_demand(index: PathIndex) -> pd.DataFrame:
    """One row per (factory, region, category) with orders; columns in the module docstring."""
    nC = index.n_consumers
    regions, region_code = np.unique(index.consumer_region, return_inverse=True)
    categories, category_code = np.unique(index.product_category, return_inverse=True)
    n_cat = len(categories)
    cell = region_code[index.o_consumer] * n_cat + category_code[index.o_product]
    n_cells = len(regions) * n_cat

    def m(values: np.ndarray) -> sp.csr_matrix:
        out = sp.csr_matrix((values, (index.o_consumer, cell)), shape=(nC, n_cells))
        out.sum_duplicates()
        return out

    M_orders = m(np.ones(len(cell)))
    any_order = M_orders.copy()
    any_order.data = (any_order.data > 0).astype(np.float64)
    names = ("orders", "units", "gmv", "returned_units", "consumers")
    # one sparse product for all five measures: A · [M_orders | M_units | M_gmv | M_returned | M_any]
    stacked = sp.hstack([M_orders, m(index.o_quantity), m(index.o_amount), m(index.o_returned), any_order],
                        format="csr")
    result = (audience_matrix(index) @ stacked).tocsr()  # factories × (5 · cells)
    orders = result[:, :n_cells].tocoo()
    keep = orders.data > 0
    f, cells = orders.row[keep].astype(np.int64), orders.col[keep].astype(np.int64)

    def at(name: str) -> np.ndarray:
        offset = names.index(name) * n_cells
        return np.asarray(result[f, cells + offset]).ravel() if len(f) else np.zeros(0)

    units, returned = at("units"), at("returned_units")
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(units > 0, returned / units, 0.0)
    frame = pd.DataFrame({
        "factory_id": index.factory_ids[f],
        "region": regions[cells // n_cat],
        "category": categories[cells % n_cat],
        "orders": at("orders").astype(np.int64),
        "units": units.astype(np.int64),
        "gmv": at("gmv"),
        "returned_units": returned.astype(np.int64),
        "return_rate": rate,
        "consumers": at("consumers").astype(np.int64),
    })
    return frame.sort_values(["factory_id", "region", "category"], kind="stable").reset_index(drop=True)[list(COLUMNS)]
