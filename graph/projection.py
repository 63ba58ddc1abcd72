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
- ``returns``:   order_id, returned_at, quantity (units, as resolved when loaded), reason
  (the platform's free-text reason code as given, ``None`` when empty)

Reasons travel raw, one row per return: which reasons mean what (the streamer's fault,
the product's, nobody's) is a parameter of the trust model (:mod:`.trust.reasons`), not
of the projection, and the same code maps them in both modes. A projection built by hand
may leave ``returns`` empty: every returned unit is then unattributed.

Consumers and streamers that appear only in events have rows with empty attributes.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
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
    "returns": ("order_id", "returned_at", "quantity", "reason"),
}


# Keys per chunk when reading from Neo4j: big enough that round trips do not matter, small
# enough that a chunk of orders stays in the tens of MB on the server.
CHUNK_SIZE = 100_000
# Tables read from Neo4j at once, and the order they start in (largest first).
READERS = 3
READ_ORDER = ("follows", "orders", "returns", "consumers", "products", "streamers", "factories")
# Columns Neo4j does not store, derived from other tables after reading (_with_first_return).
NOT_STORED = {"orders": ("first_returned_at",)}


def _empty(name: str) -> pd.DataFrame:
    return normalise(name, pd.DataFrame(columns=list(COLUMNS[name])))


