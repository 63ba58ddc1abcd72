"""Find the files of a contract folder and read them as chunks of *string* columns.

Every reader yields :class:`Chunk` objects: a DataFrame whose columns are all strings
(``""`` for a missing value, whitespace kept), the 1-based data-row numbers of its rows
within their file, and the file's path relative to the folder (``purchases.csv`` or
``purchases/part-0001.csv``). Memory stays flat: a chunk is at most ``chunk_rows`` rows.

Formats follow the extension (``contract.FORMATS``). A stream may be one file or a
sub-folder of part files. A stream without a file is an empty stream.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import os
import re
import sys
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
_CSV_BLOCK = 8 << 20  # bytes the CSV parser takes at a time; one row must fit in it
_HEADER_LIMIT = 1 << 20  # longest CSV header line read


@dataclass
class Chunk:
    """Rows of one file, all values strings; ``rows`` are 1-based data-row numbers."""

    file: str
    frame: pd.DataFrame
    rows: np.ndarray
    malformed: list[tuple[int, str]] = field(default_factory=list)  # (row, raw text) the parser could not split
    why: dict[int, str] = field(default_factory=dict)  # row -> what is wrong, when more is known than "malformed"

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
            with pq.ParquetFile(self.path) as pf:
                return pf.metadata.num_rows
        return None


def split_format(name: str) -> tuple[str, str | None]:
    """``"purchases.csv.gz" -> ("purchases", ".csv.gz")``; unknown extension -> (stem, None)."""
    lower = name.lower()
    for ext in _FORMATS_BY_LENGTH:
        if lower.endswith(ext):
            return name[: -len(ext)], ext
    stem = name.split(".", 1)[0]
    return stem, None


def _not_data(part: str) -> bool:
    """A file of a stream folder that is no data: hidden or left out (``.``, ``_``), a writer's
    marker (``_SUCCESS``) or a checksum (``.crc``)."""
    return part.startswith((".", "_")) or part in _IGNORED_PARTS or part.endswith(".crc")


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
                _refuse_near_miss(entry, entry.name, "/")
                continue  # truth/, holdout/ and other folders are not streams
            _claim(given, entry.name, entry.name + "/", folder)
            for part in sorted(entry.iterdir(), key=lambda p: p.name):
                if _not_data(part.name):
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
            _refuse_near_miss(entry, stem, fmt)
            continue
        if fmt is None:
            raise InputError(f"{entry}: unknown format (expected one of {', '.join(FORMATS)})")
        _claim(given, stem, entry.name, folder)
        found[stem].append(Source(stem, entry, entry.name, fmt))
    if not given:
        raise InputError(f"{folder}: no stream files (expected {', '.join(STREAMS)} as {', '.join(FORMATS)} files "
                         f"or folders of part files)")
    return found


def stream_entries(folder: Path) -> list[Path]:
    """What :func:`discover` would read or refuse as a stream in ``folder``: stream files in any
    format, the files of stream folders, and names near a stream's (``purchases (1).csv``,
    ``Purchases/``). Other files and folders (``truth/``, ``notes.md``, ``_skip.csv``) are not listed."""
    entries: list[Path] = []
    for entry in sorted(Path(folder).iterdir(), key=lambda p: p.name):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_dir() and entry.name in STREAMS:
            entries += [p for p in sorted(entry.iterdir(), key=lambda p: p.name)
                        if not _not_data(p.name)]
            continue
        stem, fmt = (entry.name, "/") if entry.is_dir() else split_format(entry.name)
        if stem in STREAMS:
            entries.append(entry)
            continue
        try:
            _refuse_near_miss(entry, stem, fmt)
        except InputError:
            entries.append(entry)
    return entries


# what a copy, a part or a dated export adds to a stream's name: " (1)", "_2026-12-05", "-part1", ".bak";
# not a word of its own ("_segments", "-up": another table, skipped as before)
_COPY_SUFFIX = re.compile(r"[\W_]+(\(?\d+\)?|\d[\d\-_.:t]*|(part|copy|bak|backup|old|new|final|latest|tmp|v)[\W_]*\d*"
                          r"([\W_]+\d[\d\-_.:t]*)?)")


def _refuse_near_miss(entry: Path, stem: str, fmt: str | None) -> None:
    """A data file or folder named like a stream but not quite would be skipped as not a stream, and
    the load would run without it: refused, naming the stream. Near: another case or the singular
    (``Purchases.csv``, ``return.csv``, ``Purchases/``), or the stream's name with more after a
    separator (``purchases (1).csv``, ``purchases_2026.csv``, ``purchases-part1.csv``)."""
    if fmt is None:
        return
    lower = stem.lower()
    meant = next((name for name in STREAMS if lower in _spellings(name)), None)
    if meant is not None:
        where = f"a {meant}/ folder" if fmt == "/" else f"{meant}{fmt}"
        raise InputError(f"{entry}: not a stream name; the {meant} stream is read from {where} (lower case, plural)")
    meant = next((name for name in STREAMS for spelling in _spellings(name)
                  if lower.startswith(spelling) and _COPY_SUFFIX.fullmatch(lower[len(spelling):])), None)
    if meant is not None:
        raise InputError(f"{entry}: named like the {meant} stream but not read as it: a stream is one file "
                         f"({meant}.csv, .parquet, ...) or a {meant}/ folder of part files; to leave it out of the "
                         f"load, start its name with _")


def _spellings(stream: str) -> set[str]:
    """The stream's name and its singular (factories: factory; purchases: purchase)."""
    return {stream, stream[:-1], stream[:-3] + "y" if stream.endswith("ies") else stream}


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
    """Raise one-line InputError when the header repeats a column or lacks required ones."""
    spec: Stream = STREAMS[source.stream]
    # a repeated name would keep one of the copies and drop the other values unseen
    repeated = sorted({c for c in columns if c and columns.count(c) > 1})  # unnamed: see _table_to_strings
    if repeated:
        raise InputError(f"{source.path}: column{'s' if len(repeated) > 1 else ''} {', '.join(repeated)} "
                         f"given more than once in the header; keep one")
    missing = [c for c in spec.required if c not in columns]
    if missing:
        raise InputError(
            f"{source.path}: missing required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(stream {source.stream!r} needs {', '.join(spec.required)}){_header_hint(columns, missing)}"
        )


