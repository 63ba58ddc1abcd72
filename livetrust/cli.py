"""The ``livetrust`` command line: one verb per job of the pipeline.

Connection settings come from ``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD`` and
``NEO4J_DATABASE``; the ``--uri/--user/--password/--database`` options override them.
Errors are one line on stderr with a non-zero exit, never a traceback.
"""

from __future__ import annotations

import functools
import math
import signal
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import click

from . import __version__
from .errors import LivetrustError, one_line
from .settings import Neo4jSettings
from .stopping import StopOnSignal

SCALES = ("xs", "s", "m", "l")
FILE_FORMATS = ("csv", "parquet", "jsonl")


def neo4j_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the connection options; the command receives ``settings: Neo4jSettings``."""

    @click.option("--uri", envvar="NEO4J_URI", show_envvar=True, help="Bolt URI [default: bolt://127.0.0.1:7687].")
    @click.option("--user", envvar="NEO4J_USER", show_envvar=True, help="Neo4j user [default: neo4j].")
    @click.option(
        "--password",
        envvar="NEO4J_PASSWORD",
        show_envvar=True,
        help="Neo4j password (prefer the environment variable; it is never printed).",
    )
    @click.option("--database", envvar="NEO4J_DATABASE", show_envvar=True, help="Database [default: neo4j].")
    @functools.wraps(command)
    def wrapper(*args: Any, uri: str | None, user: str | None, password: str | None, database: str | None, **kwargs: Any):
        settings = Neo4jSettings.from_env(uri=uri, user=user, password=password, database=database)
        return command(*args, settings=settings, **kwargs)

    return wrapper


def data_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--data DIR``: embedded mode, read a contract folder instead of Neo4j."""
    return click.option(
        "--data",
        "data_dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Embedded mode: read this contract folder (through the loaders' validation) instead of Neo4j.",
    )(command)


def not_built_yet(verb: str, issue: int) -> None:
    raise LivetrustError(f"`livetrust {verb}` is not built yet (tracked in issue #{issue})")


def stop_cleanly_on_signals(ctx: click.Context) -> None:
    """Turn SIGTERM (``kill``, a cron wrapper's timeout, ``docker stop``), SIGHUP and Ctrl-C
    (SIGINT) into :class:`Terminated` for this command, so that a job stopped in its write-back
    marks its run failed and gives up its job lock at once, instead of dying with the lock held
    until it goes stale (10 minutes). Only where SIGTERM still has its default action
    (``schedule`` installs its own handler) and in the main thread; the previous handlers come
    back when the command ends.

    The stop is raised outside the Neo4j driver only (:mod:`livetrust.stopping`): at once, at the
    jobs' next batch, or after a grace of a few seconds, and never between a run's switch in Neo4j
    and its files. A second signal ends the process at once; the server then drops the closed
    connection's query."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return
    stop = StopOnSignal(echo=lambda line: click.echo(line, err=True))
    # a closed terminal or ssh session sends SIGHUP: the same stop (its default killed the process
    # with its temp files left in --out); under nohup it stays ignored
    hangup = [signal.SIGHUP] if signal.getsignal(signal.SIGHUP) is signal.SIG_DFL else []
    # Ctrl-C: the same stop. Python's KeyboardInterrupt lands anywhere, inside the driver too, and
    # between a run's switch and its files (Neo4j current, the files the previous run's: review);
    # where the shell made SIGINT ignored (a background job) it stays ignored
    interrupt = [signal.SIGINT] if signal.getsignal(signal.SIGINT) is signal.default_int_handler else []
    stop.install(signal.SIGTERM, *hangup, *interrupt)
    ctx.call_on_close(stop.uninstall)


class Commands(click.Group):
    """The verbs; Neo4j going away in the middle of one is an error in one line, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from .db import connection_lost
        from .errors import Neo4jUnavailable

        try:
            return super().invoke(ctx)
        except Exception as err:  # noqa: BLE001 - only the lost connection is turned into a message
            if not connection_lost(err):
                raise
            raise Neo4jUnavailable(f"lost the connection to Neo4j during the run: {one_line(err)}") from None


