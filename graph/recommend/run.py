"""One recommendation run: every list for every (or some) subjects, from a projection and trust scores."""

from __future__ import annotations

import csv
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np
import pandas as pd

from ...errors import LivetrustError
from .._arrays import unique
from ..projection import Projection
from .consumer_products import ConsumerProducts
from .common import labels
from .consumer_streamers import ConsumerStreamers
from .context import Context
from .data import Graph
from .factory_streamers import FactoryStreamers
from .scores import Demotion, Scores
from .streamer_products import StreamerFactories, StreamerProducts

#: list name -> (recommender class, subject entity, object entity)
LISTS: dict[str, tuple[type, str, str]] = {
    "consumer_streamers": (ConsumerStreamers, "consumer", "streamer"),
    "consumer_products": (ConsumerProducts, "consumer", "product"),
    "factory_streamers": (FactoryStreamers, "factory", "streamer"),
    "streamer_products": (StreamerProducts, "streamer", "product"),
    "streamer_factories": (StreamerFactories, "streamer", "factory"),
}
_SUBJECT_INDEX = {"consumer": "consumers", "streamer": "streamers", "factory": "factories"}

#: Subjects per block when a run streams its lists (:meth:`RecommendRun.blocks`): a consumer
#: list of 20 ranks is 1M rows a block, whatever the number of consumers.
SUBJECTS_PER_BLOCK = 50_000


def new_run_id() -> str:
    """``rec-YYYYmmddTHHMMSSZ-xxxxxxxx``: sortable by time, unique."""
    return f"rec-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


@dataclass
class RecommendResult:
    """The lists of one run (``lists[name]`` is a DataFrame, see ``export.py`` for columns).

    The text columns (``list``, the ids, ``reason``) are pandas categoricals: a code per row
    into the distinct values, a fraction of the memory of a string per row. Compare them as
    values (``frame["subject_id"] == "c1"`` works); the files hold plain text.

    A run streamed block by block (:meth:`RecommendRun.blocks`) keeps no list: ``lists``
    stays empty and ``row_counts`` counts the rows that went by.
    """

    run_id: str
    lists: dict[str, pd.DataFrame] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    score_run_id: str | None = None
    input_counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    unknown_subjects: int = 0
    unknown_subject_examples: list[str] = field(default_factory=list)  # the first few, sorted
    input_outcomes: dict[str, Any] | None = None  # embedded mode: what validation did with the folder's rows
    row_counts: dict[str, int] = field(default_factory=dict)
    started_at: datetime | None = None  # when the command started (the run history's start)


HEADERS = ("subject_id", "consumer_id", "streamer_id", "factory_id", "id")
#: Unknown ids of --subjects named in the summary and the manifest (all are counted).
UNKNOWN_EXAMPLES = 5


