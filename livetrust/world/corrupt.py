"""``--corrupt``: realistic bad rows, each one recorded in ``truth/defects.csv``.

Bad rows are *inserted* next to the clean data (clean rows are never altered), so every
row not listed in defects.csv stays valid and loadable. Each bad row carries exactly one
defect, and its key is chosen so that the outcome is unambiguous:

- a mutated copy of a valid row gets a *fresh* key (a new id from the top of the id
  space, or a timestamp key shifted by seconds) unless the defect is the key itself;
- an exact duplicate (``duplicate``) and a same-key-different-values row
  (``conflicting_key``) copy a valid row and are placed *after* it in the same file,
  so the later row is the one that is a duplicate / quarantined; the conflicting value
  is always a different non-null value;
- ``product_not_yet_loaded``: a purchase (fresh order id) of a product id that exists
  nowhere; it gets no returns;
- ``order_not_yet_loaded``: a return of an order id that exists nowhere;
- ``return_before_purchase`` / ``return_exceeds_quantity``: a return of a valid order of
  the same file set (one with no valid return in this folder) dated before the purchase,
  or asking back more units than the order had on its own.

Row numbers are 1-based among the file's data rows (the header not counted).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..contract import STREAMS, Outcome, Reason

BAD_TIMESTAMPS = ("2026-02-30T10:00:00Z", "2026-13-01T00:00:00Z", "2026-03-01T25:61:00Z", "not-a-date", "2026-04-31T08:15:00Z")
BAD_MONEY = ("12..50", "abc", "1.2.3", "12.5O")
BAD_QUANTITY = ("two", "1.5.0", "3x")

# defect kind -> (reason, expected outcome)
KINDS = {
    "missing_value": (Reason.MISSING_VALUE, Outcome.QUARANTINED),
    "malformed_id": (Reason.MALFORMED_ID, Outcome.QUARANTINED),
    "malformed_timestamp": (Reason.MALFORMED_TIMESTAMP, Outcome.QUARANTINED),
    "malformed_number": (Reason.MALFORMED_NUMBER, Outcome.QUARANTINED),
    "negative_amount": (Reason.NEGATIVE_AMOUNT, Outcome.QUARANTINED),
    "zero_quantity": (Reason.ZERO_QUANTITY, Outcome.QUARANTINED),
    "duplicate_row": (Reason.DUPLICATE, Outcome.DUPLICATE),
    "conflicting_key": (Reason.CONFLICTING_KEY, Outcome.QUARANTINED),
    "unknown_product": (Reason.PRODUCT_NOT_YET_LOADED, Outcome.PENDING),
    "unknown_order": (Reason.ORDER_NOT_YET_LOADED, Outcome.PENDING),
    "return_before_purchase": (Reason.RETURN_BEFORE_PURCHASE, Outcome.QUARANTINED),
    "return_exceeds_quantity": (Reason.RETURN_EXCEEDS_QUANTITY, Outcome.QUARANTINED),
}

# which defects each stream gets (the columns they touch)
STREAM_KINDS = {
    "factories": ("missing_value", "malformed_id", "duplicate_row", "conflicting_key"),
    "streamers": ("missing_value", "malformed_id", "duplicate_row", "conflicting_key"),
    "products": ("missing_value", "malformed_id", "negative_amount", "malformed_number", "duplicate_row", "conflicting_key"),
    "consumers": ("missing_value", "malformed_id", "malformed_timestamp", "duplicate_row", "conflicting_key"),
    "follows": ("missing_value", "malformed_id", "malformed_timestamp", "duplicate_row", "conflicting_key"),
    "purchases": ("missing_value", "malformed_id", "malformed_timestamp", "malformed_number", "negative_amount",
                  "zero_quantity", "duplicate_row", "conflicting_key", "unknown_product"),
    "returns": ("missing_value", "malformed_id", "malformed_timestamp", "malformed_number", "zero_quantity",
                "duplicate_row", "conflicting_key", "unknown_order", "return_before_purchase", "return_exceeds_quantity"),
}
ID_PREFIX = {"factories": "factory", "streamers": "streamer", "products": "product", "consumers": "consumer", "purchases": "order"}
CONFLICT_COLUMN = {"factories": "region", "streamers": "category", "products": "price", "consumers": "region",
                   "follows": "unfollowed_at", "purchases": "amount", "returns": "reason"}
SHIFT_KEY = {"follows": "followed_at", "returns": "returned_at"}


@dataclass
class Defect:
    stream: str
    file: str
    row: int
    key: str
    defect: str
    expected_outcome: str
    reason: str


class FreshIds:
    """Ids that exist nowhere in the world: counted down from the top of each id space."""

    PREFIX = {"factory": "f", "streamer": "s", "product": "p", "consumer": "c", "order": "o"}

    def __init__(self, widths: dict[str, int]):
        self.widths = widths
        self.next = {k: 10 ** w - 1 for k, w in widths.items()}

    def take(self, kind: str) -> str:
        n = self.next[kind]
        self.next[kind] = n - 1
        return f"{self.PREFIX[kind]}{n:0{self.widths[kind]}d}"

    def lowest(self, kind: str) -> int:
        return self.next[kind] + 1


@dataclass
class OrderRefs:
    """Valid purchases of the file set a returns file belongs to."""

    order_id: np.ndarray  # object (str)
    at: np.ndarray  # epoch seconds
    quantity: np.ndarray
    has_return: np.ndarray  # bool


def _parse_ts(s: str) -> int:
    return int(dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc).timestamp())


def _fmt_ts(t: int) -> str:
    return dt.datetime.fromtimestamp(int(t), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _long_id(value: str, rng: np.random.Generator) -> str:
    value = value or "x"
    n = int(rng.integers(129, 201))
    return (value * (n // len(value) + 1))[:n]


def _money_add(value: str, cents: int) -> str:
    whole, frac = value.split(".")
    total = int(whole) * 100 + int(frac) + cents
    return f"{total // 100}.{total % 100:02d}"


def corrupt_table(table: pa.Table, stream: str, rate: float, rng: np.random.Generator, fresh: FreshIds,
                  file_format: str, file: str, refs: OrderRefs | None = None) -> tuple[pa.Table, list[Defect]]:
    """Insert bad rows into ``table`` (all-string columns); return the new table and its defects."""
    n = table.num_rows
    if rate <= 0 or n == 0:
        return table, []
    spec = STREAMS[stream]
    kinds = [k for k in STREAM_KINDS[stream] if not (k == "malformed_number" and file_format == "parquet")]
    n_bad = int(np.floor(rate * n + rng.random()))
    if n_bad == 0:
        return table, []
    chosen = rng.choice(len(kinds), n_bad)
    required = spec.required
    id_cols = spec.of_kind("id")
    ts_cols = spec.of_kind("timestamp")
    conflict_col = CONFLICT_COLUMN[stream]

    # originals for duplicate / conflict: distinct valid rows (conflict needs a non-null value to change)
    conflict_ok = np.asarray(pc_is_valid(table.column(conflict_col)))
    n_dup = int(np.sum([kinds[c] == "duplicate_row" for c in chosen]))
    n_con = int(np.sum([kinds[c] == "conflicting_key" for c in chosen]))
    pool = rng.permutation(n)
    dup_orig = pool[:n_dup]
    rest = pool[n_dup:]
    con_orig = rest[conflict_ok[rest]][:n_con]

    rows: list[dict] = []
    after: list[int] = []  # original position the bad row must follow, or -1
    labels: list[str] = []
    di = ci = 0
    others = rng.integers(0, n, n_bad)
    needs_rows = np.concatenate([dup_orig, con_orig, others]).astype(np.int64)
    src = table.take(pa.array(needs_rows)).to_pylist()
    src_dup = src[:len(dup_orig)]
    src_con = src[len(dup_orig):len(dup_orig) + len(con_orig)]
    src_other = src[len(dup_orig) + len(con_orig):]

    # orders a before-purchase / exceeding return may use (each at most once)
    free = list(rng.permutation(np.flatnonzero(~refs.has_return))) if refs is not None else []
    for b, c in enumerate(chosen):
        kind = kinds[c]
        if kind == "duplicate_row":
            rows.append(dict(src_dup[di]))
            after.append(int(dup_orig[di]))
            di += 1
            labels.append(kind)
            continue
        if kind == "conflicting_key":
            if ci >= len(con_orig):
                continue
            row = dict(src_con[ci])
            v = row[conflict_col]
            if stream == "follows":
                row[conflict_col] = _fmt_ts(_parse_ts(v) + int(rng.integers(1, 4)) * 86_400)
            elif conflict_col in ("price", "amount"):
                row[conflict_col] = _money_add(v, int(rng.integers(100, 2001)))
            elif stream == "returns":
                row[conflict_col] = "changed_mind" if v != "changed_mind" else "defective"
            elif stream == "streamers":
                row[conflict_col] = "fashion" if v != "fashion" else "beauty"
            else:  # region
                row[conflict_col] = "east" if v != "east" else "west"
            rows.append(row)
            after.append(int(con_orig[ci]))
            ci += 1
            labels.append(kind)
            continue
        row = dict(src_other[b])
        touched: str | None = None
        if kind == "missing_value":
            touched = required[int(rng.integers(0, len(required)))]
            row[touched] = None
        elif kind == "malformed_id":
            touched = id_cols[int(rng.integers(0, len(id_cols)))]
            row[touched] = _long_id(row[touched], rng)
        elif kind == "malformed_timestamp":
            touched = ts_cols[0] if len(ts_cols) == 1 or rng.random() < 0.7 else ts_cols[1]
            row[touched] = BAD_TIMESTAMPS[int(rng.integers(0, len(BAD_TIMESTAMPS)))]
        elif kind == "malformed_number":
            touched = "price" if stream == "products" else ("quantity" if stream == "returns" or rng.random() < 0.5 else "amount")
            pool_ = BAD_QUANTITY if touched == "quantity" else BAD_MONEY
            row[touched] = pool_[int(rng.integers(0, len(pool_)))]
        elif kind == "negative_amount":
            touched = "price" if stream == "products" else "amount"
            row[touched] = "-" + row[touched]
        elif kind == "zero_quantity":
            touched = "quantity"
            row[touched] = "0"
        elif kind == "unknown_product":
            touched = "order_id"
            row["order_id"] = fresh.take("order")
            row["product_id"] = fresh.take("product")
        elif kind == "unknown_order":
            touched = "order_id"
            row["order_id"] = fresh.take("order")
        elif kind in ("return_before_purchase", "return_exceeds_quantity"):
            if not free:
                continue
            j = int(free.pop())
            touched = "order_id"
            row = {"order_id": str(refs.order_id[j]), "reason": None}
            if kind == "return_before_purchase":
                row["returned_at"] = _fmt_ts(refs.at[j] - int(rng.integers(3600, 5 * 86_400)))
                row["quantity"] = "1"
            else:
                row["returned_at"] = _fmt_ts(refs.at[j] + int(rng.integers(86_400, 10 * 86_400)))
                row["quantity"] = str(int(refs.quantity[j]) + int(rng.integers(1, 4)))
        # a mutated copy must not share its key with the valid original
        if touched not in spec.key and all(row.get(k) is not None for k in spec.key):
            if stream in ID_PREFIX:
                row[spec.key[0]] = fresh.take(ID_PREFIX[stream])
            elif stream in SHIFT_KEY and kind not in ("return_before_purchase", "return_exceeds_quantity"):
                col = SHIFT_KEY[stream]
                row[col] = _fmt_ts(_parse_ts(row[col]) + int(rng.integers(1, 3600)))
        rows.append(row)
        after.append(-1)
        labels.append(kind)

    if not rows:
        return table, []
    m = len(rows)
    after_arr = np.asarray(after, dtype=np.int64)
    # position: insert after original row index `slot` (slot -1 = before the first row)
    slot = np.where(after_arr >= 0, after_arr + (rng.random(m) * (n - after_arr)).astype(np.int64),
                    rng.integers(-1, n, m))
    keys = np.concatenate([np.arange(n, dtype=np.float64), slot + 0.5])
    tie = np.concatenate([np.zeros(n), rng.random(m)])
    order = np.lexsort((tie, keys))
    bad = pa.Table.from_pylist(rows, schema=table.schema)
    out = pa.concat_tables([table, bad]).take(pa.array(order))
    final_pos = np.empty(n + m, dtype=np.int64)
    final_pos[order] = np.arange(n + m)
    defects = []
    for i, (row, kind) in enumerate(zip(rows, labels)):
        reason, outcome = KINDS[kind]
        key = "|".join("" if row.get(k) is None else str(row[k]) for k in spec.key)
        defects.append(Defect(stream, file, int(final_pos[n + i]) + 1, key, kind, outcome, reason))
    return out, defects


def pc_is_valid(col) -> np.ndarray:
    return np.asarray(col.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
