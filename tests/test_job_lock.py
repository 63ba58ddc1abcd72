"""One writing run per job: the (:JobLock) lease, against the real Neo4j."""

from __future__ import annotations

import threading
import time

import neo4j
import pytest

from livetrust.joblock import JobLock, JobLockBusy, JobLockLost
from livetrust.writeback import RelationshipBatch, RunRecord, _mark_failed, current_run_id, publish_run

pytestmark = pytest.mark.integration


def seed_graph(driver):
    driver.execute_query(
        "UNWIND ['c1','c2','c3'] AS id CREATE (:Consumer {consumer_id: id}) "
        "WITH count(*) AS _ CREATE (:Streamer {streamer_id: 's1'})"
    )


def bond_rows(trust: float):
    return [{"consumer_id": c, "streamer_id": "s1", "props": {"trust": trust}} for c in ("c1", "c2", "c3")]


def bond_batch(rows):
    return RelationshipBatch("writeback/trusts_create", "writeback/trusts_cleanup", rows)


def bonds(driver):
    records, _, _ = driver.execute_query(
        "MATCH (c:Consumer)-[t:TRUSTS]->() RETURN c.consumer_id AS c, t.run_id AS run ORDER BY c, run")
    return [(r["c"], r["run"]) for r in records]


def runs(driver):
    records, _, _ = driver.execute_query(
        "MATCH (r:JobRun) RETURN r.run_id AS id, r.status AS status, r.error AS error ORDER BY id")
    return {r["id"]: (r["status"], r["error"]) for r in records}


def lock_holder(driver, job="score"):
    records, _, _ = driver.execute_query("MATCH (l:JobLock {job: $job}) RETURN l.run_id AS holder", job=job)
    return records[0]["holder"] if records else "no lock node"


def test_a_second_run_of_a_job_is_refused_while_the_first_writes(neo4j_db, neo4j_settings):
    db = neo4j_settings.database
    seed_graph(neo4j_db)
    publish_run(neo4j_db, db, RunRecord("score", "run-a"), relationships=[bond_batch(bond_rows(0.5))])
    seen = {}

    def meanwhile():  # run-b has written its bonds and not yet published: run-c tries to start
        with pytest.raises(JobLockBusy) as busy:
            publish_run(neo4j_db, db, RunRecord("score", "run-c"), relationships=[bond_batch(bond_rows(0.1))])
        seen["message"] = str(busy.value)
        seen["holder"] = lock_holder(neo4j_db)
        # another job has its own lock
        publish_run(neo4j_db, db, RunRecord("paths", "paths-1"))

    assert publish_run(neo4j_db, db, RunRecord("score", "run-b"), relationships=[bond_batch(bond_rows(0.7))],
                       before_publish=meanwhile) == "run-a"
    assert "run-b" in seen["message"] and "\n" not in seen["message"]
    assert seen["holder"] == "run-b"
    assert "run-c" not in runs(neo4j_db)  # refused before it recorded or wrote anything
    assert bonds(neo4j_db) == [(c, "run-b") for c in ("c1", "c2", "c3")]  # run-c wrote nothing
    assert current_run_id(neo4j_db, db, "score") == "run-b"
    assert current_run_id(neo4j_db, db, "paths") == "paths-1"
    # released when the run ended: the next run starts
    assert lock_holder(neo4j_db) is None
    publish_run(neo4j_db, db, RunRecord("score", "run-d"), relationships=[bond_batch(bond_rows(0.2))])
    assert current_run_id(neo4j_db, db, "score") == "run-d"


def test_a_stale_lock_is_taken_over_and_dead_runs_marked_abandoned(neo4j_db, neo4j_settings):
    db = neo4j_settings.database
    seed_graph(neo4j_db)
    # run-dead was killed while writing (its lock went silent 20 minutes ago); run-older crashed
    # under a livetrust that had no lock; both are still recorded as running
    neo4j_db.execute_query(
        "CREATE (:JobLock {job: 'score', run_id: 'run-dead', acquired_at: datetime() - duration('PT30M'), "
        "                  heartbeat_at: datetime() - duration('PT20M')}) "
        "CREATE (:JobRun {job: 'score', run_id: 'run-dead', status: 'running', current: false}) "
        "CREATE (:JobRun {job: 'score', run_id: 'run-older', status: 'running', current: false}) "
        "CREATE (:JobRun {job: 'recommend', run_id: 'rec-live', status: 'running', current: false})")
    with pytest.raises(JobLockBusy):  # 20 minutes of silence are not stale at an hour
        publish_run(neo4j_db, db, RunRecord("score", "run-b"), lock_stale_after=3600)

    publish_run(neo4j_db, db, RunRecord("score", "run-b"), relationships=[bond_batch(bond_rows(0.7))],
                lock_stale_after=600)
    history = runs(neo4j_db)
    assert history["run-b"] == ("succeeded", None)
    for dead in ("run-dead", "run-older"):
        status, error = history[dead]
        assert status == "abandoned" and "run-b" in error
    assert history["rec-live"] == ("running", None)  # another job's run is not this lock's business
    assert lock_holder(neo4j_db) is None


