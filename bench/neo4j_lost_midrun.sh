#!/usr/bin/env bash
# How a job ends when its Neo4j goes away mid-run: the time from the server's stop to the job's exit,
# its exit status and what it printed. Needs a scratch server holding a loaded and scored world.
#
#   NEO4J_LOCAL_HOME=/tmp/outage-neo4j NEO4J_LOCAL_BOLT_PORT=7697 NEO4J_LOCAL_HTTP_PORT=off \
#       bench/neo4j_lost_midrun.sh OUT_DIR [SECONDS_BEFORE_STOP]
set -Eeuo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?an --out folder for the recommend run}
wait_s=${2:-12}
: "${NEO4J_LOCAL_HOME:?the home of a scratch server (scripts/neo4j-local)}"
"$here/scripts/neo4j-local" start >/dev/null
eval "$("$here/scripts/neo4j-local" env)"
echo "# $(date -u +%FT%TZ) livetrust recommend --top 20 --out $out; the server stopped after ${wait_s} s; commit $(git -C "$here" rev-parse --short HEAD)"
start=$(date +%s.%N)
livetrust recommend --top 20 --out "$out" >"$out.stdout" 2>"$out.stderr" &
job=$!
sleep "$wait_s"
"$here/scripts/neo4j-local" stop >/dev/null 2>&1
stopped=$(date +%s.%N)
set +e
wait "$job"
rc=$?
set -e
ended=$(date +%s.%N)
echo "exit status $rc; stop at +$(echo "$stopped - $start" | bc) s; exit $(echo "$ended - $stopped" | bc) s after the stop"
echo "stderr: $(wc -l <"$out.stderr") lines, of which $(grep -c WARNING "$out.stderr" || true) driver warnings; the last two:"
tail -n 2 "$out.stderr" | cut -c1-240
"$here/scripts/neo4j-local" start >/dev/null  # the next run takes the lock over and marks this one abandoned
livetrust recommend --top 20 --out "$out" 2>&1 | grep -E "took the job lock|abandoned" || true
"$here/scripts/neo4j-local" stop >/dev/null 2>&1
