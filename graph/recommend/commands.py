"""What ``livetrust recommend`` and ``livetrust evaluate`` do (the CLI in ``livetrust.cli`` only parses).

- Embedded mode (``--data DIR``): the projection comes from the folder through the
  loaders' validation and the trust scores from the trust model, computed here; files only.
- Neo4j mode: the projection comes from Neo4j and the scores of the current ``score``
  run from Neo4j; the lists are written back as ``RECOMMENDED`` relationships of a
  ``recommend`` run (and to files too with ``--out``).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any, Callable

from ...errors import LivetrustError
from ...files import writable_folder
from .scores import Scores, scores_from_model


def _scores_from_neo4j(driver, database: str) -> Scores:
    """The current ``score`` run's frames, plus the fraud components and buyer credibility
    the run stored (used by the demotion rule and the order weights when present)."""
    import pandas as pd

    from ...queries import cypher_statement
    from ...writeback import current_run_id
    from ..paths.inputs import trust_inputs_from_neo4j

    run_id = current_run_id(driver, database, "score")
    if run_id is None:
        raise LivetrustError("Neo4j holds no trust scores yet: run `livetrust score` first")
    t = trust_inputs_from_neo4j(driver, database, run_id)
    streamers, bonds = t.streamers, t.consumer_streamer

    def fetch(name: str, **params) -> pd.DataFrame:
        records, _, keys = driver.execute_query(cypher_statement(f"writeback/{name}"), database_=database, **params)
        return pd.DataFrame([r.values() for r in records], columns=keys)

    signals = fetch("recommended_streamer_signals")
    for col in ("integrity", "lockstep_buyers", "buyers", "fraud_flag"):
        if col in signals.columns and signals[col].notna().any():
            values = signals.set_index("streamer_id")[col]
            streamers = streamers.assign(**{col: streamers["streamer_id"].map(values)})
            if col == "fraud_flag":
                streamers[col] = streamers[col].fillna(False).astype(bool)
            else:
                streamers[col] = pd.to_numeric(streamers[col]).fillna(1.0 if col == "integrity" else 0.0)
    # a consumer's credibility is stored on each of its bonds (null when the run stored none)
    credibility = bonds.groupby("consumer_id")["consumer_credibility"].transform("min")
    bonds = bonds.drop(columns="consumer_credibility")
    if credibility.notna().any():
        bonds = bonds.assign(consumer_credibility=credibility.fillna(1.0))
    return Scores(bonds, streamers, t.products, t.factories, run_id=run_id)


def _checked_run(run: "RecommendRun", subjects: list[str] | None) -> "RecommendRun":
    """The run, unless ``--subjects`` selected no subject of its lists (an empty run would be
    published as current, hiding every list)."""
    if subjects is not None and not any(len(rows) for rows in run.rows.values()):
        raise LivetrustError(f"--subjects: none of its {len(set(subjects)):,d} ids is a subject of the chosen lists "
                             "(consumer, factory or streamer ids); nothing written")
    return run


def run_recommend(
    *, data_dir: Path | None, out_dir: Path | None, file_format: str, top: int, subjects_file: Path | None,
    lists: tuple[str, ...] | None, write_top: int | None = None, write_reasons: bool = True, settings=None,
    say: Callable[[str], None] | None = None, params: dict[str, dict[str, Any]] | None = None,
    publish_subset: bool = False,
) -> str:
    """Run the job; returns the summary printed by the CLI.

    ``params``: constructor parameters per list name (``--set``), recorded in the manifest.

    The lists are streamed in blocks of subjects (``run.SUBJECTS_PER_BLOCK``): each block
    goes to the files and to Neo4j while the next is built, so memory does not grow with
    the number of subjects. Files and run are published only when every list is complete.

    ``write_top`` (Neo4j mode): the first K of each list are written back (None: all of
    ``top``; 0: none, files only). On the m world every list in full is 14.7M
    relationships and takes minutes to write (bench/results/recommend.md).

    ``write_reasons`` (Neo4j mode): False leaves the ``reason`` property off the
    ``RECOMMENDED`` relationships (the files keep it). The reason texts are most of the
    string store; leaving them off saves store, not time, once reruns overwrite the stock
    in place (bench/results/recommend.md).

    ``publish_subset`` (Neo4j mode): publish a run limited by ``subjects_file`` or ``lists``.
    Readers see only the current run, so such a run replaces every subject's and every list's
    published recommendations with its own; without this flag it is refused unless nothing is
    written back (``write_top=0``). A subjects file that selects no subject is always refused.
    """
    from .run import LISTS, RecommendRun, read_subjects

    say = say or (lambda _m: None)
    if data_dir is not None and out_dir is None:
        raise LivetrustError("embedded mode (--data) writes files only: give --out DIR")
    if data_dir is not None and write_top is not None:
        raise LivetrustError("--write-top is for Neo4j mode: embedded mode (--data) writes nothing back")
    if data_dir is not None and not write_reasons:
        raise LivetrustError("--no-write-reasons is for Neo4j mode: embedded mode (--data) writes nothing back")
    if write_top == 0 and out_dir is None:
        raise LivetrustError("--write-top 0 writes nothing back: give --out DIR for the files")
    subjects = None
    if subjects_file is not None:
        if not Path(subjects_file).is_file():
            raise LivetrustError(f"--subjects: no such file {subjects_file}")
        subjects = read_subjects(subjects_file)
        if not subjects:
            raise LivetrustError(f"--subjects: {subjects_file} holds no subject ids")
    chosen = tuple(lists) if lists else tuple(LISTS)
    bad = [n for n in chosen if n not in LISTS]
    if bad:
        raise LivetrustError(f"unknown list(s) {', '.join(bad)}; known: {', '.join(LISTS)}")
    subset = [opt for opt, limited in (("--subjects", subjects is not None), ("--lists", set(chosen) != set(LISTS)))
              if limited]
    if data_dir is None and write_top != 0 and subset and not publish_subset:
        raise LivetrustError(
            f"{' and '.join(subset)} in Neo4j mode: the run would replace the published recommendations of every "
            "subject and list (readers see only the current run); add --write-top 0 for files only, or "
            "--publish-subset to publish it anyway")
    if out_dir is not None:
        writable_folder(out_dir, "--out")  # once the options are known good; before the read and the write-back
    started = time.perf_counter()
    started_at = datetime.now(timezone.utc)
    options = dict(top=top, subjects=subjects, lists=chosen, params=params, progress=say)

    def checked_run(projection, scores) -> "RecommendRun":
        run = _checked_run(RecommendRun(projection, scores, **options), subjects)
        if subjects_file is not None:  # the manifest's parameters: the file beside its count of ids
            run.result.parameters["subjects_file"] = str(subjects_file)
        return run

    if data_dir is not None:
        from ..projection import Projection

        projection = Projection.from_folder(data_dir)
        projection.require_activity("recommend", folder=data_dir)
        say(f"projection read in {time.perf_counter() - started:.1f} s")
        t = time.perf_counter()
        scores = scores_from_model(projection)
        say(f"trust scores computed in {time.perf_counter() - t:.1f} s")
        run = checked_run(projection, scores)
        run.result.input_outcomes = projection.input_outcomes
        lines = [_stream_to_files(run, out_dir, file_format)]
        if note := projection.input_note(data_dir):
            lines.append(note)
    else:
        from ...db import connect
        from ...joblock import refuse_if_busy
        from ..projection import Projection

        with connect(settings) as driver:
            if write_top != 0:  # refuse at once while another recommend run writes, not after the read
                refuse_if_busy(driver, settings.database, "recommend")
            # both reads are mostly waiting on the server and decoding: side by side they overlap
            with ThreadPoolExecutor(max_workers=2, thread_name_prefix="read") as pool:
                projection_read = pool.submit(Projection.from_neo4j, driver, settings.database)
                scores = _scores_from_neo4j(driver, settings.database)
                projection = projection_read.result()
            projection.require_activity("recommend")
            say(f"projection and scores of run {scores.run_id} read in {time.perf_counter() - started:.1f} s")
            run = checked_run(projection, scores)
            run.result.started_at = started_at
            run.result.parameters["write_top"] = None if write_top is None else min(write_top, run.top)  # as written
            run.result.parameters["write_reasons"] = write_reasons
            if write_top == 0:
                lines = ["  nothing written back to Neo4j (--write-top 0)", _stream_to_files(run, out_dir, file_format)]
            else:
                lines = _stream_to_neo4j(run, driver, settings.database, write_top, write_reasons, out_dir,
                                         file_format)
                if write_top is not None and write_top > run.top:
                    lines.append(f"  --write-top {write_top} is more than --top {run.top}: all {run.top} ranks were "
                                 "written back")
    result = run.result
    if result.unknown_subjects:
        examples = ", ".join(result.unknown_subject_examples)
        more = ", ..." if result.unknown_subjects > len(result.unknown_subject_examples) else ""
        lines.append(f"  {result.unknown_subjects} id(s) of --subjects are no subject of the chosen lists ({examples}{more}; "
                     "consumer ids for the consumer lists, factory ids for factory_streamers, streamer ids for the "
                     "streamer lists)")
    counts = ", ".join(f"{name} {n:,d}" for name, n in result.row_counts.items())
    head = (f"recommend run {result.run_id} (scores: {result.score_run_id or 'computed in this run'}): "
            f"{counts} rows in {time.perf_counter() - started:.1f} s")
    return "\n".join([head, *lines])


def _blocks(run, name: str):
    """``run.blocks(name)`` with a progress bar of the subjects done, on a terminal only
    (none under cron or in a pipe)."""
    from tqdm import tqdm

    from .run import SUBJECTS_PER_BLOCK

    total = len(run.rows[name])
    with tqdm(total=total, desc=name, unit=" subjects", leave=False, disable=None) as bar:
        for frame in run.blocks(name, SUBJECTS_PER_BLOCK):
            yield frame
            bar.update(min(SUBJECTS_PER_BLOCK, total - bar.n))


def _stream_to_files(run, out_dir: Path, file_format: str) -> str:
    """Every list block by block into the files; returns the summary line."""
    from .export import ListFiles

    with ListFiles(out_dir, file_format) as files:
        for name in run.names:
            for frame in _blocks(run, name):
                files.write(name, frame)
        return _files_line(out_dir, file_format, run.names, files.commit(run.result))


def _stream_to_neo4j(run, driver, database: str, write_top: int | None, write_reasons: bool, out_dir: Path | None,
                     file_format: str) -> list[str]:
    """Every list block by block into Neo4j (its first ``write_top`` ranks) and the files;
    the files are published once the run is; returns the summary lines."""
    from contextlib import nullcontext

    from .export import ListFiles, publish

    with ListFiles(out_dir, file_format) if out_dir is not None else nullcontext() as files:

        def blocks(name: str):
            for frame in _blocks(run, name):
                if files is not None:
                    files.write(name, frame)
                yield frame if write_top is None else frame[frame["rank"] <= write_top]

        t, steps, counts, committed = time.perf_counter(), {}, {}, {}

        def commit_files() -> None:  # once the run is current, before a stop can land
            if files is not None:
                committed["manifest"] = files.commit(run.result)

        publish(driver, database, run.result, lists={name: partial(blocks, name) for name in run.names}, timings=steps,
                counts=counts, reasons=write_reasons, after_publish=commit_files)
        manifest = committed.get("manifest")
    lines = [f"  built the lists and wrote {_written_text(counts)} "
             f"in {time.perf_counter() - t:.1f} s (building and writing {steps.get('relationships', 0):.1f} s, "
             f"cleanup {_cleanup_text(steps, counts)}; run {run.result.run_id} is current)"]
    if manifest is not None:
        lines.append(_files_line(out_dir, file_format, run.names, manifest))
    return lines


def _written_text(counts: dict[str, int]) -> str:
    """The relationships the write statements reported writing (exactly): how many overwrote the
    stock run's in place, how many were created."""
    written, overwritten = counts["written"], counts["overwritten"]
    return (f"{written:,d} RECOMMENDED relationships to Neo4j ({overwritten:,d} overwritten in place, "
            f"{written - overwritten:,d} created)")


