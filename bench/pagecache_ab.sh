#!/bin/bash
# bench/pagecache_ab.sh: `livetrust recommend` (Neo4j mode, every list written back) on a loaded and
# scored database, with the server restarted before each run at the page cache size the ORDER names.
# Records the job's wall time and CPU seconds, the server's CPU seconds over the run (from /proc), and
# the store's size. Results: bench/results/recommend.md, "Where the server's CPU goes".
#
#   NEO4J_LOCAL_HOME=/work/.neo4j-m NEO4J_LOCAL_BOLT_PORT=7694 NEO4J_LOCAL_HTTP_PORT=off NEO4J_LOCAL_HEAP=4g \
#     ORDER="3g 12g 12g 3g" OUT=/tmp/pc flock -o /tmp/livetrust-bench.lock bash bench/pagecache_ab.sh [-- RECOMMEND ARGS]
# (flock -o: the server this script starts must not inherit, and keep, the lock; scripts/neo4j-local now
# also closes what a server would inherit)
set -euo pipefail
: "${NEO4J_LOCAL_HOME:?the home of the server (scripts/neo4j-local)}"
OUT=${OUT:-/tmp/pagecache-ab}
ORDER=${ORDER:-"3g 12g 12g 3g"}
[ "${1:-}" = "--" ] && shift
here=$(cd "$(dirname "$0")/.." && pwd)
db="$NEO4J_LOCAL_HOME/data/databases/${NEO4J_DATABASE:-neo4j}"
mkdir -p "$OUT"
ticks=$(getconf CLK_TCK)

server_cpu() { # utime + stime of the server process, in seconds
  local pid
  pid=$(<"$NEO4J_LOCAL_HOME/neo4j.pid")
  awk -v t="$ticks" '{ printf "%.1f", ($14 + $15) / t }' "/proc/$pid/stat"
}

i=0
for pagecache in $ORDER; do
  i=$((i + 1))
  NEO4J_LOCAL_PAGECACHE=$pagecache "$here/scripts/neo4j-local" stop >/dev/null 2>&1 || true
  NEO4J_LOCAL_TIMEOUT=900 NEO4J_LOCAL_PAGECACHE=$pagecache "$here/scripts/neo4j-local" start 2>&1 | tail -1
  eval "$("$here/scripts/neo4j-local" env)"
  before=$(server_cpu)
  echo "$(date +%T) run $i page cache $pagecache; load $(cut -d' ' -f1-3 /proc/loadavg); store $(du -sb "$db" | cut -f1) B"
  /usr/bin/time -f "wall %e s user %U s sys %S s rss %M KB" livetrust recommend "$@" --out "$OUT/run$i" >"$OUT/run$i.log" 2>&1
  after=$(server_cpu)
  grep -E "overwritten in place|built the lists|succeeded|wall" "$OUT/run$i.log" | sed 's/^/  /'
  echo "  server cpu $(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.1f", a - b }') s"
done
