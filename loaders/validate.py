"""Validation at the boundary: every row of a chunk ends in exactly one outcome.

Two steps, both vectorised over a chunk:

1. :func:`check_fields` -- values alone: required values, id format, ISO-8601 timestamps,
   numbers, negative amounts, zero quantities (quarantined), and the typed values.
2. :func:`classify` -- values against the state (Neo4j, or memory in embedded mode):
   the same key again in this chunk or already stored (duplicate / conflicting_key),
   purchases of unknown products and returns of unknown orders (pending), returns before
   their purchase or beyond its quantity (quarantined). The rest is loaded.

Every row gets the outcome it would get if rows were judged one at a time, in arrival order
(files in load order, rows in file order), against what the rows before it left kept (loaded
or pending); quarantined rows keep nothing. So outcomes do not depend on how rows are cut
into chunks (``load`` and embedded mode use different chunk sizes), and:

- of two rows with one key the later one is the duplicate or the conflict, unless the kept one
  has no values at all (a bare node, an open follow): then the later row gives it its values;
- a row whose key is pending with other values is a conflict; a pending row repeated while it
  still waits is a duplicate;
- returns of one order use up the order's quantity in arrival order; a return quarantined for
  its quantity does not hold its key, so the same key again with a quantity that fits loads.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..contract import MAX_ID_LENGTH, STREAMS, Outcome, Reason
from .readers import UNNAMED_COLUMN, Chunk

if TYPE_CHECKING:  # pragma: no cover
    from .state import State

# Properties the graph model computes itself; an input column of that name is ignored.
RESERVED = {"purchases": {"returned_quantity", "first_returned_at"}}
LINE_COLUMN = "_line"  # raw text of a row the parser could not split into fields

# Patterns are anchored RE2/Python regexes (run by Arrow, see _fullmatch). Digits are [0-9], not
# \d: \d also matches full-width and other Unicode digits, which pd.to_numeric cannot parse.
_MONEY = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$"
_QUANTITY = r"^[+-]?[0-9]+(?:\.0*)?$"
# Quantities travel as float64 (typed frame, comparisons, the Neo4j write's int(x)): above 2^53 a
# value would be rounded silently. That is stricter than int64, which alone is not enough:
# 2^63-1 as float64 is 2^63 and no longer fits Neo4j's int64.
_MAX_QUANTITY = 2**53 - 1
# ISO-8601 calendar dates, extended (2026-01-01T05:30:00.5+08:00) or basic (20260101T053000Z),
# reduced precision allowed (2026-01, 2026-01-01T05); an offset only after a time; the offset may
# be written +0800 (Arrow's %z, which the Parquet reader uses) or +08:00 or +08. pandas'
# format="ISO8601" alone is lenient (it takes 2026/01/01, 2026 01 01, 2026-1-1T5:30), hence this.
# The extended form also takes a space for the "T" (RFC 3339 allows it; pandas' to_csv and many
# databases export timestamps that way, and they loaded before this check).
_OFFSET = r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)"
_TIMESTAMP = (r"^(?:[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2}(?:[T ][0-9]{2}(?::[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
              + _OFFSET + r"?)?)?)?"
              r"|[0-9]{8}(?:T[0-9]{2}(?:[0-9]{2}(?:[0-9]{2}(?:\.[0-9]+)?)?)?" + _OFFSET + r"?)?)$")
_TS_MIN, _TS_MAX = pd.Timestamp.min.tz_localize("UTC"), pd.Timestamp.max.tz_localize("UTC")
# An event cannot happen after its export: a time later than the validation's clock (with a day for
# clocks and time zones set wrong) is quarantined. One purchase dated 2099 would otherwise become
# the graph's as_of and decay every trust score to nothing.
FUTURE_TOLERANCE = pd.Timedelta(days=1)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NA_INT = np.iinfo(np.int64).min


def key_columns(stream: str) -> list[str]:
    return list(STREAMS[stream].key)


def compare_columns(stream: str) -> list[str]:
    """The columns whose values must match for a repeated key to be a duplicate."""
    spec = STREAMS[stream]
    return [c for c in spec.column_names if c not in spec.key]


def kind_of(stream: str, column: str) -> str:
    for c in STREAMS[stream].columns:
        if c.name == column:
            return c.kind
    raise KeyError(column)


@dataclass
class Batch:
    """Rows of one stream on their way through validation (index 0..n-1, in file order)."""

    stream: str
    file: np.ndarray  # object: source file of each row (relative path)
    row: np.ndarray  # int64: 1-based data-row number in that file
    raw: pd.DataFrame  # the values as read (strings), contract columns first, then extras
    typed: pd.DataFrame | None = None  # contract columns, typed; set by check_fields
    extras: list[str] = field(default_factory=list)
    outcome: np.ndarray = None  # object: Outcome.* or None while undecided
    reason: np.ndarray = None
    detail: np.ndarray = None
    # loaded rows that give values to a stored key that had none (the store replaces its row)
    fills: np.ndarray = None
    # loaded rows that a later row of this batch with the same key fills in turn (not written)
    superseded: np.ndarray = None

    def __post_init__(self) -> None:
        n = len(self.raw)
        if self.outcome is None:
            self.outcome = np.full(n, None, dtype=object)
            self.reason = np.full(n, None, dtype=object)
            self.detail = np.full(n, None, dtype=object)
        if self.fills is None:
            self.fills = np.zeros(n, dtype=bool)
            self.superseded = np.zeros(n, dtype=bool)

    def __len__(self) -> int:
        return len(self.raw)

    @property
    def undecided(self) -> np.ndarray:
        return np.equal(self.outcome, None)

    def decide(self, mask: np.ndarray, outcome: str, reason: str | None, detail) -> None:
        """Set the outcome of rows in ``mask`` that have none yet; ``detail`` is a str or per-row array."""
        mask = np.asarray(mask, dtype=bool) & self.undecided
        if not mask.any():
            return
        self.outcome[mask] = outcome
        self.reason[mask] = reason
        if isinstance(detail, np.ndarray):
            self.detail[mask] = detail[mask]
        else:
            self.detail[mask] = detail

    def mask_of(self, outcome: str) -> np.ndarray:
        return np.equal(self.outcome, outcome)

    def written(self) -> np.ndarray:
        """The loaded rows a store writes: each key once, with the last values this batch gave it."""
        return self.mask_of(Outcome.LOADED) & ~self.superseded

    def values_json(self, i: int) -> str:
        rec = {c: v for c, v in self.raw.iloc[i].items() if v != "" or c in STREAMS[self.stream].column_names}
        return json.dumps(rec, ensure_ascii=False, separators=(",", ":"))


def batch_from_chunk(stream: str, chunk: Chunk) -> Batch:
    """A Batch of a reader chunk; rows the parser could not split are quarantined at once."""
    spec = STREAMS[stream]
    raw = chunk.frame
    raw.columns = [str(c).strip() or f"{UNNAMED_COLUMN}{i}" for i, c in enumerate(raw.columns, 1)]
    raw = raw.loc[:, ~raw.columns.duplicated()]
    extras = [c for c in raw.columns if c not in spec.column_names and c not in RESERVED.get(stream, ())
              and not c.startswith("_") and c != ""]
    unnamed = [c for c in raw.columns if c.startswith(UNNAMED_COLUMN)]
    raw = raw.reindex(columns=spec.column_names + extras + unnamed, fill_value="")
    rows = np.asarray(chunk.rows, dtype=np.int64)
    files = np.full(len(raw), chunk.file, dtype=object)
    n_bad = len(chunk.malformed)
    if n_bad:
        bad = pd.DataFrame({c: [""] * n_bad for c in raw.columns}, dtype=object)
        bad[LINE_COLUMN] = [text for _, text in chunk.malformed]
        raw = pd.concat([raw.assign(**{LINE_COLUMN: ""}), bad], ignore_index=True)
        rows = np.concatenate([rows, np.asarray([r for r, _ in chunk.malformed], dtype=np.int64)])
        files = np.concatenate([files, np.full(n_bad, chunk.file, dtype=object)])
        order = np.argsort(rows, kind="stable")
        raw, rows, files = raw.iloc[order].reset_index(drop=True), rows[order], files[order]
    batch = Batch(stream, files, rows, raw, extras=extras)
    if n_bad:
        bad_mask = (raw[LINE_COLUMN] != "").to_numpy()
        unsplit = "the line does not split into the header's fields"
        detail = np.asarray([chunk.why.get(int(r), unsplit) for r in rows], dtype=object)
        batch.decide(bad_mask, Outcome.QUARANTINED, Reason.MALFORMED_ROW, detail)
    _quarantine_unnamed_values(batch)
    return batch


def _quarantine_unnamed_values(batch: Batch) -> None:
    """A value under a header column without a name (``...,registered_at,`` then ``...,vip``) has no
    property to go to: the row is quarantined rather than loaded without it."""
    unnamed = [c for c in batch.raw.columns if c.startswith(UNNAMED_COLUMN)]
    if not unnamed:
        return
    values = batch.raw[unnamed].to_numpy(dtype=object)
    given = values != ""
    rows = given.any(axis=1)
    if rows.any():
        detail = np.full(len(batch), None, dtype=object)
        for i in np.flatnonzero(rows):
            j = int(np.argmax(given[i]))
            detail[i] = (f"{_short(values[i, j])!s} under column {unnamed[j][len(UNNAMED_COLUMN):]}, which the "
                         f"header does not name")
        batch.decide(rows, Outcome.QUARANTINED, Reason.MALFORMED_ROW, detail)


# ---------------------------------------------------------------------------- step 1


def check_fields(batch: Batch) -> Batch:
    """Parse and check values alone; fill ``batch.typed`` and quarantine what is invalid."""
    spec = STREAMS[batch.stream]
    n = len(batch)
    typed: dict[str, object] = {}
    problems: list[tuple[int, str, np.ndarray, np.ndarray]] = []  # (precedence, reason, mask, detail)
    precedence = {Reason.MISSING_VALUE: 0, Reason.MALFORMED_ID: 1, Reason.MALFORMED_TIMESTAMP: 2,
                  Reason.FUTURE_TIMESTAMP: 2, Reason.MALFORMED_NUMBER: 3, Reason.NEGATIVE_AMOUNT: 4,
                  Reason.ZERO_QUANTITY: 5, Reason.UNFOLLOW_BEFORE_FOLLOW: 6}
    latest = pd.Timestamp.now(tz="UTC") + FUTURE_TOLERANCE

    def problem(reason: str, mask: np.ndarray, column: str, values: pd.Series, what: str) -> None:
        if mask.any():
            detail = np.full(n, None, dtype=object)
            detail[mask] = [f"{column}: {what} ({_short(v)!s})" if what else f"{column} is empty"
                            for v in values[mask]]
            problems.append((precedence[reason], reason, mask, detail))

    for col in spec.columns:
        s = batch.raw[col.name].astype(object)
        stripped = pd.Series(_strip(s.to_numpy(dtype=object)), index=s.index, dtype=object)
        empty = (stripped == "").to_numpy()
        if col.required:
            problem(Reason.MISSING_VALUE, empty, col.name, s, "")
        if col.kind == "id":
            bad = ~empty & _malformed_ids(stripped)
            problem(Reason.MALFORMED_ID, bad, col.name, stripped,
                    f"an id is at most {MAX_ID_LENGTH} characters without control characters")
            typed[col.name] = stripped.where(~empty, None).to_numpy(dtype=object)
        elif col.kind == "text":
            typed[col.name] = stripped.where(~empty, None).to_numpy(dtype=object)
        elif col.kind == "timestamp":
            parsed, malformed, out_of_range = check_timestamps(stripped)
            problem(Reason.MALFORMED_TIMESTAMP, ~empty & malformed, col.name, stripped, "not an ISO-8601 timestamp")
            problem(Reason.MALFORMED_TIMESTAMP, out_of_range, col.name, stripped,
                    "out of the supported range 1677-09-21..2262-04-11")
            future = (parsed > latest).to_numpy(dtype=bool, na_value=False)
            problem(Reason.FUTURE_TIMESTAMP, future, col.name, stripped,
                    f"later than this validation's clock ({latest - FUTURE_TOLERANCE:%Y-%m-%dT%H:%MZ}) plus a day")
            typed[col.name] = parsed.where(~future)
        elif col.kind == "money":
            ok, values = parse_numbers(stripped, _MONEY)
            problem(Reason.MALFORMED_NUMBER, ~empty & ~ok, col.name, stripped, "not a decimal number")
            neg = ok & (values < 0)
            problem(Reason.NEGATIVE_AMOUNT, neg, col.name, stripped, "negative")
            typed[col.name] = values
        elif col.kind == "quantity":
            ok, values = parse_numbers(stripped, _QUANTITY)
            problem(Reason.MALFORMED_NUMBER, (~empty & ~ok) | (ok & (values < 0)), col.name, stripped,
                    "not a positive whole number")
            huge = ok & (np.abs(values) > _MAX_QUANTITY)
            problem(Reason.MALFORMED_NUMBER, huge, col.name, stripped, f"larger than {_MAX_QUANTITY}")
            zero = ok & (values == 0)
            problem(Reason.ZERO_QUANTITY, zero, col.name, stripped, "zero")
            typed[col.name] = values
        else:  # pragma: no cover - contract kinds are fixed
            raise ValueError(col.kind)
    batch.typed = pd.DataFrame(typed)
    if batch.stream == "follows":
        _unfollow_before_follow(batch.typed, problems, precedence[Reason.UNFOLLOW_BEFORE_FOLLOW])
    for _, reason, mask, detail in sorted(problems, key=lambda p: p[0]):
        batch.decide(mask, Outcome.QUARANTINED, reason, detail)
    return batch


def _unfollow_before_follow(typed: pd.DataFrame, problems: list, precedence: int) -> None:
    """A follow that ends before it starts: its length, which bonds and paths read, would be negative."""
    start, end = typed["followed_at"], typed["unfollowed_at"]
    mask = (end < start).to_numpy(dtype=bool, na_value=False)
    if mask.any():
        detail = np.full(len(typed), None, dtype=object)
        detail[mask] = [f"unfollowed_at {e:%Y-%m-%dT%H:%M:%SZ} is before followed_at {s:%Y-%m-%dT%H:%M:%SZ}"
                        for s, e in zip(start[mask], end[mask])]
        problems.append((precedence, Reason.UNFOLLOW_BEFORE_FOLLOW, mask, detail))


def _strip(values: np.ndarray) -> np.ndarray:
    """``str.strip`` of each value, ``""`` for a missing one (a list comprehension: 6x pandas ``.str``)."""
    return np.asarray([v.strip() if isinstance(v, str) else "" for v in values.tolist()], dtype=object)


def _malformed_ids(stripped: pd.Series) -> np.ndarray:
    """Per value: longer than MAX_ID_LENGTH characters or holding a control character.

    Vectorised in Arrow (code points, like ``len``); values Arrow cannot encode (lone
    surrogates from JSON escapes) take the pandas path.
    """
    try:
        arr = pa.array(stripped.to_numpy(dtype=object), type=pa.string())
    except (pa.ArrowException, UnicodeError):
        return ((stripped.str.len() > MAX_ID_LENGTH).to_numpy()
                | stripped.str.contains(_CONTROL, regex=True).fillna(False).to_numpy(dtype=bool))
    long = pc.greater(pc.utf8_length(arr), MAX_ID_LENGTH)
    control = pc.match_substring_regex(arr, _CONTROL.pattern)
    return pc.or_(long, control).to_numpy(zero_copy_only=False).astype(bool)


def _fullmatch(stripped: pd.Series, pattern: str) -> np.ndarray:
    """Per value: does the anchored ``pattern`` match it? Arrow's RE2 (several times pandas ``.str``
    on object strings); values Arrow cannot encode (lone surrogates from JSON escapes) take pandas."""
    try:
        arr = pa.array(stripped.to_numpy(dtype=object), type=pa.string())
    except (pa.ArrowException, UnicodeError):
        return stripped.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
    return pc.match_substring_regex(arr, pattern).to_numpy(zero_copy_only=False).astype(bool)


def parse_numbers(stripped: pd.Series, pattern: str) -> tuple[np.ndarray, np.ndarray]:
    """(ok, float64 values): ok = matches ``pattern`` and parses to a finite number; others NaN.

    The pattern decides the syntax; the finiteness check makes sure nothing it let through
    becomes NaN or inf unnoticed (a digit string too long for float64 is inf).
    """
    ok = _fullmatch(stripped, pattern)
    values = pd.to_numeric(stripped.where(ok, None), errors="coerce").to_numpy(dtype="float64", copy=True)
    ok = ok & np.isfinite(values)
    values[~ok] = np.nan
    return ok, values


def check_timestamps(values: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """(parsed, malformed, out_of_range) of stripped strings (``""`` = missing, neither).

    ``parsed`` is ``datetime64[ns, UTC]`` (no offset means UTC), NaT where missing or bad.
    pandas parses at the unit the strings need (s or us unless a fraction has 7+ digits), so
    years beyond 1677-2262 parse at first and would fail (OutOfBoundsDatetime) in the cast to
    ns: they are taken out before it.
    """
    if len(values) == 0:
        return pd.Series(pd.to_datetime([], utc=True)).dt.as_unit("ns"), np.zeros(0, bool), np.zeros(0, bool)
    ok = _fullmatch(values, _TIMESTAMP)
    out = pd.Series(pd.to_datetime(values.where(ok, None), format="ISO8601", errors="coerce", utc=True))
    out = out.reset_index(drop=True)
    nat = out.isna().to_numpy()
    out_of_range = _beyond_ns(out) | _unparsed_beyond_ns(values, ok & nat)
    if out_of_range.any():
        out = out.where(~out_of_range)
    return out.dt.as_unit("ns"), ~ok | (nat & ~out_of_range), out_of_range


def _beyond_ns(parsed: pd.Series) -> np.ndarray:
    """Per parsed value: outside what ``datetime64[ns]`` holds? Compared as integers in the
    parsed unit (a pandas comparison of tz-aware series costs more than the parse check itself)."""
    per_unit = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}[parsed.dt.unit]
    i8 = parsed.array.asi8  # NaT is int64 min: excluded explicitly
    lo, hi = -(-_TS_MIN.value // per_unit), _TS_MAX.value // per_unit  # ceil / floor in that unit
    return (i8 != _NA_INT) & ((i8 < lo) | (i8 > hi))


def _unparsed_beyond_ns(values: pd.Series, unparsed: np.ndarray) -> np.ndarray:
    """Well-formed values pandas could not parse whose year is beyond 1677-2262: out of range.

    A column with a fraction of 7+ digits is parsed at ns, and then pandas coerces an
    out-of-range value to NaT instead of parsing it.
    """
    out = np.zeros(len(values), dtype=bool)
    rows = np.flatnonzero(unparsed)  # few: only those rows' years are read
    if len(rows):
        year = pd.to_numeric(values.iloc[rows].str.slice(0, 4)).to_numpy()  # 4 digits: the pattern
        out[rows[(year <= 1677) | (year >= 2262)]] = True
    return out


def _short(v: object, limit: int = 40) -> str:
    text = repr(v) if isinstance(v, str) else str(v)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---------------------------------------------------------------- typed helpers


def comparable(frame: pd.DataFrame, stream: str, columns: list[str]) -> dict[str, np.ndarray]:
    """Columns as arrays that compare exactly: ids/text object (None), times int64 ns, numbers float."""
    out = {}
    for c in columns:
        kind = kind_of(stream, c)
        s = frame[c]
        if kind == "timestamp":
            out[c] = ns_of(s)
        elif kind in ("money", "quantity"):
            out[c] = pd.to_numeric(s, errors="coerce").astype("float64").to_numpy()
        else:
            out[c] = np.asarray(s.to_numpy(dtype=object), dtype=object)
    return out


def ns_of(s: pd.Series) -> np.ndarray:
    """Timestamps (datetime64 or epoch-ns integers with None) -> int64 ns, missing = int64 min."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        vals = s.dt.tz_convert("UTC").dt.as_unit("ns") if getattr(s.dt, "tz", None) is not None else s.dt.as_unit("ns")
        arr = vals.to_numpy(dtype="datetime64[ns]").view(np.int64).copy()
        arr[vals.isna().to_numpy()] = _NA_INT
        return arr
    obj = s.to_numpy(dtype=object)
    return np.asarray([_ns_one(v) for v in obj], dtype=np.int64)


