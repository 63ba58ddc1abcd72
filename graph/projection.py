"""The graph projection every job computes on: typed pandas tables of the trust graph.

Built either from Neo4j (``Projection.from_neo4j``) or, in embedded mode, from a
contract folder through the loaders' validation (``Projection.from_folder``); the code
after this point is the same for both, so both give the same results.

Tables and columns (ids are ``str``, times are ``datetime64[ns, UTC]``):

- ``factories``: factory_id, name, region
- ``streamers``: streamer_id, name, category, region
- ``products``:  product_id, factory_id, name, category, price
- ``consumers``: consumer_id, region, registered_at
- ``follows``:   consumer_id, streamer_id, followed_at, unfollowed_at (NaT while following)
- ``orders``:    order_id, consumer_id, streamer_id, product_id, quantity, amount,
  purchased_at, returned_quantity (units returned so far, 0 if none),
  first_returned_at (NaT if none)

Consumers and streamers that appear only in events have rows with empty attributes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

COLUMNS: dict[str, tuple[str, ...]] = {
    "factories": ("factory_id", "name", "region"),
    "streamers": ("streamer_id", "name", "category", "region"),
    "products": ("product_id", "factory_id", "name", "category", "price"),
    "consumers": ("consumer_id", "region", "registered_at"),
    "follows": ("consumer_id", "streamer_id", "followed_at", "unfollowed_at"),
    "orders": (
        "order_id", "consumer_id", "streamer_id", "product_id", "quantity", "amount",
        "purchased_at", "returned_quantity", "first_returned_at",
    ),
}


@dataclass
class Projection:
    """Typed tables of the trust graph; see the module docstring for columns."""

    factories: pd.DataFrame
    streamers: pd.DataFrame
    products: pd.DataFrame
    consumers: pd.DataFrame
    follows: pd.DataFrame
    orders: pd.DataFrame
    as_of: pd.Timestamp | None = None
    counts: dict[str, int] = field(default_factory=dict)
