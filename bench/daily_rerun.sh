#!/bin/bash
# bench/daily_rerun.sh: the daily cycle on a world with one day held back, in Neo4j mode.
#   load the world without its last day, score;
#   recommend 1 and 2: the first creates every RECOMMENDED, the second creates its own beside them
#     (no stock yet);
#   load the held-back day (holdout/: an incremental load), score again;
#   recommend 3 and 4: reruns after a real data change, each over stock built from the old data (runs
#     1 and 2): scores and ranks move, pairs come and go, the write-back mixes overwrites, creates and
#     stale deletes;
#   recommend 5 and 6: steady reruns, over stock built from the same data (runs 3 and 4).
# Prints each step's summary line and wall time, and the recommend runs' written counts; keeps the files
# of recommend 2 and 3 (compare them with bench/daily_rerun_diff.py: what a day of data changed).
# STEPS picks steps (default: all, in order); RECOMMEND_ARGS adds options to every recommend run (e.g.
# "--write-top 10"). Results: bench/results/recommend.md, "A rerun after a day of new data".
#
#   livetrust generate --out /work/worlds/m-h1 --scale m --seed 7 --holdout-days 1
#   NEO4J_LOCAL_HOME=/work/.neo4j-h1 NEO4J_LOCAL_BOLT_PORT=7696 NEO4J_LOCAL_HTTP_PORT=off \
#     NEO4J_LOCAL_HEAP=4g NEO4J_LOCAL_PAGECACHE=3g scripts/neo4j-local start   # a new, empty database
#   WORLD=/work/worlds/m-h1 NEO4J_LOCAL_HOME=/work/.neo4j-h1 OUT=/tmp/daily \
#     flock /tmp/livetrust-bench.lock bash bench/daily_rerun.sh
#   python bench/daily_rerun_diff.py /tmp/daily/rec-2 /tmp/daily/rec-3
set -euo pipefail
: "${WORLD:?a world generated with --holdout-days 1}" "${NEO4J_LOCAL_HOME:?home of the server (scripts/neo4j-local)}"
OUT=${OUT:-/tmp/daily-rerun}
STEPS=${STEPS:-"load-main score-1 recommend-1 recommend-2 load-day score-2 recommend-3 recommend-4 recommend-5 recommend-6"}
KEEP=${KEEP:-"rec-2 rec-3"}  # the recommend runs whose files stay
read -r -a recommend_args <<<"${RECOMMEND_ARGS:-}"
here=$(cd "$(dirname "$0")/.." && pwd)
eval "$("$here/scripts/neo4j-local" env)"
mkdir -p "$OUT"

step() {  # step NAME COMMAND...: run it, print its summary lines and wall time
  local name=$1; shift
  echo "$(date +%T) $name; load $(cut -d' ' -f1-3 /proc/loadavg)"
  /usr/bin/time -f "wall %e s rss %M KB" "$@" >"$OUT/$name.log" 2>&1
  grep -E "built the lists|succeeded|wall|read in|rows read" "$OUT/$name.log" | tail -4
  echo "deadlock retries: $(grep -c DeadlockDetected "$OUT/$name.log" || true)"
}

written() {  # the recommend runs and their relationships_written, oldest first
  python - <<'EOF'
import os, neo4j
with neo4j.GraphDatabase.driver(os.environ["NEO4J_URI"], auth=(os.environ["NEO4J_USER"], os.environ["NEO4J_PASSWORD"])) as d:
    db = os.environ.get("NEO4J_DATABASE")
    records, _, _ = d.execute_query(
        "MATCH (r:JobRun {job: 'recommend'}) RETURN r.run_id AS run, r.status AS status, "
        "r.relationships_written AS written ORDER BY r.started_at", database_=db)
    for r in records:
        print(f"  {r['run']} {r['status']} written={r['written']}")
    count = d.execute_query("MATCH ()-[r:RECOMMENDED]->() RETURN count(r) AS n", database_=db).records[0]["n"]
    print(f"  RECOMMENDED in the count store: {count:,d}")
EOF
}

for name in $STEPS; do
  case $name in
    load-main) step "$name" livetrust load "$WORLD" --quiet --report-dir "$OUT/$name" ;;
    load-day) step "$name" livetrust load "$WORLD/holdout" --quiet --report-dir "$OUT/$name" ;;
    score-*) step "$name" livetrust score --out "$OUT/$name" ;;
    recommend-*)
      files="rec-${name#recommend-}"
      step "$name" livetrust recommend --out "$OUT/$files" "${recommend_args[@]}"
      case " $KEEP " in *" $files "*) ;; *) rm -rf "${OUT:?}/$files" ;; esac  # 2.7 GB of CSV per run
      written ;;
    *) echo "unknown step $name" >&2; exit 2 ;;
  esac
done
echo "$(date +%T) done"