def _header_hint(columns: list[str], missing: list[str]) -> str:
    """Why the names may not match: another separator, or another case."""
    if len(columns) == 1:
        for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
            if sep in columns[0]:
                return f"; the header is one name holding {name}: CSV files here are separated by commas"
    lower = {c.lower(): c for c in columns}
    cased = [lower[m] for m in missing if m in lower]
    if cased:
        return f"; the header has {', '.join(cased)}: column names are lower case"
    return ""


UNNAMED_COLUMN = "_unnamed_column_"  # + 1-based position; never an extra column (leading _)


def _table_to_strings(table: pa.Table | pa.RecordBatch) -> pd.DataFrame:
    """All columns as Python-object strings, nulls as ``""``."""
    data = {}
    for i, (name, col) in enumerate(zip(table.schema.names, table.columns), 1):
        if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
            col = _to_string(col)
        col = pc.fill_null(col, "")
        # an unnamed header column (a trailing comma) is kept by position: a value under it is not lost
        data[name.strip() or f"{UNNAMED_COLUMN}{i}"] = np.asarray(col.to_numpy(zero_copy_only=False), dtype=object)
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

    raw_names = _csv_header(source)
    names = [n.strip() for n in raw_names]  # as Parquet and JSONL names
    check_columns(source, names)
    # stream and reader closed on every path (an InputError too), not left to the garbage
    # collector; single-threaded: a pyarrow worker still releasing reader state when Python
    # exits aborts the process ("terminate called without an active exception", seen in a core)
    with pa.input_stream(str(source.path), compression="detect") as stream:
        reader = _csv_call(source, on_invalid, lambda: pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(block_size=_CSV_BLOCK, use_threads=False),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid),
            # binary, not string: UTF-8 is checked per batch (_csv_strings) to name the bad row
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.binary() for name in raw_names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        ))
        with contextlib.closing(reader):
            yield from _csv_chunks(source, reader, names, bad, on_invalid, chunk_rows)


