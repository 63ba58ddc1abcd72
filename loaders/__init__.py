"""Read, validate and load a contract folder (``shared/data-contract.md``) into Neo4j.

- :func:`load_folder` -- ``livetrust load``: validate every row and write the accepted
  ones with batched ``UNWIND ... MERGE`` in managed write transactions; idempotent and
  resumable; pending rows wait in Neo4j as ``:Pending`` nodes and are retried by every
  later load; a reconciliation per file (read = loaded + duplicate + pending + quarantined).
- :func:`validate_folder` -- embedded mode: the same validation against in-memory state,
  returning the accepted tables (what ``Projection.from_folder`` builds on).
"""

from __future__ import annotations

from .pipeline import Validated, load_folder, validate_folder
from .report import FileReport, LoadReport, ReconciliationError

__all__ = ["load_folder", "validate_folder", "Validated", "LoadReport", "FileReport", "ReconciliationError"]