def test_a_live_lock_whose_process_on_this_machine_is_gone_is_taken_over_at_once(neo4j_db, neo4j_settings):
    """A run that could not give its lock back (Neo4j went down during it) blocked every run of its job
    for 10 minutes (review). Its heartbeat is recent, but its process, on this machine, has ended: the
    next run takes over at once. A live process, or one on another machine, still holds the lock."""
    import subprocess
    import sys

    from livetrust.joblock import process_token, refuse_if_busy

    db = neo4j_settings.database
    seed_graph(neo4j_db)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    dead_token = process_token(child.pid)

    def holder(run_id: str, token: str) -> None:
        neo4j_db.execute_query(
            "MERGE (l:JobLock {job: 'score'}) SET l.run_id = $run, l.acquired_at = datetime(), "
            "l.heartbeat_at = datetime(), l.process = $token "
            "MERGE (r:JobRun {job: 'score', run_id: $run}) SET r.status = 'running', r.current = false",
            run=run_id, token=token)

    try:
        holder("run-live", dead_token)  # the child is still alive: busy
        with pytest.raises(JobLockBusy):
            refuse_if_busy(neo4j_db, db, "score")
        with pytest.raises(JobLockBusy):
            publish_run(neo4j_db, db, RunRecord("score", "run-b"))
    finally:
        child.kill()
        child.wait()
    host, boot, namespace, pid, started = dead_token.split("|")
    for other in (f"elsewhere|{boot}|{namespace}|{pid}|{started}",  # another host name
                  f"{host}|{boot}|pid:[1]|{pid}|{started}",  # another container of this machine
                  f"{host}|{boot}|{namespace}|x{pid}|{started}"):  # not a token of ours
        holder("run-remote", other)  # not ours to judge: it waits for staleness
        with pytest.raises(JobLockBusy):
            publish_run(neo4j_db, db, RunRecord("score", "run-b"))
    holder("run-dead", dead_token)
    refuse_if_busy(neo4j_db, db, "score")  # no error: its process is gone
    publish_run(neo4j_db, db, RunRecord("score", "run-b"), relationships=[bond_batch(bond_rows(0.7))])
    history = runs(neo4j_db)
    assert history["run-b"] == ("succeeded", None) and history["run-dead"][0] == "abandoned"
    assert current_run_id(neo4j_db, db, "score") == "run-b" and lock_holder(neo4j_db) is None


def test_a_run_that_lost_its_lock_stops_and_leaves_the_holders_writes(neo4j_db, neo4j_settings):
    db = neo4j_settings.database
    seed_graph(neo4j_db)
    publish_run(neo4j_db, db, RunRecord("score", "run-a"), relationships=[bond_batch(bond_rows(0.5))])

    def take_over():  # run-x took the lock while run-b stalled, and wrote a bond of its own
        neo4j_db.execute_query(
            "MATCH (l:JobLock {job: 'score'}) SET l.run_id = 'run-x', l.heartbeat_at = datetime() "
            "WITH l MATCH (c:Consumer {consumer_id: 'c1'}), (s:Streamer) CREATE (c)-[:TRUSTS {run_id: 'run-x'}]->(s)")

    # lost between two write batches: the next batch stops the run
    def chunks():
        yield bond_rows(0.7)[:1]
        take_over()
        yield bond_rows(0.7)[1:]

    with pytest.raises(JobLockLost, match="run-x"):
        publish_run(neo4j_db, db, RunRecord("score", "run-b"), relationships=[bond_batch(chunks)])
    assert runs(neo4j_db)["run-b"][0] == "failed"
    assert current_run_id(neo4j_db, db, "score") == "run-a"
    assert lock_holder(neo4j_db) == "run-x"  # not released: it is run-x's
    assert bonds(neo4j_db).count(("c1", "run-x")) == 1  # the holder's write is left alone
    assert ("c2", "run-b") not in bonds(neo4j_db)  # nothing written after the loss

    # lost just before the switch: the publishing transaction refuses it
    neo4j_db.execute_query("MATCH (l:JobLock) SET l.run_id = null")
    with pytest.raises(JobLockLost):
        publish_run(neo4j_db, db, RunRecord("score", "run-c"), relationships=[bond_batch(bond_rows(0.9))],
                    before_publish=take_over)
    assert current_run_id(neo4j_db, db, "score") == "run-a"
    assert runs(neo4j_db)["run-c"][0] == "failed"
    assert bonds(neo4j_db).count(("c1", "run-x")) == 2


