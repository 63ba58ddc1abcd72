"""Find the files of a contract folder and read them as chunks of *string* columns.

Every reader yields :class:`Chunk` objects: a DataFrame whose columns are all strings
(``""`` for a missing value, whitespace kept), the 1-based data-row numbers of its rows
within their file, and the file's path relative to the folder (``purchases.csv`` or
``purchases/part-0001.csv``). Memory stays flat: a chunk is at most ``chunk_rows`` rows.

Formats follow the extension (``contract.FORMATS``). A stream may be one file or a
sub-folder of part files. A stream without a file is an empty stream.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..contract import FORMATS, STREAMS, Stream
from ..errors import InputError

# Longest first, so ".csv.gz" wins over ".gz"-less matches.
_FORMATS_BY_LENGTH = sorted(FORMATS, key=len, reverse=True)
# Files in a part folder that are not data (Spark/Hadoop markers, checksums, hidden files).
_IGNORED_PARTS = ("_SUCCESS", "_committed", "_started")


@dataclass
class Chunk:
    """Rows of one file, all values strings; ``rows`` are 1-based data-row numbers."""

    file: str
    frame: pd.DataFrame
    rows: np.ndarray
    malformed: list[tuple[int, str]] = field(default_factory=list)  # (row, raw text) the parser could not split

    def __len__(self) -> int:
        return len(self.frame) + len(self.malformed)


@dataclass(frozen=True)
class Source:
    """One input file of a stream."""

    stream: str
    path: Path
    relpath: str  # relative to the folder, forward slashes
    fmt: str  # one of contract.FORMATS

    def total_rows(self) -> int | None:
        """Row count when the format knows it without reading the data (Parquet)."""
        if self.fmt == ".parquet":
            return pq.ParquetFile(self.path).metadata.num_rows
        return None


def split_format(name: str) -> tuple[str, str | None]:
    """``"purchases.csv.gz" -> ("purchases", ".csv.gz")``; unknown extension -> (stem, None)."""
    lower = name.lower()
    for ext in _FORMATS_BY_LENGTH:
        if lower.endswith(ext):
            return name[: -len(ext)], ext
    stem = name.split(".", 1)[0]
    return stem, None


def discover(folder: Path) -> dict[str, list[Source]]:
    """The input files of each stream in ``folder``, in load order, part files sorted by name.

    Raises
    ------
    InputError
        The folder is missing, a stream file has an unknown format, or a stream is given twice.
    """
    folder = Path(folder)
    if not folder.exists():
        raise InputError(f"input folder not found: {folder}")
    if not folder.is_dir():
        raise InputError(f"input is not a folder: {folder}")
    found: dict[str, list[Source]] = {name: [] for name in STREAMS}
    given: dict[str, str] = {}
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_dir():
            if entry.name not in STREAMS:
                continue  # truth/, holdout/ and other folders are not streams
            _claim(given, entry.name, entry.name + "/", folder)
            for part in sorted(entry.iterdir(), key=lambda p: p.name):
                if part.name.startswith((".", "_")) or part.name in _IGNORED_PARTS or part.name.endswith(".crc"):
                    continue
                if part.is_dir():
                    raise InputError(f"{part}: nested folders are not supported in a stream folder")
                _, fmt = split_format(part.name)
                if fmt is None:
                    raise InputError(f"{part}: unknown format (expected one of {', '.join(FORMATS)})")
                found[entry.name].append(Source(entry.name, part, f"{entry.name}/{part.name}", fmt))
            continue
        stem, fmt = split_format(entry.name)
        if stem not in STREAMS:
            continue
        if fmt is None:
            raise InputError(f"{entry}: unknown format (expected one of {', '.join(FORMATS)})")
        _claim(given, stem, entry.name, folder)
        found[stem].append(Source(stem, entry, entry.name, fmt))
    return found


def _claim(given: dict[str, str], stream: str, name: str, folder: Path) -> None:
    if stream in given:
        raise InputError(f"{folder}: stream {stream!r} is given twice ({given[stream]} and {name}); keep one")
    given[stream] = name


def read_chunks(source: Source, chunk_rows: int) -> Iterator[Chunk]:
    """Yield the rows of ``source`` in chunks of at most ``chunk_rows`` rows."""
    if source.path.stat().st_size == 0:
        return
    if source.fmt in (".csv", ".csv.gz"):
        yield from _read_csv(source, chunk_rows)
    elif source.fmt == ".parquet":
        yield from _read_parquet(source, chunk_rows)
    else:
        yield from _read_jsonl(source, chunk_rows)


def check_columns(source: Source, columns: list[str]) -> None:
    """Raise one-line InputError when required columns are missing from the header."""
    spec: Stream = STREAMS[source.stream]
    missing = [c for c in spec.required if c not in columns]
    if missing:
        raise InputError(
            f"{source.path}: missing required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(stream {source.stream!r} needs {', '.join(spec.required)})"
        )


def _table_to_strings(table: pa.Table | pa.RecordBatch) -> pd.DataFrame:
    """All columns as Python-object strings, nulls as ``""``."""
    data = {}
    for name, col in zip(table.schema.names, table.columns):
        if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
            col = _to_string(col)
        col = pc.fill_null(col, "")
        data[name.strip()] = np.asarray(col.to_numpy(zero_copy_only=False), dtype=object)
    return pd.DataFrame(data, dtype=object)


def _to_string(col: pa.Array | pa.ChunkedArray) -> pa.Array:
    t = col.type
    if pa.types.is_timestamp(t):
        # ISO-8601; a zone-aware column gets its offset, a naive one stays naive (= UTC)
        fmt = "%Y-%m-%dT%H:%M:%S%z" if t.tz else "%Y-%m-%dT%H:%M:%S"
        return pc.strftime(col, format=fmt)
    if pa.types.is_date(t) or pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t) \
            or pa.types.is_decimal(t) or pa.types.is_dictionary(t):
        return pc.cast(col, pa.string())
    # nested or binary values: their JSON text
    return pa.array([None if v is None else json.dumps(v, default=str) for v in col.to_pylist()], pa.string())


def _read_csv(source: Source, chunk_rows: int) -> Iterator[Chunk]:
    bad: list[tuple[int, str]] = []  # (line number in file, text) of rows with a wrong field count

    def on_invalid(row) -> str:
        bad.append((int(row.number) if row.number is not None else -1, row.text))
        return "skip"

    stream = pa.input_stream(str(source.path), compression="detect")
    try:
        header = _csv_header(source)
        check_columns(source, header)
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(block_size=8 << 20, use_threads=False),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as err:
        stream.close()
        raise InputError(f"{source.path}: cannot read as CSV: {str(err).splitlines()[0]}") from None
    seen = 0  # data rows the parser returned so far
    bad_done = 0  # malformed rows already reported
    pending: list[pd.DataFrame] = []
    pending_n = 0
    try:
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                batch = None
            except pa.ArrowInvalid as err:
                raise InputError(f"{source.path}: cannot read as CSV: {str(err).splitlines()[0]}") from None
            if batch is not None and batch.num_rows:
                pending.append(_table_to_strings(batch))
                pending_n += batch.num_rows
            while pending_n >= chunk_rows or (batch is None and pending_n):
                frame = pd.concat(pending, ignore_index=True) if len(pending) > 1 else pending[0]
                take = min(chunk_rows, len(frame))
                out, rest = frame.iloc[:take].reset_index(drop=True), frame.iloc[take:].reset_index(drop=True)
                pending, pending_n = ([rest], len(rest)) if len(rest) else ([], 0)
                # malformed rows are data rows too: pyarrow numbers rows with the header as 1 (single-threaded)
                bad_rows = sorted(line - 1 for line, _ in bad)
                rows = _positions(seen, take, bad_rows)
                last = rows[-1] if take else seen
                malformed = [(line - 1, text) for line, text in bad[bad_done:] if line - 1 <= last]
                bad_done += len(malformed)
                seen += take
                yield Chunk(source.relpath, out, rows, malformed)
            if batch is None:
                break
        leftover = bad[bad_done:]
        if leftover:
            yield Chunk(source.relpath, pd.DataFrame({c: [] for c in header}, dtype=object),
                        np.empty(0, dtype=np.int64), [(line - 1, text) for line, text in leftover])
    finally:
        stream.close()


def _positions(seen: int, take: int, bad_rows: list[int]) -> np.ndarray:
    """1-based data-row numbers of parsed rows ``seen .. seen+take-1`` given skipped malformed rows."""
    k = np.arange(seen + 1, seen + take + 1, dtype=np.int64)  # ordinal among parsed rows
    if not bad_rows:
        return k
    bad = np.asarray(bad_rows, dtype=np.int64)
    # position p of the k-th parsed row: p - #(bad <= p) = k; iterate to the fixed point
    p = k.copy()
    for _ in range(len(bad) + 1):
        nxt = k + np.searchsorted(bad, p, side="right")
        if np.array_equal(nxt, p):
            break
        p = nxt
    return p


def _csv_header(source: Source) -> list[str]:
    with pa.input_stream(str(source.path), compression="detect") as f:
        reader = pacsv.open_csv(f, read_options=pacsv.ReadOptions(block_size=1 << 20),
                                parse_options=pacsv.ParseOptions(invalid_row_handler=lambda row: "skip"))
        return list(reader.schema.names)


def _read_parquet(source: Source, chunk_rows: int) -> Iterator[Chunk]:
    try:
        pf = pq.ParquetFile(source.path)
    except (pa.ArrowInvalid, OSError) as err:
        raise InputError(f"{source.path}: cannot read as Parquet: {str(err).splitlines()[0]}") from None
    check_columns(source, [n.strip() for n in pf.schema_arrow.names])
    seen = 0
    for batch in pf.iter_batches(batch_size=chunk_rows):
        frame = _table_to_strings(batch)
        rows = np.arange(seen + 1, seen + len(frame) + 1, dtype=np.int64)
        seen += len(frame)
        yield Chunk(source.relpath, frame, rows)


def _read_jsonl(source: Source, chunk_rows: int) -> Iterator[Chunk]:
    """JSON Lines: one object per line; numbers keep their literal text (``parse_float=str``)."""
    spec = STREAMS[source.stream]
    decode = json.JSONDecoder(parse_float=str, parse_int=str, parse_constant=str).decode
    records: list[dict] = []
    rows: list[int] = []
    malformed: list[tuple[int, str]] = []
    columns: dict[str, None] = {}
    checked = False
    n = 0
    with pa.input_stream(str(source.path), compression="detect") as raw:
        import io

        text = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
        for line in text:
            if not line.strip():
                continue
            n += 1
            try:
                obj = decode(line)
                if not isinstance(obj, dict):
                    raise ValueError("not an object")
            except ValueError:
                malformed.append((n, line.rstrip("\r\n")))
            else:
                rec = {k.strip(): _json_value(v) for k, v in obj.items()}
                for k in rec:
                    columns.setdefault(k)
                records.append(rec)
                rows.append(n)
            if len(records) + len(malformed) >= chunk_rows:
                if not checked:
                    check_columns(source, list(columns) or spec.column_names)
                    checked = True
                yield _json_chunk(source, records, rows, malformed, columns)
                records, rows, malformed = [], [], []
        if records or malformed:
            if not checked and records:
                check_columns(source, list(columns))
            yield _json_chunk(source, records, rows, malformed, columns)


def _json_value(v) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    return json.dumps(v)


def _json_chunk(source: Source, records: list[dict], rows: list[int], malformed, columns) -> Chunk:
    frame = pd.DataFrame.from_records(records, columns=list(columns)) if records else pd.DataFrame(
        {c: [] for c in columns}, dtype=object)
    frame = frame.astype(object).where(frame.notna(), "")
    return Chunk(source.relpath, frame, np.asarray(rows, dtype=np.int64), list(malformed))


def file_size(path: Path) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