def _csv_chunks(source: Source, reader, names: list[str], bad: list[tuple[int, str]], on_invalid,
                chunk_rows: int) -> Iterator[Chunk]:
    seen = 0  # data rows the parser returned so far
    bad_done = 0  # malformed rows already reported
    pending: list[pd.DataFrame] = []
    pending_n = 0
    while True:
        try:
            batch = _csv_call(source, on_invalid, reader.read_next_batch)
        except StopIteration:
            batch = None
        if batch is not None and batch.num_rows:
            pending.append(_csv_strings(source, batch, seen + pending_n, bad))
            pending_n += batch.num_rows
        while pending_n >= chunk_rows or (batch is None and pending_n):
            frame = pd.concat(pending, ignore_index=True) if len(pending) > 1 else pending[0]
            take = min(chunk_rows, len(frame))
            out, rest = frame.iloc[:take].reset_index(drop=True), frame.iloc[take:].reset_index(drop=True)
            pending, pending_n = ([rest], len(rest)) if len(rest) else ([], 0)
            # malformed rows are data rows too: pyarrow numbers rows with the header as 1 (single-threaded)
            rows = _positions(seen, take, _bad_rows(bad))
            last = rows[-1] if take else seen
            malformed = _malformed(source, [(line, text) for line, text in bad[bad_done:] if line - 1 <= last],
                                   len(names))
            bad_done += len(malformed)
            seen += take
            yield Chunk(source.relpath, out, rows, malformed)
        if batch is None:
            break
    leftover = _malformed(source, bad[bad_done:], len(names))
    if leftover:
        yield Chunk(source.relpath, pd.DataFrame({c: [] for c in names}, dtype=object),
                    np.empty(0, dtype=np.int64), leftover)


def _malformed(source: Source, lines: list[tuple[int, str]], n_columns: int) -> list[tuple[int, str]]:
    """(data row, text) of the parser's malformed lines (pyarrow numbers the header as line 1);
    one that swallowed the rows after it fails the file (``_unterminated_quote``)."""
    for line, text in lines:
        if reason := _unterminated_quote(text, n_columns, _first_field(text)):
            raise InputError(f"{source.path}: data row {line - 1}: {reason}")
    return [(line - 1, text) for line, text in lines]


def _bad_rows(bad: list[tuple[int, str]]) -> list[int]:
    return sorted(line - 1 for line, _ in bad)


def _csv_call(source: Source, on_invalid, call):
    """``call()`` with pyarrow's read errors as one-line InputErrors naming the file."""
    with _undecodable_rows(on_invalid) as undecodable:
        try:
            return call()
        except pa.ArrowInvalid as err:
            if undecodable:
                raise InputError(f"{source.path}: not valid UTF-8 (in a line with a wrong number of fields)") \
                    from None
            raise InputError(f"{source.path}: cannot read as CSV: {_first_line(err)}") from None
        except OSError as err:  # truncated or corrupt gzip, unreadable file
            raise InputError(f"{source.path}: cannot read as CSV: {_first_line(err)}") from None


@contextlib.contextmanager
def _undecodable_rows(handler) -> Iterator[list[BaseException]]:
    """Collect the UTF-8 errors of rows pyarrow could not pass to ``handler``.

    pyarrow decodes a malformed row's text before calling the invalid-row handler; when that
    fails, the C++ parser cannot take the exception: Python prints "Exception ignored ..." on
    stderr and pyarrow raises a parse error. This turns the stray print into a caught error.
    """
    caught: list[BaseException] = []
    previous = sys.unraisablehook

    def hook(args) -> None:
        if isinstance(args.exc_value, UnicodeDecodeError) and args.object is handler:
            caught.append(args.exc_value)
        else:
            previous(args)

    sys.unraisablehook = hook
    try:
        yield caught
    finally:
        sys.unraisablehook = previous


