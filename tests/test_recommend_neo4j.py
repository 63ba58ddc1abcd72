"""Write-back of the lists to Neo4j as RECOMMENDED relationships stamped with the run."""

from __future__ import annotations

import pandas as pd
import pytest
from neo4j.exceptions import Neo4jError

from livetrust.graph.recommend import publish, recommend
from livetrust.graph.recommend.export import LABELS, WRITE_STATEMENT, write_columns
from livetrust.queries import cypher_statement
from livetrust.writeback import current_run_id, frame_to_columns, node_element_ids

from test_recommend_lists import tiny_projection, tiny_scores  # noqa: E402  (same folder)

pytestmark = pytest.mark.integration


def seed(driver, database):
    p = tiny_projection()
    driver.execute_query(
        "UNWIND $c AS id CREATE (:Consumer {consumer_id: id}) WITH count(*) AS _ "
        "UNWIND $s AS id CREATE (:Streamer {streamer_id: id}) WITH count(*) AS _ "
        "UNWIND $p AS id CREATE (:Product {product_id: id}) WITH count(*) AS _ "
        "UNWIND $f AS id CREATE (:Factory {factory_id: id})",
        c=list(p.consumers.consumer_id), s=list(p.streamers.streamer_id), p=list(p.products.product_id),
        f=list(p.factories.factory_id), database_=database,
    )


def recommended(driver, database, run=None):
    """Every RECOMMENDED (``run``: only that run's, as readers see the current run)."""
    records, _, _ = driver.execute_query(
        "MATCH (a)-[r:RECOMMENDED]->(b) WHERE $run IS NULL OR r.run_id = $run "
        "RETURN labels(a)[0] AS a, labels(b)[0] AS b, r.list AS list, r.rank AS rank, "
        "r.score AS score, r.reason AS reason, r.run_id AS run, r.demotion AS demotion, elementId(r) AS rel, "
        "coalesce(a.consumer_id, a.streamer_id, a.factory_id) AS subject, "
        "coalesce(b.product_id, b.streamer_id, b.factory_id) AS object",
        run=run, database_=database,
    )
    return [dict(r) for r in records]