@dataclass
class Projection:
    """Typed tables of the trust graph; see the module docstring for columns."""

    factories: pd.DataFrame
    streamers: pd.DataFrame
    products: pd.DataFrame
    consumers: pd.DataFrame
    follows: pd.DataFrame
    orders: pd.DataFrame
    returns: pd.DataFrame = field(default_factory=lambda: _empty("returns"))
    as_of: pd.Timestamp | None = None
    counts: dict[str, int] = field(default_factory=dict)
    #: embedded mode: what validation did with the folder's rows (read, loaded, duplicate,
    #: pending, quarantined, and the count per reason); None for a projection read from Neo4j
    input_outcomes: dict[str, Any] | None = None

    TABLES = tuple(COLUMNS)

    def input_note(self, folder: Path | str) -> str | None:
        """One line for a job's summary when validation kept rows out of an embedded projection
        (None when every row was loaded): nothing is dropped without a word."""
        o = self.input_outcomes
        if not o or (o["loaded"] == o["read"] and not o.get("notes")):
            return None
        notes = "".join(f"; note: {n}" for n in o.get("notes", ()))
        if o["loaded"] == o["read"]:
            return f"  input: {o['read']:,d} rows read, all loaded{notes}"
        reasons = ", ".join(f"{reason} {n:,d}" for reason, n in sorted(o["reasons"].items(), key=lambda kv: -kv[1]))
        # the reasons span the three outcomes (duplicate, pending, quarantined), so they follow all of them
        return (f"  input: {o['read']:,d} rows read, {o['loaded']:,d} loaded, {o['duplicate']:,d} duplicate, "
                f"{o['pending']:,d} pending, {o['quarantined']:,d} quarantined; why not loaded: {reasons}; the rows: "
                f"livetrust load --dry-run {folder}{notes}")

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in COLUMNS}

    def require_activity(self, job: str, *, follows_suffice: bool = True, folder: Path | str | None = None) -> None:
        """Refuse a ``job`` run with nothing to compute from, before it writes anything.

        A run on an empty graph (a wrong ``NEO4J_URI`` or ``--database``, a re-created volume,
        a load that stopped early) or on a folder whose purchase rows were all kept out (every
        one pending on a missing ``products.csv``) would otherwise publish empty results over
        the previous ones. ``follows_suffice``: follows alone are enough when the graph has no
        purchases at all (scores: bonds from follows; lists of streamers to follow); paths needs
        purchases (channels are sales). ``job`` is a verb for the message ("score").
        """
        from ..errors import LivetrustError

        if len(self.orders):
            return
        read = (self.input_outcomes or {}).get("purchases_read", 0)
        if not read and follows_suffice and len(self.follows):
            return
        source = f"folder {folder}" if folder is not None else "graph"
        note = self.input_note(folder) if folder is not None else None
        why = f" ({note.strip().removeprefix('input: ')})" if note else ""
        if read:  # a folder's purchases, every one kept out: broken input
            problem = f"none of the {read:,d} purchase rows of {source} could be loaded"
        else:
            problem = f"the {source} holds no {'purchases or follows' if follows_suffice else 'purchases'}"
        raise LivetrustError(f"{problem}{why}: nothing to {job}; the previous results stay in place")

    @classmethod
    def from_folder(cls, folder: Path | str, *, progress: bool = False) -> "Projection":
        """Embedded mode: validate a contract folder in memory (``livetrust.loaders.validate_folder``)
        and build the tables Neo4j would hold after loading it.

        Rows the loaders would not load (duplicate, pending, quarantined) are not in it.
        """
        from ..loaders import validate_folder

        return cls.from_validated(validate_folder(folder, progress=progress))

    @classmethod
    def from_validated(cls, validated: Any) -> "Projection":
        """The projection of ``validate_folder``'s accepted tables."""
        t = validated.tables
        purchases, returns, follows = t["purchases"], t["returns"], t["follows"]
        consumers = _with_bare(t["consumers"], "consumer_id",
                               [follows["consumer_id"], purchases["consumer_id"]])
        streamers = _with_bare(t["streamers"], "streamer_id",
                               [follows["streamer_id"], purchases["streamer_id"]])
        factories = _with_bare(t["factories"], "factory_id", [t["products"]["factory_id"]])
        orders = purchases[list(COLUMNS["orders"][:7])].copy()
        returned = returns.groupby("order_id")["quantity"].sum()
        orders["returned_quantity"] = orders["order_id"].map(returned).fillna(0)
        orders = _with_first_return(orders, returns)
        times = [purchases["purchased_at"], follows["followed_at"], follows["unfollowed_at"], returns["returned_at"]]
        latest = [s.max() for s in times if len(s) and s.notna().any()]
        tables = {
            "factories": factories, "streamers": streamers, "products": t["products"], "consumers": consumers,
            "follows": follows, "orders": orders, "returns": returns,
        }
        projection = cls._build(tables, max(latest) if latest else None, n_returns=len(returns))
        totals = validated.report.totals()
        projection.input_outcomes = {"read": totals.read, "loaded": totals.loaded, "duplicate": totals.duplicate,
                                     "pending": totals.pending, "quarantined": totals.quarantined,
                                     "reasons": dict(totals.reasons),
                                     "purchases_read": sum(f.read for f in validated.report.files
                                                           if f.stream == "purchases")}
        if validated.report.notes:  # e.g. an empty stream file
            projection.input_outcomes["notes"] = list(validated.report.notes)
        return projection

    @classmethod
    def from_neo4j(cls, driver: Any, database: str | None = None, *, chunk_size: int = CHUNK_SIZE,
                   readers: int = READERS) -> "Projection":
        """Read the same tables from Neo4j with the Cypher files in ``queries/projection/``.

        Each table is read in chunks of ``chunk_size`` keys in the order of its key's index
        (``$after`` / ``$limit``), each chunk one record holding a list of row lists: on the
        m world ~7x faster than a record per row (fewer Python objects), and the server
        holds one chunk at a time, not a whole table. Each chunk is typed (:func:`normalise`)
        as it arrives (``read_frame``), so the client holds typed columns, not a whole
        table of row lists. Timestamps travel as epoch nanoseconds (exact) and are
        converted vectorised. ``readers`` tables are read at once, each in its own session
        (the server runs one query per core; on the m world the read took 20-29 s with 3
        readers, 43-44 s with one: bench/results/score.md).
        """
        from ..db import read_frame, release_free_memory
        from ..queries import cypher_statement

        import neo4j

        if chunk_size < 1:
            raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
        if readers < 1:
            raise ValueError(f"readers must be at least 1, got {readers}")

        def read(tx, statement: str, **params):
            return tx.run(statement, params).single()

        def fetch_table(name: str) -> pd.DataFrame:
            columns = [c for c in COLUMNS[name] if c not in NOT_STORED.get(name, ())]
            return read_frame(driver, database, cypher_statement(f"projection/{name}"), columns=columns,
                              typed=lambda chunk: normalise(name, chunk), chunk_size=chunk_size)

        # the largest tables first, so that the small ones fill in behind them
        order = sorted(COLUMNS, key=lambda name: READ_ORDER.index(name))
        with ThreadPoolExecutor(max_workers=readers, thread_name_prefix="projection") as pool:
            tables = dict(zip(order, pool.map(fetch_table, order)))
        tables["orders"] = _with_first_return(tables["orders"], tables["returns"])
        release_free_memory()
        with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
            meta = session.execute_read(read, cypher_statement("projection/as_of"))
        as_of = None if meta is None or meta["as_of"] is None else pd.Timestamp(int(meta["as_of"]), unit="ns", tz="UTC")
        n_returns = int(meta["returns"]) if meta is not None else 0
        return cls._build({name: tables[name] for name in COLUMNS}, as_of, n_returns=n_returns, typed=True)

    @classmethod
    def _build(cls, tables: dict[str, pd.DataFrame], as_of, *, n_returns: int, typed: bool = False) -> "Projection":
        typed = tables if typed else {name: normalise(name, frame) for name, frame in tables.items()}
        counts = {name: len(frame) for name, frame in typed.items()}
        counts["returns"] = n_returns
        as_of = None if as_of is None or pd.isna(as_of) else pd.Timestamp(as_of).tz_convert("UTC")
        return cls(**typed, as_of=as_of, counts=counts)

    def sorted(self) -> "Projection":
        """The same tables sorted by their key columns (stable comparisons in tests)."""
        keys = {"factories": ["factory_id"], "streamers": ["streamer_id"], "products": ["product_id"],
                "consumers": ["consumer_id"], "follows": ["consumer_id", "streamer_id", "followed_at"],
                "orders": ["order_id"], "returns": ["order_id", "returned_at"]}
        out = {n: f.sort_values(keys[n], kind="stable").reset_index(drop=True) for n, f in self.tables().items()}
        return type(self)(**out, as_of=self.as_of, counts=dict(self.counts))


