"""Demand back to the factory (C2M): what a factory's trusted audience buys and returns.

The *audience* of a factory ``f``:

- its direct buyers, and
- every consumer with a bond (trust > 0 and >= ``min_bond``) to a streamer that sold
  ``f``'s products, whatever that streamer's carry trust.

That is the consumers of :func:`livetrust.graph.paths.reach.best_paths` (before any ``top_k``),
except at ``carry_prior = 0``, where reach drops a streamer whose carry trust is 0 (every unit
of the factory it sold came back) and demand still counts its bonded consumers.

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

from collections.abc import Iterator

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .index import PathIndex, factory_ranges

COLUMNS = (
    "factory_id", "region", "category", "orders", "units", "gmv", "returned_units", "return_rate", "consumers",
)


#: Upper bound on a block's audience pairs (factory, consumer) before duplicates are summed:
#: the whole factory × consumer audience matrix of the l world would add about 3.7 GB.
BLOCK_PAIRS = 20_000_000


def _binary(m: sp.spmatrix) -> sp.csr_matrix:
    out = sp.csr_matrix(m, copy=True)
    out.data = np.ones_like(out.data)
    return out


def audience_blocks(index: PathIndex, *, block_pairs: int | None = None) -> Iterator[tuple[int, sp.csr_matrix]]:
    """The rows of :func:`audience_matrix` for consecutive blocks of factories: ``(first factory, rows)``.

    A factory's row depends only on its own streamers and orders, and every block's rows
    have sorted column indices, so the sums taken over a row (``factory_demand``) come out
    the same to the last bit whatever the block size. ``block_pairs`` defaults to
    ``BLOCK_PAIRS`` (read at call time).
    """
    nF, nC = index.n_factories, index.n_consumers
    Kb = _binary(index.FP @ index.PS_orders)  # factory × streamer: the streamer sold its products
    Bb = _binary(index.B)
    bought = sp.csr_matrix(
        (np.ones(len(index.o_factory)), (index.o_factory, index.o_consumer)), shape=(nF, nC)
    )
    bought.sum_duplicates()
    pairs = Kb @ np.diff(Bb.indptr).astype(np.int64) + np.diff(bought.indptr)
    for lo, hi in factory_ranges(np.asarray(pairs).ravel(), BLOCK_PAIRS if block_pairs is None else block_pairs):
        bonded = (Kb[lo:hi] @ Bb).tocsr()
        bonded.sort_indices()
        audience = (bonded + bought[lo:hi]).tocsr()
        audience.sort_indices()
        audience.data = np.ones_like(audience.data)
        yield lo, audience


def audience_matrix(index: PathIndex) -> sp.csr_matrix:
    """Factory × consumer 0/1 matrix of each factory's audience (all blocks of :func:`audience_blocks`)."""
    blocks = [rows for _, rows in audience_blocks(index)]
    if not blocks:
        return sp.csr_matrix((index.n_factories, index.n_consumers))
    return sp.vstack(blocks, format="csr")


def _block_sums(lo: int, result: sp.spmatrix, n_cells: int, n_measures: int):
    """Factory, cell and the measures (row-major) of a block's cells with orders."""
    result = result.tocsr()  # block factories × (measures · cells)
    orders = result[:, :n_cells].tocoo()
    keep = orders.data > 0
    f, cells = orders.row[keep].astype(np.int64), orders.col[keep].astype(np.int64)
    if not len(f):  # (scipy answers an empty fancy index with one element)
        return f, cells, np.zeros(0)
    offsets = np.arange(n_measures) * n_cells
    sums = np.asarray(result[np.repeat(f, n_measures), (cells[:, None] + offsets).ravel()]).ravel()
    return f + lo, cells, sums


def factory_demand(index: PathIndex, *, block_pairs: int | None = None) -> pd.DataFrame:
    """One row per (factory, region, category) with orders; columns in the module docstring.

    The audience is taken a block of factories at a time (:func:`audience_blocks`), so memory
    holds one block's audience, not every factory's.
    """
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
    parts = [_block_sums(lo, audience @ stacked, n_cells, len(names))
             for lo, audience in audience_blocks(index, block_pairs=block_pairs)]
    if parts:
        f, cells, sums = (np.concatenate([p[i] for p in parts]) for i in range(3))
    else:  # no orders: float sums all the same, so gmv keeps its type
        f, cells, sums = np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    sums = sums.reshape(len(f), len(names))

    def at(name: str) -> np.ndarray:
        return sums[:, names.index(name)]

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