def _csv_strings(source: Source, batch: pa.RecordBatch, before: int, bad: list[tuple[int, str]]) -> pd.DataFrame:
    """The batch as strings; a value that is not UTF-8 fails the file, naming its data row.

    ``before``: rows the parser returned before this batch (to number the bad row).
    """
    columns = []
    for name, col in zip(batch.schema.names, batch.columns):
        try:
            columns.append(col.cast(pa.string()))
        except pa.ArrowInvalid:
            row = _positions(before + _first_not_utf8(col), 1, _bad_rows(bad))[0]
            raise InputError(f"{source.path}: data row {row}, column {name.strip()}: not valid UTF-8") from None
        swallowed = _first_swallowing(columns[-1], batch.num_columns, columns[0])
        if swallowed is not None:
            row = _positions(before + swallowed[0], 1, _bad_rows(bad))[0]
            raise InputError(f"{source.path}: data row {row}, column {name.strip()}: {swallowed[1]}")
    return _table_to_strings(pa.RecordBatch.from_arrays(columns, names=batch.schema.names))


def _unterminated_quote(text: str, n_columns: int, key: str = "") -> str | None:
    """The reason to fail the file when lines after the first of ``text`` look like rows of it: a
    quote opened and never closed reads the lines after it as one value, and the rows in them would
    be lost without a count. A line looks like a row when it has the header's number of fields
    (commas outside quotes, or as many commas and no quote), or when it starts with a field shaped
    like the row's own first field (``key``: ``s2,`` after ``s1``) and has at least all but one of a
    row's commas (a short row), or, as the value's last line, ends in the stray quote of a row the
    closing quote cut (``s2,Quiet"`` from ``s2,"Quiet",...``). Text in a value that merely starts
    like an id (``item2, the second thing``) has neither."""
    lines = text.split("\n")[1:]
    shape = _shape(key)
    swallowed = sum(1 for i, line in enumerate(lines)
                    if _looks_like_row(line, n_columns, shape, cut=i == len(lines) - 1 and text.endswith('"')))
    if swallowed:
        rows = f"the {swallowed:,d} rows after it were" if swallowed > 1 else "the row after it was"
        return f"a quote opened here is not closed: {rows} read as part of one value"
    return None


def _looks_like_row(line: str, n_columns: int, key_shape: str | None, *, cut: bool = False) -> bool:
    if line.count(",") == n_columns - 1 and '"' not in line:
        return True
    starts_like_row = (key_shape is not None and "," in line
                       and _shape(line.split(",", 1)[0].strip().strip('"')) == key_shape)
    if starts_like_row and (cut or line.count(",") >= n_columns - 2):
        return True
    try:
        return len(next(csv.reader([line]))) == n_columns
    except (csv.Error, StopIteration):
        return False


def _shape(value: str) -> str | None:
    """An id's shape, runs of letters and of digits collapsed (``s12`` and ``s3``: ``a9``); None for
    a value without a digit, whose shape ("a") would match ordinary words."""
    if not any(ch.isdigit() for ch in value):
        return None
    return re.sub(r"[^\W\d_]+", "a", re.sub(r"\d+", "9", value))


def _first_field(text: str) -> str:
    """The first field of a raw CSV line, or of a first column's value (quotes removed)."""
    try:
        return next(csv.reader([text.split("\n", 1)[0]]))[0].strip()
    except (csv.Error, StopIteration, IndexError):
        return ""