def _ns_one(v: object) -> int:
    if v is None or v is pd.NaT or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return _NA_INT
    if isinstance(v, (pd.Timestamp, dt.datetime, np.datetime64)):
        ts = pd.Timestamp(v)
        ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts
        return int(ts.as_unit("ns").value)
    return int(v)


def equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise equality where missing equals missing."""
    if a.dtype == np.float64 or b.dtype == np.float64:
        a = a.astype("float64")
        b = b.astype("float64")
        return (a == b) | (np.isnan(a) & np.isnan(b))
    if a.dtype == np.int64 and b.dtype == np.int64:
        return a == b
    na_a, na_b = pd.isna(a), pd.isna(b)
    a = np.where(na_a, "", a).astype(object)
    b = np.where(na_b, "", b).astype(object)
    return np.where(na_a | na_b, na_a & na_b, np.equal(a, b).astype(bool))


def iso_strings(s: pd.Series, *, each: bool = False) -> list[str | None]:
    """Canonical UTC ISO-8601 (``...Z``) of datetime values; seconds unless finer is needed, for the
    whole series, or with ``each`` for every value on its own (a key's text must not depend on the
    other rows of its chunk)."""
    if len(s) == 0:
        return []
    arr = s.dt.tz_convert("UTC").dt.as_unit("ns").dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    na = np.isnat(arr)
    fine = ~na & (arr.view(np.int64) % 1_000_000_000 != 0)
    if not each:
        fine = ~na if fine.any() else fine
    text = np.full(len(arr), None, dtype=object)
    # only the present values are formatted (most unfollowed_at are missing)
    for mask, unit in ((~na & ~fine, "s"), (fine, "ns")):
        if mask.any():
            text[mask] = np.datetime_as_string(arr[mask], unit=unit, timezone="UTC")  # "...Z"
    return text.tolist()


def key_frame(batch: Batch, mask: np.ndarray | None = None) -> pd.DataFrame:
    """Key columns of (some) rows, timestamps as int64 ns: what merges and lookups use."""
    cols = key_columns(batch.stream)
    t = batch.typed if mask is None else batch.typed[mask]
    data = {}
    for c in cols:
        data[c] = ns_of(t[c]) if kind_of(batch.stream, c) == "timestamp" else t[c].to_numpy(dtype=object)
    return pd.DataFrame(data, index=t.index)


def pending_key(stream: str, typed: pd.DataFrame) -> list[str]:
    """The stable text key of rows: the id, or a JSON list for composite keys (times canonical)."""
    cols = key_columns(stream)
    if len(cols) == 1:
        return typed[cols[0]].tolist()
    # each time formatted on its own: iso_strings picks one precision for a whole series, so a key's text
    # would depend on the other rows of its chunk (a fraction of a second anywhere in it)
    parts = [iso_strings(typed[c], each=True) if kind_of(stream, c) == "timestamp" else typed[c].tolist() for c in cols]
    return [json.dumps(list(p), ensure_ascii=False, separators=(",", ":")) for p in zip(*parts)]


# ---------------------------------------------------------------------------- step 2


def classify(batch: Batch, state: "State", *, from_pending: bool = False) -> Batch:
    """Decide every row that passed :func:`check_fields`; see the module docstring.

    ``from_pending`` marks rows retried from the pending store (they are not checked
    against the pending store itself).
    """
    stream = batch.stream
    _against_stored(batch, state)  # first: a repeat of a conflicting row is a conflict too
    pending = None if from_pending else _pending_of(batch, state)
    if pending is not None:
        _covered_by_pending(batch, pending)
    if stream == "returns":
        _returns_in_arrival_order(batch, state, pending)
    else:
        if pending is not None:
            _conflicts_with_pending(batch, pending)
        _dedup_within(batch)
        if stream == "purchases":
            _purchases_need_products(batch, state)
        if pending is not None:
            _repeats_of_pending(batch, pending)
    batch.decide(batch.undecided, Outcome.LOADED, None, None)
    return batch


def _missing(stream: str, frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Per row: are all these columns empty (no value at all)?"""
    if not columns:
        return np.zeros(len(frame), dtype=bool)
    vals = comparable(frame, stream, columns)
    return np.logical_and.reduce([_empty(vals[c]) for c in columns])


