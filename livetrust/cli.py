"""The ``livetrust`` command line: one verb per job of the pipeline.

Connection settings come from ``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD`` and
``NEO4J_DATABASE``; the ``--uri/--user/--password/--database`` options override them.
Errors are one line on stderr with a non-zero exit, never a traceback.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Callable

import click

from . import __version__
from .errors import LivetrustError
from .settings import Neo4jSettings

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


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="livetrust")
def main() -> None:
    """livetrust: consumer-seller trust for live-stream commerce, on Neo4j.

    Data flows: generate/load -> Neo4j -> score -> paths -> recommend -> evaluate.
    """


@main.command()
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder to write the world into.")
@click.option("--scale", type=click.Choice(SCALES), default="xs", show_default=True, help="xs ~10k events, s ~100k, m ~1M purchases, l ~10M purchases.")
@click.option("--seed", type=int, default=7, show_default=True, help="Same seed, byte-identical files.")
@click.option("--format", "file_format", type=click.Choice(FILE_FORMATS), default="csv", show_default=True)
@click.option("--corrupt", type=click.FloatRange(0.0, 0.5), default=0.0, show_default=True, help="Share of rows to damage; every defect is recorded under truth/.")
@click.option("--holdout-days", type=click.IntRange(0, None), default=0, show_default=True, help="Write the last D days of events to OUT/holdout/.")
@click.option("--days", "span_days", type=click.IntRange(7, None), default=180, show_default=True, help="Span of simulated time.")
def generate(out_dir: Path, scale: str, seed: int, file_format: str, corrupt: float, holdout_days: int, span_days: int) -> None:
    """Simulate a live-commerce world with known truth (a contract folder + truth/)."""
    from .world import generate_world

    summary = generate_world(
        out_dir, scale=scale, seed=seed, file_format=file_format, corrupt=corrupt,
        holdout_days=holdout_days, span_days=span_days, progress=True,
    )
    click.echo(summary)


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and report without writing to Neo4j.")
@click.option("--report-dir", type=click.Path(file_okay=False, path_type=Path), help="Where the reconciliation JSON and quarantine file go [default: FOLDER/_load_report].")
@click.option("--batch-size", type=click.IntRange(100, 200_000), default=20_000, show_default=True, help="Rows per write transaction.")
@neo4j_options
def load(folder: Path, dry_run: bool, report_dir: Path | None, batch_size: int, settings: Neo4jSettings) -> None:
    """Load a contract folder (follows, purchases, returns, ...) into Neo4j."""
    from .loaders import load_folder

    load_folder(folder, settings=settings, dry_run=dry_run, report_dir=report_dir, batch_size=batch_size, progress=True)


@main.command()
@data_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Write score files here.")
@click.option("--format", "file_format", type=click.Choice(("csv", "parquet")), default="csv", show_default=True)
@neo4j_options
def score(data_dir: Path | None, out_dir: Path | None, file_format: str, settings: Neo4jSettings) -> None:
    """Compute trust scores (bonds, streamers, products, factories)."""
    not_built_yet("score", 5)


@main.command()
@data_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Write path files here.")
@neo4j_options
def paths(data_dir: Path | None, out_dir: Path | None, settings: Neo4jSettings) -> None:
    """Factory-to-consumer path analysis: channels, reach, demand, bridges."""
    not_built_yet("paths", 6)


@main.command()
@data_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Write ranked lists here.")
@click.option("--top", type=click.IntRange(1, 1000), default=20, show_default=True)
@neo4j_options
def recommend(data_dir: Path | None, out_dir: Path | None, top: int, settings: Neo4jSettings) -> None:
    """Ranked lists for consumers, streamers and factories."""
    not_built_yet("recommend", 7)


@main.command()
@data_option
@click.option("--holdout-days", type=click.IntRange(1, None), default=30, show_default=True)
@neo4j_options
def evaluate(data_dir: Path | None, holdout_days: int, settings: Neo4jSettings) -> None:
    """Time-split offline evaluation of the ranked lists against baselines."""
    not_built_yet("evaluate", 7)


@main.command()
@click.argument("name", required=False)
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and what they answer.")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="A query parameter (repeatable).")
@click.option("--format", "output_format", type=click.Choice(("table", "csv", "json")), default="table", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the result to this file instead of printing it.")
@neo4j_options
def query(name: str | None, list_queries: bool, params: tuple[str, ...], output_format: str, output: Path | None, settings: Neo4jSettings) -> None:
    """Run a named, parameterised Cypher query from the library (queries/library/)."""
    from .queries.runner import get_query, library, run_query

    if list_queries or not name:
        for q in library().values():
            args = " ".join(f"{p.name}:{p.type}" + ("" if p.required else f"={p.default}") for p in q.params)
            click.echo(f"{q.name:<22} {q.answers}\n{'':<22} params: {args or '-'}")
        return
    given = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise LivetrustError(f"--param {item!r} is not KEY=VALUE")
        given[key.strip()] = value
    get_query(name).bind(given)  # bad names and parameters fail before connecting
    frame = run_query(name, settings=settings, **given)
    text = render_frame(frame, output_format)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"{len(frame)} rows written to {output}")
    else:
        click.echo(text)


def render_frame(frame, output_format: str) -> str:
    if output_format == "csv":
        return frame.to_csv(index=False)
    if output_format == "json":
        return frame.to_json(orient="records", date_format="iso", indent=2)
    return frame.to_string(index=False) if len(frame) else "(no rows)"


@main.command()
@click.option("--cron", required=True, help='Cron expression, e.g. "0 3 * * *".')
@neo4j_options
def schedule(cron: str, settings: Neo4jSettings) -> None:
    """Run the scoring job on a cron schedule, in the foreground."""
    not_built_yet("schedule", 5)


@main.command()
@click.option("--scale", type=click.Choice(SCALES), default="s", show_default=True)
@neo4j_options
def demo(scale: str, settings: Neo4jSettings) -> None:
    """From nothing to ranked lists: generate, load, score, paths, recommend."""
    not_built_yet("demo", 9)


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
