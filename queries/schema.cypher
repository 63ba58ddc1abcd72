// schema.cypher — uniqueness constraints and indexes of the livetrust graph.
// Answers: nothing; prepares the database. Applied by `livetrust load` (and tests)
// before any write; every statement is idempotent (IF NOT EXISTS).
// Parameters: none.
//
// Graph model (see README "Graph model"):
//   (:Consumer)-[:FOLLOWS {followed_at, unfollowed_at}]->(:Streamer)
//   (:Consumer)-[:PLACED]->(:Order)-[:SOLD_BY]->(:Streamer)
//   (:Order)-[:OF_PRODUCT]->(:Product)-[:MADE_BY]->(:Factory)
//   (:Return)-[:RETURNS]->(:Order)
//   (:Streamer)-[:CARRIES]->(:Product)          derived from orders by the loader
//   (:Consumer)-[:TRUSTS {trust, confidence, run_id}]->(:Streamer)   written by `score`: the current run's
//                                                     and the one before it (overwritten in place next run)
//   (:Consumer|Factory|Streamer)-[:RECOMMENDED {list, rank, score, reason, demotion, run_id}]->(:Product|Streamer|Factory)
//                                                     written by `recommend`: the current run's and the one before it
//   (:Streamer)-[:STREAMER_SCORE {trust, trust_confidence, trust_low, trust_high, components...}]->(:JobRun), likewise
//     (:Product)-[:PRODUCT_SCORE]->(:JobRun) and (:Factory)-[:FACTORY_SCORE]->(:JobRun)
//                                                     node scores, written by `score`: the current run's
//   (:JobRun {job, run_id, status, current})   one per score / paths / recommend run
//   (:JobLock {job, run_id, acquired_at, heartbeat_at})   one per job: the run allowed to write (livetrust/joblock.py)
//   (:LoadRun {run_id, started_at, finished_at, loaded, ...})   one per load
//   (:CoAudience {streamer_id, run_id, score_run_id, min_bond, keep})-[:SHARES {vias, via_trust, partner_trust}]->(:CoAudience)
//                                                     per streamer and streamer pair, written by `paths` (explain's index)
//   Streamer digests (audience_top, trend_*, digest_read_at) written by `score` for the query library

CREATE CONSTRAINT consumer_id IF NOT EXISTS FOR (n:Consumer) REQUIRE n.consumer_id IS UNIQUE;
CREATE CONSTRAINT streamer_id IF NOT EXISTS FOR (n:Streamer) REQUIRE n.streamer_id IS UNIQUE;
CREATE CONSTRAINT product_id IF NOT EXISTS FOR (n:Product) REQUIRE n.product_id IS UNIQUE;
CREATE CONSTRAINT factory_id IF NOT EXISTS FOR (n:Factory) REQUIRE n.factory_id IS UNIQUE;
CREATE CONSTRAINT order_id IF NOT EXISTS FOR (n:Order) REQUIRE n.order_id IS UNIQUE;
CREATE CONSTRAINT return_key IF NOT EXISTS FOR (n:Return) REQUIRE (n.order_id, n.returned_at) IS UNIQUE;
CREATE CONSTRAINT pending_key IF NOT EXISTS FOR (n:Pending) REQUIRE (n.stream, n.key) IS UNIQUE;
CREATE CONSTRAINT load_run_id IF NOT EXISTS FOR (n:LoadRun) REQUIRE n.run_id IS UNIQUE;
CREATE CONSTRAINT job_run_id IF NOT EXISTS FOR (n:JobRun) REQUIRE n.run_id IS UNIQUE;
CREATE INDEX job_run_current IF NOT EXISTS FOR (n:JobRun) ON (n.job, n.current);
CREATE CONSTRAINT job_lock_job IF NOT EXISTS FOR (n:JobLock) REQUIRE n.job IS UNIQUE;
CREATE CONSTRAINT co_audience_key IF NOT EXISTS FOR (n:CoAudience) REQUIRE (n.streamer_id, n.run_id) IS UNIQUE;
CREATE INDEX load_run_finished IF NOT EXISTS FOR (n:LoadRun) ON (n.finished_at);

CREATE INDEX pending_stream IF NOT EXISTS FOR (n:Pending) ON (n.stream);
CREATE INDEX streamer_category IF NOT EXISTS FOR (n:Streamer) ON (n.category);
CREATE INDEX product_category IF NOT EXISTS FOR (n:Product) ON (n.category);
CREATE INDEX consumer_region IF NOT EXISTS FOR (n:Consumer) ON (n.region);
CREATE INDEX order_purchased_at IF NOT EXISTS FOR (n:Order) ON (n.purchased_at);
CREATE INDEX follows_followed_at IF NOT EXISTS FOR ()-[r:FOLLOWS]-() ON (r.followed_at);
// No index on the run_id of TRUSTS or RECOMMENDED: readers expand from a node and filter on the run;
// the writers' cleanup scans the type. Such an index bloated to 3.6x its entries under the reruns'
// in-place overwrites (recommended_run: 9.4 GB for 29.4M relationships on the m world;
// bench/results/recommend.md, "The run_id indexes"). Databases written by an older livetrust lose it here.
DROP INDEX trusts_run IF EXISTS;
DROP INDEX recommended_run IF EXISTS;