class FiniteFloat(click.FloatRange):
    """A float range that also refuses ``nan`` and ``inf`` (``nan`` passes every comparison of
    ``FloatRange``; ``inf`` reached the manifest as ``Infinity``, which is not JSON)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="livetrust")
@click.pass_context
def main(ctx: click.Context) -> None:
    """livetrust: consumer-seller trust for live-stream commerce, on Neo4j.

    Data flows: generate/load -> Neo4j -> score -> paths -> recommend -> evaluate.
    """
    from .logs import one_line_driver_warnings

    stop_cleanly_on_signals(ctx)
    one_line_driver_warnings()


@main.command()
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder to write the world into.")
@click.option("--scale", type=click.Choice(SCALES), default="xs", show_default=True, help="xs ~10k events, s ~100k, m ~1M purchases, l ~10M purchases.")
@click.option("--seed", type=click.IntRange(0, None), default=7, show_default=True, help="Same seed, byte-identical files.")
@click.option("--format", "file_format", type=click.Choice(FILE_FORMATS), default="csv", show_default=True)
@click.option("--corrupt", type=FiniteFloat(0.0, 0.5), default=0.0, show_default=True, help="Bad rows to inject, as a share of each file's rows; every one is recorded in truth/defects.csv.")
@click.option("--holdout-days", type=click.IntRange(0, None), default=0, show_default=True, help="Write the last D days of events to OUT/holdout/.")
@click.option("--days", "span_days", type=click.IntRange(7, None), default=180, show_default=True, help="Span of simulated time; it must end by today.")
@click.option("--start", "start", type=click.DateTime(["%Y-%m-%d"]), default=None, help="First day of the span (UTC) [default: 2026-01-01].")
@click.option("--parts", type=click.IntRange(1, 10_000), default=None, help="Consumer shards; >1 writes consumers and events as folders of part files [default: 10 for l, else 1].")
def generate(out_dir: Path, scale: str, seed: int, file_format: str, corrupt: float, holdout_days: int, span_days: int,
             start: datetime | None, parts: int | None) -> None:
    """Simulate a live-commerce world with known truth (a contract folder + truth/).

    Regenerating into a folder replaces only the files a world has (stream files and part files,
    truth/'s files, holdout/); anything else there stays."""
    from .world import generate_world
    from .world.generate import DEFAULT_START, WorldArgumentError

    if holdout_days >= span_days:
        raise click.BadParameter(f"must be less than --days ({span_days})", param_hint="--holdout-days")
    try:
        summary = generate_world(
            out_dir, scale=scale, seed=seed, file_format=file_format, corrupt=corrupt,
            holdout_days=holdout_days, span_days=span_days, progress=True, parts=parts,
            start=start.replace(tzinfo=timezone.utc) if start else DEFAULT_START,
        )
    except WorldArgumentError as err:
        raise LivetrustError(str(err)) from None
    click.echo(summary)


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--dry-run",
    is_flag=True,
    help="Validate and report without writing to Neo4j. Rows are checked against the graph when Neo4j "
    "answers, against an empty graph when it does not (the report says which).",
)
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where reconciliation.json, quarantine.csv and pending.csv go [default: ./livetrust-out/load/RUN_ID/].",
)
# default: loaders.pipeline.LOAD_BATCH, written out because the CLI imports no job module at start
@click.option("--batch-size", type=click.IntRange(100, 200_000), default=5_000, show_default=True, help="Rows per chunk and per write transaction.")
@click.option("--quiet", is_flag=True, help="No progress bars or table; the report files are still written.")
@neo4j_options
def load(folder: Path, dry_run: bool, report_dir: Path | None, batch_size: int, quiet: bool, settings: Neo4jSettings) -> None:
    """Load a contract folder (factories ... follows, purchases, returns) into Neo4j.

    Every row ends loaded, duplicate, pending or quarantined; the reconciliation table
    (per file, the four add up to the rows read) is printed and written as JSON. Re-running
    the same load changes nothing; a killed load finishes when re-run. Pending rows (a
    return before its order, a purchase before its product) wait in Neo4j and are retried by
    every later load.
    """
    from .loaders import load_folder

    load_folder(
        folder, settings=settings, dry_run=dry_run, report_dir=report_dir, batch_size=batch_size,
        progress=not quiet, echo=click.echo,
    )