def _empty(v: np.ndarray) -> np.ndarray:
    """Per value of a :func:`comparable` array: no value at all?"""
    if v.dtype == np.int64:
        return v == _NA_INT
    if v.dtype == np.float64:
        return np.isnan(v)
    return pd.isna(v) | (v == "")


def _dedup_within(batch: Batch) -> None:
    """Later rows with a key seen earlier in the batch: duplicate if same values, else conflict;
    a row that has no values at all (bare) takes the next row's values instead."""
    live = np.flatnonzero(batch.undecided)
    if len(live) < 2:
        return
    keys = key_frame(batch).iloc[live]
    group = keys.groupby(list(keys.columns), sort=False, dropna=False).ngroup().to_numpy()
    first = pd.Series(live).groupby(group).transform("min").to_numpy()
    later = first != live
    if not later.any():
        return
    stream = batch.stream
    rows, firsts = live[later], first[later]
    bare_first = _missing(stream, batch.typed.iloc[firsts], compare_columns(stream))
    if bare_first.any():
        _fill_bare(batch, rows[bare_first], firsts[bare_first])
        rows, firsts = rows[~bare_first], firsts[~bare_first]
    if not len(rows):
        return
    _decide_repeats(batch, rows, firsts, *_same_values(batch, batch.typed.iloc[rows], batch.typed.iloc[firsts],
                                                       lenient_quantity=False))


