"""Rendering and writing contract tables deterministically.

Every stream is rendered to a pyarrow table of *string* columns in the contract's
column order (so injected bad values -- malformed timestamps, garbage numbers -- fit),
then written as:

- ``csv``: UTF-8, header row, no quoting (no generated value contains a comma,
  quote or newline), empty field for a missing value;
- ``jsonl``: one object per line, money and quantities as JSON numbers when they
  parse as numbers, ``null`` for a missing value;
- ``parquet``: ids, text and timestamps as strings (timestamps stay ISO-8601 text),
  money as float64, quantities as int64; fixed writer options, no pandas metadata.

Same input, same bytes.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..contract import STREAMS

EXTENSIONS = {"csv": ".csv", "parquet": ".parquet", "jsonl": ".jsonl"}
_NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"


def id_strings(prefix: str, width: int, nums: np.ndarray) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(pa.array(np.asarray(nums, dtype=np.int64)), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


@functools.lru_cache(maxsize=1)
def _time_of_day() -> pa.Array:
    t = np.arange(86_400)
    return pa.array([f"{h:02d}:{m:02d}:{s:02d}Z" for h, m, s in zip(t // 3600, t // 60 % 60, t % 60)])


def ts_strings(seconds: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """Epoch seconds -> ``YYYY-MM-DDTHH:MM:SSZ``; ``missing`` marks nulls."""
    seconds = np.asarray(seconds, dtype=np.int64)
    if len(seconds) == 0:
        return pa.array([], pa.string())
    day = seconds // 86_400
    d0 = int(day.min())
    nd = int(day.max()) - d0 + 1
    days = pa.array(np.datetime_as_string(np.arange(d0, d0 + nd).astype("datetime64[D]")).astype(object) + "T")
    out = pc.binary_join_element_wise(days.take(pa.array(day - d0)), _time_of_day().take(pa.array(seconds % 86_400)), "")
    if missing is not None and missing.any():
        out = pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), out)
    return out


def money_strings(cents: np.ndarray) -> pa.Array:
    cents = np.asarray(cents, dtype=np.int64)
    whole = pc.cast(pa.array(cents // 100), pa.string())
    frac = pc.utf8_lpad(pc.cast(pa.array(cents % 100), pa.string()), 2, "0")
    return pc.binary_join_element_wise(whole, frac, ".")


def int_strings(values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    out = pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())
    if missing is not None and missing.any():
        out = pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), out)
    return out


def text_strings(values) -> pa.Array:
    return pa.array(values, pa.string())


def make_table(stream: str, columns: dict[str, pa.Array]) -> pa.Table:
    names = STREAMS[stream].column_names
    return pa.table({c: columns[c] for c in names}, schema=pa.schema([(c, pa.string()) for c in names]))


def stream_path(root: Path, stream: str, file_format: str, part: int | None) -> Path:
    ext = EXTENSIONS[file_format]
    if part is None:
        return root / f"{stream}{ext}"
    return root / stream / f"part-{part:05d}{ext}"


def write_table(table: pa.Table, path: Path, stream: str, file_format: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if file_format == "csv":
        write_csv(table, path)
    elif file_format == "jsonl":
        _write_jsonl(table, path, stream)
    elif file_format == "parquet":
        _write_parquet(table, path, stream)
    else:  # pragma: no cover - guarded by the CLI
        raise ValueError(f"unknown format {file_format!r}")


def write_csv(table: pa.Table, path: Path, append: bool = False) -> None:
    """Plain CSV: header row (unless appending), no quoting, empty field for null."""
    if append:
        with open(path, "ab") as fh:
            if table.num_rows:
                pacsv.write_csv(table, fh, pacsv.WriteOptions(include_header=False, quoting_style="none"))
        return
    with open(path, "wb") as fh:
        fh.write((",".join(table.column_names) + "\n").encode())
        if table.num_rows:
            pacsv.write_csv(table, fh, pacsv.WriteOptions(include_header=False, quoting_style="none"))


def _json_escape(a: pa.Array) -> pa.Array:
    a = pc.replace_substring(a, "\\", "\\\\")
    return pc.replace_substring(a, '"', '\\"')


def _write_jsonl(table: pa.Table, path: Path, stream: str) -> None:
    kinds = {c.name: c.kind for c in STREAMS[stream].columns}
    if table.num_rows == 0:
        path.write_bytes(b"")
        return
    parts = []
    for i, name in enumerate(table.column_names):
        col = table.column(name).combine_chunks()
        quoted = pc.binary_join_element_wise('"', _json_escape(col), '"', "")
        if kinds[name] in ("money", "quantity"):
            value = pc.if_else(pc.match_substring_regex(col, _NUMBER), col, quoted)
        else:
            value = quoted
        value = pc.fill_null(value, "null")
        prefix = ("{" if i == 0 else ",") + f'"{name}":'
        parts.append(pc.binary_join_element_wise(prefix, value, ""))
    lines = pc.binary_join_element_wise(*parts, "}\n", "")
    lines = lines.cast(pa.large_string())
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset: lines.offset + len(lines) + 1]
    data = lines.buffers()[2]
    with open(path, "wb") as fh:
        fh.write(memoryview(data)[offsets[0]: offsets[-1]])


def _write_parquet(table: pa.Table, path: Path, stream: str) -> None:
    kinds = {c.name: c.kind for c in STREAMS[stream].columns}
    cols, fields = [], []
    for name in table.column_names:
        col = table.column(name)
        if kinds[name] == "money":
            col, typ = pc.cast(col, pa.float64()), pa.float64()
        elif kinds[name] == "quantity":
            col, typ = pc.cast(col, pa.int64()), pa.int64()
        else:
            typ = pa.string()
        cols.append(col)
        fields.append(pa.field(name, typ))
    typed = pa.Table.from_arrays(cols, schema=pa.schema(fields))
    pq.write_table(
        typed, path, compression="snappy", use_dictionary=True, write_statistics=True,
        row_group_size=1 << 20, version="2.6", data_page_version="1.0", store_schema=False,
    )