def _score_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options of the scoring job, shared by ``score`` and ``schedule``."""
    command = click.option("--lock-file", type=click.Path(dir_okay=False, path_type=Path),
                           help="Lock shared by every run of this job [default: OUT/.score.lock, else a temp-dir file].")(command)
    command = click.option("--half-life-days", type=FiniteFloat(0.0, None, min_open=True), default=90.0,
                           show_default=True, help="Recency: evidence this many days old counts half.")(command)
    command = click.option("--format", "file_format", type=click.Choice(("csv", "parquet")), default="csv",
                           show_default=True)(command)
    command = click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                           help="Write streamers, consumer_streamer, products, factories + score_manifest.json here "
                                "(required with --data).")(command)
    return data_option(command)


@main.command()
@_score_options
@neo4j_options
def score(data_dir: Path | None, out_dir: Path | None, file_format: str, half_life_days: float,
          lock_file: Path | None, settings: Neo4jSettings) -> None:
    """Compute trust scores (bonds, streamers, products, factories).

    Embedded mode (--data DIR --out OUT) reads a contract folder through the loaders'
    validation and writes files only; without --data the projection comes from Neo4j
    and the scores are written back to it (and to --out when given).
    """
    from .graph.trust.job import score_command

    click.echo(score_command(data_dir=data_dir, out_dir=out_dir, file_format=file_format,
                             params={"half_life_days": half_life_days}, lock_file=lock_file, settings=settings))


def _path_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by ``paths`` and ``paths explain``: the trust-edge parameters."""
    command = click.option("--min-bond", type=FiniteFloat(0.0, 1.0), default=0.0, show_default=True,
                           help="Bonds with trust below this are no edges.")(command)
    return click.option("--carry-prior", type=FiniteFloat(0.0, None), default=5.0, show_default=True,
                        help="Prior weight (units) of a product's trust in the streamer-product carry trust.")(command)


@main.group(invoke_without_command=True)
@data_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Write path files here (required with --data).")
@click.option("--format", "file_format", type=click.Choice(("csv", "parquet")), default="csv", show_default=True)
@click.option("--top-k", type=click.IntRange(1, None), default=1000, show_default=True, help="Reach rows kept per factory and kind (direct, prospective).")
@click.option("--all-reach", is_flag=True, help="Keep every reach row (no --top-k).")
@click.option("--top-channels", type=click.IntRange(0, 1000), default=10, show_default=True, help="Channels per factory written back to Neo4j (0: nothing written back, files only; Neo4j's current paths run stays current).")
@_path_options
@neo4j_options
@click.pass_context
def paths(ctx: click.Context, data_dir: Path | None, out_dir: Path | None, file_format: str, top_k: int, all_reach: bool,
          top_channels: int, carry_prior: float, min_bond: float, settings: Neo4jSettings) -> None:
    """Factory-to-consumer path analysis: channels, reach, demand, bridges.

    Without a sub-command, computes factory_channels, factory_reach, factory_demand and
    bridges (files under --out; in Neo4j mode the top channels are written back).
    `livetrust paths explain --factory F --consumer C` prints a pair's most trusted paths.
    """
    if ctx.invoked_subcommand is not None:
        return
    from .graph.paths.commands import run_job

    click.echo(run_job(data_dir=data_dir, out_dir=out_dir, file_format=file_format, top_k=None if all_reach else top_k,
                       top_channels=top_channels, carry_prior=carry_prior, min_bond=min_bond, settings=settings))


@paths.command("explain")
@click.option("--factory", "factory_id", required=True, help="Factory id.")
@click.option("--consumer", "consumer_id", required=True, help="Consumer id.")
@click.option("--top", type=click.IntRange(1, 100), default=5, show_default=True, help="Paths to print.")
@click.option("--max-hops", type=click.IntRange(0, 1), default=1, show_default=True, help="Shared-streamer hops searched when there is no direct path.")
@data_option
@_path_options
@neo4j_options
def paths_explain(factory_id: str, consumer_id: str, top: int, max_hops: int, data_dir: Path | None, carry_prior: float,
                  min_bond: float, settings: Neo4jSettings) -> None:
    """Print the most trusted factory-to-consumer paths with each hop's evidence."""
    from .graph.paths.commands import explain_pair

    click.echo(explain_pair(factory_id=factory_id, consumer_id=consumer_id, top=top, max_hops=max_hops, data_dir=data_dir,
                            carry_prior=carry_prior, min_bond=min_bond, settings=settings))


RECOMMEND_LISTS = ("consumer_streamers", "consumer_products", "factory_streamers", "streamer_products", "streamer_factories")


def _list_names(value: str | None) -> tuple[str, ...] | None:
    if not value:
        return None
    names = tuple(v.strip() for v in value.split(",") if v.strip())
    if not names:
        raise click.BadParameter(f"names no list; choose from {', '.join(RECOMMEND_LISTS)}", param_hint="--lists")
    bad = [n for n in names if n not in RECOMMEND_LISTS]
    if bad:
        raise click.BadParameter(f"unknown list(s) {', '.join(bad)}; choose from {', '.join(RECOMMEND_LISTS)}", param_hint="--lists")
    return names


