"""``livetrust demo``: from nothing to ranked lists in one command.

1. Find Neo4j (:func:`livetrust.localneo4j.choose_neo4j`): ``NEO4J_URI`` / ``--uri`` if
   given, else the project's local Neo4j (``scripts/neo4j-local``, obtained on first use),
   else embedded mode -- the same jobs straight from the data folder, no database.
2. Generate a world (:func:`livetrust.world.generate_world`), load it
   (:func:`livetrust.loaders.load_folder`; embedded: :func:`~livetrust.loaders.validate_folder`)
   and print the reconciliation table.
3. Score, paths, recommend, evaluate -- through the very functions the CLI verbs call
   (``score_command``, ``paths.commands.run_job``, ``recommend.commands.run_recommend``,
   ``run_evaluate``) with the verbs' default parameters; in Neo4j mode they read the
   projection from Neo4j and write their results back, in embedded mode they read the folder.
4. Print a short summary from the files the jobs wrote and write the HTML report
   (:mod:`livetrust.report`).

Everything goes under ``--out`` (default ``./livetrust-out/demo``)::

    OUT/world-<scale>-seed<seed>/   the generated contract folder (+ truth/)
    OUT/load/                       reconciliation.json, quarantine.csv, pending.csv
    OUT/score/  OUT/paths/  OUT/recommend/  OUT/evaluate/   the jobs' files and manifests
    OUT/demo.json                   this run: mode, stages, timings, picks
    OUT/report.html                 the report (self-contained, opens offline)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from . import __version__
from .errors import LivetrustError, Neo4jUnavailable, one_line
from .files import writable_folder
from .localneo4j import Neo4jChoice, choose_neo4j, local_command, local_missing
from .queries import cypher_statement, cypher_text
from .settings import Neo4jSettings

DEFAULT_OUT = Path("livetrust-out") / "demo"
MANIFEST = "demo.json"
REPORT = "report.html"
STAGE_DIRS = ("load", "score", "paths", "recommend", "evaluate")
FILE_FORMAT = "csv"

# The CLI verbs' defaults (tests/test_demo.py checks they match livetrust.cli).
SCORE_PARAMS: dict[str, Any] = {"half_life_days": 90.0}
PATHS_PARAMS: dict[str, Any] = {"top_k": 1000, "top_channels": 10, "carry_prior": 5.0, "min_bond": 0.0}
RECOMMEND_PARAMS: dict[str, Any] = {"top": 20}
EVALUATE_PARAMS: dict[str, Any] = {"holdout_days": 30, "k": 10, "baselines": ("most_popular", "item_knn", "rp3beta",
                                                                                "followed_sellers")}

# Cypher the demo runs (queries/demo/): the emptiness checks, the --reset wipe, and the
# queries it prints for Neo4j Browser with this run's ids as parameters.
_WIPE = ("demo/wipe_relationships", "demo/wipe_nodes")
BROWSER_QUERIES = ("demo/browser_top_streamers", "demo/browser_factory_channels", "demo/browser_consumer_products")


@dataclass
class DemoRun:
    """What one demo run did; written to ``OUT/demo.json``."""

    out_dir: str
    world_dir: str
    scale: str
    seed: int
    mode: str  # "neo4j" | "embedded"
    neo4j: str  # how Neo4j was chosen (or why not), safe to print
    uri: str | None = None
    status: str = "running"
    error: str | None = None
    started_at: str = ""
    finished_at: str | None = None
    seconds: float | None = None
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    picks: dict[str, str | None] = field(default_factory=dict)
    report: str | None = None
    livetrust_version: str = __version__

    def path(self, name: str) -> Path:
        return Path(self.out_dir) / name

    def write(self) -> None:
        target = self.path(MANIFEST)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, target)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


# ---------------------------------------------------------------------------- Neo4j


def find_neo4j(settings: Neo4jSettings | None, *, embedded: bool = False, uri_given: bool = False,
               echo: Callable[[str], None] = print) -> Neo4jChoice:
    """The Neo4j the demo uses: ``--embedded`` forces embedded mode; a given ``--uri`` /
    ``NEO4J_URI`` wins; else :func:`choose_neo4j` (the local script, else embedded).

    A local Neo4j that fails to start falls back to embedded mode with a note.
    """
    if embedded:
        return Neo4jChoice(None, "embedded mode (--embedded)")
    if uri_given and settings is not None:
        return Neo4jChoice(settings, f"NEO4J_URI ({settings.uri})")
    if not os.environ.get("NEO4J_URI") and not local_missing():
        echo("Starting the local Neo4j (scripts/neo4j-local; the first start downloads it from Maven Central) ...")
    try:
        return choose_neo4j()
    except Neo4jUnavailable as err:
        echo(f"note: {err.message}; running in embedded mode instead")
        return Neo4jChoice(None, f"embedded mode: the local Neo4j did not start ({err.message})")


def check_database(settings: Neo4jSettings, world_dir: Path, *, reset: bool,
                   echo: Callable[[str], None] = print) -> None:
    """The demo needs an empty database, or one holding only earlier loads of this same world.

    With ``reset`` the database is emptied first (every node; the schema stays).
    """
    from .db import connect

    with connect(settings) as driver:
        db = settings.database
        nodes = driver.execute_query(cypher_statement("demo/node_count"), database_=db).records[0]["nodes"]
        if not nodes:
            return
        if reset:
            echo(f"--reset: deleting the {nodes:,d} nodes of database {db!r} at {settings.uri}")
            with driver.session(database=db) as session:  # CALL IN TRANSACTIONS needs auto-commit
                for statement in _WIPE:
                    session.run(cypher_statement(statement)).consume()
            return
        folders = [r["folder"] for r in driver.execute_query(cypher_statement("demo/loaded_folders"), database_=db).records]
        same = folders and all(Path(f).name == world_dir.name for f in folders if f)
        if not same:
            shown = ", ".join(sorted({Path(f).name for f in folders if f})[:3]) or "data not loaded by livetrust"
            raise LivetrustError(
                f"the database {db!r} at {settings.uri} already holds other data ({nodes:,d} nodes; loads of: {shown}); "
                "the demo needs an empty database or its own earlier world: run `livetrust demo --reset` to empty it "
                "(deletes every node), or point NEO4J_URI at an empty database")


# ---------------------------------------------------------------------------- stages


def world_matches(world_dir: Path, scale: str, seed: int) -> bool:
    """An existing world folder made by the generator with this scale and seed (and defaults)."""
    info = world_dir / "truth" / "world.json"
    if not info.is_file():
        return False
    try:
        doc = json.loads(info.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (doc.get("scale") == scale and doc.get("seed") == seed and doc.get("version") == __version__
            and not doc.get("corrupt") and not doc.get("holdout_days") and doc.get("format") == FILE_FORMAT)


def generate_stage(world_dir: Path, scale: str, seed: int, progress: bool) -> str:
    """Generate the world into ``world_dir`` (reused when it is already this scale and seed)."""
    from .world import generate_world

    if world_matches(world_dir, scale, seed):
        return f"reusing the {scale} world (seed {seed}) in {world_dir}"
    tmp = world_dir.with_name(f".{world_dir.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    summary = generate_world(tmp, scale=scale, seed=seed, file_format=FILE_FORMAT, progress=progress)
    shutil.rmtree(world_dir, ignore_errors=True)
    os.replace(tmp, world_dir)
    return str(summary).replace(str(tmp), str(world_dir))


def load_stage(run: DemoRun, settings: Neo4jSettings | None, progress: bool, echo: Callable[[str], None]) -> str:
    """Load into Neo4j (``livetrust load``), or validate in memory in embedded mode; the table."""
    from .loaders import load_folder, validate_folder

    world, report_dir = Path(run.world_dir), run.path("load")
    if settings is not None:
        report = load_folder(world, settings=settings, report_dir=report_dir, progress=progress, echo=echo)
        return "" if progress else report.table()
    report = validate_folder(world, report_dir=report_dir, progress=progress).report
    return "\n".join([f"Validated (embedded mode: nothing written to a database): {world}",
                      report.table(), f"report: {report_dir}"])


def score_stage(run: DemoRun, settings: Neo4jSettings | None) -> str:
    from .graph.trust.job import score_command

    data = Path(run.world_dir) if settings is None else None
    return score_command(data_dir=data, out_dir=run.path("score"), file_format=FILE_FORMAT,
                         params=dict(SCORE_PARAMS), settings=settings)


def paths_stage(run: DemoRun, settings: Neo4jSettings | None) -> str:
    from .graph.paths.commands import run_job

    data = Path(run.world_dir) if settings is None else None
    return run_job(data_dir=data, out_dir=run.path("paths"), file_format=FILE_FORMAT, settings=settings,
                   **PATHS_PARAMS)


def recommend_stage(run: DemoRun, settings: Neo4jSettings | None, say: Callable[[str], None]) -> str:
    from .graph.recommend.commands import run_recommend

    data = Path(run.world_dir) if settings is None else None
    return run_recommend(data_dir=data, out_dir=run.path("recommend"), file_format=FILE_FORMAT,
                         subjects_file=None, lists=None, settings=settings, say=say, **RECOMMEND_PARAMS)


def evaluate_stage(run: DemoRun, settings: Neo4jSettings | None, say: Callable[[str], None]) -> str:
    from .graph.recommend.commands import run_evaluate

    data = Path(run.world_dir) if settings is None else None
    truth = Path(run.world_dir) / "truth"
    return run_evaluate(data_dir=data, truth_dir=truth if (truth / "streamers.csv").is_file() else None,
                        out_dir=run.path("evaluate"), lists=None, settings=settings, say=say, **EVALUATE_PARAMS)


# ---------------------------------------------------------------------------- the run


def run_demo(*, out_dir: Path | str = DEFAULT_OUT, scale: str = "s", seed: int = 7, choice: Neo4jChoice,
             reset: bool = False, evaluate: bool = True, report: bool = True, progress: bool = True,
             echo: Callable[[str], None] = print, find_seconds: float | None = None) -> DemoRun:
    """Run the whole pipeline (see the module docstring); returns the run record.

    ``choice`` says where Neo4j is (``settings`` None: embedded mode); ``find_seconds``,
    the time it took to find (or start) it, is recorded as the ``find neo4j`` stage. Stage
    output and the summary go to ``echo``. A failing stage is recorded in ``demo.json``
    and re-raised.
    """
    out = writable_folder(Path(out_dir).resolve(), "--out")
    for name in STAGE_DIRS:  # a previous run's outputs must not pass for this run's (the world stays)
        shutil.rmtree(out / name, ignore_errors=True)
    (out / REPORT).unlink(missing_ok=True)
    settings = choice.settings
    run = DemoRun(out_dir=str(out), world_dir=str(out / f"world-{scale}-seed{seed}"), scale=scale, seed=seed,
                  mode="neo4j" if settings is not None else "embedded", neo4j=choice.how,
                  uri=settings.uri if settings is not None else None, started_at=_now())
    t_start = time.perf_counter() - (find_seconds or 0.0)
    if find_seconds is not None:
        run.stages["find neo4j"] = {"status": "succeeded", "seconds": round(find_seconds, 2)}
    say = (lambda m: echo(f"  {m}")) if progress else (lambda _m: None)

    stages: list[tuple[str, Callable[[], str]]] = [
        ("generate", lambda: generate_stage(Path(run.world_dir), scale, seed, progress)),
    ]
    if settings is not None:
        stages.append(("check database", lambda: check_database(settings, Path(run.world_dir), reset=reset, echo=echo) or ""))
    stages += [
        ("load", lambda: load_stage(run, settings, progress, echo)),
        ("score", lambda: score_stage(run, settings)),
        ("paths", lambda: paths_stage(run, settings)),
        ("recommend", lambda: recommend_stage(run, settings, say)),
    ]
    if evaluate:
        stages.append(("evaluate", lambda: evaluate_stage(run, settings, say)))
    if report:
        stages.append(("report", lambda: _report_stage(run)))

    where = f"Neo4j: {choice.how}" if settings is not None else (
        f"{choice.how}. The same jobs run straight from the data folder; nothing is written to a database.")
    echo(f"livetrust demo: the {scale} world (seed {seed}) -> {out}")
    echo(where)
    for n, (name, work) in enumerate(stages, 1):
        echo(f"\n[{n}/{len(stages)}] {name}")
        t0 = time.perf_counter()
        run.stages[name] = {"status": "running", "started_at": _now()}
        try:
            text = work()
        except BaseException as err:
            run.stages[name].update(status="failed", seconds=round(time.perf_counter() - t0, 2))
            run.status = "failed"
            run.error = f"{name}: {one_line(err)}"
            run.finished_at = _now()
            run.seconds = round(time.perf_counter() - t_start, 2)
            run.write()
            raise
        seconds = round(time.perf_counter() - t0, 2)
        run.stages[name].update(status="succeeded", seconds=seconds)
        if text:
            echo(text)
        echo(f"  ({name}: {seconds:.1f} s)")
        if name == "recommend":
            run.picks = pick_examples(out)
    run.status = "succeeded"
    run.finished_at = _now()
    run.seconds = round(time.perf_counter() - t_start, 2)
    run.write()
    echo("")
    echo(summary(run))
    return run


def _report_stage(run: DemoRun) -> str:
    from .report import write_report

    run.write()  # the report reads this run's record
    path = write_report(Path(run.out_dir), run.path(REPORT), data_dir=Path(run.world_dir))
    run.report = str(path)
    return f"  report: {path}"


# ---------------------------------------------------------------------------- summary


def _read(folder: Path, name: str, **kw: Any) -> pd.DataFrame | None:
    for ext, reader in ((".csv", pd.read_csv), (".parquet", pd.read_parquet)):
        path = folder / f"{name}{ext}"
        if path.is_file():
            if ext == ".csv":
                kw.setdefault("dtype", {c: str for c in ("consumer_id", "streamer_id", "product_id", "factory_id",
                                                        "subject_id", "object_id", "via_streamer")})
            return reader(path, **kw)
    return None


def pick_examples(out_dir: Path) -> dict[str, str | None]:
    """The factory and the consumer the summary and the report show.

    Factory: the most GMV through its channels. Consumer: the credible buyer (credibility
    >= 0.5 where the bonds say) who bought from the most streamers, ties by id. Both depend
    only on the data, not the mode.
    """
    picks: dict[str, str | None] = {"factory": None, "consumer": None}
    channels = _read(out_dir / "paths", "factory_channels", usecols=["factory_id", "gmv"])
    if channels is not None and len(channels):
        gmv = channels.groupby("factory_id")["gmv"].sum()
        picks["factory"] = str(gmv.sort_index().idxmax())
    bonds = _read(out_dir / "score", "consumer_streamer",
                  usecols=lambda c: c in ("consumer_id", "streamer_id", "orders", "consumer_credibility"))
    if bonds is not None and len(bonds):
        keep = bonds["orders"] > 0
        if "consumer_credibility" in bonds.columns:  # a credible buyer, not a fake account
            keep &= bonds["consumer_credibility"].fillna(0) >= 0.5
        bought = bonds[keep].groupby("consumer_id")["streamer_id"].nunique()
        if len(bought):
            top = bought[bought == bought.max()]
            picks["consumer"] = str(sorted(top.index)[0])
    return picks


def _pct(x: float) -> str:
    return "-" if pd.isna(x) else f"{100 * x:.1f}%"


def _table(frame: pd.DataFrame, indent: str = "  ") -> str:
    """A plain-text table: numbers (and number-like text) right-aligned, other text left-aligned."""
    if frame.empty:
        return f"{indent}(none)"
    cells = [[str(c) for c in frame.columns]] + [[str(v) for v in row] for row in frame.itertuples(index=False)]
    widths = [max(len(r[i]) for r in cells) for i in range(len(frame.columns))]
    right = [all(_numberlike(r[i]) for r in cells[1:]) for i in range(len(frame.columns))]
    lines = ["  ".join(v.rjust(w) if rj else v.ljust(w) for v, w, rj in zip(r, widths, right)).rstrip() for r in cells]
    return "\n".join(indent + line for line in lines)


def _numberlike(text: str) -> bool:
    return text.replace(",", "").replace(".", "").replace("%", "").replace("-", "").strip().isdigit() or text == "-"


def top_streamers(out_dir: Path, n: int = 5) -> pd.DataFrame:
    streamers = _read(Path(out_dir) / "score", "streamers")
    if streamers is None:
        return pd.DataFrame()
    top = streamers.sort_values(["trust", "streamer_id"], ascending=[False, True]).head(n)
    cols = {"streamer_id": "streamer", "trust": "trust", "confidence": "confidence", "orders": "orders",
            "return_rate": "return rate", "followers": "followers"}
    top = top[[c for c in cols if c in top.columns]].rename(columns=cols)
    for c in ("trust", "confidence"):
        if c in top:
            top[c] = top[c].map(lambda v: f"{v:.3f}")
    if "return rate" in top:
        top["return rate"] = top["return rate"].map(_pct)
    return top


def factory_channels(out_dir: Path, factory: str | None, n: int = 5) -> pd.DataFrame:
    channels = _read(Path(out_dir) / "paths", "factory_channels")
    if channels is None or factory is None:
        return pd.DataFrame()
    rows = channels[channels["factory_id"] == factory].sort_values("rank").head(n)
    out = pd.DataFrame({
        "rank": rows["rank"].astype(int), "streamer": rows["streamer_id"], "orders": rows["orders"].astype(int),
        "GMV": rows["gmv"].map(lambda v: f"{v:,.0f}"), "return rate": rows["return_rate"].map(_pct),
        "share of GMV": rows["share_of_factory_gmv"].map(_pct), "flow score": rows["flow_score"].map(lambda v: f"{v:,.1f}"),
    })
    return out


def consumer_lists(out_dir: Path, consumer: str | None, n: int = 5) -> dict[str, pd.DataFrame]:
    lists = {}
    if consumer is None:
        return lists
    for name in ("consumer_products", "consumer_streamers"):
        frame = _read(Path(out_dir) / "recommend", name)
        if frame is None:
            continue
        rows = frame[frame["subject_id"] == consumer].sort_values("rank").head(n)
        lists[name] = pd.DataFrame({"rank": rows["rank"].astype(int), name.split("_")[1][:-1]: rows["object_id"],
                                    "score": rows["score"].map(lambda v: f"{v:.3f}"), "why": rows["reason"]})
    return lists


def browser_url(run: DemoRun) -> str | None:
    """Neo4j Browser's address for the local Neo4j (None when unknown)."""
    if run.mode != "neo4j" or not run.uri:
        return None
    host = urllib.parse.urlparse(run.uri).hostname
    if host not in ("127.0.0.1", "localhost") or "NEO4J_URI" in run.neo4j:
        return None
    port = os.environ.get("NEO4J_LOCAL_HTTP_PORT", "7474")
    return None if port == "off" else f"http://127.0.0.1:{port}/browser/"