def _cleanup_text(steps: dict[str, float], counts: dict[str, int]) -> str:
    parts = [f"{steps.get('cleanup', 0):.1f} s"]
    if counts.get("cleanup_failed"):
        return ", ".join([*parts, "failed (see the warning): the next run cleans up"])
    if counts.get("stale_deleted"):
        parts.append(f"{counts['stale_deleted']:,d} stale deleted by id")
    if counts.get("stale_ids_dropped"):
        parts.append("too much stale stock to hold its ids: the scan deleted it")
    if counts.get("cleanup_scans", 1) == 0:
        parts.append("no scan: only the two kept runs' relationships were left")
    return ", ".join(parts)


def _files_line(out_dir: Path, file_format: str, names, manifest: Path) -> str:
    return f"  files: {', '.join(str(Path(out_dir) / f'{n}.{file_format}') for n in names)}; manifest {manifest}"


def run_evaluate(
    *, data_dir: Path | None, holdout_days: int, k: int, truth_dir: Path | None, out_dir: Path | None,
    baselines: tuple[str, ...], lists: tuple[str, ...] | None, settings=None, say: Callable[[str], None] | None = None,
    params: dict[str, dict[str, Any]] | None = None,
) -> str:
    """Run the evaluation; returns the table printed by the CLI (markdown)."""
    from .evaluate import Truth, evaluate

    say = say or (lambda _m: None)
    truth = None
    if truth_dir is None and data_dir is not None and (Path(data_dir) / "truth" / "streamers.csv").is_file():
        truth_dir = Path(data_dir) / "truth"
    if truth_dir is not None:
        if not Path(truth_dir).is_dir():
            raise LivetrustError(f"--truth {truth_dir}: no such folder")
        truth = Truth.load(truth_dir)  # names a missing file or column
    started = time.perf_counter()
    from ..projection import Projection

    if data_dir is not None:
        projection = Projection.from_folder(data_dir)
    else:
        from ...db import connect

        with connect(settings) as driver:
            projection = Projection.from_neo4j(driver, settings.database)
    projection.require_activity("evaluate", folder=data_dir)
    say(f"projection read in {time.perf_counter() - started:.1f} s")
    kwargs = {"lists": tuple(lists)} if lists else {}
    result = evaluate(projection, holdout_days=holdout_days, k=k, truth=truth, baselines=baselines, params=params,
                      progress=say, **kwargs)
    table = result.to_markdown()
    info = result.info
    head = (f"evaluation: last {holdout_days} days hidden (cutoff {info['cutoff']}), k={k}, "
            f"truth: {info['truth'] or 'none'}, {info['seconds']} s")
    if data_dir is not None and (note := projection.input_note(data_dir)):
        head += "\n" + note
    if out_dir is not None:
        from ...files import atomic_write

        out_dir = Path(out_dir)
        atomic_write(out_dir / "evaluation.md", lambda tmp: tmp.write_text(head + "\n\n" + table, encoding="utf-8"))
        atomic_write(out_dir / "evaluation.json", lambda tmp: tmp.write_text(result.to_json() + "\n", encoding="utf-8"))
        table += f"\nwritten to {out_dir / 'evaluation.md'} and {out_dir / 'evaluation.json'}\n"
    return head + "\n\n" + table