def _decide_repeats(batch: Batch, rows: np.ndarray, earlier: np.ndarray, same: np.ndarray, differing,
                    covered: np.ndarray) -> None:
    """``rows`` repeat the key of the kept row ``earlier`` of this batch: duplicate or conflict."""
    dup = np.zeros(len(batch), dtype=bool)
    dup[rows[same]] = True
    batch.decide(dup, Outcome.DUPLICATE, Reason.DUPLICATE, "same row as an earlier row of this load")
    if covered.any():
        dup = np.zeros(len(batch), dtype=bool)
        dup[rows[covered]] = True
        detail = np.full(len(batch), None, dtype=object)
        for r, f, cols in zip(rows[covered], earlier[covered], [d for d, c in zip(differing, covered) if c]):
            detail[r] = f"{batch.file[f]} row {batch.row[f]} gave the same values and more ({', '.join(cols)})"
        batch.decide(dup, Outcome.DUPLICATE, Reason.DUPLICATE, detail)
    con = np.zeros(len(batch), dtype=bool)
    detail = np.full(len(batch), None, dtype=object)
    for r, f, cols in zip(rows[~same], earlier[~same], [d for d, s in zip(differing, same) if not s]):
        con[r] = True
        detail[r] = f"key of {batch.file[f]} row {batch.row[f]} again with other {', '.join(cols)}"
    batch.decide(con, Outcome.QUARANTINED, Reason.CONFLICTING_KEY, detail)


