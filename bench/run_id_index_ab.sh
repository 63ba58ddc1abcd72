#!/bin/bash
# bench/run_id_index_ab.sh: `livetrust recommend` (Neo4j mode, every list written back) on a loaded and
# scored database, new code against old, in blocks (new new old old new), with the database's and its
# indexes' size on disk after each run. Results: bench/results/recommend.md, "The run_id indexes".
#
# Blocks, not alternation: the old code re-creates the run_id indexes in its schema step and the new one
# drops them, so alternating would re-populate the index before every old run.
#
#   OLD=/tmp/venv-old/bin/livetrust NEW=livetrust NEO4J_LOCAL_HOME=/work/.neo4j-m OUT=/tmp/idx \
#     flock /tmp/livetrust-bench.lock bash bench/run_id_index_ab.sh
# (old: `git worktree add /tmp/wt-old c0221be; python -m venv --system-site-packages /tmp/venv-old;
#  /tmp/venv-old/bin/pip install --no-deps -e /tmp/wt-old`)
set -euo pipefail
: "${OLD:?the old code's livetrust executable}" "${NEO4J_LOCAL_HOME:?the server's home (scripts/neo4j-local)}"
NEW=${NEW:-livetrust}
OUT=${OUT:-/tmp/run-id-index-ab}
ORDER=${ORDER:-"new new old old new"}
here=$(cd "$(dirname "$0")/.." && pwd)
eval "$("$here/scripts/neo4j-local" env)"
db="$NEO4J_LOCAL_HOME/data/databases/${NEO4J_DATABASE:-neo4j}"
mkdir -p "$OUT"

sizes() {
  echo "$(date +%T) $1 db=$(du -sb "$db" | cut -f1) indexes=$(du -sb "$db/schema/index" | cut -f1)" \
       "largest=$(du -sb "$db"/schema/index/range-1.0/* | sort -n | tail -1)"
}

sizes start
i=0
for side in $ORDER; do
  i=$((i + 1))
  if [ "$side" = new ]; then lt=$NEW; else lt=$OLD; fi
  echo "$(date +%T) run $i $side ($lt); load $(cut -d' ' -f1-3 /proc/loadavg)"
  /usr/bin/time -f "wall %e s rss %M KB" "$lt" recommend --out "$OUT/run$i" >"$OUT/run$i.log" 2>&1
  grep -E "built the lists|wall" "$OUT/run$i.log"
  sizes "after run $i ($side)"
done