def test_publish_replaces_the_previous_run_and_a_failed_run_changes_nothing(neo4j_db, neo4j_settings):
    db = neo4j_settings.database
    seed(neo4j_db, db)
    first = recommend(tiny_projection(), tiny_scores(), top=3, run_id="rec-a")
    assert publish(neo4j_db, db, first, batch_size=2) is None
    rels = recommended(neo4j_db, db)
    assert len(rels) == sum(first.row_counts.values()) > 0
    assert {r["run"] for r in rels} == {"rec-a"}
    kinds = {(r["list"], r["a"], r["b"]) for r in rels}
    assert kinds == {("consumer_products", "Consumer", "Product"), ("consumer_streamers", "Consumer", "Streamer"),
                     ("factory_streamers", "Factory", "Streamer"), ("streamer_products", "Streamer", "Product"),
                     ("streamer_factories", "Streamer", "Factory")}
    cp = first.lists["consumer_products"]
    row = cp[(cp.subject_id == "c1") & (cp["rank"] == 1)].iloc[0]
    got = next(r for r in rels if r["list"] == "consumer_products" and r["subject"] == "c1" and r["rank"] == 1)
    assert got["object"] == row.object_id and got["score"] == pytest.approx(row.score) and got["reason"] == row.reason
    assert got["demotion"] == pytest.approx(row.demotion)
    assert current_run_id(neo4j_db, db, "recommend") == "rec-a"
    rels_a = {(r["list"], r["subject"], r["object"]): r["rel"] for r in rels}

    # the second run creates beside the first, which stays as stock (readers see the current run only)
    second = recommend(tiny_projection(), tiny_scores(), top=1, run_id="rec-b")
    assert publish(neo4j_db, db, second) == "rec-a"
    rels = recommended(neo4j_db, db, "rec-b")
    assert len(rels) == sum(second.row_counts.values()) and all(r["rank"] == 1 for r in rels)
    assert {r["run"] for r in recommended(neo4j_db, db)} == {"rec-a", "rec-b"}

    # the third overwrites the first run's relationships in place: same pairs, same relationships
    third = recommend(tiny_projection(), tiny_scores(), top=3, run_id="rec-c")
    assert publish(neo4j_db, db, third, batch_size=2) == "rec-b"
    rels = recommended(neo4j_db, db, "rec-c")
    assert {(r["list"], r["subject"], r["object"]): r["rel"] for r in rels} == rels_a
    assert {r["run"] for r in recommended(neo4j_db, db)} == {"rec-b", "rec-c"}
    visible = sorted((r["list"], r["subject"], r["rank"], r["object"], r["score"]) for r in rels)

    # a failed run: readers see the same rows; what it wrote before failing is invisible stock
    broken = recommend(tiny_projection(), tiny_scores(), top=3, run_id="rec-d")
    bad = broken.lists["consumer_products"]
    bad["reason"] = pd.Series([{"not": "a property"}] * len(bad), index=bad.index, dtype=object)  # a map: no property
    with pytest.raises(Neo4jError):
        publish(neo4j_db, db, broken)
    assert current_run_id(neo4j_db, db, "recommend") == "rec-c"
    assert sorted((r["list"], r["subject"], r["rank"], r["object"], r["score"])
                  for r in recommended(neo4j_db, db, "rec-c")) == visible
    assert {r["run"] for r in recommended(neo4j_db, db)} <= {"rec-b", "rec-c", "rec-d"}
    records, _, _ = neo4j_db.execute_query(
        "MATCH (r:JobRun {job: 'recommend'}) RETURN r.run_id AS id, r.status AS status, r.current AS cur, "
        "r.parameters AS params ORDER BY id", database_=db)
    assert [(r["id"], r["status"], r["cur"]) for r in records] == [
        ("rec-a", "succeeded", False), ("rec-b", "succeeded", False), ("rec-c", "succeeded", True),
        ("rec-d", "failed", False)]
    assert '"score_run_id": "score-1"' in records[2]["params"]

    # the next run reuses what the failed run wrote; afterwards only it and the run it replaced remain
    fifth = recommend(tiny_projection(), tiny_scores(), top=2, run_id="rec-e")
    assert publish(neo4j_db, db, fifth) == "rec-c"
    assert len(recommended(neo4j_db, db, "rec-e")) == sum(fifth.row_counts.values())
    assert {r["run"] for r in recommended(neo4j_db, db)} == {"rec-c", "rec-e"}


def publish_scores(driver, database, scores, run_id: str) -> None:
    """Write trust frames as a published ``score`` run (TRUSTS + node score relationships)."""
    from livetrust.graph.trust.job import NODE_WRITES, SCORES_CLEANUP
    from livetrust.writeback import RelationshipBatch, RunRecord, frame_to_rows, publish_run

    extra_columns = {"streamers": ("integrity", "lockstep_buyers", "buyers")}  # what the recommend job's demotion reads

    def nodes(frame, key, extra=()):
        f = frame[[key, "trust", "confidence", *extra]].rename(columns={key: "id", "confidence": "trust_confidence"})
        return frame_to_rows(f, ["id"])

    bonds = frame_to_rows(scores.consumer_streamer[["consumer_id", "streamer_id", "trust", "confidence",
                                                    "consumer_credibility"]], ["consumer_id", "streamer_id"])
    publish_run(
        driver, database, RunRecord("score", run_id),
        relationships=[RelationshipBatch("writeback/trusts_create", "writeback/trusts_cleanup", bonds),
                       *(RelationshipBatch(statement, SCORES_CLEANUP, nodes(getattr(scores, output), key, extra_columns.get(output, ())))
                         for output, (key, statement) in NODE_WRITES.items())],
    )