def _fill_bare(batch: Batch, rows: np.ndarray, firsts: np.ndarray) -> None:
    """Repeats of keys whose first row in the batch is bare. A key repeated once (an open follow, then
    its end: the usual case) is decided at once: the same values are a duplicate, others fill it;
    keys repeated more often are judged row by row (:func:`_fill_in_order`)."""
    repeats = pd.Series(firsts).map(pd.Series(firsts).value_counts()).to_numpy()
    once = repeats == 1
    r, f = rows[once], firsts[once]
    if len(r):
        same, _, _ = _same_values(batch, batch.typed.iloc[r], batch.typed.iloc[f], lenient_quantity=False)
        n = int(same.sum())
        _decide_repeats(batch, r[same], f[same], np.ones(n, dtype=bool), [[]] * n, np.zeros(n, dtype=bool))
        batch.superseded[f[~same]] = True  # the later row gives the key its values
        _carry_extras(batch, r[~same], f[~same])
    if (~once).any():
        _fill_in_order(batch, rows[~once], firsts[~once])


def _fill_in_order(batch: Batch, rows: np.ndarray, firsts: np.ndarray) -> None:
    """Repeats of keys whose first row in the batch is bare, in row order: a row with other values
    than a bare kept row loads and is kept instead (the bare one is superseded, never written)."""
    stream = batch.stream
    cols = compare_columns(stream)
    kept: dict[int, int] = {}  # first row of the key -> the row the key keeps now
    for r, f in sorted(zip(rows.tolist(), firsts.tolist())):
        k = kept.get(f, f)
        same, differing, covered = _same_values(batch, batch.typed.iloc[[r]], batch.typed.iloc[[k]],
                                                lenient_quantity=False)
        if same[0] or not _missing(stream, batch.typed.iloc[[k]], cols)[0]:
            _decide_repeats(batch, np.asarray([r]), np.asarray([k]), same, differing, covered)
            continue
        batch.superseded[k] = True
        _carry_extras(batch, np.asarray([r]), np.asarray([k]))
        kept[f] = r


