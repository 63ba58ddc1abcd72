"""Where a Neo4j server's CPU goes: inclusive shares of chosen frames in a Java Flight Recorder file.

Record while a job writes (the server's pid is in ``$NEO4J_LOCAL_HOME/neo4j.pid``), then read the
execution samples (``jfr`` and ``jcmd`` come with the JDK):

    jcmd "$(cat /work/.neo4j-m/neo4j.pid)" JFR.start name=w duration=60s filename=/tmp/w.jfr settings=profile
    python bench/jfr_breakdown.py /tmp/w.jfr

A frame's share is the fraction of execution samples with that method anywhere on the stack (so
shares overlap: the commit is inside the Bolt request). Garbage collection runs outside Java
threads and is not sampled; its pauses are printed from the GC events.
"""
from __future__ import annotations

import argparse
import json
import subprocess
from collections import Counter

# what the write statement's parts run as (Neo4j 5.26, slotted runtime)
PARTS = {
    "Bolt requests (all statement work)": "AtomicSchedulingConnection.executeJobs",
    "stock look-up: expand + filter on the stock's properties/labels": "FilteringOptionalExpandAllSlottedPipe.$anonfun$filter$1",
    "pairing rows with stock (list comprehension)": "FilterFunction.compute",
    "SET of the properties": "SlottedSetEntityPropertiesOperation.set",
    "commit (records, log, store)": "KernelTransactionImplementation.commit",
    "reading property records": "RecordPropertyCursor.next",
    "node seeks by element id": "NodeByIdSeekPipe.internalCreateResults",
    "reading the parameters off the wire": "PackstreamStructDecoder.decode",
}


def frames(jfr: str, event: str) -> list[dict]:
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "200", "--events", event, jfr],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["recording"]["events"]


def method(frame: dict) -> str:
    m = frame["method"]
    return m["type"]["name"].replace("/", ".").rsplit(".", 1)[-1] + "." + m["name"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("jfr", help="a .jfr file")
    parser.add_argument("--top", type=int, default=25, help="also print the N most frequent frames")
    args = parser.parse_args()
    samples = frames(args.jfr, "jdk.ExecutionSample")
    inclusive = Counter()
    for sample in samples:
        inclusive.update({method(f) for f in sample["values"]["stackTrace"]["frames"]})
    n = len(samples)
    print(f"{n} execution samples")
    for label, frame in PARTS.items():
        print(f"{inclusive[frame] / n:6.1%}  {label}  ({frame})")
    print(f"-- the {args.top} most frequent frames, inclusive")
    for frame, count in inclusive.most_common(args.top):
        print(f"{count / n:6.1%}  {frame}")
    pauses = [float(e["values"]["sumOfPauses"][2:-1]) for e in frames(args.jfr, "jdk.GarbageCollection")
              if e["values"]["sumOfPauses"].startswith("PT") and e["values"]["sumOfPauses"].endswith("S")]
    print(f"garbage collections: {len(pauses)}, pauses {sum(pauses):.2f} s")


if __name__ == "__main__":
    main()