KINDS: dict[str, str] = {
    "price": "float", "amount": "float", "quantity": "int", "returned_quantity": "int",
    "registered_at": "time", "followed_at": "time", "unfollowed_at": "time", "purchased_at": "time",
    "first_returned_at": "time", "returned_at": "time",
}


def normalise(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The projection's dtypes: ids/text ``str``, times ``datetime64[ns, UTC]``, money float64,
    quantities int64; columns in ``COLUMNS`` order, a fresh RangeIndex."""
    out = {}
    n = len(frame)
    for col in COLUMNS[name]:
        s = frame[col] if col in frame.columns else pd.Series([None] * n, dtype=object)
        kind = KINDS.get(col, "str")
        if kind == "time":
            out[col] = _times(s)
        elif kind == "float":
            out[col] = pd.to_numeric(pd.Series(s.to_numpy(dtype=object)), errors="coerce").astype("float64").to_numpy()
        elif kind == "int":
            out[col] = pd.to_numeric(pd.Series(s.to_numpy(dtype=object)), errors="coerce").fillna(0).astype("int64").to_numpy()
        elif s.dtype == "str":
            out[col] = s.array.copy()  # already the projection's text dtype (validated folders): no per-value pass
        else:
            obj = s.to_numpy(dtype=object)
            out[col] = pd.array([None if (v is None or (isinstance(v, float) and np.isnan(v))) else str(v)
                                 for v in obj], dtype="str")
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def _times(s: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        out = s if getattr(s.dt, "tz", None) is not None else s.dt.tz_localize("UTC")
        return out.dt.tz_convert("UTC").dt.as_unit("ns").reset_index(drop=True)
    # epoch nanoseconds from Neo4j (ints, None for missing)
    ints = pd.array(s.to_numpy(dtype=object), dtype="Int64")
    raw = ints.to_numpy(dtype="int64", na_value=np.iinfo(np.int64).min)
    return pd.Series(raw.view("datetime64[ns]")).dt.tz_localize("UTC")


def _with_first_return(orders: pd.DataFrame, returns: pd.DataFrame) -> pd.DataFrame:
    """``orders`` with ``first_returned_at``: the earliest ``returned_at`` of each order's returns
    (NaT for none). The same derivation in both modes: Neo4j does not store it on the order."""
    out = orders.copy()
    if len(returns):
        first = returns.groupby("order_id")["returned_at"].min()
        out["first_returned_at"] = pd.to_datetime(out["order_id"].map(first), utc=True)
    else:
        out["first_returned_at"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns, UTC]")
    return out


def _with_bare(declared: pd.DataFrame, id_col: str, seen: list[pd.Series]) -> pd.DataFrame:
    """Declared rows plus bare rows (empty attributes) for ids seen only in events."""
    ids = pd.unique(pd.concat([pd.Series(x, dtype=object) for x in seen], ignore_index=True)) if seen else []
    known = set(declared[id_col])
    extra = [i for i in ids if i not in known]
    if not extra:
        return declared
    bare = pd.DataFrame({id_col: extra})
    return pd.concat([declared, bare], ignore_index=True)
