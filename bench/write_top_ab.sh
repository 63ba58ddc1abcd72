#!/bin/bash
# bench/write_top_ab.sh: `livetrust recommend` (Neo4j mode) on a loaded and scored database, with the
# number of each list's rows written back (`--write-top K`) taken in turn from ORDER, on one running
# server (no restart between runs). Records the job's wall time and CPU seconds and the server's CPU
# seconds over the run (from /proc). A K right after another K rewrites the stock in place (steady);
# a K after a smaller one creates the missing ranks, after a larger one deletes them. Every run writes
# all lists' files (top 20) to OUT/runI (deleted after the run unless KEEP_FILES=1). Mind the disk: the
# server's transaction logs grow by several GB per run until a checkpoint prunes them. Results: bench/results/recommend.md, "Writing back fewer ranks".
#
#   . <(NEO4J_LOCAL_HOME=/work/.neo4j-m scripts/neo4j-local env)
#   NEO4J_LOCAL_HOME=/work/.neo4j-m ORDER="20 20 5 5 10 10" OUT=/tmp/wt \
#     flock /tmp/livetrust-bench.lock bash bench/write_top_ab.sh [-- RECOMMEND ARGS]
set -euo pipefail
: "${NEO4J_LOCAL_HOME:?the home of the running server (scripts/neo4j-local)}"
: "${NEO4J_URI:?export the settings of the server first (scripts/neo4j-local env)}"
OUT=${OUT:-/tmp/write-top-ab}
ORDER=${ORDER:-"20 20 5 5 10 10"}
[ "${1:-}" = "--" ] && shift
mkdir -p "$OUT"
ticks=$(getconf CLK_TCK)

server_cpu() { # utime + stime of the server process, in seconds
  awk -v t="$ticks" '{ printf "%.1f", ($14 + $15) / t }' "/proc/$(<"$NEO4J_LOCAL_HOME/neo4j.pid")/stat"
}

echo "$(date -u +%FT%TZ) $(git -C "$(dirname "$0")" rev-parse --short HEAD) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
i=0
for k in $ORDER; do
  i=$((i + 1))
  before=$(server_cpu)
  echo "$(date -u +%T) run $i --write-top $k; load $(cut -d' ' -f1-3 /proc/loadavg)"
  /usr/bin/time -f "wall %e s user %U s sys %S s rss %M KB" livetrust recommend --write-top "$k" "$@" \
    --out "$OUT/run$i" >"$OUT/run$i.log" 2>&1
  after=$(server_cpu)
  grep -E "overwritten in place|built the lists|succeeded|wall" "$OUT/run$i.log" | sed 's/^/  /'
  echo "  server cpu $(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.1f", a - b }') s"
  # the files of one run are ~3 GB on m; kept only with KEEP_FILES=1 (the log stays)
  [ "${KEEP_FILES:-0}" = 1 ] || rm -rf "$OUT/run$i"
done