def test_a_connection_dropped_on_a_live_server_fails_the_run_cleanly(neo4j_db, neo4j_settings):
    """Review: any SessionExpired was taken for a stopped server: the run stayed "running", its lock
    held and its relationships left, though the server answered."""
    db = neo4j_settings.database
    seed_graph(neo4j_db)
    publish_run(neo4j_db, db, RunRecord("score", "run-a"), relationships=[bond_batch(bond_rows(0.5))])

    def dropped():
        raise neo4j.exceptions.SessionExpired("Failed to read from defunct connection")

    with pytest.raises(neo4j.exceptions.SessionExpired):
        publish_run(neo4j_db, db, RunRecord("score", "run-b"), relationships=[bond_batch(bond_rows(0.7))],
                    before_publish=dropped)
    assert runs(neo4j_db)["run-b"] == ("failed", "SessionExpired: Failed to read from defunct connection")
    assert lock_holder(neo4j_db) is None
    assert current_run_id(neo4j_db, db, "score") == "run-a"
    assert {run for _, run in bonds(neo4j_db)} == {"run-a"}


def test_a_published_run_is_not_marked_failed_afterwards(neo4j_db, neo4j_settings):
    """A connection lost during the publishing commit leaves the client unsure it committed."""
    db = neo4j_settings.database
    seed_graph(neo4j_db)
    publish_run(neo4j_db, db, RunRecord("score", "run-a"), relationships=[bond_batch(bond_rows(0.5))])
    _mark_failed(neo4j_db, db, RunRecord("score", "run-a"), neo4j.exceptions.SessionExpired("lost at commit"),
                 [bond_batch(bond_rows(0.5))])
    assert runs(neo4j_db)["run-a"] == ("succeeded", None)
    assert bonds(neo4j_db) == [(c, "run-a") for c in ("c1", "c2", "c3")]


def test_publishing_again_changes_nothing(neo4j_db, neo4j_settings):
    """The driver retries the publishing transaction when the reply to its commit is lost; a second
    pass over the published run took the run itself for the replaced one (review)."""
    import json

    from livetrust.queries import cypher_statement
    from livetrust.writeback import now_utc

    db = neo4j_settings.database
    seed_graph(neo4j_db)
    publish_run(neo4j_db, db, RunRecord("score", "run-a"), relationships=[bond_batch(bond_rows(0.5))])
    assert publish_run(neo4j_db, db, RunRecord("score", "run-b"), relationships=[bond_batch(bond_rows(0.7))]) == "run-a"
    finished = neo4j_db.execute_query("MATCH (r:JobRun {run_id: 'run-b'}) RETURN r.finished_at AS at").records[0]["at"]
    again = neo4j_db.execute_query(cypher_statement("writeback/run_publish"), job="score", run_id="run-b",
                                   finished_at=now_utc(), output_counts=json.dumps({}), relationships_written=3)
    assert again.records[0]["previous_run_id"] == "run-a"
    assert current_run_id(neo4j_db, db, "score") == "run-b" and runs(neo4j_db)["run-a"] == ("succeeded", None)
    records = neo4j_db.execute_query("MATCH (r:JobRun {job: 'score', current: true}) "
                                     "RETURN r.run_id AS id, r.finished_at AS at, r.replaced_run_id AS replaced").records
    assert [(r["id"], r["at"], r["replaced"]) for r in records] == [("run-b", finished, "run-a")]