def _carry_extras(batch: Batch, fillers: np.ndarray, superseded: np.ndarray) -> None:
    """A row that fills a bare row of its batch keeps the bare row's extra values it leaves empty:
    what the store holds when the two arrive in different batches (Neo4j's ``SET +=``, the memory
    store's :meth:`~loaders.state.MemoryState.commit`), so extras do not depend on chunking."""
    fill_empty(batch.raw, fillers, batch.raw.iloc[superseded], batch.extras)


def fill_empty(frame: pd.DataFrame, at: np.ndarray, source: pd.DataFrame, columns) -> None:
    """Rows ``at`` of ``frame`` take the values of ``source``'s rows (in the same order) in ``columns``
    where they have none (an empty text, a missing value); a column ``frame`` lacks is added when a
    value comes to it."""
    for c in columns:
        old = source[c].to_numpy(dtype=object)
        values = frame[c].to_numpy(dtype=object).copy() if c in frame.columns else np.full(len(frame), "", dtype=object)
        take = _no_text(values[at]) & ~_no_text(old)
        if take.any():
            values[at[take]] = old[take]
            frame[c] = values


def _no_text(values: np.ndarray) -> np.ndarray:
    return np.asarray([not isinstance(v, str) or v == "" for v in values], dtype=bool)


def _same_values(batch: Batch, incoming: pd.DataFrame, stored: pd.DataFrame, *, lenient_quantity: bool):
    """Per row: all compare columns equal? the names of the differing ones; and is the incoming row
    empty wherever it differs (covered: the stored row gives its values and more, so it says nothing
    new: an old export re-sent, an open follow after its end was loaded)?"""
    stream = batch.stream
    cols = compare_columns(stream)
    a = comparable(incoming, stream, cols)
    b = comparable(stored, stream, cols)
    eq = {}
    for c in cols:
        e = equal(a[c], b[c])
        if lenient_quantity and stream == "returns" and c == "quantity":
            e |= np.isnan(a[c])  # an empty quantity ("all remaining") matches the resolved one
        eq[c] = e
    same = np.logical_and.reduce([eq[c] for c in cols]) if cols else np.ones(len(incoming), dtype=bool)
    differing = [[c for c in cols if not eq[c][i]] for i in range(len(incoming))] if not same.all() else [
        [] for _ in range(len(incoming))]
    covered = ~same & np.logical_and.reduce([eq[c] | _empty(a[c]) for c in cols]) if cols else ~same
    return same, differing, covered