@main.command()
@data_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Write the lists and manifest.json here (required with --data).")
@click.option("--top", type=click.IntRange(1, 1000), default=20, show_default=True, help="List length K per subject.")
@click.option("--subjects", "subjects_file", type=click.Path(dir_okay=False, path_type=Path), help="Only these subjects: a file of consumer/streamer/factory ids, one per line (or a CSV with a subject_id column).")
@click.option("--format", "file_format", type=click.Choice(FILE_FORMATS), default="csv", show_default=True)
@click.option("--lists", "list_names", metavar="NAMES", help=f"Comma-separated lists to build [default: all: {','.join(RECOMMEND_LISTS)}].")
@click.option("--write-top", type=click.IntRange(0, 1000), metavar="K",
              help="Neo4j mode: write back only the first K of each list (0: none, files only; needs --out) [default: --top].")
@click.option("--write-reasons/--no-write-reasons", default=True, show_default=True,
              help="Neo4j mode: keep each recommendation's reason text on its RECOMMENDED relationship (the files "
                   "always have it). Without: a smaller store (the reasons are most of it).")
@click.option("--set", "settings_text", multiple=True, metavar="LIST.PARAM=VALUE",
              help="A parameter of one list's recommender, e.g. consumer_products.keep_power=4 (repeatable; "
                   "recorded in the manifest). The parameters are in docs/recommendations.md.")
@click.option("--publish-subset", is_flag=True,
              help="Neo4j mode: publish a run limited by --subjects or --lists although it replaces every published "
                   "list (readers see only the current run); without it such a run needs --write-top 0.")
@neo4j_options
def recommend(data_dir: Path | None, out_dir: Path | None, top: int, subjects_file: Path | None, file_format: str,
              list_names: str | None, write_top: int | None, write_reasons: bool, settings_text: tuple[str, ...],
              publish_subset: bool, settings: Neo4jSettings) -> None:
    """Ranked lists for consumers, streamers and factories.

    consumer -> streamers to follow and products to buy; factory -> streamers to partner
    with; streamer -> products and factories to carry. Fraud-flagged or low-confidence
    objects are demoted, not dropped. With --data: files under --out (one per list plus
    manifest.json). Otherwise the projection and current trust scores come from Neo4j and
    the lists are written back as RECOMMENDED relationships stamped with the run.
    """
    from .graph.recommend.commands import run_recommend
    from .graph.recommend.run import LISTS

    params = _recommender_params(settings_text, {name: cls for name, (cls, _, _) in LISTS.items()})
    click.echo(run_recommend(data_dir=data_dir, out_dir=out_dir, file_format=file_format, top=top,
                             subjects_file=subjects_file, lists=_list_names(list_names), write_top=write_top,
                             write_reasons=write_reasons, settings=settings, params=params,
                             publish_subset=publish_subset, say=lambda m: click.echo(m, err=True)))


def _recommender_params(texts: tuple[str, ...], targets: dict[str, type]) -> dict[str, dict] | None:
    """``--set`` texts as constructor parameters per recommender; a bad one is a usage error."""
    from .graph.recommend.params import parse_params

    try:
        return parse_params(texts, targets) or None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--set") from None


@main.command()
@data_option
@click.option("--holdout-days", type=click.IntRange(1, None), default=30, show_default=True, help="Hide the last D days; recommend from the rest.")
@click.option("--k", "k", type=click.IntRange(1, 1000), default=10, show_default=True, help="Metric cut-off (precision@k, NDCG@k ...).")
@click.option("--truth", "truth_dir", type=click.Path(file_okay=False, path_type=Path), help="The world's truth folder, for fraud exposure [default: DATA/truth when present].")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Also write evaluation.md and evaluation.json here.")
@click.option("--baselines", default="most_popular,item_knn,rp3beta,followed_sellers", show_default=True,
              help="Comma-separated baselines (followed_sellers: consumer -> products only).")
@click.option("--lists", "list_names", metavar="NAMES", help="Comma-separated lists to evaluate [default: all five].")
@click.option("--set", "settings_text", multiple=True, metavar="NAME.PARAM=VALUE",
              help="A parameter of livetrust's recommender of a list (consumer_products.keep_power=4) or of a "
                   "baseline (rp3beta.beta=0.2); repeatable, recorded in evaluation.json.")