def test_concurrent_acquirers_get_one_lock(neo4j_db, neo4j_settings):
    db = neo4j_settings.database
    for round_ in range(8):
        job = f"race-{round_}"  # a new lock node each round (the MERGE race) and ...
        if round_ % 2:  # ... an existing free one (the read-then-write race)
            neo4j_db.execute_query("CREATE (:JobLock {job: $job})", job=job)
        start = threading.Barrier(3)
        outcome: dict[str, str] = {}

        def attempt(run_id):
            lock = JobLock(neo4j_db, db, job, run_id)
            start.wait()
            try:
                lock.acquire()
                outcome[run_id] = "acquired"
            except JobLockBusy:
                outcome[run_id] = "busy"

        threads = [threading.Thread(target=attempt, args=(f"run-{i}",)) for i in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        winners = [run for run, got in outcome.items() if got == "acquired"]
        assert len(winners) == 1, outcome
        assert lock_holder(neo4j_db, job) == winners[0]
        JobLock(neo4j_db, db, job, winners[0]).release()
        assert lock_holder(neo4j_db, job) is None


def test_the_holder_renews_its_lock_while_it_runs(neo4j_db, neo4j_settings):
    def heartbeat():
        records, _, _ = neo4j_db.execute_query(
            "MATCH (l:JobLock {job: 'score'}) RETURN l.heartbeat_at.epochMillis AS at")
        return records[0]["at"]

    with JobLock(neo4j_db, neo4j_settings.database, "score", "run-a", stale_after=1):  # renewed every 0.1 s
        first = heartbeat()
        time.sleep(0.6)
        assert heartbeat() > first
        # a live holder is not stale, however short the stale time
        with pytest.raises(JobLockBusy):
            JobLock(neo4j_db, neo4j_settings.database, "score", "run-b", stale_after=1).acquire()
    assert lock_holder(neo4j_db) is None


def test_jobs_refuse_before_reading_while_another_run_writes(neo4j_db, neo4j_settings, tmp_path, monkeypatch):
    from livetrust.graph.paths.commands import run_job as run_paths
    from livetrust.graph.projection import Projection
    from livetrust.graph.trust.job import run_score_job

    def no_read(*args, **kwargs):
        pytest.fail("the job read the graph before it refused")

    monkeypatch.setattr(Projection, "from_neo4j", no_read)
    db = neo4j_settings.database
    with JobLock(neo4j_db, db, "score", "score-elsewhere"), JobLock(neo4j_db, db, "paths", "paths-elsewhere"):
        with pytest.raises(JobLockBusy, match="score-elsewhere"):
            run_score_job(None, tmp_path / "scores", settings=neo4j_settings)
        assert not (tmp_path / "scores" / "manifest.json").exists()
        assert not (tmp_path / "scores" / "score_history.jsonl").exists()  # refused: not a run to record
        with pytest.raises(JobLockBusy, match="paths-elsewhere"):
            run_paths(data_dir=None, out_dir=None, file_format="csv", top_k=None, top_channels=10, carry_prior=1.0,
                      min_bond=0.0, settings=neo4j_settings)
        # the command exits 75 (EX_TEMPFAIL: try later), not 2 (failed): a wrapper can tell them apart
        from click.testing import CliRunner

        from livetrust.cli import main

        env = {"NEO4J_URI": neo4j_settings.uri, "NEO4J_USER": neo4j_settings.user,
               "NEO4J_PASSWORD": neo4j_settings.password, "NEO4J_DATABASE": db}
        r = CliRunner().invoke(main, ["paths", "--out", str(tmp_path / "paths")], env=env)
        assert r.exit_code == 75 and "paths-elsewhere" in r.output, r.output
    assert runs(neo4j_db) == {}  # neither recorded a run


def test_job_locks_query_says_who_is_writing(neo4j_db, neo4j_settings):
    from livetrust.queries.runner import run_query

    db = neo4j_settings.database
    neo4j_db.execute_query(
        "CREATE (:JobLock {job: 'paths', run_id: 'paths-dead', acquired_at: datetime() - duration('PT1H'), "
        "                  heartbeat_at: datetime() - duration('PT15M')})")
    publish_run(neo4j_db, db, RunRecord("score", "run-a"))  # took and released the score lock
    with JobLock(neo4j_db, db, "recommend", "rec-1"):
        got = run_query("job_locks", driver=neo4j_db, settings=neo4j_settings).set_index("job")
    assert list(got.index) == ["paths", "recommend", "score"]
    assert got.loc["recommend", ["run_id", "state"]].tolist() == ["rec-1", "writing"]
    assert got.loc["recommend", "seconds_since_heartbeat"] < 60
    assert got.loc["paths", ["run_id", "state"]].tolist() == ["paths-dead", "stale"]
    assert 15 * 60 <= got.loc["paths", "seconds_since_heartbeat"] < 16 * 60
    assert got.loc["score", "state"] == "free" and got.loc["score", "released_at"] is not None
    # a longer stale time keeps the silent lock live
    got = run_query("job_locks", driver=neo4j_db, settings=neo4j_settings, stale_after=3600).set_index("job")
    assert got.loc["paths", "state"] == "writing"


HOLDING_CHILD = '''
import sys, time
sys.path.insert(0, {tests!r})
from test_recommend_lists import tiny_projection, tiny_scores
from livetrust.cli import main
from livetrust.db import connect
from livetrust.graph.recommend import publish, recommend
from livetrust.settings import Neo4jSettings

@main.command("hold-lock")
def hold_lock():
    """Write one block of a recommend run, then wait inside the write-back (the lock held)."""
    settings = Neo4jSettings.from_env()
    result = recommend(tiny_projection(), tiny_scores(), run_id="rec-held", top=2)

    def blocks():
        yield result.lists["consumer_products"]
        print("writing", flush=True)
        time.sleep(120)

    with connect(settings) as driver:
        publish(driver, settings.database, result, lists={{"consumer_products": blocks}})

main(["hold-lock"])
'''


def test_sigterm_during_the_write_back_fails_the_run_and_frees_the_lock(neo4j_db, neo4j_settings, tmp_path):
    """`kill`, a cron timeout or `docker stop` sends SIGTERM: the CLI turns it into an exit that
    marks the run failed and gives up the job lock at once (by default the process would die
    with the lock held until it went stale, 10 minutes later)."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from test_recommend_neo4j import seed

    seed(neo4j_db, neo4j_settings.database)
    script = tmp_path / "hold.py"
    script.write_text(HOLDING_CHILD.format(tests=str(Path(__file__).parent)))
    proc = subprocess.Popen([sys.executable, str(script)], env=dict(os.environ), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing", proc.stderr.read()[-2000:]
        assert lock_holder(neo4j_db, "recommend") == "rec-held"
        assert runs(neo4j_db)["rec-held"][0] == "running"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM, err[-2000:]
    assert "livetrust: stopped by SIGTERM" in err and "Traceback" not in err
    assert lock_holder(neo4j_db, "recommend") is None  # free for the next run at once
    assert runs(neo4j_db)["rec-held"] == ("failed", "Terminated: stopped by SIGTERM")


def test_a_run_that_loses_the_server_gives_up_at_once_and_leaves_its_lock(neo4j_db, neo4j_settings, caplog):
    """Review: Neo4j stopped during a write-back; marking the run failed, cleaning up and releasing the
    lock each waited out the driver's 30 s of retries (2.5 minutes, 216 lines of stderr) before a
    traceback. Lost: the run says nothing more to a server that is gone. The run's driver goes
    through a relay that the test cuts before the publishing transaction (the network gone)."""
    import neo4j

    from cut_connection import CuttableRelay

    db = neo4j_settings.database
    seed_graph(neo4j_db)
    relay = CuttableRelay(neo4j_settings.uri)
    # the driver's own retry window (30 s by default) is not what is under test
    run_driver = neo4j.GraphDatabase.driver(relay.uri, auth=(neo4j_settings.user, neo4j_settings.password),
                                            max_transaction_retry_time=1)
    t0 = time.monotonic()
    try:
        with pytest.raises((neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.SessionExpired)):
            publish_run(run_driver, db, RunRecord("score", "run-gone"), relationships=[bond_batch(bond_rows(0.5))],
                        before_publish=relay.cut)
    finally:
        run_driver.close()
    assert time.monotonic() - t0 < 10
    assert runs(neo4j_db)["run-gone"][0] == "running"  # not marked: the next run marks it abandoned
    assert lock_holder(neo4j_db) == "run-gone"  # not released: the next run on this machine takes it at once
    assert bonds(neo4j_db) == [(c, "run-gone") for c in ("c1", "c2", "c3")]  # the next run's cleanup removes them
    assert "Neo4j is unreachable; the job lock stays" in caplog.text