def _first_swallowing(col: pa.Array, n_columns: int, first_col: pa.Array) -> tuple[int, str] | None:
    """(index, reason) of the first value that swallowed rows (see ``_unterminated_quote``); only the
    values with a line break are looked at, so a clean column costs one vectorised search."""
    with_break = pc.match_substring(col, "\n").to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(with_break):
        reason = _unterminated_quote(col[int(i)].as_py(), n_columns, _first_field(first_col[int(i)].as_py() or ""))
        if reason:
            return int(i), reason
    return None


def _first_not_utf8(col: pa.Array) -> int:
    """Index of the first value of a binary column that is not UTF-8 (only on the error path)."""
    for i, value in enumerate(col.to_pylist()):
        try:
            value.decode("utf-8")
        except UnicodeDecodeError:
            return i
    return 0


def _first_line(err: BaseException) -> str:
    lines = str(err).splitlines()
    return lines[0] if lines else type(err).__name__


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
    """The column names as written (untrimmed), from the header line alone.

    Reading only that line keeps the header independent of the first data row's size (a row
    bigger than a parse block fails a parse). As in pyarrow's parser (``newlines_in_values``
    off, ``ignore_empty_lines`` on), the header is the first non-empty line, ended by ``\\n``
    or ``\\r``. The stdlib ``csv`` module splits it (same quoting as pyarrow's defaults): a
    pyarrow read here runs on its thread pool, whose workers can outlive the call and abort
    the interpreter at exit ("terminate called without an active exception").
    """
    with pa.input_stream(str(source.path), compression="detect") as raw, io.BufferedReader(raw) as f:
        try:
            head = f.read(_HEADER_LIMIT)
        except OSError as err:  # truncated or corrupt gzip
            raise InputError(f"{source.path}: cannot read as CSV: {_first_line(err)}") from None
    lines = re.split(rb"[\r\n]", head.removeprefix(codecs.BOM_UTF8))  # a BOM is not part of a name
    first = next((i for i, line in enumerate(lines) if line), None)
    if first is None:
        raise InputError(f"{source.path}: cannot read as CSV: no header line")
    if first == len(lines) - 1 and len(head) >= _HEADER_LIMIT:
        raise InputError(f"{source.path}: cannot read as CSV: header line longer than {_HEADER_LIMIT} bytes")
    try:
        text = lines[first].decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{source.path}: the header line is not valid UTF-8") from None
    return next(csv.reader([text]))


def _read_parquet(source: Source, chunk_rows: int) -> Iterator[Chunk]:
    with _parquet_errors(source):
        pf = pq.ParquetFile(source.path)
    with pf:  # closed on every path, as the CSV streams
        check_columns(source, [n.strip() for n in pf.schema_arrow.names])
        seen = 0
        batches = pf.iter_batches(batch_size=chunk_rows)
        while True:
            with _parquet_errors(source):  # a corrupt page shows only when read
                batch = next(batches, None)
            if batch is None:
                return
            frame = _table_to_strings(batch)
            rows = np.arange(seen + 1, seen + len(frame) + 1, dtype=np.int64)
            seen += len(frame)
            yield Chunk(source.relpath, frame, rows)


@contextlib.contextmanager
def _parquet_errors(source: Source) -> Iterator[None]:
    try:
        yield
    except (pa.ArrowInvalid, OSError) as err:
        raise InputError(f"{source.path}: cannot read as Parquet: {_first_line(err)}") from None


