#!/bin/bash
# bench/checkpoint_ab.sh: what Neo4j's checkpoint policy does to a write-back's transaction logs and time.
# Neo4j prunes its transaction logs only at a checkpoint, every 15 minutes by default: a write-back of
# millions of RECOMMENDED writes gigabytes of log first (about 15 GB on m in the daily bench).
# For each name in ORDER, restarts the server (same store) with that configuration (CONF_<name>: extra
# neo4j.conf lines, through NEO4J_LOCAL_CONF), runs `livetrust recommend RECOMMEND_ARGS` and samples the
# size of the database's transaction logs every 2 s. Prints per run: wall, peak and final log size, and
# the checkpoints the server logged during the run. Results: bench/results/recommend.md, "Transaction logs".
#
#   NEO4J_LOCAL_HOME=/work/.neo4j-ckpt NEO4J_LOCAL_BOLT_PORT=7695 NEO4J_LOCAL_HTTP_PORT=off \
#     NEO4J_LOCAL_HEAP=4g NEO4J_LOCAL_PAGECACHE=12g scripts/neo4j-local start   # load and score a world into it
#   NEO4J_LOCAL_HOME=... ORDER="periodic volume periodic volume periodic" \
#     flock /tmp/livetrust-bench.lock bash bench/checkpoint_ab.sh
set -euo pipefail
: "${NEO4J_LOCAL_HOME:?home of the server (scripts/neo4j-local)}"
ORDER=${ORDER:-"periodic volume periodic volume"}
CONF_periodic=${CONF_periodic:-db.checkpoint=PERIODIC}  # Neo4j's default: every 15 minutes (or 100,000 transactions)
CONF_volume=${CONF_volume:-}  # scripts/neo4j-local's own: every GiB of transaction log
OUT=${OUT:-/tmp/checkpoint-ab}
read -r -a recommend_args <<<"${RECOMMEND_ARGS:-}"
here=$(cd "$(dirname "$0")/.." && pwd)
txlogs=$NEO4J_LOCAL_HOME/data/transactions/neo4j
debug=$NEO4J_LOCAL_HOME/logs/debug.log
mkdir -p "$OUT"

i=0
for name in $ORDER; do
  i=$((i + 1))
  conf_var=CONF_$name
  [[ -v $conf_var ]] || { echo "no CONF_$name" >&2; exit 2; }
  "$here/scripts/neo4j-local" stop >/dev/null 2>&1
  NEO4J_LOCAL_CONF=${!conf_var} "$here/scripts/neo4j-local" start >/dev/null 2>&1
  eval "$("$here/scripts/neo4j-local" env)"
  lines_before=$(wc -l <"$debug")
  before=$(du -sb "$txlogs" | cut -f1)
  /usr/bin/time -f "wall %e s rss %M KB" livetrust recommend "${recommend_args[@]}" --out "$OUT/run-$i" \
    >"$OUT/run-$i.log" 2>&1 &
  pid=$!
  peak=$before
  while kill -0 "$pid" 2>/dev/null; do
    # du fails when a checkpoint prunes a log file during its walk: keep the last size it printed
    size=$(du -sb "$txlogs" 2>/dev/null | tail -1 | cut -f1) || true
    [[ $size =~ ^[0-9]+$ ]] && ((size > peak)) && peak=$size
    sleep 2
  done
  wait "$pid" || { echo "run $i ($name) failed: $OUT/run-$i.log" >&2; exit 1; }
  wall=$(grep -oE "^wall [0-9.]+" "$OUT/run-$i.log" | cut -d' ' -f2)  # /usr/bin/time's, not the 2 s poll
  after=$(du -sb "$txlogs" | cut -f1)
  checkpoints=$(tail -n +"$((lines_before + 1))" "$debug" | grep -c "checkpoint completed" || true)
  written=$(grep -oE "wrote [0-9,]+ RECOMMENDED relationships to Neo4j \([0-9,]+ overwritten in place, [0-9,]+ created\)" \
    "$OUT/run-$i.log" || true)
  printf '%s run %d %-8s wall %6.1f s  tx logs: before %5.2f GB, peak %5.2f GB, after %5.2f GB  checkpoints %d  %s\n' \
    "$(date +%T)" "$i" "$name" "$wall" "$(bc -l <<<"$before / 1000000000")" "$(bc -l <<<"$peak / 1000000000")" \
    "$(bc -l <<<"$after / 1000000000")" "$checkpoints" "$written"
  rm -rf "$OUT/run-$i"  # the files: several GB per run on m
done
