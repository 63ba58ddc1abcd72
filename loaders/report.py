"""The reconciliation of a load: per file read = loaded + duplicate + pending + quarantined.

Also the quarantine and pending files of the report folder (CSV: stream, file, row, key,
reason, detail, values), written as rows are decided so memory stays flat.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..contract import STREAMS, Outcome
from .validate import Batch

SINK_COLUMNS = ["stream", "file", "row", "key", "reason", "detail", "values"]


class ReconciliationError(RuntimeError):
    """The four outcome counts of a file do not add up to its rows read (a loader bug)."""


@dataclass
class Counts:
    read: int = 0
    loaded: int = 0
    duplicate: int = 0
    pending: int = 0
    quarantined: int = 0
    reasons: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def add(self, batch: Batch) -> None:
        self.read += len(batch)
        for outcome in Outcome.ALL:
            setattr(self, outcome, getattr(self, outcome) + int(np.count_nonzero(batch.mask_of(outcome))))
        self.reasons.update(r for r in batch.reason if r is not None)

    def check(self, what: str) -> None:
        total = self.loaded + self.duplicate + self.pending + self.quarantined
        if total != self.read:
            raise ReconciliationError(
                f"{what}: loaded {self.loaded} + duplicate {self.duplicate} + pending {self.pending} + "
                f"quarantined {self.quarantined} = {total}, but {self.read} rows were read")

    def as_dict(self) -> dict:
        d = {k: getattr(self, k) for k in ("read",) + Outcome.ALL}
        d["reasons"] = dict(sorted(self.reasons.items()))
        d["seconds"] = round(self.seconds, 3)
        d["rows_per_s"] = round(self.read / self.seconds) if self.seconds > 0 else None
        return d


@dataclass
class FileReport(Counts):
    stream: str = ""
    file: str = ""

    def as_dict(self) -> dict:
        return {"stream": self.stream, "file": self.file, **super().as_dict()}


@dataclass
class LoadReport:
    """What one load (or dry run, or embedded validation) did with every row."""

    run_id: str
    folder: str
    mode: str  # "load" | "dry-run" | "embedded"
    started_at: str
    finished_at: str | None = None
    report_dir: str | None = None
    files: list[FileReport] = field(default_factory=list)
    pending_resolved: dict[str, Counts] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def check(self) -> None:
        """Raise ReconciliationError unless every file's (and every retry's) four counts add up."""
        for f in self.files:
            f.check(f.file)
        for stream, c in self.pending_resolved.items():
            c.check(f"pending {stream}")

    def totals(self) -> Counts:
        t = Counts()
        for f in self.files:
            for k in ("read",) + Outcome.ALL:
                setattr(t, k, getattr(t, k) + getattr(f, k))
            t.reasons.update(f.reasons)
            t.seconds += f.seconds
        return t

    def file(self, relpath: str) -> FileReport | None:
        return next((f for f in self.files if f.file == relpath), None)

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "folder": self.folder,
            "mode": self.mode,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "report_dir": self.report_dir,
            "files": [f.as_dict() for f in self.files],
            "totals": self.totals().as_dict(),
            "pending_resolved": {s: c.as_dict() for s, c in self.pending_resolved.items()},
            "notes": self.notes,
        }

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    def table(self) -> str:
        """The reconciliation table as text."""
        head = ("file", "read", "loaded", "duplicate", "pending", "quarantined", "rows/s")
        lines = []
        for f in self.files:
            rate = f"{f.read / f.seconds:,.0f}" if f.seconds > 0 and f.read else "-"
            lines.append((f.file, f.read, f.loaded, f.duplicate, f.pending, f.quarantined, rate))
        t = self.totals()
        for stream, c in self.pending_resolved.items():
            if c.read:
                lines.append((f"pending resolved: {stream}", c.read, c.loaded, c.duplicate, c.pending, c.quarantined, "-"))
        lines.append(("total (files)", t.read, t.loaded, t.duplicate, t.pending, t.quarantined,
                      f"{t.read / t.seconds:,.0f}" if t.seconds > 0 and t.read else "-"))
        cells = [head] + [tuple(f"{v:,}" if isinstance(v, int) else str(v) for v in row) for row in lines]
        widths = [max(len(r[i]) for r in cells) for i in range(len(head))]
        fmt = lambda r: "  ".join(r[0].ljust(widths[0]) if i == 0 else r[i].rjust(widths[i]) for i in range(len(r)))  # noqa: E731
        out = [fmt(cells[0]), "  ".join("-" * w for w in widths)]
        out += [fmt(r) for r in cells[1:-1]]
        out += ["  ".join("-" * w for w in widths), fmt(cells[-1])]
        if t.reasons:
            out.append("reasons: " + ", ".join(f"{r} {n:,}" for r, n in sorted(t.reasons.items())))
        return "\n".join(out)


class Sink:
    """Quarantined and pending rows: CSV files in the report folder, or in memory."""

    def __init__(self, report_dir: Path | None) -> None:
        self.report_dir = report_dir
        self.rows: dict[str, list[dict]] = {"quarantine": [], "pending": []}
        self._files = {}
        self._writers = {}
        if report_dir is not None:
            for name in ("quarantine", "pending"):
                fh = open(report_dir / f"{name}.csv", "w", newline="", encoding="utf-8")
                w = csv.writer(fh)
                w.writerow(SINK_COLUMNS)
                self._files[name], self._writers[name] = fh, w

    def add(self, batch: Batch) -> None:
        for name, outcome in (("quarantine", Outcome.QUARANTINED), ("pending", Outcome.PENDING)):
            idx = np.flatnonzero(batch.mask_of(outcome))
            if not len(idx):
                continue
            kcols = list(STREAMS[batch.stream].key)
            keys = batch.raw[kcols].to_numpy(dtype=object)
            for i in idx:
                rec = [batch.stream, str(batch.file[i]), int(batch.row[i]),
                       "|".join(str(v).strip() for v in keys[i]), batch.reason[i], batch.detail[i] or "",
                       batch.values_json(i)]
                if self.report_dir is not None:
                    self._writers[name].writerow(rec)
                else:
                    self.rows[name].append(dict(zip(SINK_COLUMNS, rec)))

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()
        self._files = {}
