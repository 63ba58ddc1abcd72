"""Integration: ``livetrust load`` against the real Neo4j (exact counts, defects, reruns, resume)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from livetrust.contract import LOAD_ORDER
from livetrust.loaders import load_folder
from livetrust.world import generate_world

pytestmark = pytest.mark.integration

LABELS = ("Factory", "Streamer", "Product", "Consumer", "Order", "Return", "Pending", "LoadRun")
TYPES = ("FOLLOWS", "PLACED", "SOLD_BY", "OF_PRODUCT", "MADE_BY", "RETURNS", "CARRIES")


@pytest.fixture(scope="module")
def xs_world(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("world") / "xs"
    generate_world(out, scale="xs", seed=7)
    return out


@pytest.fixture(scope="module")
def xs_corrupt(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("world") / "xs-corrupt"
    generate_world(out, scale="xs", seed=7, corrupt=0.03)
    return out


def read(folder: Path, stream: str) -> pd.DataFrame:
    path = folder / f"{stream}.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else pd.DataFrame()


def expected_counts(folder: Path) -> dict[str, int]:
    """Nodes and relationships a clean contract folder must give, computed from the files alone."""
    f = {s: read(folder, s) for s in LOAD_ORDER}
    ids = lambda *cols: len(set().union(*[set(c) for c in cols]))  # noqa: E731
    return {
        "Factory": ids(f["factories"].factory_id, f["products"].factory_id),
        "Streamer": ids(f["streamers"].streamer_id, f["follows"].streamer_id, f["purchases"].streamer_id),
        "Product": f["products"].product_id.nunique(),
        "Consumer": ids(f["consumers"].consumer_id, f["follows"].consumer_id, f["purchases"].consumer_id),
        "Order": f["purchases"].order_id.nunique(),
        "Return": len(f["returns"].drop_duplicates(["order_id", "returned_at"])),
        "FOLLOWS": len(f["follows"].drop_duplicates(["consumer_id", "streamer_id", "followed_at"])),
        "PLACED": len(f["purchases"]),
        "SOLD_BY": len(f["purchases"]),
        "OF_PRODUCT": len(f["purchases"]),
        "MADE_BY": len(f["products"]),
        "RETURNS": len(f["returns"]),
        "CARRIES": len(f["purchases"][["streamer_id", "product_id"]].drop_duplicates()),
    }


def graph_counts(driver, database: str) -> dict[str, int]:
    out = {}
    for label in LABELS:
        out[label] = driver.execute_query(f"MATCH (n:{label}) RETURN count(n) AS n", database_=database).records[0]["n"]
    for rel in TYPES:
        out[rel] = driver.execute_query(f"MATCH ()-[r:{rel}]->() RETURN count(r) AS n", database_=database).records[0]["n"]
    return out


def checksum(driver, database: str) -> str:
    """Hash of every node's labels and properties and every relationship with its end keys.

    Run metadata is left out: LoadRun nodes and the run_id a Pending node was first seen in.
    """
    def key(n: str) -> str:
        return (f"CASE WHEN {n}:Order THEN {n}.order_id WHEN {n}:Return THEN {n}.order_id + '@' + "
                f"toString({n}.returned_at) WHEN {n}:Consumer THEN {n}.consumer_id WHEN {n}:Streamer THEN "
                f"{n}.streamer_id WHEN {n}:Product THEN {n}.product_id WHEN {n}:Factory THEN {n}.factory_id "
                f"ELSE elementId({n}) END")

    nodes = driver.execute_query(
        "MATCH (n) WHERE NOT n:LoadRun RETURN labels(n) AS l, properties(n) AS p", database_=database).records
    rels = driver.execute_query(
        f"MATCH (a)-[r]->(b) RETURN type(r) AS t, {key('a')} AS ka, {key('b')} AS kb, properties(r) AS p",
        database_=database).records
    canon = []
    for r in nodes:
        props = {k: str(v) for k, v in r["p"].items() if not ("Pending" in r["l"] and k == "run_id")}
        canon.append(json.dumps([sorted(r["l"]), sorted(props.items())]))
    for r in rels:
        canon.append(json.dumps([r["t"], r["ka"], r["kb"], sorted((k, str(v)) for k, v in r["p"].items())]))
    return hashlib.sha256("\n".join(sorted(canon)).encode()).hexdigest()


def test_xs_world_exact_counts(neo4j_db, neo4j_settings, xs_world, tmp_path):
    report = load_folder(xs_world, driver=neo4j_db, database=neo4j_settings.database, report_dir=tmp_path / "r")
    expected = expected_counts(xs_world)
    got = graph_counts(neo4j_db, neo4j_settings.database)
    assert {k: got[k] for k in expected} == expected
    assert got["LoadRun"] == 1 and got["Pending"] == 0
    t = report.totals()
    assert t.read == t.loaded and t.duplicate == t.pending == t.quarantined == 0
    # returned_quantity is the sum of the Return quantities, per order
    rq = neo4j_db.execute_query("MATCH (o:Order) RETURN sum(o.returned_quantity) AS q",
                                database_=neo4j_settings.database).records[0]["q"]
    rs = neo4j_db.execute_query("MATCH (r:Return) RETURN sum(r.quantity) AS q",
                                database_=neo4j_settings.database).records[0]["q"]
    assert rq == rs > 0
    run = neo4j_db.execute_query("MATCH (r:LoadRun) RETURN r.loaded AS loaded, r.reconciliation AS rec",
                                 database_=neo4j_settings.database).records[0]
    assert run["loaded"] == t.loaded and json.loads(run["rec"])["files"][0]["read"] == report.files[0].read
    assert json.loads((tmp_path / "r" / "reconciliation.json").read_text())["totals"]["loaded"] == t.loaded


SEED_GRAPH = """
CREATE (c:Consumer {consumer_id: 'zz-c'})-[:FOLLOWS {followed_at: datetime('2020-01-01T00:00:00Z')}]->
       (s:Streamer {streamer_id: 'zz-s'}),
       (c)-[:PLACED]->(o:Order {order_id: 'zz-o', quantity: 1, returned_quantity: 1})-[:SOLD_BY]->(s),
       (:Return {order_id: 'zz-o', returned_at: datetime('2020-01-02T00:00:00Z'), quantity: 1})-[:RETURNS]->(o)