@neo4j_options
def evaluate(data_dir: Path | None, holdout_days: int, k: int, truth_dir: Path | None, out_dir: Path | None, baselines: str,
             list_names: str | None, settings_text: tuple[str, ...], settings: Neo4jSettings) -> None:
    """Time-split offline evaluation of the ranked lists against baselines.

    Hides the last --holdout-days, scores and recommends from the rest, and measures
    precision@k, recall@k, NDCG@k, MAP@k, coverage, fraud exposure and returned share
    against what really happened, for livetrust and most-popular, item-kNN, RP3beta and
    followed-sellers (the followed streamers' products, without trust); then livetrust
    minus each baseline per subject, with a 95% interval and a paired t-test.
    """
    from .graph.recommend.commands import run_evaluate

    from .graph.recommend.evaluate import BASELINES, EVALUABLE, RECOMMENDERS

    names = tuple(b.strip() for b in baselines.split(",") if b.strip())
    bad = [b for b in names if b not in BASELINES]
    if bad:
        raise click.BadParameter(f"unknown baseline(s) {', '.join(bad)}; choose from {', '.join(BASELINES)}",
                                 param_hint="--baselines")
    lists = _list_names(list_names)
    if lists and any(n not in EVALUABLE for n in lists):
        raise click.BadParameter(f"evaluable lists: {', '.join(EVALUABLE)}", param_hint="--lists")
    params = _recommender_params(settings_text, RECOMMENDERS)
    click.echo(run_evaluate(data_dir=data_dir, holdout_days=holdout_days, k=k, truth_dir=truth_dir, out_dir=out_dir,
                            baselines=names, lists=lists, settings=settings, params=params,
                            say=lambda m: click.echo(m, err=True)))


