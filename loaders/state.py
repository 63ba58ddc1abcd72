"""What validation checks rows against, and where accepted rows go.

Three implementations of one small interface:

- :class:`MemoryState` -- embedded mode (``validate_folder``) and dry runs without Neo4j:
  the accepted rows themselves, in pandas.
- :class:`Neo4jState` -- ``livetrust load``: batched ``UNWIND $ids ... MATCH`` look-ups and
  batched ``UNWIND $rows ... MERGE`` writes, one managed write transaction per chunk (the
  chunk's rows, its pending rows and the pending rows it resolves commit together).
- :class:`LayeredState` -- dry runs with Neo4j: reads Neo4j, writes into memory only.

Timestamps cross this interface as int64 epoch nanoseconds (look-ups) and canonical UTC
ISO-8601 strings (Cypher parameters, turned into DATETIME by ``datetime()`` in Cypher).
"""

from __future__ import annotations

import json
from typing import Any, Iterable

import neo4j
import numpy as np
import pandas as pd

from ..contract import STREAMS, Outcome
from ..queries import cypher_statement
from .validate import (Batch, compare_columns, fill_empty, iso_strings, key_columns, key_frame, kind_of, ns_of,
                       pending_key)

SEP = "\x1f"  # joins composite keys in memory; ids with control characters are quarantined
LOOKUP_SLICE = 20_000


class State:
    """Interface; see the module docstring."""

    def existing(self, stream: str, keys: pd.DataFrame) -> pd.DataFrame:
        """Stored rows among ``keys`` (key columns, timestamps as int64 ns) with their compare columns."""
        raise NotImplementedError

    def known_products(self, ids: list[str]) -> set[str]:
        raise NotImplementedError

    def orders(self, ids: list[str]) -> pd.DataFrame:
        """order_id, quantity, purchased_at (ns), returned_quantity of stored orders among ``ids``."""
        raise NotImplementedError

    def pending_values(self, stream: str, keys: list[str]) -> dict[str, dict]:
        raise NotImplementedError

    def may_have_pending(self, stream: str) -> bool:
        """False when the stream certainly has no pending row (look-ups can be skipped)."""
        return True

    def list_pending(self, stream: str) -> list[dict]:
        """Pending rows stored by earlier runs: key, file, row, values (dict)."""
        raise NotImplementedError

    def commit(self, batch: Batch, *, resolved: list[str] = (), write_pending: bool = True) -> None:
        """Store the batch's loaded rows (and pending rows), forget ``resolved`` pending keys."""
        raise NotImplementedError

    def finish(self, run: dict) -> None:
        """Record the finished run (Neo4j: a :LoadRun node)."""

    def drain(self) -> None:
        """Wait until every commit so far is durable (a no-op unless commits run in the background)."""


# ------------------------------------------------------------------------- memory


def _composite(frame: pd.DataFrame, cols: list[str]) -> pd.Index:
    if len(cols) == 1:
        return pd.Index(frame[cols[0]].to_numpy(dtype=object), dtype=object)
    parts = [frame[c].astype(str) if frame[c].dtype != object else frame[c].map(str) for c in cols]
    joined = parts[0]
    for p in parts[1:]:
        joined = joined + SEP + p
    return pd.Index(joined.to_numpy(dtype=object), dtype=object)