@dataclass(frozen=True)
class BrowserQuery:
    """A query the demo prints for Neo4j Browser: its title, Cypher text and parameters."""

    title: str
    cypher: str
    params: dict[str, str]

    def param_lines(self) -> list[str]:
        """Neo4j Browser's ``:param name => value`` commands that set this query's parameters.

        Browser evaluates the right-hand side as Cypher; a JSON string is a valid Cypher
        string literal (quotes and backslashes escaped).
        """
        return [f":param {k} => {json.dumps(v)}" for k, v in self.params.items()]


def browser_queries(picks: dict[str, str | None]) -> list[BrowserQuery]:
    """The Browser queries of ``queries/demo/browser_*.cypher`` with this run's example ids."""
    ids = {"factory": picks.get("factory") or "?", "consumer": picks.get("consumer") or "?"}
    out = []
    for name in BROWSER_QUERIES:
        text = cypher_text(name)
        title = re.search(r"^//\s*title:\s*(.*)$", text, re.M).group(1).strip()
        cypher = cypher_statement(name)
        params = {k: v for k, v in ids.items() if f"${k}" in cypher}
        for k, v in params.items():
            title = title.replace(f"${k}", v)
        out.append(BrowserQuery(title, cypher, params))
    return out


def summary(run: DemoRun) -> str:
    """The closing summary, read from the files the jobs wrote."""
    out = Path(run.out_dir)
    picks = run.picks or pick_examples(out)
    lines = [f"Done in {run.seconds:.0f} s ({run.mode} mode). Summary", ""]
    lines += ["Top trusted streamers", _table(top_streamers(out)), ""]
    if picks.get("factory"):
        lines += [f"Factory {picks['factory']}'s best channels (by trust-weighted flow)",
                  _table(factory_channels(out, picks["factory"])), ""]
    if picks.get("consumer"):
        for name, frame in consumer_lists(out, picks["consumer"]).items():
            what = "products to buy" if name == "consumer_products" else "streamers to follow"
            lines += [f"Consumer {picks['consumer']}: {what}", _table(frame), ""]
    lines.append("Files")
    files = [("world (contract folder + truth/)", run.world_dir), ("load reconciliation", out / "load" / "reconciliation.json")]
    files += [(f"{name}", out / name) for name in ("score", "paths", "recommend", "evaluate") if (out / name).is_dir()]
    if run.report:
        files.append(("report (open in a browser; works offline)", run.report))
    files.append(("this run", out / MANIFEST))
    width = max(len(k) for k, _ in files)
    lines += [f"  {k:<{width}}  {v}" for k, v in files]
    lines.append("")
    url = browser_url(run)
    if run.mode == "neo4j":
        lines.append(f"Try in Neo4j Browser{f' ({url})' if url else ''}:")
    else:
        lines.append(f"Embedded mode wrote nothing to Neo4j. With a Neo4j ({local_command('start')}; "
                     f"eval \"$({local_command('env')})\"; livetrust demo), try in Neo4j Browser:")
    for i, query in enumerate(browser_queries(picks), 1):
        lines.append(f"  {i}. {query.title}")
        lines += [f"     {ln}" for ln in query.param_lines()]
        lines += [f"     {ln}" for ln in query.cypher.splitlines()]
    lines.append("  More named queries: livetrust query --list   (e.g. livetrust query fraud_suspects)")
    if run.mode == "neo4j" and "scripts/neo4j-local" in run.neo4j:
        lines.append(f"The local Neo4j keeps running; stop it with: {local_command('stop')}")
    return "\n".join(lines)