def _read_jsonl(source: Source, chunk_rows: int) -> Iterator[Chunk]:
    """JSON Lines: one object per line; numbers keep their literal text (``parse_float=str``)."""
    spec = STREAMS[source.stream]
    decode = json.JSONDecoder(parse_float=_Literal, parse_int=_Literal, parse_constant=_Literal,
                              object_pairs_hook=_Members).decode
    records: list[dict] = []
    rows: list[int] = []
    malformed: list[tuple[int, str]] = []
    why: dict[int, str] = {}
    columns: dict[str, None] = {}
    checked = False
    for n, line in _jsonl_lines(source):
        try:
            obj = decode(line)
            if not isinstance(obj, _Members):
                raise ValueError("not an object")
            obj = _unique_keys(obj)
        except _RepeatedKey as err:
            malformed.append((n, line.rstrip("\r\n")))
            why[n] = str(err)
        except ValueError as err:
            malformed.append((n, line.rstrip("\r\n")))
            why[n] = "not a JSON object" if str(err) == "not an object" else f"not valid JSON ({_first_line(err)})"
        else:
            rec = {k: _json_value(v) for k, v in obj.items()}
            for k in rec:
                columns.setdefault(k)
            records.append(rec)
            rows.append(n)
        if len(records) + len(malformed) >= chunk_rows:
            if not checked:
                check_columns(source, list(columns) or spec.column_names)
                checked = True
            yield _json_chunk(source, records, rows, malformed, columns, why)
            records, rows, malformed, why = [], [], [], {}
    if records or malformed:
        if not checked and records:
            check_columns(source, list(columns))
        yield _json_chunk(source, records, rows, malformed, columns, why)


class _Literal(str):
    """A JSON number (or NaN/Infinity) as its literal text: ``1.50`` stays ``1.50``, nested too."""


class _RepeatedKey(ValueError):
    pass


class _Members(list):
    """An object's (name, value) pairs as decoded, nested objects too (``object_pairs_hook``)."""


def _unique_keys(pairs: _Members) -> dict:
    """A row's columns: its top-level names trimmed; a name given twice is an error (json would keep
    the last). Values that are objects stay as sent (their names untouched, checked by nobody)."""
    out: dict = {}
    for k, v in pairs:
        k = k.strip()
        if k in out:
            raise _RepeatedKey(f"the object gives {k!r} twice")
        out[k] = _plain(v)
    return out


def _plain(value):
    """``value`` with nested objects back as dicts (json's own behaviour: the last of equal names)."""
    if isinstance(value, _Members):
        return {k: _plain(v) for k, v in value}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _jsonl_lines(source: Source) -> Iterator[tuple[int, str]]:
    """(1-based data row, text) of the non-blank lines.

    Decoded line by line, so a line that is not UTF-8 is named; a BOM is ignored, as CSV does.
    """
    n = 0
    with pa.input_stream(str(source.path), compression="detect") as raw, io.BufferedReader(raw) as f:
        for i, data in enumerate(_jsonl_raw_lines(source, f)):
            try:
                line = data.decode("utf-8-sig" if i == 0 else "utf-8")
            except UnicodeDecodeError:
                raise InputError(f"{source.path}: data row {n + 1}: not valid UTF-8") from None
            if line.strip():
                n += 1
                yield n, line


def _jsonl_raw_lines(source: Source, f: io.BufferedReader) -> Iterator[bytes]:
    while True:
        try:
            data = f.readline()
        except OSError as err:  # truncated or corrupt gzip
            raise InputError(f"{source.path}: cannot read as JSON Lines: {_first_line(err)}") from None
        if not data:
            return
        yield data


def _json_value(v) -> str:
    """A top-level value as text: strings and numbers as sent, nested arrays and objects as JSON."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    return _json_text(v)


def _json_text(v) -> str:
    """JSON text of a decoded value with its numbers' literal text (json.dumps would quote them)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, _Literal):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {_json_text(x)}" for k, x in v.items()) + "}"
    return "[" + ", ".join(_json_text(x) for x in v) + "]"


def _json_chunk(source: Source, records: list[dict], rows: list[int], malformed, columns, why) -> Chunk:
    frame = pd.DataFrame.from_records(records, columns=list(columns)) if records else pd.DataFrame(
        {c: [] for c in columns}, dtype=object)
    frame = frame.astype(object).where(frame.notna(), "")
    return Chunk(source.relpath, frame, np.asarray(rows, dtype=np.int64), list(malformed), dict(why))


def file_size(path: Path) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