def _against_stored(batch: Batch, state: "State") -> None:
    """Rows whose key is already stored: duplicate, fill a bare node, or conflicting_key."""
    live = np.flatnonzero(batch.undecided)
    if not len(live):
        return
    stream = batch.stream
    kcols = key_columns(stream)
    keys = key_frame(batch).iloc[live].reset_index(drop=True)
    stored = state.existing(stream, keys.drop_duplicates())
    if stored is None or not len(stored):
        return
    stored = stored.drop_duplicates(subset=kcols)
    merged = keys.assign(_pos=live).merge(stored, on=kcols, how="inner", suffixes=("", "_stored"))
    if not len(merged):
        return
    rows = merged["_pos"].to_numpy()
    cols = compare_columns(stream)
    stored_vals = merged[cols].reset_index(drop=True)
    same, differing, covered = _same_values(batch, batch.typed.iloc[rows].reset_index(drop=True), stored_vals,
                                            lenient_quantity=True)
    # a node that exists only through events (all attributes empty) takes the values: loaded
    bare = np.logical_and.reduce([stored_vals[c].isna().to_numpy() for c in cols]) if cols else np.zeros(len(rows), bool)
    # a row like the bare stored one but after a row of this batch that fills it repeats the filled
    # node, not the bare one: _dedup_within compares it with the filling row
    after_fill = np.zeros(len(rows), dtype=bool)
    fill_rows = ~same & bare
    if fill_rows.any() and (same & bare).any():
        group = merged.groupby(kcols, sort=False, dropna=False).ngroup().to_numpy()
        first_fill = pd.Series(np.where(fill_rows, rows, np.iinfo(np.int64).max)).groupby(group).transform("min")
        after_fill = same & bare & (rows > first_fill.to_numpy())
    dup = np.zeros(len(batch), dtype=bool)
    dup[rows[same & ~after_fill]] = True
    batch.decide(dup, Outcome.DUPLICATE, Reason.DUPLICATE, "already loaded with the same values")
    covered &= ~bare
    if covered.any():
        dup = np.zeros(len(batch), dtype=bool)
        dup[rows[covered]] = True
        detail = np.full(len(batch), None, dtype=object)
        for i in np.flatnonzero(covered):
            detail[rows[i]] = f"already loaded with these values and more ({', '.join(differing[i])})"
        batch.decide(dup, Outcome.DUPLICATE, Reason.DUPLICATE, detail)
    batch.fills[rows[~same & bare]] = True  # still undecided; they fill the node if they load
    con = np.zeros(len(batch), dtype=bool)
    detail = np.full(len(batch), None, dtype=object)
    for i in np.flatnonzero(~same & ~bare):
        con[rows[i]] = True
        detail[rows[i]] = f"already loaded with other {', '.join(differing[i])}"
    batch.decide(con, Outcome.QUARANTINED, Reason.CONFLICTING_KEY, detail)


def _purchases_need_products(batch: Batch, state: "State") -> None:
    live = batch.undecided
    if not live.any():
        return
    products = batch.typed["product_id"].to_numpy(dtype=object)
    known = state.known_products(sorted(set(products[live])))
    unknown = live & ~pd.Index(products, dtype=object).isin(list(known)) if known else live.copy()
    detail = np.asarray([f"product {p} is not in the catalog yet" for p in products], dtype=object) if unknown.any() else None
    batch.decide(unknown, Outcome.PENDING, Reason.PRODUCT_NOT_YET_LOADED, detail)


def _returns_in_arrival_order(batch: Batch, state: "State", pending: "_Pending | None") -> None:
    """Returns against their orders, one row at a time in arrival order.

    A row whose key an earlier row of the batch keeps is a duplicate or a conflict of it; a key
    pending with other values is a conflict; an order not loaded makes the row pending; a return
    before its purchase, or beyond the units the order has left (stored returns, then this batch's
    accepted ones in row order), is quarantined. An empty quantity takes all remaining units.
    """
    live = np.flatnonzero(batch.undecided)
    if not len(live):
        return
    t = batch.typed
    order_ids = t["order_id"].to_numpy(dtype=object)
    orders = state.orders(sorted(set(order_ids[live])))
    info = orders.set_index("order_id") if len(orders) else pd.DataFrame(
        columns=["quantity", "purchased_at", "returned_quantity"])
    sub = info.reindex(order_ids[live])
    bought = pd.to_numeric(sub["quantity"], errors="coerce").to_numpy(dtype="float64")
    found = ~np.isnan(bought)
    purchased = ns_of(sub["purchased_at"].reset_index(drop=True))
    already = pd.to_numeric(sub["returned_quantity"], errors="coerce").fillna(0).to_numpy(dtype="float64")
    when = ns_of(t["returned_at"].iloc[live].reset_index(drop=True))
    qty = t["quantity"].to_numpy(dtype="float64")
    keys = pending_key("returns", t.iloc[live])
    n = len(batch)
    outcome = np.full(n, None, dtype=object)  # this step's decisions, applied at the end
    detail = np.full(n, None, dtype=object)
    resolved = qty.copy()
    kept: dict[str, int] = {}  # key -> row of this batch that holds it (loaded or pending)
    repeats: list[tuple[int, int]] = []
    used: dict[str, float] = {}
    for j, r in enumerate(live.tolist()):
        key, oid = keys[j], order_ids[r]
        if key in kept:
            repeats.append((r, kept[key]))
            continue
        if pending is not None and pending.differs(r):
            outcome[r] = Reason.CONFLICTING_KEY
            detail[r] = pending.detail(r)
            continue
        if not found[j]:
            outcome[r] = Reason.ORDER_NOT_YET_LOADED
            detail[r] = f"order {oid} is not loaded yet"
            kept[key] = r
            continue
        if when[j] < purchased[j]:
            outcome[r] = Reason.RETURN_BEFORE_PURCHASE
            detail[r] = (f"returned_at {t['returned_at'].iloc[r].isoformat()} is before the purchase at "
                         f"{pd.Timestamp(int(purchased[j]), tz='UTC').isoformat()}")
            continue
        remaining = bought[j] - already[j] - used.get(oid, 0.0)
        want = remaining if np.isnan(qty[r]) else qty[r]
        if want <= 0 or want > remaining:
            outcome[r] = Reason.RETURN_EXCEEDS_QUANTITY
            detail[r] = (f"returns {'all remaining' if np.isnan(qty[r]) else int(qty[r])} of order {oid}: "
                         f"{int(bought[j])} bought, {int(bought[j] - remaining)} already returned")
            continue
        used[oid] = used.get(oid, 0.0) + want
        resolved[r] = want
        kept[key] = r
    for reason, result in ((Reason.CONFLICTING_KEY, Outcome.QUARANTINED),
                           (Reason.ORDER_NOT_YET_LOADED, Outcome.PENDING),
                           (Reason.RETURN_BEFORE_PURCHASE, Outcome.QUARANTINED),
                           (Reason.RETURN_EXCEEDS_QUANTITY, Outcome.QUARANTINED)):
        batch.decide(np.equal(outcome, reason), result, reason, detail)
    t["quantity"] = resolved
    if repeats:
        # a repeat of a loaded return compares with its resolved quantity ("all remaining" matches
        # it, as against a stored return); a repeat of a pending one with the values as sent
        rows, earlier = (np.asarray(a, dtype=np.int64) for a in zip(*repeats))
        loaded = np.equal(batch.outcome[earlier], None)
        for mask, lenient in ((loaded, True), (~loaded, False)):
            if mask.any():
                _decide_repeats(batch, rows[mask], earlier[mask],
                                *_same_values(batch, t.iloc[rows[mask]], t.iloc[earlier[mask]], lenient_quantity=lenient))
    if pending is not None:
        _repeats_of_pending(batch, pending)


