"""Output files that readers never see half-written.

A file is written to a temporary file beside its target (same folder, so the same file
system), flushed and fsynced, then moved onto the target with ``os.replace`` -- atomic on
POSIX and Windows -- so a reader opens either the previous complete file or the new one.
The temporary file gets the permissions a plain ``open`` would give (``mkstemp``'s are
0600: a scheduler or reader under another account could not read the result).
Used by every job's files: scores, paths, recommendations, evaluations.
"""

from __future__ import annotations

import hashlib
import json
import math
import logging
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import pyarrow as pa

log = logging.getLogger("livetrust.files")

#: A temp file of ours older than this comes from a run that died (killed, out of memory, the
#: machine went down): a live run writes a file within minutes and moves it into place soon after.
STALE_TEMP_AFTER_S = 6 * 3600
# temp_beside's ".NAME.xxxxxxxx.tmp" and writable_folder's probe (mkstemp's 8 random characters)
_OUR_TEMP = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$|^\.livetrust-probe-[a-z0-9_]{8}$")


def sha256_of(path: str | Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def temp_beside(path: str | Path) -> Path:
    """A new empty temp file in ``path``'s folder (``.NAME.xxxx.tmp``), with the permissions
    a plain ``open`` would give. The folder is created if missing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.chmod(name, 0o666 & ~_umask())
    return Path(name)


def fsync(path: str | Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def fsync_dir(folder: str | Path) -> None:
    """Make renames in ``folder`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def stage(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Write through ``write(tmp)`` to a fsynced temp file beside ``path``; returns the temp
    path (removed again if ``write`` fails)."""
    tmp = temp_beside(path)
    try:
        write(tmp)
        fsync(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` atomically through ``write(tmp_path)``.

    Examples
    --------
    >>> atomic_write(out / "report.md", lambda tmp: tmp.write_text("# done\\n"))  # doctest: +SKIP
    """
    path = Path(path)
    os.replace(stage(path, write), path)
    fsync_dir(path.parent)


@dataclass
class StagedFiles:
    """A job's output files written in full to temp files beside their targets
    (``OUT/NAME.FORMAT``), not yet in place: a Neo4j-mode job stages them before its switch and
    renames them right after it, so its files and Neo4j never name different runs for long.

    Attributes
    ----------
    files : (temp file, target) per output.
    outputs : per output name, its ``file``, ``rows`` and ``sha256`` (the manifest's ``outputs``).
    """

    out: Path
    file_format: str
    files: list[tuple[Path, Path]] = field(default_factory=list)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def discard(self) -> None:
        """Remove the temp files not renamed yet; the previous files stay as they were."""
        for tmp, _target in self.files:
            tmp.unlink(missing_ok=True)

    def commit(self, manifest: Path, doc: dict) -> None:
        """Rename every staged file over its target, then write the manifest ``doc`` (last; its
        fsync of the folder covers the renames too)."""
        for tmp, target in self.files:
            os.replace(tmp, target)
        atomic_write(manifest, lambda p: p.write_text(json.dumps(doc, indent=2, sort_keys=True, default=str) + "\n",
                                                      encoding="utf-8"))


def stage_frames(frames: dict[str, pd.DataFrame], out_dir: str | Path, file_format: str,
                 write: Callable[[pd.DataFrame, Path], None]) -> StagedFiles:
    """Write each frame through ``write(frame, path)`` to a fsynced temp file beside
    ``OUT/NAME.FORMAT``; either all are staged or none (a failure removes those written so far).

    Examples
    --------
    >>> staged = stage_frames({"scores": frame}, out, "csv", lambda f, p: f.to_csv(p, index=False))  # doctest: +SKIP
    >>> staged.commit(out / "manifest.json", {"run_id": "r1", "outputs": staged.outputs})  # doctest: +SKIP
    """
    staged = StagedFiles(Path(out_dir), file_format)
    try:
        for name, frame in frames.items():
            target = staged.out / f"{name}.{file_format}"
            tmp = stage(target, lambda p, f=frame: write(f, p))
            staged.files.append((tmp, target))
            staged.outputs[name] = {"file": target.name, "rows": int(len(frame)), "sha256": sha256_of(tmp)}
    except BaseException:
        staged.discard()
        raise
    return staged


def update_manifest(path: str | Path, fields: dict) -> dict:
    """Write a job's JSON manifest again with ``fields`` replaced (atomically); returns it.

    A job puts its files and manifest in place as soon as its run is current, then cleans up
    the runs it replaced (:func:`livetrust.writeback.publish_run`); what the cleanup did
    (``write_back``, ``timings_s``) reaches the manifest here, once it is done.

    Examples
    --------
    >>> update_manifest(out / "score_manifest.json", {"write_back": {"cleanup_scans": 1}})  # doctest: +SKIP
    """
    path = Path(path)
    doc = {**json.loads(path.read_text(encoding="utf-8")), **fields}
    atomic_write(path, lambda tmp: tmp.write_text(json.dumps(doc, indent=2, sort_keys=True, default=str) + "\n",
                                                  encoding="utf-8"))
    return doc


def writable_folder(folder: str | Path, option: str) -> Path:
    """Create ``folder`` if needed and check a file can be written in it, before a job starts:
    a job that found out only when writing its files had already done its work, or published
    it to Neo4j. Raises a one-line :class:`~livetrust.errors.LivetrustError` naming ``option``."""
    from .errors import LivetrustError

    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".livetrust-probe-"):
            pass
    except OSError as err:
        raise LivetrustError(f"{option} {folder}: cannot write there ({err.strerror or type(err).__name__})") from None
    sweep_stale_temps(folder)
    return folder


def sweep_stale_temps(folder: str | Path, *, older_than_s: float = STALE_TEMP_AFTER_S) -> list[str]:
    """Remove the temp files that runs which never finished left in ``folder``; returns their names.

    Only names of this module's pattern, last written more than ``older_than_s`` ago (a running
    job's temp file is younger). One warning line names what was removed and its size.
    """
    cutoff = time.time() - older_than_s
    removed, size = [], 0
    with os.scandir(folder) as entries:
        for entry in entries:
            if not _OUR_TEMP.match(entry.name):
                continue
            try:
                st = entry.stat(follow_symlinks=False)
                if not entry.is_file(follow_symlinks=False) or st.st_mtime > cutoff:
                    continue
                os.unlink(entry.path)
            except OSError:  # gone meanwhile, or not ours to remove: leave it
                continue
            removed.append(entry.name)
            size += st.st_size
    if removed:
        log.warning("%s: removed %d temp file(s) of runs that did not finish (%.1f MB): %s", folder, len(removed),
                    size / 1e6, ", ".join(sorted(removed)[:5]) + (", ..." if len(removed) > 5 else ""))
    return removed


def arrow_table(frame: pd.DataFrame) -> pa.Table:
    """``frame`` as an Arrow table (no index) whose text columns stay text when they hold no value.

    pandas keeps a column without values (every output of a run on an empty folder) as
    ``object``, which Arrow types ``null``: a Parquet reader would see another schema than a
    run with rows gives (``large_string``, pandas' ``str``).
    """
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, column in enumerate(table.schema):
        if pa.types.is_null(column.type):
            table = table.set_column(i, column.name, table.column(i).cast(pa.large_string()))
    return table


def json_text(value, **dumps) -> str:
    """Strict JSON of ``value`` (the rows of ``livetrust query --format json``, ``evaluation.json``).

    Floats keep every digit (Python's shortest round-trip repr; pandas' ``to_json`` rounds to 15);
    NaN, infinity, ``NaT`` and None become ``null`` (JSON has no NaN); numpy scalars become Python
    numbers, timestamps and neo4j temporal values ISO text, anything else (Decimal, bytes) its text.
    """
    return json.dumps(_json_safe(value), allow_nan=False, default=str, **dumps)


def _json_safe(value):
    if hasattr(value, "iso_format"):  # neo4j.time types (Duration is a tuple: before the list branch)
        return value.iso_format()
    if isinstance(value, np.generic):
        return _json_safe(value.item())
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if value is None or value is pd.NaT or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return pd.Timestamp(value).isoformat()
    return value