def read_subjects(path: str | Path) -> list[str]:
    """Subject ids from a file: one id per line, or a CSV whose ``subject_id`` column (else its first
    ``*_id`` column, else its first column) holds them. Quotes are read as CSV quotes in both; a
    one-column file's first line is a header when it is a column name (``subject_id``, ``consumer_id``
    ...). Blank lines, ``#`` comments and a UTF-8 byte-order mark are skipped."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise LivetrustError(f"--subjects: cannot read {path}: {exc}") from None
    numbered = [(n, ln) for n, ln in enumerate(text.splitlines(), 1) if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.reader((ln for _, ln in numbered), strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:  # the file's line number, not the reader's count of kept lines
        line = numbered[min(reader.line_num, len(numbered)) - 1][0]
        raise LivetrustError(f"--subjects: {path} line {line} is not valid CSV: {exc}") from None
    if not rows:
        return []
    header = [c.strip() for c in rows[0]]
    if len(header) > 1 and len(rows) == 1:
        raise LivetrustError(f"--subjects: {path} has one line of {len(header)} comma-separated fields, read as a "
                             "CSV header with no ids under it; give one id per line, or a header (subject_id) and "
                             "the ids below it")
    if len(header) == 1:  # one id per line: a line is one id, commas and all; quotes are CSV quotes
        values = [(",".join(r) if len(r) > 1 else r[0] if r else "").strip() for r in rows]
        values = values[1:] if values[0].lower() in HEADERS else values
        return [v for v in values if v]
    ragged = next((i for i, r in enumerate(rows[1:], 1) if len(r) != len(header)), None)
    if ragged is not None:  # rows and kept lines pair up once the reader got through (no multi-line quotes)
        line = numbered[ragged][0] if len(rows) == len(numbered) else None
        where = f"line {line}" if line is not None else f"data row {ragged}"
        raise LivetrustError(f"--subjects: {path} {where} has {len(rows[ragged])} fields, the header {len(header)}")
    named = [i for i, c in enumerate(header) if c == "subject_id"] or [i for i, c in enumerate(header) if c.endswith("_id")]
    col = named[0] if named else 0
    return [r[col].strip() for r in rows[1:] if r[col].strip()]


class RecommendRun:
    """A prepared run: the graph encoded, the scores aligned, the subjects resolved; each
    list is then built whole (:meth:`collect`) or streamed in blocks of subjects (:meth:`blocks`).

    Streaming keeps memory flat whatever the number of subjects: a consumer list is 20
    rows per consumer, 68M rows for the 3.4M consumers of the l world. Every row depends
    on its subject only, so the blocks are the whole list cut by subject, row for row.

    Parameters
    ----------
    projection, scores : the graph and its trust scores (``scores.run_id`` is recorded).
    top : K, the list length per subject.
    subjects : restrict every list to these subject ids (consumer ids for the consumer
        lists, factory ids for the factory list, streamer ids for the streamer lists);
        ``None`` means every subject.
    lists : which lists (names of :data:`LISTS`).
    params : constructor parameters per list name.
    demotion : the demotion rule (default :class:`~.scores.Demotion`).
    run_id : the run's id (default :func:`new_run_id`).
    progress : called with one line per list built.

    Attributes
    ----------
    result : RecommendResult
        The run's record; ``row_counts`` and ``seconds`` fill as lists are built.

    Examples
    --------
    >>> run = RecommendRun(projection, scores, top=20)  # doctest: +SKIP
    >>> for frame in run.blocks("consumer_products"):  # doctest: +SKIP
    ...     write(frame)
    """

    def __init__(self, projection: Projection, scores: Scores, *, top: int = 20, subjects: Iterable[str] | None = None,
                 lists: Iterable[str] = tuple(LISTS), params: dict[str, dict[str, Any]] | None = None,
                 demotion: Demotion | None = None, run_id: str | None = None,
                 progress: Callable[[str], None] | None = None):
        self.names = list(lists)
        unknown = [n for n in self.names if n not in LISTS]
        if unknown:
            raise ValueError(f"unknown list(s) {', '.join(unknown)}; known: {', '.join(LISTS)}")
        self.top, self.params, self._say = top, params or {}, progress or (lambda _m: None)
        t0 = time.perf_counter()
        graph = Graph.build(projection)
        self.context = Context.build(graph, scores, demotion)
        wanted = None if subjects is None else pd.Index(pd.unique(pd.Series(list(subjects), dtype=object).astype(str)))
        self.rows, unknown = _subject_rows(graph, self.names, wanted)
        counts = {"consumers": graph.n_consumers, "streamers": graph.n_streamers, "products": graph.n_products,
                  "factories": graph.n_factories, "orders": len(projection.orders), "follows": len(projection.follows)}
        self.result = RecommendResult(
            run_id=run_id or new_run_id(),
            parameters={"top": top, "lists": self.names, "subjects": None if wanted is None else len(wanted),
                        "params": self.params, "demotion": asdict(self.context.rule),
                        "half_life_days": graph.half_life_days},  # the orders' recency weight
            score_run_id=scores.run_id,
            input_counts=counts,
            seconds={"prepare": round(time.perf_counter() - t0, 3)},
            unknown_subjects=len(unknown), unknown_subject_examples=sorted(unknown)[:UNKNOWN_EXAMPLES],
        )

    def blocks(self, name: str, subjects_per_block: int | None = None) -> Iterator[pd.DataFrame]:
        """List ``name`` as frames of at most ``subjects_per_block`` subjects each, in subject
        order (at least one frame, empty when the list has no subject). Once the last frame
        is taken, ``result.row_counts[name]`` and ``result.seconds[name]`` are set (the
        seconds include the time the caller spent between frames, e.g. writing them).
        ``subjects_per_block`` defaults to :data:`SUBJECTS_PER_BLOCK`."""
        t = time.perf_counter()
        per_block = max(1, subjects_per_block or SUBJECTS_PER_BLOCK)
        cls = LISTS[name][0]
        model = cls(**self.params.get(name, {})).fit(self.context)
        rows, n_rows = self.rows[name], 0
        for start in range(0, max(1, len(rows)), per_block):
            block = rows[start:start + per_block]
            idx, vals = model.recommend(self.top, block)
            frame = model.frame(block, idx, vals)
            frame.insert(0, "list", labels(np.zeros(len(frame), np.int64), pd.Index([name])))
            n_rows += len(frame)
            yield frame
        self.result.row_counts[name] = n_rows
        self.result.seconds[name] = round(time.perf_counter() - t, 3)
        self._say(f"{name}: {len(rows)} subjects, {n_rows} rows in {self.result.seconds[name]:.1f} s")

    def collect(self) -> RecommendResult:
        """Every list built whole into ``result.lists`` (one block per list)."""
        for name in self.names:
            (self.result.lists[name],) = self.blocks(name, subjects_per_block=max(1, len(self.rows[name])))
        return self.result


def _subject_rows(graph: Graph, names: list[str], wanted: pd.Index | None) -> tuple[dict[str, np.ndarray], list[str]]:
    """Each list's subject codes (all, or those of ``wanted``), and the wanted ids that matched
    no subject of any list."""
    rows, matched = {}, pd.Index([], dtype=object)
    for name in names:
        index = getattr(graph, _SUBJECT_INDEX[LISTS[name][1]])
        if wanted is None:
            rows[name] = np.arange(len(index))
            continue
        codes = index.get_indexer(wanted)
        rows[name] = unique(codes[codes >= 0])
        matched = matched.union(wanted[codes >= 0])
    return rows, [] if wanted is None else [str(v) for v in wanted.difference(matched)]


def recommend(
    projection: Projection,
    scores: Scores,
    *,
    top: int = 20,
    subjects: Iterable[str] | None = None,
    lists: Iterable[str] = tuple(LISTS),
    params: dict[str, dict[str, Any]] | None = None,
    demotion: Demotion | None = None,
    run_id: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> RecommendResult:
    """Build the ranked lists, each whole in memory (:class:`RecommendRun` streams them).

    Parameters are those of :class:`RecommendRun`.

    Examples
    --------
    >>> result = recommend(projection, scores, top=20)  # doctest: +SKIP
    >>> result.lists["consumer_products"].head()  # doctest: +SKIP
    """
    return RecommendRun(projection, scores, top=top, subjects=subjects, lists=lists, params=params,
                        demotion=demotion, run_id=run_id, progress=progress).collect()
