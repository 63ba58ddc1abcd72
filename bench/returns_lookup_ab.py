"""A/B: does answering the returns' order look-ups from memory speed up ``livetrust load``?

    ORDERS_FROM_MEMORY=0|1 python bench/returns_lookup_ab.py load DIR --batch-size 20000 --report-dir R --quiet
    # NEO4J_URI ... of a server holding the m world loaded without returns.csv (restored per run);
    # DIR holds only returns.csv; rows/s is in R/reconciliation.json

With ``ORDERS_FROM_MEMORY=1`` ``PipelinedState.orders`` answers from purchases.csv (PURCHASES_CSV,
default /work/worlds/m/purchases.csv) read into memory before the run, instead of querying
Neo4j; everything else is ``livetrust load``. Used for the returns note in
bench/results/load.md (issue 4): no gain, so not built.
"""
import os
import sys

import pandas as pd

from livetrust.cli import main
from livetrust.loaders import state

if os.environ.get("ORDERS_FROM_MEMORY") == "1":
    purchases = pd.read_csv(os.environ.get("PURCHASES_CSV", "/work/worlds/m/purchases.csv"),
                            usecols=["order_id", "quantity", "purchased_at"], dtype={"order_id": str})
    purchases["purchased_at"] = pd.to_datetime(purchases["purchased_at"], utc=True).astype("int64")
    purchases = purchases.set_index("order_id", drop=False)

    def orders(self, ids):
        wanted = pd.Index(ids, dtype=object)
        found = purchases.loc[wanted[wanted.isin(purchases.index)], ["order_id", "quantity", "purchased_at"]]
        found = found.reset_index(drop=True)
        found["returned_quantity"] = [self._returned.get(o, 0.0) for o in found["order_id"]]
        return found

    state.PipelinedState.orders = orders
    print("order look-ups from memory:", len(purchases), "orders", file=sys.stderr)
main()
