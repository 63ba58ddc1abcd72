"""Score files and their manifest, written so that a reader never sees half a file.

``write_outputs`` writes ``streamers``, ``consumer_streamer``, ``products`` and
``factories`` (``.csv`` or ``.parquet``) and then ``score_manifest.json`` into one
folder:

- every file is first written in full to a temporary file *in the same folder*,
  flushed and fsynced (``stage_outputs``); only when all four are complete (and, in
  Neo4j mode, the run is published) are they renamed over the targets with
  ``os.replace`` (atomic on POSIX), and the manifest last (``commit_outputs``). A
  failure before that point leaves the previous files and manifest untouched;
- the manifest lists each file with its row count and sha256, so a reader can check
  that the files it opened belong to one run;
- ``score_history.jsonl`` in the same folder gets one line per run, successful or not
  (id, start, end, parameters, input counts, status, error).

The same results give byte-identical data files (fixed column order, fixed float
format, rows sorted by id, no timestamps inside the data files).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ...files import StagedFiles, arrow_table, sha256_of, stage_frames

MANIFEST = "score_manifest.json"
HISTORY = "score_history.jsonl"
FORMATS = {"csv": ".csv", "parquet": ".parquet"}
FLOAT_DIGITS = 10  # significant digits of floats in CSV files


def write_frame(frame: pd.DataFrame, path: Path, file_format: str) -> None:
    """Write one frame to ``path`` (no index; CSV floats to ``FLOAT_DIGITS`` significant digits).

    CSV goes through Arrow's C++ writer, which does not hold the GIL the bond writers need
    while it runs beside the write-back: the m world's four score files took 36-41 s with
    ``DataFrame.to_csv`` and take 6.5-10.5 s with it (bench/results/score.md). Strings are
    quoted, booleans written ``true`` / ``false``, missing values left empty.
    """
    if file_format == "csv":
        table = arrow_table(_round_floats(frame, FLOAT_DIGITS))
        pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))
    elif file_format == "parquet":
        pq.write_table(arrow_table(frame), path, compression="snappy", use_dictionary=True, write_statistics=True)
    else:
        raise ValueError(f"unknown format {file_format!r}; choose csv or parquet")


def _round_floats(frame: pd.DataFrame, digits: int) -> pd.DataFrame:
    """Float columns rounded to ``digits`` significant digits (vectorised ``%.{digits}g``).

    n / 10**k is the double nearest the decimal, so its shortest form, which Arrow writes,
    has at most ``digits`` digits.
    """
    out = {}
    for name, column in frame.items():
        if pd.api.types.is_float_dtype(column.dtype):
            x = column.to_numpy(dtype="float64")
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                k = digits - 1 - np.floor(np.log10(np.abs(x)))
                k = np.where(np.isfinite(k), np.clip(k, -22, 22), 0)  # exact powers of ten only
                scale = 10.0 ** np.abs(k)
                scaled = np.where(k >= 0, np.round(x * scale) / scale, np.round(x / scale) * scale)
            out[name] = pd.Series(np.where(np.isfinite(x) & (x != 0), scaled, x), index=column.index, name=name)
        else:
            out[name] = column
    return pd.DataFrame(out, index=frame.index)


def stage_outputs(frames: dict[str, pd.DataFrame], out_dir: str | Path, file_format: str) -> StagedFiles:
    """Write every frame to a fsynced temp file beside its target (nothing replaced yet;
    :func:`livetrust.files.stage_frames`): either all frames are staged or none."""
    if file_format not in FORMATS:
        raise ValueError(f"unknown format {file_format!r}; choose csv or parquet")
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    return stage_frames(frames, out_dir, file_format, lambda frame, path: write_frame(frame, path, file_format))


def commit_outputs(staged: StagedFiles, manifest: dict[str, Any]) -> dict[str, Any]:
    """Rename the staged files over their targets, then write the manifest (last); returns it."""
    doc = {**manifest, "format": staged.file_format, "outputs": staged.outputs}
    staged.commit(staged.out / MANIFEST, doc)
    # a file of the other format from an earlier run is no longer the manifest's
    other = [e for f, e in FORMATS.items() if f != staged.file_format]
    for name in staged.outputs:
        for ext in other:
            (staged.out / f"{name}{ext}").unlink(missing_ok=True)
    return doc


def write_outputs(frames: dict[str, pd.DataFrame], out_dir: str | Path, file_format: str,
                  manifest: dict[str, Any]) -> dict[str, Any]:
    """Write the frames and the manifest atomically; returns the manifest as written.

    ``manifest`` holds the run's fields (run_id, started_at, parameters, input counts,
    ...); ``outputs`` (file, rows, sha256 per frame) and ``format`` are added here.
    Same as :func:`stage_outputs` then :func:`commit_outputs`.
    """
    return commit_outputs(stage_outputs(frames, out_dir, file_format), manifest)


def append_history(out_dir: str | Path, record: dict[str, Any]) -> None:
    """Append one run record (a JSON line) to ``score_history.jsonl``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, sort_keys=True, default=str)
    with open(out / HISTORY, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def read_manifest(out_dir: str | Path) -> dict[str, Any] | None:
    path = Path(out_dir) / MANIFEST
    return json.loads(path.read_text()) if path.is_file() else None


def verify(out_dir: str | Path) -> list[str]:
    """Problems with the files of ``out_dir`` against its manifest (empty list: all good)."""
    doc = read_manifest(out_dir)
    if doc is None:
        return [f"no {MANIFEST} in {out_dir}"]
    problems = []
    for name, entry in doc.get("outputs", {}).items():
        path = Path(out_dir) / entry["file"]
        if not path.is_file():
            problems.append(f"{name}: {entry['file']} is missing")
        elif sha256_of(path) != entry["sha256"]:
            problems.append(f"{name}: {entry['file']} does not match the manifest's sha256")
    return problems
