"""One recommendation run: every list for every (or some) subjects, from a projection and trust scores."""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd

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


def new_run_id() -> str:
    """``rec-YYYYmmddTHHMMSSZ-xxxxxxxx``: sortable by time, unique."""
    return f"rec-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


@dataclass
class RecommendResult:
    """The lists of one run (``lists[name]`` is a DataFrame, see ``export.py`` for columns).

    The text columns (``list``, the ids, ``reason``) are pandas categoricals: a code per row
    into the distinct values, a fraction of the memory of a string per row. Compare them as
    values (``frame["subject_id"] == "c1"`` works); the files hold plain text.
    """

    run_id: str
    lists: dict[str, pd.DataFrame]
    parameters: dict[str, Any] = field(default_factory=dict)
    score_run_id: str | None = None
    input_counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    unknown_subjects: int = 0

    @property
    def row_counts(self) -> dict[str, int]:
        return {name: int(len(frame)) for name, frame in self.lists.items()}


HEADERS = ("subject_id", "consumer_id", "streamer_id", "factory_id", "id")


def read_subjects(path: str | Path) -> list[str]:
    """Subject ids from a file: one id per line, or a CSV whose first column (or a
    ``subject_id``/``*_id`` column) holds them. Blank lines and ``#`` comments are skipped."""
    path = Path(path)
    text = path.read_text(encoding="utf-8").splitlines()
    lines = [ln.strip() for ln in text if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return []
    if "," in lines[0]:
        frame = pd.read_csv(path, dtype=str, comment="#")
        cols = [c for c in frame.columns if c == "subject_id"] or [c for c in frame.columns if c.endswith("_id")] or [frame.columns[0]]
        return [s.strip() for s in frame[cols[0]].dropna().astype(str) if s.strip()]
    if lines[0].lower() in HEADERS:
        lines = lines[1:]
    return lines


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
    """Build the ranked lists.

    Parameters
    ----------
    projection, scores : the graph and its trust scores (``scores.run_id`` is recorded).
    top : K, the list length per subject.
    subjects : restrict every list to these subject ids (consumer ids for the consumer
        lists, factory ids for the factory list, streamer ids for the streamer lists);
        ``None`` means every subject.
    lists : which lists (names of :data:`LISTS`).
    params : constructor parameters per list name.
    """
    say = progress or (lambda _m: None)
    params = params or {}
    lists = list(lists)
    unknown = [n for n in lists if n not in LISTS]
    if unknown:
        raise ValueError(f"unknown list(s) {', '.join(unknown)}; known: {', '.join(LISTS)}")
    t0 = time.perf_counter()
    graph = Graph.build(projection)
    ctx = Context.build(graph, scores, demotion)
    seconds = {"prepare": time.perf_counter() - t0}
    wanted = None if subjects is None else pd.Index(pd.unique(pd.Series(list(subjects), dtype=object).astype(str)))
    matched = pd.Index([], dtype=object)
    out: dict[str, pd.DataFrame] = {}
    for name in lists:
        t = time.perf_counter()
        cls, subject, _obj = LISTS[name]
        index = getattr(graph, _SUBJECT_INDEX[subject])
        if wanted is None:
            rows = np.arange(len(index))
        else:
            codes = index.get_indexer(wanted)
            rows = np.unique(codes[codes >= 0])
            matched = matched.union(wanted[codes >= 0])
        model = cls(**params.get(name, {})).fit(ctx)
        idx, vals = model.recommend(top, rows)
        frame = model.frame(rows, idx, vals)
        frame.insert(0, "list", labels(np.zeros(len(frame), np.int64), pd.Index([name])))
        out[name] = frame
        seconds[name] = time.perf_counter() - t
        say(f"{name}: {len(rows)} subjects, {len(frame)} rows in {seconds[name]:.1f} s")
    counts = {"consumers": graph.n_consumers, "streamers": graph.n_streamers, "products": graph.n_products,
              "factories": graph.n_factories, "orders": len(projection.orders), "follows": len(projection.follows)}
    return RecommendResult(
        run_id=run_id or new_run_id(),
        lists=out,
        parameters={"top": top, "lists": lists, "subjects": None if wanted is None else len(wanted),
                    "params": params, "demotion": asdict(ctx.rule)},
        score_run_id=scores.run_id,
        input_counts=counts,
        seconds={k: round(v, 3) for k, v in seconds.items()},
        unknown_subjects=0 if wanted is None else int(len(wanted.difference(matched))),
    )