@main.command()
@click.argument("name", required=False)
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and what they answer.")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="A query parameter (repeatable).")
@click.option("--format", "output_format", type=click.Choice(("table", "csv", "json")), default="table", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the result to this file instead of printing it.")
@neo4j_options
def query(name: str | None, list_queries: bool, params: tuple[str, ...], output_format: str, output: Path | None, settings: Neo4jSettings) -> None:
    """Run a named, parameterised Cypher query from the library (queries/library/)."""
    from neo4j.exceptions import Neo4jError

    from .queries.runner import get_query, library, run_query

    if list_queries or not name:
        for q in library().values():
            args = " ".join(p.signature() for p in q.params)
            click.echo(f"{q.name:<22} {q.answers}\n{'':<22} params: {args or '-'}")
        return
    given = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise LivetrustError(f"--param {item!r} is not KEY=VALUE")
        if key.strip() in given:
            raise LivetrustError(f"--param {key.strip()} is given twice")
        given[key.strip()] = value
    get_query(name).bind(given)  # bad names and parameters fail before connecting
    if output and not output.parent.is_dir():
        raise LivetrustError(f"--output {output}: the folder {output.parent} does not exist")
    try:
        frame = run_query(name, settings=settings, **given)
    except Neo4jError as err:  # e.g. a negative LIMIT: the server says which value it refused
        raise LivetrustError(f"query {name!r}: Neo4j refused it: {one_line(err.message or err)}") from None
    if not len(frame):  # on stderr: stdout stays the result (an empty CSV, [] in JSON)
        click.echo(_no_rows_note(settings), err=True)
    text = render_frame(frame, output_format)
    if output:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as err:
            raise LivetrustError(f"--output {output}: cannot write it ({err.strerror or type(err).__name__})") from None
        click.echo(f"{len(frame)} rows written to {output}")
    else:
        click.echo(text)


def _no_rows_note(settings: Neo4jSettings) -> str:
    """Which jobs have a current run: a query reading a job's results finds nothing before its first
    run, and an unknown id finds nothing too; the note tells the two apart."""
    from .db import connect
    from .writeback import current_run_id

    with connect(settings) as driver:
        runs = [f"{job} {current_run_id(driver, settings.database, job) or 'none (never run)'}"
                for job in ("score", "paths", "recommend")]
    return f"no rows; current runs: {', '.join(runs)}"


def render_frame(frame, output_format: str) -> str:
    if output_format == "csv":
        return frame.to_csv(index=False)
    if output_format == "json":
        from .files import json_text

        return json_text(frame.to_dict("records"), indent=2, ensure_ascii=False)
    return frame.to_string(index=False) if len(frame) else "(no rows)"


@main.command()
@click.option("--cron", required=True, help='Cron expression in UTC, e.g. "0 3 * * *"; 6 fields put the seconds LAST ("0 3 * * * 30"), not first as Quartz does.')
@_score_options
@click.option("--run-now", is_flag=True, help="Run once at start, then follow the schedule.")
@click.option("--max-runs", type=click.IntRange(1, None), help="Exit after this many runs (default: run until stopped).")
@neo4j_options
def schedule(cron: str, data_dir: Path | None, out_dir: Path | None, file_format: str, half_life_days: float,
             lock_file: Path | None, run_now: bool, max_runs: int | None, settings: Neo4jSettings) -> None:
    """Run the scoring job on a cron schedule, in the foreground.

    A lock keeps two runs from overlapping; a failed run is logged and retried at the
    next tick; SIGTERM / SIGINT stop it cleanly (after the current run).
    """
    from .schedule import schedule_score

    raise SystemExit(schedule_score(cron=cron, data_dir=data_dir, out_dir=out_dir, file_format=file_format,
                                    params={"half_life_days": half_life_days}, lock_file=lock_file,
                                    run_now=run_now, max_runs=max_runs, settings=settings))


@main.command()
@click.option("--scale", type=click.Choice(SCALES), default="s", show_default=True, help="World size (see generate).")
@click.option("--seed", type=click.IntRange(0, None), default=7, show_default=True, help="World seed.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("livetrust-out") / "demo",
              show_default=True, help="Where the world, every job's files, demo.json and report.html go.")
@click.option("--embedded", is_flag=True, help="Do not use Neo4j: run the same jobs straight from the generated folder.")
@click.option("--reset", is_flag=True, help="Empty the Neo4j database first (needed when it holds other data; deletes every node).")
@click.option("--no-evaluate", is_flag=True, help="Skip the offline evaluation against the baselines.")
@click.option("--no-report", is_flag=True, help="Skip the HTML report.")
@click.option("--quiet", is_flag=True, help="No progress bars or stage chatter; the summary is still printed.")
@neo4j_options
def demo(scale: str, seed: int, out_dir: Path, embedded: bool, reset: bool, no_evaluate: bool, no_report: bool,
         quiet: bool, settings: Neo4jSettings) -> None:
    """From nothing to ranked lists: generate, load, score, paths, recommend, evaluate, report.

    Neo4j: --uri / NEO4J_URI if given, else the local Neo4j of scripts/neo4j-local
    (started, and obtained on first use), else -- without Java and Maven -- embedded mode:
    the same jobs straight from the generated folder, no database. Prints the load's
    reconciliation, every job's summary, the top streamers, a factory's best channels, a
    consumer's recommendations, where the files are and Cypher to try in Neo4j Browser.
    """
    import time

    from .demo import find_neo4j, run_demo

    ctx = click.get_current_context()
    uri_given = ctx.get_parameter_source("uri") not in (None, click.core.ParameterSource.DEFAULT)
    started = time.perf_counter()
    choice = find_neo4j(settings, embedded=embedded, uri_given=uri_given, echo=click.echo)
    run_demo(out_dir=out_dir, scale=scale, seed=seed, choice=choice, reset=reset, evaluate=not no_evaluate,
             report=not no_report, progress=not quiet, echo=click.echo, find_seconds=time.perf_counter() - started)


@main.command()
@click.option("--run", "run_dir", type=click.Path(file_okay=False, path_type=Path),
              help="A run folder (what `livetrust demo --out DIR` writes) [default: the newest under ./livetrust-out].")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="The HTML file [default: RUN/report.html].")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              help="The run's contract folder, for truth and consumer regions [default: the demo's world].")
@click.option("--factory", help="The factory of the flow picture [default: the demo's pick, else the most GMV].")
def report(run_dir: Path | None, out_file: Path | None, data_dir: Path | None, factory: str | None) -> None:
    """A self-contained HTML report of a run: trust, fraud, channels, evaluation, load.

    One file with the charts' library inlined: it opens offline in any browser.
    """
    from .report import report_command

    click.echo(report_command(run_dir=run_dir, out_file=out_file, data_dir=data_dir, factory=factory))


@main.command()
@neo4j_options
def ping(settings: Neo4jSettings) -> None:
    """Check that Neo4j answers with these settings."""
    from .db import connect

    with connect(settings) as driver:
        info = driver.get_server_info()
    click.echo(f"Neo4j {info.agent} answers at {settings.describe()}")


if __name__ == "__main__":  # pragma: no cover
    main()