class _Pending:
    """The pending store's view of a batch: per undecided row, is its key pending, with the same values?"""

    def __init__(self, batch: Batch, rows: np.ndarray, same: np.ndarray, differing: list[list[str]],
                 covered: np.ndarray) -> None:
        n = len(batch)
        self.listed = np.zeros(n, dtype=bool)
        self.same = np.zeros(n, dtype=bool)
        self.covered = np.zeros(n, dtype=bool)  # the pending row gives the same values and more
        self.listed[rows] = True
        self.same[rows] = same
        self.covered[rows] = covered
        self.other = {int(r): cols for r, cols, ok in zip(rows, differing, same) if not ok}

    def differs(self, row: int) -> bool:
        return self.listed[row] and not self.same[row] and not self.covered[row]

    def detail(self, row: int) -> str:
        return f"already pending with other {', '.join(self.other[row])}"


def _pending_of(batch: Batch, state: "State") -> _Pending | None:
    """Which undecided rows have a key already pending (earlier chunks or loads), and with what values."""
    if batch.stream not in ("purchases", "returns") or not state.may_have_pending(batch.stream):
        return None
    rows = np.flatnonzero(batch.undecided)
    if not len(rows):
        return None
    keys = pending_key(batch.stream, batch.typed.iloc[rows])
    stored = state.pending_values(batch.stream, sorted(set(keys)))
    hit = [i for i, k in enumerate(keys) if k in stored]
    if not hit:
        return None
    other = pd.DataFrame([stored[keys[i]] for i in hit])
    other = other.reindex(columns=batch.raw.columns, fill_value="").fillna("")
    rows = rows[hit]
    shadow = check_fields(Batch(batch.stream, batch.file[rows], batch.row[rows], other.astype(object)))
    incoming = batch.typed.iloc[rows].reset_index(drop=True)
    return _Pending(batch, rows, *_same_values(batch, incoming, shadow.typed.reset_index(drop=True),
                                               lenient_quantity=False))


def _covered_by_pending(batch: Batch, pending: _Pending) -> None:
    """A row the pending one covers says nothing new: a duplicate at once, holding nothing (the
    pending row keeps its key, so later rows of the batch are judged against the pending one)."""
    mask = pending.covered & batch.undecided
    if mask.any():
        detail = np.full(len(batch), None, dtype=object)
        for r in np.flatnonzero(mask):
            detail[r] = f"a row already pending gives the same values and more ({', '.join(pending.other[int(r)])})"
        batch.decide(mask, Outcome.DUPLICATE, Reason.DUPLICATE, detail)


def _conflicts_with_pending(batch: Batch, pending: _Pending) -> None:
    """A row whose key is pending with other values is a conflict, whether it could load or not."""
    mask = pending.listed & ~pending.same & ~pending.covered
    if mask.any():
        detail = np.full(len(batch), None, dtype=object)
        for r in np.flatnonzero(mask):
            detail[r] = pending.detail(int(r))
        batch.decide(mask, Outcome.QUARANTINED, Reason.CONFLICTING_KEY, detail)


def _repeats_of_pending(batch: Batch, pending: _Pending) -> None:
    """A row the pending store already holds, still waiting: a duplicate (its dependency arrived: it loads)."""
    rows = np.flatnonzero(batch.mask_of(Outcome.PENDING) & pending.listed & pending.same)
    if len(rows):
        batch.outcome[rows] = Outcome.DUPLICATE
        batch.reason[rows] = Reason.DUPLICATE
        batch.detail[rows] = "same row as a row already pending"
