#!/bin/bash
# bench/stale_churn_ab.sh: `livetrust recommend --top K` (Neo4j mode, every list written back) on a loaded
# and scored database, new code against old, in blocks whose --top changes from run to run, so that some
# runs find stale stock: a --top 19 run over a --top 20 run's stock leaves each subject's rank-20 stock
# stale (0.7M relationships on the m world). Prints each run's summary line and wall time; keeps the
# sha256 of each run's files. Results: bench/results/recommend.md, "Stale stock by id".
#
#   OLD=/tmp/venv-old/bin/livetrust NEO4J_LOCAL_HOME=/work/.neo4j-m OUT=/tmp/churn \
#     ORDER="new:20 new:20 new:19 new:19 old:20 old:20 old:19 old:19" \
#     flock /tmp/livetrust-bench.lock bash bench/stale_churn_ab.sh
set -euo pipefail
: "${OLD:?the old code's livetrust executable}" "${NEO4J_LOCAL_HOME:?the server's home (scripts/neo4j-local)}"
NEW=${NEW:-livetrust}
OUT=${OUT:-/tmp/stale-churn-ab}
ORDER=${ORDER:-"new:20 new:20 new:19 new:19 old:20 old:20 old:19 old:19"}
here=$(cd "$(dirname "$0")/.." && pwd)
eval "$("$here/scripts/neo4j-local" env)"
mkdir -p "$OUT"
i=0
for entry in $ORDER; do
  i=$((i + 1)); side=${entry%%:*}; top=${entry##*:}
  if [ "$side" = new ]; then lt=$NEW; else lt=$OLD; fi
  echo "$(date +%T) run $i $side --top $top; load $(cut -d' ' -f1-3 /proc/loadavg)"
  /usr/bin/time -f "wall %e s rss %M KB" "$lt" recommend --top "$top" --out "$OUT/run$i" >"$OUT/run$i.log" 2>&1
  grep -E "built the lists|wall" "$OUT/run$i.log"
  echo "deadlock retries: $(grep -c DeadlockDetected "$OUT/run$i.log" || true)"
  (cd "$OUT/run$i" && sha256sum $(ls | grep -v manifest) | sha256sum | cut -c1-16 | sed 's/^/files: /')
  rm -rf "$OUT/run$i"  # 2.7 GB of CSV per run
done