def test_cli_recommend_in_neo4j_mode(neo4j_db, neo4j_settings, tmp_path):
    """A loaded xs world with a published score run: the CLI reads both from Neo4j and writes back."""
    import json

    from click.testing import CliRunner

    from livetrust.cli import main
    from livetrust.graph.projection import Projection
    from livetrust.graph.recommend import scores_from_model
    from livetrust.loaders import load_folder
    from livetrust.world import generate_world

    from livetrust.graph.recommend.commands import _scores_from_neo4j

    db = neo4j_settings.database
    world = tmp_path / "world"
    generate_world(world, scale="xs", seed=5)
    load_folder(world, driver=neo4j_db, database=db, report_dir=tmp_path / "load-report")
    model_scores = scores_from_model(Projection.from_folder(world))
    publish_scores(neo4j_db, db, model_scores, "score-xs-1")
    # what the CLI reads back: trust, confidence and the stored fraud components / credibility
    read = _scores_from_neo4j(neo4j_db, db)
    assert read.run_id == "score-xs-1"
    got = read.streamers.set_index("streamer_id").sort_index()
    want = model_scores.streamers.set_index("streamer_id").sort_index()
    assert got["integrity"].to_numpy() == pytest.approx(want["integrity"].to_numpy())
    assert (got["lockstep_buyers"].to_numpy() == want["lockstep_buyers"].to_numpy()).all()
    assert (got["buyers"].to_numpy() == want["buyers"].to_numpy()).all()
    cred = read.consumer_streamer.groupby("consumer_id")["consumer_credibility"].min().sort_index()
    want_cred = model_scores.consumer_streamer.groupby("consumer_id")["consumer_credibility"].min().sort_index()
    assert cred.to_numpy() == pytest.approx(want_cred.reindex(cred.index).to_numpy())
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["recommend", "--top", "3", "--lists", "consumer_products,factory_streamers",
                                  "--publish-subset", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "RECOMMENDED" in r.output and "score-xs-1" in r.output
    assert "RECOMMENDED relationships to Neo4j (0 overwritten in place, " in r.output  # the first run creates
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["score_run_id"] == "score-xs-1"
    run_id = manifest["run_id"]
    assert current_run_id(neo4j_db, db, "recommend") == run_id
    records, _, _ = neo4j_db.execute_query(
        "MATCH ()-[r:RECOMMENDED]->() RETURN r.list AS list, count(*) AS n, collect(DISTINCT r.run_id) AS runs",
        database_=db)  # the first run: nothing older to keep as stock
    assert {r["list"]: r["n"] for r in records} == manifest["row_counts"]
    assert all(r["runs"] == [run_id] for r in records)

    # --write-top: the files keep every rank, Neo4j gets the first K of each list
    out2 = tmp_path / "out2"
    r = CliRunner().invoke(main, ["recommend", "--top", "3", "--write-top", "5", "--lists", "consumer_products",
                                  "--publish-subset", "--out", str(tmp_path / "out-clamped")])
    assert r.exit_code == 0, r.output  # review: --top 3 --write-top 5 wrote 3 per list and recorded 5
    assert json.loads((tmp_path / "out-clamped" / "manifest.json").read_text())["parameters"]["write_top"] == 3
    assert "--write-top 5 is more than --top 3: all 3 ranks were written back" in r.output  # review: without a word
    r = CliRunner().invoke(main, ["recommend", "--top", "3", "--write-top", "1", "--lists", "consumer_products",
                                  "--publish-subset", "--out", str(out2), "--set", "consumer_products.keep_power=2"])
    assert r.exit_code == 0, r.output
    manifest2 = json.loads((out2 / "manifest.json").read_text())
    assert manifest2["parameters"]["write_top"] == 1
    # --set reaches the run's JobRun in Neo4j as well as the manifest
    records, _, _ = neo4j_db.execute_query("MATCH (j:JobRun {run_id: $run}) RETURN j.parameters AS p",
                                           run=manifest2["run_id"], database_=db)
    assert json.loads(records[0]["p"])["params"] == {"consumer_products": {"keep_power": 2.0}}
    files = pd.read_csv(out2 / "consumer_products.csv")
    assert files["rank"].max() == 3
    records, _, _ = neo4j_db.execute_query(
        "MATCH ()-[r:RECOMMENDED {run_id: $run}]->() RETURN r.rank AS rank, count(*) AS n", run=manifest2["run_id"],
        database_=db)
    assert [(r["rank"], r["n"]) for r in records] == [(1, files["subject_id"].nunique())]
    assert f"wrote {files['subject_id'].nunique():,d} RECOMMENDED" in r.output
    r = CliRunner().invoke(main, ["recommend", "--write-top", "0"])
    assert r.exit_code != 0 and "--write-top 0 writes nothing back: give --out DIR" in r.output

    # --no-write-reasons: the relationships carry no reason (the files do); the next run with
    # reasons overwrites that stock in place and every relationship has its reason again
    def reasons_of(run_id):
        records, _, _ = neo4j_db.execute_query(
            "MATCH ()-[r:RECOMMENDED {run_id: $run}]->() RETURN count(r) AS n, count(r.reason) AS with_reason",
            run=run_id, database_=db)
        return records[0]["n"], records[0]["with_reason"]

    for flag, name in (("--no-write-reasons", "out3"), ("--write-reasons", "out4")):
        r = CliRunner().invoke(main, ["recommend", "--top", "3", "--lists", "consumer_products", flag,
                                      "--publish-subset", "--out", str(tmp_path / name)])
        assert r.exit_code == 0, r.output
        manifest = json.loads((tmp_path / name / "manifest.json").read_text())
        files = pd.read_csv(tmp_path / name / "consumer_products.csv")
        assert files["reason"].notna().all() and len(files) == manifest["row_counts"]["consumer_products"]
        assert manifest["parameters"]["write_reasons"] is (flag == "--write-reasons")
        n, with_reason = reasons_of(manifest["run_id"])
        assert n == len(files)
        assert with_reason == (n if flag == "--write-reasons" else 0)
    r = CliRunner().invoke(main, ["recommend", "--data", str(world), "--out", str(tmp_path / "o5"), "--no-write-reasons"])
    assert r.exit_code != 0 and "--no-write-reasons is for Neo4j mode" in r.output

    # another recommend run is writing (it holds the job lock): this one refuses in one line,
    # before it writes anything, and leaves the current run and the files of --out as they were
    from livetrust.joblock import JobLock

    current = current_run_id(neo4j_db, db, "recommend")
    before = {f.name: f.read_bytes() for f in (tmp_path / "out4").iterdir()}
    with JobLock(neo4j_db, db, "recommend", "rec-elsewhere"):
        r = CliRunner().invoke(main, ["recommend", "--top", "3", "--lists", "consumer_products",
                                      "--publish-subset", "--out", str(tmp_path / "out4")])
    assert r.exit_code == 75, r.output  # EX_TEMPFAIL: try later
    # refused before the read: the error is the whole output, one line
    assert r.output.startswith("Error: another recommend run, rec-elsewhere, is writing") and r.output.count("\n") == 1
    assert current_run_id(neo4j_db, db, "recommend") == current
    assert {f.name: f.read_bytes() for f in (tmp_path / "out4").iterdir()} == before

    # a run limited by --lists or --subjects would replace every published list: refused in one
    # line unless asked for (--publish-subset) or files only (--write-top 0); a --subjects file
    # that selects no subject is refused even then. Nothing changes in Neo4j or in --out.
    consumer = str(pd.read_csv(tmp_path / "out4" / "consumer_products.csv")["subject_id"].iloc[0])
    vip = tmp_path / "vip.txt"
    vip.write_text(f"{consumer}\n")
    nobody = tmp_path / "nobody.txt"
    nobody.write_text("nobody1\nnobody2\n")
    empty = tmp_path / "empty.txt"
    empty.write_text("# no ids\n")
    refusals = [
        (["--lists", "consumer_products"], "--lists in Neo4j mode: the run would replace the published"),
        (["--subjects", str(vip)], "--subjects in Neo4j mode: the run would replace the published"),
        (["--subjects", str(nobody), "--publish-subset"], "--subjects: none of its 2 ids is a subject of the chosen lists"),
        (["--subjects", str(empty), "--publish-subset"], "holds no subject ids"),
    ]
    for options, message in refusals:
        r = CliRunner().invoke(main, ["recommend", "--top", "3", *options, "--out", str(tmp_path / "out4")])
        assert r.exit_code != 0 and message in r.output, (options, r.output)
        assert [line for line in r.output.splitlines() if line.startswith("Error")] == [r.output.splitlines()[-1]]
        assert current_run_id(neo4j_db, db, "recommend") == current
        assert {f.name: f.read_bytes() for f in (tmp_path / "out4").iterdir()} == before
    r = CliRunner().invoke(main, ["recommend", "--top", "3", "--subjects", str(vip), "--write-top", "0",
                                  "--out", str(tmp_path / "out6")])
    assert r.exit_code == 0, r.output
    assert current_run_id(neo4j_db, db, "recommend") == current  # files only: nothing published
    assert set(pd.read_csv(tmp_path / "out6" / "consumer_products.csv")["subject_id"].astype(str)) == {consumer}


def test_stale_stock_is_deleted_as_it_is_overwritten_and_the_cleanup_scan_runs_only_when_needed(neo4j_db, neo4j_settings):
    db = neo4j_settings.database
    seed(neo4j_db, db)

    def run(run_id, **options):
        timings, counts = {}, {}
        result = recommend(tiny_projection(), tiny_scores(), run_id=run_id, **options)
        publish(neo4j_db, db, result, batch_size=2, timings=timings, counts=counts)  # batches of whole subjects
        assert all(isinstance(v, float) for v in timings.values())  # seconds only; counts apart
        return result, counts

    def runs_left():
        records, _, _ = neo4j_db.execute_query(
            "MATCH ()-[r:RECOMMENDED]->() RETURN r.run_id AS run, count(*) AS n ORDER BY run", database_=db)
        return {r["run"]: r["n"] for r in records}

    def recorded(run_id):
        records, _, _ = neo4j_db.execute_query(
            "MATCH (r:JobRun {run_id: $id}) RETURN r.relationships_written AS n", id=run_id, database_=db)
        return records[0]["n"]

    a, _ = run("rec-a", top=3)
    b, counts = run("rec-b", top=3)  # created beside rec-a: nothing stale
    assert counts["cleanup_scans"] == 0
    assert counts["written"] == sum(b.row_counts.values()) and counts["overwritten"] == 0
    assert runs_left() == {"rec-a": sum(a.row_counts.values()), "rec-b": sum(b.row_counts.values())}
    # top 2 over rec-a's top 3: each subject's rank-3 stock is stale, reported by the write and
    # deleted by id once rec-c is current
    c, counts = run("rec-c", top=2)
    assert counts["written"] == counts["overwritten"] == sum(c.row_counts.values())  # all in place
    assert counts["stale_deleted"] == sum(a.row_counts.values()) - sum(c.row_counts.values()) > 0
    assert counts["cleanup_scans"] == 0
    assert runs_left() == {"rec-b": sum(b.row_counts.values()), "rec-c": sum(c.row_counts.values())}
    assert recorded("rec-c") == sum(c.row_counts.values())  # exact, from the write statements

    # a run for one consumer leaves the other subjects' stock (rec-b's) untouched: the scan removes it
    d, counts = run("rec-d", top=2, subjects=["c1"])
    assert counts["cleanup_scans"] == 1
    assert runs_left() == {"rec-c": sum(c.row_counts.values()), "rec-d": sum(d.row_counts.values())}
    assert 0 < recorded("rec-d") == sum(d.row_counts.values()) < recorded("rec-c")

    # back to every subject: rec-c's stock is overwritten or deleted subject by subject, no scan
    e, counts = run("rec-e", top=2)
    assert counts["cleanup_scans"] == 0
    assert runs_left() == {"rec-d": sum(d.row_counts.values()), "rec-e": sum(e.row_counts.values())}

    # a relationship no run's write reaches (from a node that is no list's subject) shows in the count
    neo4j_db.execute_query("MATCH (p:Product) WITH p LIMIT 1 "
                           "CREATE (p)-[:RECOMMENDED {list: 'consumer_products', run_id: 'stray'}]->(p)", database_=db)
    f, counts = run("rec-f", top=2)
    assert counts["cleanup_scans"] == 1
    assert runs_left() == {"rec-e": sum(e.row_counts.values()), "rec-f": sum(f.row_counts.values())}

    # top 3 over rec-e's top 2: every stock pair is overwritten in place, each subject's third is created
    g, counts = run("rec-g", top=3)
    assert counts["overwritten"] == sum(e.row_counts.values())
    assert counts["written"] - counts["overwritten"] == sum(g.row_counts.values()) - sum(e.row_counts.values()) > 0


def test_more_stale_stock_than_the_id_limit_goes_to_the_cleanup_scan(neo4j_db, neo4j_settings):
    """Past ``stale_ids_max`` the ids are not held (bounded memory): the count check sees the
    leftovers and the scan deletes them; the end state is the same."""
    db = neo4j_settings.database
    seed(neo4j_db, db)
    runs, counts = {}, {}
    for run_id, top, limit in (("rec-a", 3, None), ("rec-b", 3, None), ("rec-c", 2, 1)):
        runs[run_id] = recommend(tiny_projection(), tiny_scores(), run_id=run_id, top=top)
        counts = {}
        publish(neo4j_db, db, runs[run_id], batch_size=2, counts=counts, stale_ids_max=limit)
    stale = sum(runs["rec-a"].row_counts.values()) - sum(runs["rec-c"].row_counts.values())
    assert stale > 1  # more than the limit of 1
    assert counts["stale_ids_dropped"] == 1 and counts["stale_deleted"] == 0
    assert counts["cleanup_scans"] == 1
    records, _, _ = neo4j_db.execute_query(
        "MATCH ()-[r:RECOMMENDED]->() RETURN r.run_id AS run, count(*) AS n ORDER BY run", database_=db)
    assert {r["run"]: r["n"] for r in records} == {"rec-b": sum(runs["rec-b"].row_counts.values()),
                                                  "rec-c": sum(runs["rec-c"].row_counts.values())}


def test_stale_stock_reported_twice_is_deleted_and_counted_once(neo4j_db, neo4j_settings):
    """A subject whose rows span two write batches has the stock neither batch took reported by
    both (the m world's --top 19 run over a top-20 stock counted 660 stale relationships too many,
    one per subject split across batches): the delete counts each relationship once, and keeps the
    current and the stock run's."""
    db = neo4j_settings.database
    records, _, _ = neo4j_db.execute_query(
        "UNWIND ['old', 'old', 'old', 'rec-b', 'rec-c'] AS run "
        "CREATE (:Consumer)-[r:RECOMMENDED {list: 'consumer_products', run_id: run}]->(:Product) "
        "RETURN elementId(r) AS id, run", database_=db)
    ids = [r["id"] for r in records]
    reported = ids + [ids[0], ids[4]]  # an old one and the current one reported twice
    deleted, _, _ = neo4j_db.execute_query(
        cypher_statement("writeback/recommended_delete"), ids=reported, keep="rec-c", stock="rec-b", database_=db)
    assert deleted[0]["deleted"] == 3
    left, _, _ = neo4j_db.execute_query(
        "MATCH ()-[r:RECOMMENDED]->() RETURN r.run_id AS run ORDER BY run", database_=db)
    assert [r["run"] for r in left] == ["rec-b", "rec-c"]


def test_the_write_of_one_list_takes_only_that_lists_stock(neo4j_db, neo4j_settings):
    """A consumer's stock holds both consumer lists; the statement for one list must overwrite that
    list's stock in place and report none of the other list's as stale (it tells them apart by the
    object's label). A wrong label overwrites nothing; no label check reports the other list's stock."""
    db = neo4j_settings.database
    seed(neo4j_db, db)
    a = recommend(tiny_projection(), tiny_scores(), top=3, run_id="rec-a")
    publish(neo4j_db, db, a)
    publish(neo4j_db, db, recommend(tiny_projection(), tiny_scores(), top=3, run_id="rec-b"))  # rec-a is stock
    stock = {(r["list"], r["subject"], r["object"]): r["rel"] for r in recommended(neo4j_db, db, "rec-a")}
    assert {key[0] for key in stock} >= {"consumer_products", "consumer_streamers"}

    rows = a.lists["consumer_products"]
    rows = rows[rows.subject_id == "c1"]
    columns = frame_to_columns(write_columns(rows, "consumer", "product", node_element_ids(neo4j_db, db)))
    records, _, _ = neo4j_db.execute_query(
        cypher_statement(WRITE_STATEMENT), columns=columns, list="consumer_products", run_id="rec-x",
        object_label=LABELS["product"], database_=db)
    assert records[0]["written"] == records[0]["overwritten"] == len(rows) > 0
    assert [ids for ids in records[0]["stale"] if ids] == []  # c1's consumer_streamers stock is not this list's
    overwritten = {(r["list"], r["subject"], r["object"]): r["rel"] for r in recommended(neo4j_db, db, "rec-x")}
    assert overwritten == {k: v for k, v in stock.items() if k[0] == "consumer_products" and k[1] == "c1"}


def test_a_stop_after_the_switch_waits_for_the_files(neo4j_db, neo4j_settings, tmp_path, monkeypatch):
    """SIGTERM between the switch to the new run and its files: the files are still put in place,
    then the job stops; Neo4j's current run and the manifest's run are the same."""
    import importlib
    import json
    import os
    import signal

    from livetrust.errors import Terminated
    from livetrust.graph.projection import Projection
    from livetrust.graph.recommend import scores_from_model
    from livetrust.graph.recommend.commands import run_recommend
    from livetrust.loaders import load_folder
    from livetrust.stopping import StopOnSignal
    from livetrust.world import generate_world

    db = neo4j_settings.database
    world = tmp_path / "world"
    generate_world(world, scale="xs", seed=5)
    load_folder(world, driver=neo4j_db, database=db, report_dir=tmp_path / "load-report")
    publish_scores(neo4j_db, db, scores_from_model(Projection.from_folder(world)), "score-xs-1")
    export = importlib.import_module("livetrust.graph.recommend.export")  # the module, not the function
    commit = export.ListFiles.commit

    def stopped_commit(self, result):
        os.kill(os.getpid(), signal.SIGTERM)  # the run is current; its files are not yet in place
        return commit(self, result)

    monkeypatch.setattr(export.ListFiles, "commit", stopped_commit)
    stop = StopOnSignal(echo=lambda line: None)
    stop.install(signal.SIGTERM)
    with pytest.raises(Terminated):
        try:
            run_recommend(data_dir=None, out_dir=tmp_path / "out", file_format="csv", top=3, subjects_file=None,
                          lists=("consumer_products",), settings=neo4j_settings, publish_subset=True)
        finally:
            stop.uninstall()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert current_run_id(neo4j_db, db, "recommend") == manifest["run_id"]
