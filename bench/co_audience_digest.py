"""A digest of the current `paths` run's co-audience index in Neo4j, to show two runs wrote the same.

    eval "$(scripts/neo4j-local env)"; python bench/co_audience_digest.py

Prints the current paths run id, the CoAudience nodes and SHARES relationships it has, and the
sha256 of its SHARES rows (streamer, partner, vias, via_trust, partner_trust) in a fixed order.
Run ids are left out, so the digests of two runs over the same bonds are equal when they wrote
the same pairs, consumers and trusts.
"""

from __future__ import annotations

import hashlib
import json

from livetrust.db import connect
from livetrust.settings import Neo4jSettings

# A bench check, not a user query: it reads every SHARES of the current run once, in chunks of
# start nodes (about 20,000 streamers on the l world).
SHARES = """
MATCH (run:JobRun {job: 'paths', current: true})
MATCH (a:CoAudience {run_id: run.run_id})
WHERE a.streamer_id > $after
WITH a ORDER BY a.streamer_id LIMIT $limit
OPTIONAL MATCH (a)-[r:SHARES]->(b:CoAudience)
WITH a, collect([a.streamer_id, b.streamer_id, r.vias, r.via_trust, r.partner_trust]) AS pairs
RETURN collect(pairs) AS chunk, max(a.streamer_id) AS last
"""


def main() -> None:
    settings = Neo4jSettings.from_env()
    with connect(settings) as driver:
        run = driver.execute_query("MATCH (r:JobRun {job: 'paths', current: true}) RETURN r.run_id AS id",
                                   database_=settings.database).records
        digest, nodes, shares, after = hashlib.sha256(), 0, 0, ""
        while True:
            record = driver.execute_query(SHARES, after=after, limit=500, database_=settings.database).records[0]
            if record["last"] is None:
                break
            for pairs in record["chunk"]:
                nodes += 1
                for row in sorted(p for p in pairs if p[1] is not None):
                    shares += 1
                    digest.update(json.dumps(row).encode())
            after = record["last"]
    print(json.dumps({"paths_run": run[0]["id"] if run else None, "co_audience_nodes": nodes,
                      "shares": shares, "sha256": digest.hexdigest()}))


if __name__ == "__main__":
    main()