"""


def test_create_path_equals_merge_path(neo4j_db, neo4j_settings, xs_world, tmp_path):
    # Into an empty graph every stream is fresh and new keys are CREATEd; with one node or
    # relationship of each kind already there, every row goes through look-ups and MERGE.
    # Both must give the same graph.
    db = neo4j_settings.database
    fresh = load_folder(xs_world, driver=neo4j_db, database=db, report_dir=tmp_path / "fresh")
    created = checksum(neo4j_db, db), graph_counts(neo4j_db, db)

    from conftest import wipe

    wipe(neo4j_db, db)
    neo4j_db.execute_query(SEED_GRAPH, database_=db)
    merged = load_folder(xs_world, driver=neo4j_db, database=db, report_dir=tmp_path / "merged")
    neo4j_db.execute_query("MATCH (n) WHERE coalesce(n.consumer_id, n.streamer_id, n.order_id) STARTS WITH 'zz-' "
                           "DETACH DELETE n", database_=db)
    assert (checksum(neo4j_db, db), graph_counts(neo4j_db, db)) == created
    def outcomes(report):
        return [(f.file, f.read, f.loaded, f.duplicate, f.pending, f.quarantined) for f in report.files]

    assert outcomes(merged) == outcomes(fresh)


def test_rerun_is_idempotent_and_all_duplicate(neo4j_db, neo4j_settings, xs_world, tmp_path):
    db = neo4j_settings.database
    load_folder(xs_world, driver=neo4j_db, database=db, report_dir=tmp_path / "a")
    before = checksum(neo4j_db, db)
    again = load_folder(xs_world, driver=neo4j_db, database=db, report_dir=tmp_path / "b", batch_size=1000)
    for f in again.files:
        assert (f.loaded, f.pending, f.quarantined, f.duplicate) == (0, 0, 0, f.read), f.file
    assert checksum(neo4j_db, db) == before


@pytest.mark.parametrize("batch_size", [20_000, 300])  # 300: keys repeat across chunks still in flight
def test_corrupt_world_every_defect_accounted(neo4j_db, neo4j_settings, xs_corrupt, xs_world, tmp_path, batch_size):
    db = neo4j_settings.database
    report = load_folder(xs_corrupt, driver=neo4j_db, database=db, report_dir=tmp_path / "r", batch_size=batch_size)
    defects = pd.read_csv(xs_corrupt / "truth" / "defects.csv", dtype=str, keep_default_na=False)
    defects["row"] = defects["row"].astype(int)
    assert len(defects) > 100
    q = pd.read_csv(tmp_path / "r" / "quarantine.csv", dtype=str, keep_default_na=False).assign(outcome="quarantined")
    p = pd.read_csv(tmp_path / "r" / "pending.csv", dtype=str, keep_default_na=False).assign(outcome="pending")
    got = pd.concat([q, p]).astype({"row": int})
    rejected = defects[defects.expected_outcome != "duplicate"]
    m = rejected.merge(got, on=["file", "row"], how="left", suffixes=("", "_got"))
    wrong = m[(m.outcome != m.expected_outcome) | (m.reason != m.reason_got)]
    assert wrong.empty, wrong[["file", "row", "defect", "reason", "reason_got", "outcome"]].head(10).to_string()
    assert len(got) == len(rejected)  # nothing clean was rejected
    for f in report.files:
        assert f.read == f.loaded + f.duplicate + f.pending + f.quarantined
        want = defects[defects.file == f.file]
        assert f.duplicate == (want.expected_outcome == "duplicate").sum(), f.file
        assert f.quarantined == (want.expected_outcome == "quarantined").sum(), f.file
        assert f.pending == (want.expected_outcome == "pending").sum(), f.file
    counts = graph_counts(neo4j_db, db)
    assert counts["Pending"] == (defects.expected_outcome == "pending").sum()
    # the bad rows are inserted next to the clean world: the graph is the clean world's graph
    expected = expected_counts(xs_world)
    assert {k: counts[k] for k in expected} == expected


def _split_late(world: Path, dest: Path) -> tuple[Path, Path, int]:
    """Two loads: the first lacks the last 10% of purchases but has all returns."""
    first, second = dest / "first", dest / "second"
    for d in (first, second):
        d.mkdir(parents=True)
    for stream in LOAD_ORDER:
        if stream != "purchases" and (world / f"{stream}.csv").exists():
            shutil.copy(world / f"{stream}.csv", first / f"{stream}.csv")
    purchases = read(world, "purchases")
    cut = int(len(purchases) * 0.9)
    purchases.iloc[:cut].to_csv(first / "purchases.csv", index=False)
    purchases.iloc[cut:].to_csv(second / "purchases.csv", index=False)
    late = read(world, "returns").order_id.isin(set(purchases.order_id.iloc[cut:])).sum()
    return first, second, int(late)


def test_late_returns_resolved_by_a_later_load(neo4j_db, neo4j_settings, xs_world, tmp_path):
    db = neo4j_settings.database
    first, second, late = _split_late(xs_world, tmp_path)
    assert late > 5
    r1 = load_folder(first, driver=neo4j_db, database=db, report_dir=tmp_path / "r1")
    assert r1.file("returns.csv").pending == late
    assert graph_counts(neo4j_db, db)["Pending"] == late
    r2 = load_folder(second, driver=neo4j_db, database=db, report_dir=tmp_path / "r2")
    resolved = r2.pending_resolved["returns"]
    assert (resolved.read, resolved.loaded, resolved.pending) == (late, late, 0)
    counts = graph_counts(neo4j_db, db)
    expected = expected_counts(xs_world)
    assert {k: counts[k] for k in expected} == expected
    assert counts["Pending"] == 0 and counts["LoadRun"] == 2
    # a third load of nothing new changes nothing
    r3 = load_folder(second, driver=neo4j_db, database=db, report_dir=tmp_path / "r3")
    assert r3.totals().duplicate == r3.totals().read and not r3.pending_resolved


def test_dry_run_writes_nothing(neo4j_db, neo4j_settings, xs_corrupt, tmp_path):
    db = neo4j_settings.database
    dry = load_folder(xs_corrupt, driver=neo4j_db, database=db, dry_run=True, report_dir=tmp_path / "dry")
    assert sum(graph_counts(neo4j_db, db).values()) == 0
    assert (tmp_path / "dry" / "reconciliation.json").exists()
    real = load_folder(xs_corrupt, driver=neo4j_db, database=db, report_dir=tmp_path / "real")
    for a, b in zip(dry.files, real.files):
        assert (a.read, a.loaded, a.duplicate, a.pending, a.quarantined) == \
               (b.read, b.loaded, b.duplicate, b.pending, b.quarantined), a.file
    before = checksum(neo4j_db, db)
    dry2 = load_folder(xs_corrupt, driver=neo4j_db, database=db, dry_run=True, report_dir=tmp_path / "dry2")
    assert dry2.totals().loaded == 0  # against the loaded graph everything valid is a duplicate
    assert checksum(neo4j_db, db) == before


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "livetrust.cli", *args]


def _order_count(driver, database: str) -> int:
    return driver.execute_query("MATCH (o:Order) RETURN count(o) AS n", database_=database).records[0]["n"]


@pytest.mark.slow
def test_kill_and_resume_matches_uninterrupted(neo4j_db, neo4j_settings, tmp_path_factory, tmp_path):
    db = neo4j_settings.database
    world = tmp_path_factory.mktemp("world") / "s"
    generate_world(world, scale="s", seed=11, corrupt=0.01)
    env = dict(os.environ)
    cmd = _cli("load", str(world), "--batch-size", "2000", "--quiet")
    proc = subprocess.Popen(cmd + ["--report-dir", str(tmp_path / "killed")], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 300
    killed_at = None
    while time.time() < deadline and proc.poll() is None:
        n = _order_count(neo4j_db, db)
        if n >= 4000:
            proc.send_signal(signal.SIGKILL)
            killed_at = n
            break
        time.sleep(0.05)
    proc.wait(timeout=60)
    assert killed_at is not None, f"the load finished (rc {proc.returncode}) before it could be killed"
    partial = graph_counts(neo4j_db, db)
    assert partial["LoadRun"] == 0 and 0 < partial["Order"] < len(read(world, "purchases"))
    done = subprocess.run(cmd + ["--report-dir", str(tmp_path / "resumed")], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    resumed = checksum(neo4j_db, db), graph_counts(neo4j_db, db)

    from conftest import wipe

    wipe(neo4j_db, db)
    whole = subprocess.run(cmd + ["--report-dir", str(tmp_path / "whole")], env=env, capture_output=True,
                           text=True, timeout=600)
    assert whole.returncode == 0, whole.stderr[-2000:]
    assert resumed == (checksum(neo4j_db, db), graph_counts(neo4j_db, db))
    rec = json.loads((tmp_path / "resumed" / "reconciliation.json").read_text())
    assert sum(f["duplicate"] for f in rec["files"]) >= killed_at  # what the killed run committed


@pytest.mark.slow
def test_sigterm_stops_a_load_and_a_rerun_finishes_it(neo4j_db, neo4j_settings, tmp_path_factory, tmp_path):
    """`kill`, a cron wrapper's timeout or `docker stop` sends SIGTERM: the load stops where it is
    (its writer thread sends nothing more), exits 143 with one line and no traceback, records no
    LoadRun, and the same command run again finishes it to exactly the graph the files give."""
    db = neo4j_settings.database
    world = tmp_path_factory.mktemp("world") / "s"
    generate_world(world, scale="s", seed=12)
    cmd = _cli("load", str(world), "--batch-size", "2000", "--quiet")
    proc = subprocess.Popen(cmd + ["--report-dir", str(tmp_path / "stopped")], env=dict(os.environ),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    stopped_at = None
    while time.time() < deadline and proc.poll() is None:
        if _order_count(neo4j_db, db) >= 4000:
            proc.send_signal(signal.SIGTERM)
            stopped_at = time.time()
            break
        time.sleep(0.05)
    _, err = proc.communicate(timeout=120)
    assert stopped_at is not None, f"the load finished (rc {proc.returncode}) before it could be stopped"
    assert proc.returncode == 128 + signal.SIGTERM, err[-2000:]
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == "livetrust: stopped by SIGTERM"
    partial = graph_counts(neo4j_db, db)
    expected = expected_counts(world)
    assert partial["LoadRun"] == 0 and 4000 <= partial["Order"] < expected["Order"]
    time.sleep(1.0)
    assert _order_count(neo4j_db, db) == partial["Order"]  # nothing was left writing after the exit

    done = subprocess.run(cmd + ["--report-dir", str(tmp_path / "rerun")], env=dict(os.environ),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    finished = graph_counts(neo4j_db, db)
    assert {key: finished[key] for key in expected} == expected
    assert finished["LoadRun"] == 1 and finished["Pending"] == 0
    rec = json.loads((tmp_path / "rerun" / "reconciliation.json").read_text())
    assert sum(f["duplicate"] for f in rec["files"]) >= partial["Order"]  # what the stopped run committed


def test_cli_load_prints_table_and_one_line_errors(neo4j_db, neo4j_settings, xs_world, tmp_path):
    env = dict(os.environ)
    ok = subprocess.run(_cli("load", str(xs_world), "--report-dir", str(tmp_path / "r")), env=env,
                        capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr[-2000:]
    assert "purchases.csv" in ok.stdout and "quarantined" in ok.stdout and "Traceback" not in ok.stderr
    assert "rows/s" in ok.stderr  # progress bars
    default = subprocess.run(_cli("load", str(xs_world), "--quiet"), env=env, capture_output=True, text=True,
                             timeout=300, cwd=tmp_path)
    assert default.returncode == 0 and len(list((tmp_path / "livetrust-out" / "load").iterdir())) == 1
    for args, message in (((str(tmp_path / "nope"),), "input folder not found"),):
        bad = subprocess.run(_cli("load", *args), env=env, capture_output=True, text=True, timeout=120)
        assert bad.returncode != 0 and message in bad.stderr and "Traceback" not in bad.stderr
        assert len(bad.stderr.strip().splitlines()) == 1


def _operators(driver, database: str, name: str) -> list[str]:
    from livetrust.queries import cypher_statement

    plan = driver.execute_query("EXPLAIN " + cypher_statement(name), rows=[], keys=[], ids=[], pairs=[],
                                stream="s", run_id="r", database_=database).summary.plan
    out = []

    def walk(p):
        out.append(p["operatorType"].split("@")[0] + " " + p.get("args", {}).get("Details", ""))
        for c in p.get("children", []):
            walk(c)

    walk(plan)
    return out


@pytest.mark.parametrize("name", ["load/lookup_follows", "load/extra_follows"])
def test_follows_lookups_never_expand_a_streamer(driver, neo4j_settings, name):
    # a streamer may have 10^5 followers: these plans must start from the consumer's index seek
    ops = _operators(driver, neo4j_settings.database, name)
    assert not any("Streamer" in op and "Seek" in op.split(" ")[0] for op in ops), ops
    assert any(op.startswith("NodeUniqueIndexSeek") and "Consumer" in op for op in ops), ops


def _folder(path: Path, files: dict[str, str]) -> Path:
    path.mkdir()
    for name, text in files.items():
        (path / name).write_text(text, encoding="utf-8")
    return path


def test_a_retried_pending_row_names_its_load_and_waiting_rows_are_listed(neo4j_db, neo4j_settings, tmp_path):
    """Review: a later load's quarantine.csv listed 'returns.csv row 1' of an earlier folder without saying
    so, and rows still waiting were in no file of the later run."""
    from livetrust.queries.runner import run_query

    db = neo4j_settings.database
    first = _folder(tmp_path / "day1", {
        "factories.csv": "factory_id,name,region\nf1,Acme,east\n",
        "products.csv": "product_id,factory_id,name,category,price\np1,f1,Lip,beauty,5\n",
        "returns.csv": "order_id,returned_at,quantity,reason\no1,2024-01-05T00:00:00Z,3,broken\n"
                       "o2,2024-01-05T00:00:00Z,1,broken\n"})
    second = _folder(tmp_path / "day2", {
        "purchases.csv": "order_id,consumer_id,streamer_id,product_id,quantity,amount,purchased_at\n"
                         "o1,c1,s1,p1,1,5,2024-01-02T00:00:00Z\n"})
    r1 = load_folder(first, driver=neo4j_db, database=db, report_dir=tmp_path / "r1")
    assert r1.file("returns.csv").pending == 2
    load_folder(second, driver=neo4j_db, database=db, report_dir=tmp_path / "r2")
    quarantine = pd.read_csv(tmp_path / "r2" / "quarantine.csv", dtype=str, keep_default_na=False)
    assert quarantine[["file", "row", "reason"]].values.tolist() == [["returns.csv", "1", "return_exceeds_quantity"]]
    assert quarantine["detail"].iloc[0].endswith(f"(a row of load {r1.run_id}, pending until this load)")
    waiting = run_query("pending_rows", driver=neo4j_db, settings=neo4j_settings)
    assert waiting[["stream", "file", "row", "load_run_id", "load_folder"]].values.tolist() == [
        ["returns", "returns.csv", 2, r1.run_id, str(first.resolve())]]
    assert run_query("pending_rows", driver=neo4j_db, settings=neo4j_settings, stream="purchases").empty
    returns = run_query("pending_rows", driver=neo4j_db, settings=neo4j_settings, stream="returns")
    assert returns[["stream", "row"]].values.tolist() == [["returns", 2]]
    # review of query: the header claimed the Pending(stream) index, the plan scanned the label
    from livetrust.queries.runner import get_query

    query = get_query("pending_rows")
    _, summary, _ = neo4j_db.execute_query("PROFILE " + query.cypher, query.bind({"stream": "returns"}), database_=db)
    ops, todo = set(), [summary.profile]
    while todo:
        op = todo.pop()
        ops.add(op["operatorType"].split("@")[0])
        todo += op.get("children", [])
    assert any(o.startswith("NodeIndexSeek") for o in ops), sorted(ops)