class _SortedRuns:
    """64-bit hashes, sorted, each with the row position it stands for when the runs keep one.

    Kept in two sorted runs: new hashes are merged into the small ``recent`` run, which is merged
    into ``main`` when it outgrows 1/16 of it. Adding a chunk copies only ``recent``, so adding
    ``n`` hashes in chunks of ``c`` costs about ``n^2 / (32 c)`` element copies plus linear merges,
    where one sorted array costs ``n^2 / (2 c)``: 14.7M hashes (the l world's follows) in chunks of
    5,000 take 3.3 s instead of 54.2 s (``bench/written_hashes_cost.py``). A run is a tuple of
    arrays, the hashes first. Repeated hashes do no harm to the look-up.
    """

    MERGE_AT = 16  # merge when recent holds more than len(main) / MERGE_AT
    MIN_RECENT = 1 << 16

    def __init__(self, *, positions: bool) -> None:
        self._empty: _Run = (np.empty(0, dtype=np.uint64),) + ((np.empty(0, dtype=np.int64),) if positions else ())
        self.main = self.recent = self._empty

    def __len__(self) -> int:
        return len(self.main[0]) + len(self.recent[0])

    def add(self, hashes: np.ndarray, positions: np.ndarray | None = None) -> None:
        """Store these hashes (any order), with their positions when the runs keep them."""
        if positions is None:
            chunk: _Run = (np.sort(hashes),)
        else:
            order = np.argsort(hashes)
            chunk = (hashes[order], positions[order])
        self.recent = _merge_runs(self.recent, chunk)
        if len(self.recent[0]) > max(self.MIN_RECENT, len(self.main[0]) // self.MERGE_AT):
            self.main = _merge_runs(self.main, self.recent)
            self.recent = self._empty

    def find(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(index into ``h``, stored position) for every stored entry whose hash is in ``h``
        (the positions are empty when the runs keep none)."""
        rows, positions = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        for run in (self.main, self.recent):
            if len(run[0]):
                r, at = _run_matches(run[0], h)
                rows.append(r)
                positions.append(run[1][at] if len(run) > 1 else at[:0])
        return np.concatenate(rows), np.concatenate(positions)

    def contains(self, h: np.ndarray) -> np.ndarray:
        """Per hash of ``h``: is it stored?"""
        found = np.zeros(len(h), dtype=bool)
        found[self.find(h)[0]] = True
        return found


#: A sorted run: its hashes, then (when kept) the row position of each.
_Run = tuple[np.ndarray, ...]


def _merge_runs(run: _Run, chunk: _Run) -> _Run:
    """``run`` and the sorted ``chunk`` (same arrays) as one sorted run (one linear copy, no re-sort)."""
    at = np.searchsorted(run[0], chunk[0])
    return tuple(np.insert(a, at, b) for a, b in zip(run, chunk))


def _run_matches(hashes: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(index into ``h``, index into the sorted ``hashes``) for every entry of ``hashes`` in ``h``.

    The asked hashes are searched in sorted order: numpy's binary search then keeps the previous
    key's position as its lower bound, and consecutive keys probe the same entries of the run,
    which stay in cache (4-7x faster on a run of 10M, ``bench/key_search_cost.py``); only the
    hashes found get the second search for their last equal entry."""
    order = np.argsort(h)
    asked = h[order]
    lo = np.searchsorted(hashes, asked, side="left")
    found = lo < len(hashes)
    found[found] = hashes[lo[found]] == asked[found]
    at = np.flatnonzero(found)
    lo = lo[at]
    n = np.searchsorted(hashes, asked[at], side="right") - lo
    rows = np.repeat(order[at].astype(np.int64), n)
    offsets = np.arange(int(n.sum()), dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
    return rows, np.repeat(lo, n) + offsets


class _KeyIndex:
    """Where each stored key is: 64-bit hashes of the key columns with row positions, in
    :class:`_SortedRuns`. A chunk's look-up is a binary search of its keys' hashes, checked
    exactly against the stored keys by the caller, so it costs O(chunk * log stored). Keys come
    as :func:`key_frame` gives them: ids as Python strings, timestamps as int64 ns.
    """

    def __init__(self) -> None:
        self.runs = _SortedRuns(positions=True)

    def __len__(self) -> int:
        return len(self.runs)

    def add(self, keys: pd.DataFrame) -> None:
        """Index the next ``len(keys)`` stored rows (positions continue from the last)."""
        self.runs.add(_key_hashes(keys), len(self.runs) + np.arange(len(keys), dtype=np.int64))

    def candidates(self, keys: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """(row of ``keys``, stored position) for every stored row whose key hash matches."""
        if not len(self) or not len(keys):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return self.runs.find(_key_hashes(keys))


def _key_hashes(keys: pd.DataFrame) -> np.ndarray:
    return pd.util.hash_pandas_object(keys, index=False).to_numpy(dtype=np.uint64)


class MemoryState(State):
    """Accepted rows in memory; ``tables()`` gives them typed, as the graph would hold them."""

    STUBS = {"follows": ("consumers", "streamers"), "purchases": ("consumers", "streamers"), "products": ("factories",)}
    STUB_ID = {"consumers": "consumer_id", "streamers": "streamer_id", "factories": "factory_id"}

    def __init__(self) -> None:
        self._parts: dict[str, list[pd.DataFrame]] = {s: [] for s in STREAMS}
        self._index: dict[str, _KeyIndex] = {s: _KeyIndex() for s in STREAMS}  # one entry per stored row
        self._stubs: dict[str, set[str]] = {s: set() for s in self.STUB_ID}
        self._returned: dict[str, float] = {}
        self._pending: dict[str, dict[str, dict]] = {s: {} for s in STREAMS}
        # positions of stored rows a later row replaced (a bare node or open follow given values)
        # (a bool per stored position, grown with the index: a look-up tests its candidates in O(1))
        self._replaced: dict[str, np.ndarray] = {s: np.zeros(0, dtype=bool) for s in STREAMS}

    # -- reads
    def _frame(self, stream: str) -> pd.DataFrame | None:
        """The stream's stored rows as one frame (parts joined once, on demand)."""
        parts = self._parts[stream]
        if len(parts) > 1:
            self._parts[stream] = [pd.concat(parts, ignore_index=True)]
        return self._parts[stream][0] if self._parts[stream] else None

    def _lookup(self, stream: str, keys: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
        """Stored rows with one of ``keys`` (key columns as :func:`key_frame` gives them), in the
        order they were stored, key timestamps as int64 ns; and for each, its row in ``keys``."""
        asked, positions, rows = self._matches(stream, keys)
        return asked, rows

    def _matches(self, stream: str, keys: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
        """As :meth:`_lookup`, with the stored positions too."""
        asked, positions = self._index[stream].candidates(keys)
        if len(self._replaced[stream]) and len(positions):
            alive = ~self._was_replaced(stream, positions)
            asked, positions = asked[alive], positions[alive]
        if not len(positions):
            return asked, positions, pd.DataFrame()
        by_position = np.argsort(positions, kind="stable")
        asked, positions = asked[by_position], positions[by_position]
        rows = self._stored_rows(stream, positions)
        same = np.logical_and.reduce([rows[c].to_numpy() == keys[c].to_numpy()[asked] for c in key_columns(stream)])
        return asked[same], positions[same], rows[same].reset_index(drop=True)

    def _was_replaced(self, stream: str, positions: np.ndarray) -> np.ndarray:
        replaced = self._replaced[stream]
        out = np.zeros(len(positions), dtype=bool)
        inside = positions < len(replaced)  # rows stored after the last fill were not replaced
        out[inside] = replaced[positions[inside]]
        return out

    def _stored_rows(self, stream: str, positions: np.ndarray) -> pd.DataFrame:
        """Stored rows at these sorted positions, key timestamps as int64 ns (no parts joined)."""
        parts = self._parts[stream]
        starts = np.cumsum([0] + [len(p) for p in parts])
        cuts = np.searchsorted(positions, starts)
        pieces = [parts[i].iloc[positions[cuts[i]:cuts[i + 1]] - starts[i]] for i in range(len(parts))
                  if cuts[i] < cuts[i + 1]]
        rows = pd.concat(pieces, ignore_index=True) if len(pieces) > 1 else pieces[0].reset_index(drop=True)
        for c in key_columns(stream):
            if kind_of(stream, c) == "timestamp":
                rows[c] = ns_of(rows[c])
        return rows

    def existing(self, stream: str, keys: pd.DataFrame, *, stubs: bool = True) -> pd.DataFrame:
        kcols = key_columns(stream)
        cols = compare_columns(stream)
        asked, found = self._lookup(stream, keys)
        out = [found[kcols + cols]] if len(found) else []
        if stubs and stream in self._stubs and self._stubs[stream]:
            declared = np.zeros(len(keys), dtype=bool)
            declared[asked] = True
            ids = [k for k, d in zip(keys[kcols[0]], declared) if not d and k in self._stubs[stream]]
            if ids:
                out.append(pd.DataFrame({kcols[0]: ids, **{c: [None] * len(ids) for c in cols}}))
        if not out:
            return pd.DataFrame(columns=kcols + cols)
        return pd.concat(out, ignore_index=True) if len(out) > 1 else out[0]

    def known_products(self, ids: list[str]) -> set[str]:
        _, found = self._lookup("products", pd.DataFrame({"product_id": pd.Series(ids, dtype=object)}))
        return set(found["product_id"]) if len(found) else set()

    def orders(self, ids: list[str]) -> pd.DataFrame:
        cols = ["order_id", "quantity", "purchased_at", "returned_quantity"]
        _, found = self._lookup("purchases", pd.DataFrame({"order_id": pd.Series(ids, dtype=object)}))
        if not len(found):
            return pd.DataFrame(columns=cols)
        found = found[["order_id", "quantity", "purchased_at"]].copy()
        found["purchased_at"] = ns_of(found["purchased_at"])
        found["returned_quantity"] = found["order_id"].map(self._returned).fillna(0.0).astype(np.float64).to_numpy()
        return found

    def returned(self, order_id: str) -> float:
        return self._returned.get(order_id, 0.0)

    def pending_values(self, stream: str, keys: list[str]) -> dict[str, dict]:
        store = self._pending[stream]
        return {k: store[k]["values"] for k in keys if k in store}

    def may_have_pending(self, stream: str) -> bool:
        return bool(self._pending[stream])

    def list_pending(self, stream: str) -> list[dict]:
        return []  # embedded mode has no earlier runs

    # -- writes
    def commit(self, batch: Batch, *, resolved: Iterable[str] = (), write_pending: bool = True) -> None:
        stream = batch.stream
        loaded = batch.written()
        if loaded.any():
            rows = batch.typed[loaded].reset_index(drop=True)
            for c in batch.extras:
                rows[c] = batch.raw[c].to_numpy(dtype=object)[loaded]
            fills = loaded & batch.fills
            if fills.any():  # the stored row without values gives way to this one
                asked, positions, stored = self._matches(stream, key_frame(batch, fills))
                # the rows that replace them keep their extra values where they have none (Neo4j's SET +=)
                fill_empty(rows, np.flatnonzero(fills[loaded])[asked], stored,
                           [c for c in stored.columns if c not in STREAMS[stream].column_names])
                replaced = self._replaced[stream]
                if len(replaced) < len(self._index[stream]):  # grown by doubling: amortised O(1) per row
                    replaced = np.concatenate([replaced, np.zeros(max(len(self._index[stream]), 2 * len(replaced))
                                                                  - len(replaced), dtype=bool)])
                replaced[positions] = True
                self._replaced[stream] = replaced
            self._index[stream].add(key_frame(batch, loaded))
            self._parts[stream].append(rows)
            for target in self.STUBS.get(stream, ()):
                col = self.STUB_ID[target]
                self._stubs[target].update(rows[col].tolist())
            if stream == "returns":
                for oid, q in zip(rows["order_id"], rows["quantity"]):
                    self._returned[oid] = self._returned.get(oid, 0.0) + float(q)
        if write_pending:
            pend = np.flatnonzero(batch.mask_of(Outcome.PENDING))
            if len(pend):
                keys = pending_key(stream, batch.typed.iloc[pend])
                for i, k in zip(pend, keys):
                    self._pending[stream].setdefault(k, pending_record(batch, i, k))
        for k in resolved:
            self._pending[stream].pop(k, None)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Accepted rows per stream (contract columns typed, then extra columns as text)."""
        out = {}
        for stream, spec in STREAMS.items():
            if self._parts[stream]:
                frame = self._frame(stream)
                if len(self._replaced[stream]):
                    frame = frame[~self._was_replaced(stream, np.arange(len(frame)))]
                out[stream] = frame.reset_index(drop=True)
            else:
                out[stream] = empty_typed(stream)
        return out

    def stub_ids(self, stream: str) -> set[str]:
        return set(self._stubs.get(stream, ()))

    def pending_rows(self, stream: str) -> list[dict]:
        return list(self._pending[stream].values())


def empty_typed(stream: str) -> pd.DataFrame:
    data: dict[str, Any] = {}
    for col in STREAMS[stream].columns:
        if col.kind == "timestamp":
            data[col.name] = pd.Series(pd.to_datetime([], utc=True)).dt.as_unit("ns")
        elif col.kind in ("money", "quantity"):
            data[col.name] = pd.Series([], dtype="float64")
        else:
            data[col.name] = pd.Series([], dtype=object)
    return pd.DataFrame(data)


def pending_record(batch: Batch, i: int, key: str) -> dict:
    return {
        "key": key,
        "file": str(batch.file[i]),
        "row": int(batch.row[i]),
        "reason": batch.reason[i],
        "detail": batch.detail[i],
        "values": json.loads(batch.values_json(i)),
    }


# -------------------------------------------------------------------------- neo4j


def records(batch: Batch, mask: np.ndarray, *, extra: bool = False) -> list[dict]:
    """Cypher parameter rows of the masked rows: ISO strings for times, int quantities.

    ``extra=True``: the key columns plus ``extra``, a map of the non-empty extra columns.
    """
    columns = param_columns(batch, mask, key_only=extra)
    names = list(columns)
    if not extra:
        return [dict(zip(names, vals)) for vals in zip(*columns.values())]
    extra_cols = [batch.raw[c].to_numpy(dtype=object)[mask].tolist() for c in batch.extras]
    maps = [{c: v for c, v in zip(batch.extras, vals) if v != ""} for vals in zip(*extra_cols)]
    return [dict(zip(names, vals), extra=m) for *vals, m in zip(*columns.values(), maps) if m]


def param_columns(batch: Batch, mask: np.ndarray, *, key_only: bool = False) -> dict[str, list]:
    """The masked rows as one list per contract column (the ``$columns`` of ``create_*``).

    Values as in :func:`records` (ISO strings for times, int quantities, None for missing);
    far fewer Python objects to build and encode than a map per row.
    """
    t = batch.typed[mask]
    spec = STREAMS[batch.stream]
    cols = [c for c in spec.columns if not key_only or c.name in spec.key]
    columns: dict[str, list] = {}
    for col in cols:
        s = t[col.name]
        if col.kind == "timestamp":
            columns[col.name] = iso_strings(s)
        elif col.kind == "money":
            v = s.to_numpy(dtype="float64")
            columns[col.name] = [None if np.isnan(x) else x for x in v.tolist()]
        elif col.kind == "quantity":
            v = s.to_numpy(dtype="float64")
            columns[col.name] = [None if np.isnan(x) else int(x) for x in v.tolist()]
        else:  # ids and text: a missing value is no property, never NaN or ""
            v = s.to_numpy(dtype=object)
            present = ~pd.isna(v) & (v != "")
            columns[col.name] = np.where(present, v, None).tolist()
    return columns


# Statements per stream, in order, each over the chunk's loaded rows (one transaction).
WRITES = {
    "factories": ("load/write_factories",),
    "streamers": ("load/write_streamers",),
    "consumers": ("load/write_consumers",),
    "products": ("load/write_products", "load/write_products_factory"),
    "follows": ("load/write_follows",),
    "purchases": ("load/write_purchases", "load/write_purchases_links"),
    "returns": ("load/write_returns",),
}
# Rows whose key the loader knows is new (see PipelinedState): CREATE instead of MERGE, and for
# purchases one pass for the Order and its three relationships. Other streams are small.
CREATES = {
    "consumers": ("load/create_consumers",),
    "follows": ("load/create_follows",),
    "purchases": ("load/create_purchases",),
    "returns": ("load/create_returns",),
}


class Neo4jState(State):
    """Look-ups and writes against Neo4j; ``read_only`` refuses writes (dry runs)."""

    LOOKUP = {"factories": "ids", "streamers": "ids", "consumers": "ids", "products": "ids",
              "purchases": "ids", "follows": "keys", "returns": "keys"}
    LOOKUP_QUERY = {"purchases": "load/lookup_orders"}

    def __init__(self, driver: neo4j.Driver, database: str, *, run_id: str, read_only: bool = False,
                 write_slice: int = 20_000) -> None:
        self.driver = driver
        self.database = database
        self.run_id = run_id
        self.read_only = read_only
        self.write_slice = write_slice
        self._q: dict[str, str] = {}
        self._carried: set[tuple[str, str]] = set()  # CARRIES pairs this run has committed
        self._has_pending: dict[str, bool] = {}  # per stream, once known to hold pending rows

    def q(self, name: str) -> str:
        if name not in self._q:
            self._q[name] = cypher_statement(name)
        return self._q[name]

    def _read(self, name: str, **params: Any) -> pd.DataFrame:
        def work(tx):
            res = tx.run(self.q(name), params)
            keys = res.keys()
            return pd.DataFrame([r.values() for r in res], columns=keys)

        with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as s:
            return s.execute_read(work)

    def _read_sliced(self, name: str, param: str, values: list, **extra: Any) -> pd.DataFrame:
        frames = [self._read(name, **{param: values[i:i + LOOKUP_SLICE]}, **extra)
                  for i in range(0, len(values), LOOKUP_SLICE)]
        frames = [f for f in frames if len(f)]
        if not frames:
            return pd.DataFrame()
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    def existing(self, stream: str, keys: pd.DataFrame) -> pd.DataFrame:
        kcols = key_columns(stream)
        cols = compare_columns(stream)
        query = self.LOOKUP_QUERY.get(stream, f"load/lookup_{stream}")
        if self.LOOKUP[stream] == "ids":
            found = self._read_sliced(query, "ids", keys[kcols[0]].tolist())
        else:
            params = keys.copy()
            for c in kcols:
                if kind_of(stream, c) == "timestamp":
                    params[c] = iso_strings(pd.Series(pd.to_datetime(params[c].to_numpy(dtype=np.int64), utc=True)))
            found = self._read_sliced(query, "keys", params.to_dict("records"))
        if not len(found):
            return pd.DataFrame(columns=kcols + cols)
        for c in kcols:
            if kind_of(stream, c) == "timestamp":
                found[c] = found[c].astype(np.int64)
        return found[kcols + cols]

    def known_products(self, ids: list[str]) -> set[str]:
        found = self._read_sliced("load/lookup_products", "ids", ids)
        return set(found["product_id"]) if len(found) else set()

    def orders(self, ids: list[str]) -> pd.DataFrame:
        """As :meth:`State.orders`, plus ``order_node``: the Order's element id (for ``create_returns``)."""
        found = self._read_sliced("load/lookup_order_facts", "ids", ids)
        cols = ["order_id", "quantity", "purchased_at", "returned_quantity", "order_node"]
        return found[cols] if len(found) else pd.DataFrame(columns=cols)

    def pending_values(self, stream: str, keys: list[str]) -> dict[str, dict]:
        found = self._read_sliced("load/pending_lookup", "keys", keys, stream=stream)
        if not len(found):
            return {}
        return {k: json.loads(v) for k, v in zip(found["key"], found["values"])}

    def may_have_pending(self, stream: str) -> bool:
        # asked once per stream; this run's own pending rows set it in prepare()
        if stream not in self._has_pending:
            self._has_pending[stream] = len(self._read("load/pending_any", stream=stream)) > 0
        return self._has_pending[stream]

    def list_pending(self, stream: str) -> list[dict]:
        found = self._read("load/pending_list", stream=stream, run_id=self.run_id)
        return [{"key": k, "file": f, "row": int(r), "values": json.loads(v), "run_id": run}
                for k, f, r, v, run in zip(found.get("key", []), found.get("file", []), found.get("row", []),
                                           found.get("values", []), found.get("run_id", []))]

    def commit(self, batch: Batch, *, resolved: Iterable[str] = (), write_pending: bool = True,
               new: np.ndarray | None = None, returned: dict[str, int] | None = None,
               order_nodes: dict[str, str] | None = None) -> None:
        """Write the batch in one transaction; rows in ``new`` (keys certainly not in the graph) are CREATEd.

        ``returned`` and ``order_nodes`` (returns, with ``new``): per order of the new rows, all
        units returned, which ``create_returns`` sets on the order, and the order's element id,
        by which it finds the order. Without both, new returns are MERGEd.
        """
        self.write(self.prepare(batch, resolved=resolved, write_pending=write_pending, new=new, returned=returned,
                                order_nodes=order_nodes))

    def prepare(self, batch: Batch, *, resolved: Iterable[str] = (), write_pending: bool = True,
                new: np.ndarray | None = None, returned: dict[str, int] | None = None,
                order_nodes: dict[str, str] | None = None) -> list[tuple[str, dict]]:
        """The statements and parameters of :meth:`commit` (no I/O). The CARRIES pairs they merge
        count as this run's from here on (a commit that fails ends the run anyway).

        Split from :meth:`write` so that :class:`PipelinedState` builds the next chunk's
        parameters on the main thread while the writer thread waits for Neo4j.
        """
        if self.read_only:
            raise RuntimeError("read-only state")
        stream = batch.stream
        statements: list[tuple[str, dict]] = []
        loaded = batch.written()
        carried: set[tuple[str, str]] = set()
        if loaded.any():
            fresh = loaded & new if new is not None and stream in CREATES else np.zeros(len(batch), dtype=bool)
            if stream == "returns" and (returned is None or order_nodes is None):
                fresh[:] = False  # create_returns needs the orders' totals and element ids
            for mask, names in ((fresh, CREATES.get(stream, ())), (loaded & ~fresh, WRITES[stream])):
                if not mask.any():
                    continue
                if mask is fresh:  # create_* take one list per column
                    cols = param_columns(batch, mask)
                    if stream == "returns":
                        cols["order_returned"] = [returned[o] for o in cols["order_id"]]
                        cols["order_node"] = [order_nodes[o] for o in cols["order_id"]]
                    n = int(mask.sum())
                    for i in range(0, n, self.write_slice):
                        part = cols if n <= self.write_slice else \
                            {k: v[i:i + self.write_slice] for k, v in cols.items()}
                        for name in names:
                            statements.append((self.q(name), {"columns": part}))
                    continue
                rows = records(batch, mask)
                for i in range(0, len(rows), self.write_slice):
                    for name in names:
                        statements.append((self.q(name), {"rows": rows[i:i + self.write_slice]}))
            if stream == "purchases":
                # CARRIES once per distinct pair of the run: a pair already merged cannot be missing
                t = batch.typed.loc[loaded]
                carried = set(zip(t["streamer_id"], t["product_id"])) - self._carried
                if carried:
                    pairs = [{"streamer_id": a, "product_id": b} for a, b in sorted(carried)]
                    statements.append((self.q("load/write_carries"), {"pairs": pairs}))
            if stream == "returns" and (loaded & ~fresh).any():
                # recomputed from the graph (after the CREATEs) for orders of merged rows
                ids = sorted(set(batch.typed.loc[loaded & ~fresh, "order_id"]))
                statements.append((self.q("load/write_returned_quantity"), {"ids": ids}))
            if batch.extras:
                extra = records(batch, loaded, extra=True)
                if extra:
                    statements.append((self.q(f"load/extra_{stream}"), {"rows": extra}))
        if write_pending:
            pend = np.flatnonzero(batch.mask_of(Outcome.PENDING))
            if len(pend):
                keys = pending_key(stream, batch.typed.iloc[pend])
                rows = [pending_record(batch, i, k) for i, k in zip(pend, keys)]
                for r in rows:
                    r["values"] = json.dumps(r["values"], ensure_ascii=False, separators=(",", ":"))
                statements.append((self.q("load/pending_write"), {"stream": stream, "run_id": self.run_id, "rows": rows}))
                self._has_pending[stream] = True
        resolved = list(resolved)
        if resolved:
            statements.append((self.q("load/pending_delete"), {"stream": stream, "keys": resolved}))
        self._carried |= carried
        return statements

    def write(self, statements: list[tuple[str, dict]]) -> None:
        """Run the statements of :meth:`prepare` in one managed write transaction (retried on transient errors)."""
        if not statements:
            return

        def work(tx):
            for query, params in statements:
                tx.run(query, params).consume()

        with self.driver.session(database=self.database) as s:
            s.execute_write(work)

    def finish(self, run: dict) -> None:
        if self.read_only:
            return
        with self.driver.session(database=self.database) as s:
            s.execute_write(lambda tx: tx.run(self.q("load/load_run"), run_id=run["run_id"], props=run).consume())


class LayeredState(State):
    """Dry run with Neo4j: look-ups see Neo4j plus what this run would have written."""

    def __init__(self, base: Neo4jState) -> None:
        self.base = base
        self.over = MemoryState()
        self._resolved: dict[str, set[str]] = {s: set() for s in STREAMS}

    def existing(self, stream: str, keys: pd.DataFrame) -> pd.DataFrame:
        kcols = key_columns(stream)
        mine = self.over.existing(stream, keys, stubs=False)
        mine_keys = set(_composite(mine, kcols)) if len(mine) else set()
        rest = keys[~_composite(keys, kcols).isin(list(mine_keys))] if mine_keys else keys
        theirs = self.base.existing(stream, rest) if len(rest) else pd.DataFrame()
        stubs = self.over.existing(stream, rest, stubs=True) if stream in self.over.STUB_ID else pd.DataFrame()
        if len(stubs) and len(theirs):
            stubs = stubs[~_composite(stubs, kcols).isin(list(_composite(theirs, kcols)))]
        frames = [f for f in (mine, theirs, stubs) if len(f)]
        if not frames:
            return pd.DataFrame(columns=kcols + compare_columns(stream))
        return pd.concat(frames, ignore_index=True)

    def known_products(self, ids: list[str]) -> set[str]:
        return self.over.known_products(ids) | self.base.known_products(ids)

    def orders(self, ids: list[str]) -> pd.DataFrame:
        mine = self.over.orders(ids)
        rest = [i for i in ids if i not in set(mine["order_id"])]
        theirs = self.base.orders(rest) if rest else pd.DataFrame(columns=mine.columns)
        if len(theirs):
            theirs = theirs.copy()
            theirs["returned_quantity"] = [float(q) + self.over.returned(o)
                                           for o, q in zip(theirs["order_id"], theirs["returned_quantity"])]
        frames = [f for f in (mine, theirs) if len(f)]
        return pd.concat(frames, ignore_index=True) if frames else mine

    def pending_values(self, stream: str, keys: list[str]) -> dict[str, dict]:
        out = {k: v for k, v in self.base.pending_values(stream, keys).items() if k not in self._resolved[stream]}
        out.update(self.over.pending_values(stream, keys))
        return out

    def may_have_pending(self, stream: str) -> bool:
        return self.over.may_have_pending(stream) or self.base.may_have_pending(stream)

    def list_pending(self, stream: str) -> list[dict]:
        return self.base.list_pending(stream)

    def commit(self, batch: Batch, *, resolved: Iterable[str] = (), write_pending: bool = True) -> None:
        resolved = list(resolved)
        self._resolved[batch.stream].update(resolved)
        self.over.commit(batch, resolved=resolved, write_pending=write_pending)


class PipelinedState(State):
    """Neo4j state whose commits run on one writer thread, in order, while the next chunk validates.

    Look-ups see Neo4j plus the rows of commits still in flight (an overlay of at most
    ``depth`` chunks), so duplicates and conflicts across chunks are caught as before. Checks
    that depend on other streams (orders, the pending list) first wait for every in-flight
    commit; orders for returns of a fresh stream do not (the units returned per order are the
    run's own, counted here). A failed commit re-raises on the next call.

    Loaded rows of a fresh stream (nothing of it in the graph when the run started) whose key
    hash this run has not written are passed to :meth:`Neo4jState.commit` as ``new``: they are
    CREATEd instead of MERGEd (see loaders/README.md).
    """

    # what holds a stream's keys in the graph: counted once when the run starts
    COUNT = {"factories": "MATCH (n:Factory) RETURN count(n) AS n",
             "streamers": "MATCH (n:Streamer) RETURN count(n) AS n",
             "products": "MATCH (n:Product) RETURN count(n) AS n",
             "consumers": "MATCH (n:Consumer) RETURN count(n) AS n",
             "follows": "MATCH ()-[r:FOLLOWS]->() RETURN count(r) AS n",
             "purchases": "MATCH (n:Order) RETURN count(n) AS n",
             "returns": "MATCH (n:Return) RETURN count(n) AS n"}

    def __init__(self, base: Neo4jState, depth: int = 1) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.base = base
        self.depth = depth
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="livetrust-writer")
        self._inflight: list[tuple[Any, Batch]] = []
        self._overlay: MemoryState | None = None
        self._overlay_ids: tuple[int, ...] = ()
        # Streams the graph held nothing of when the run started: their keys can only repeat
        # keys this run wrote, kept as 64-bit hashes; only hash hits are looked up in Neo4j
        # (exactly). Counts come from Neo4j's count store (constant time).
        self._fresh: dict[str, _SortedRuns] = {}
        # units this run accepted per order (returns): with no Return in the graph when the run
        # started, that is all an order's returns, so look-ups need not wait for commits in flight
        self._returned: dict[str, float] = {}
        # element ids of the orders looked up since the last returns commit (create_returns finds
        # the order by it); cleared at every commit, so it holds one chunk's orders at most
        self._order_nodes: dict[str, str] = {}
        self._products: set[str] = set()  # product ids known to be in the graph
        for stream, query in self.COUNT.items():
            n = base.driver.execute_query(query, database_=base.database).records[0]["n"]
            if n == 0:
                self._fresh[stream] = _SortedRuns(positions=False)

    # -- in-flight bookkeeping
    def _prune(self) -> None:
        keep = []
        for fut, batch in self._inflight:
            if fut.done():
                fut.result()  # re-raise a failed commit
            else:
                keep.append((fut, batch))
        self._inflight = keep

    def drain(self) -> None:
        for fut, _ in self._inflight:
            fut.result()
        self._inflight = []

    def overlay(self) -> MemoryState | None:
        self._prune()
        ids = tuple(id(b) for _, b in self._inflight)
        if not ids:
            return None
        if ids != self._overlay_ids:
            over = MemoryState()
            for _, b in self._inflight:
                over.commit(b)
            self._overlay, self._overlay_ids = over, ids
        return self._overlay

    @staticmethod
    def _hashes(stream: str, keys: pd.DataFrame) -> np.ndarray:
        return _key_hashes(keys[key_columns(stream)])

    def _seen(self, stream: str, keys: pd.DataFrame) -> np.ndarray:
        return self._known_hash(stream, self._hashes(stream, keys))

    def _known_hash(self, stream: str, h: np.ndarray) -> np.ndarray:
        """Per hash: has this run written a key with that hash?"""
        return self._fresh[stream].contains(h)

    # -- State
    def existing(self, stream: str, keys: pd.DataFrame) -> pd.DataFrame:
        if stream in self._fresh:
            keys = keys[self._seen(stream, keys)]
            if not len(keys):
                return pd.DataFrame(columns=key_columns(stream) + compare_columns(stream))
        over = self.overlay()
        theirs = self.base.existing(stream, keys)
        if over is None:
            return theirs
        mine = over.existing(stream, keys, stubs=False)
        if not len(mine):
            return theirs
        kcols = key_columns(stream)
        if len(theirs):
            theirs = theirs[~_composite(theirs, kcols).isin(_composite(mine, kcols))]
        return pd.concat([f for f in (mine, theirs) if len(f)], ignore_index=True)

    def known_products(self, ids: list[str]) -> set[str]:
        # products are committed (every file drains at its end) and never deleted, so a product
        # found once stays known for the run: look up only the ids not found before
        ask = [i for i in ids if i not in self._products]
        if ask:
            self._products.update(self.base.known_products(ask))
        return {i for i in ids if i in self._products}

    def orders(self, ids: list[str]) -> pd.DataFrame:
        if "returns" not in self._fresh:
            self.drain()  # returned_quantity must include every earlier chunk
            return self.base.orders(ids)
        found = self.base.orders(ids)  # orders are committed: every file drains at its end
        if len(found):
            found = found.assign(returned_quantity=[self._returned.get(o, 0.0) for o in found["order_id"]])
            self._order_nodes.update(zip(found["order_id"], found["order_node"]))
        return found

    def pending_values(self, stream: str, keys: list[str]) -> dict[str, dict]:
        over = self.overlay()
        out = self.base.pending_values(stream, keys)
        if over is not None:
            out.update(over.pending_values(stream, keys))
        return out

    def may_have_pending(self, stream: str) -> bool:
        return self.base.may_have_pending(stream)  # in-flight pending rows set it when prepared

    def list_pending(self, stream: str) -> list[dict]:
        self.drain()
        return self.base.list_pending(stream)

    def commit(self, batch: Batch, *, resolved: Iterable[str] = (), write_pending: bool = True) -> None:
        self._prune()
        resolved = list(resolved)
        loaded = batch.written()
        new = None
        if batch.stream in self._fresh and loaded.any():
            # a loaded key of a fresh stream whose hash this run has not written is certainly not
            # in the graph: CREATE it (a hash hit, i.e. a collision, keeps MERGE)
            h = self._hashes(batch.stream, key_frame(batch, loaded))
            new = np.zeros(len(batch), dtype=bool)
            new[np.flatnonzero(loaded)] = ~self._known_hash(batch.stream, h)
            self._fresh[batch.stream].add(h)
        returned = order_nodes = None
        if batch.stream == "returns" and loaded.any():
            t = batch.typed.loc[loaded]
            for oid, q in zip(t["order_id"], t["quantity"]):
                self._returned[oid] = self._returned.get(oid, 0.0) + float(q)
            if "returns" in self._fresh:  # all of these orders' returns are this run's
                ids = set(t["order_id"])
                returned = {o: int(self._returned[o]) for o in ids}
                # every loaded return's order was looked up (orders()) when this batch was validated
                order_nodes = {o: self._order_nodes[o] for o in ids}
        if batch.stream == "returns":
            self._order_nodes = {}
        # parameters are built here, on the main thread, while the chunk in flight commits; the
        # writer thread only sends them (Neo4j, not Python, is the bottleneck: keep it busy).
        statements = self.base.prepare(batch, resolved=resolved, write_pending=write_pending, new=new,
                                       returned=returned, order_nodes=order_nodes)
        while len(self._inflight) >= self.depth:  # then wait for room (at most depth chunks in flight)
            fut, _ = self._inflight.pop(0)
            fut.result()
        fut = self._pool.submit(self.base.write, statements)
        self._inflight.append((fut, batch))

    def finish(self, run: dict) -> None:
        self.drain()
        self.base.finish(run)

    def close(self) -> None:
        """Stop the writer thread (after the commits in flight; their errors are not re-raised here)."""
        self._pool.shutdown(wait=True)
        self._inflight = []
