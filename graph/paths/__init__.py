"""Factory-to-consumer path analysis (issue #6): channels, reach, demand, bridges, paths.

Live commerce connects consumers to factories through trusted streamers; this package
measures those paths on the graph projection, vectorised with scipy.sparse, using
networkx only for the per-pair most trusted paths.

The graph is ``factory ← product ← streamer ← consumer``::

    (:Consumer)-[bond b(c,s)]->(:Streamer)-[carry κ(s,p)]->(:Product)-[made by, 1]->(:Factory)

and the trust of a path is the product of its edge trusts (see :mod:`.index` for ``b``
and ``κ``). Typical use::

    from livetrust.graph.paths import TrustInputs, compute_paths, write_outputs, build_index, explain
    result = compute_paths(projection, TrustInputs(bonds, streamers, products, factories))
    write_outputs(result, "out/", "parquet")
    print(explain(result.index, "f001", "c000123", top=5))

Modules: :mod:`.inputs` (trust frames), :mod:`.index` (codes and matrices),
:mod:`.channels`, :mod:`.reach`, :mod:`.bridges`, :mod:`.demand`,
:mod:`.most_trusted` (Dijkstra / Yen on a per-pair subgraph), :mod:`.explain`,
:mod:`.job` (files and Neo4j write-back), :mod:`.cypher` (the same answers from Neo4j).
"""

from .bridges import bridges
from .channels import factory_channels
from .demand import audience_matrix, factory_demand
from .explain import explain, explain_paths, render
from .index import PathIndex, build_index
from .inputs import TrustInputs, trust_inputs_from_model
from .job import OUTPUTS, PathsResult, compute_paths, new_run_id, write_channels, write_outputs
from .most_trusted import Hop, TrustedPath, most_trusted_path, paths_frame, top_paths
from .reach import BestPaths, best_paths, factory_reach

__all__ = [
    "OUTPUTS", "BestPaths", "Hop", "PathIndex", "PathsResult", "TrustInputs", "TrustedPath",
    "audience_matrix", "best_paths", "bridges", "build_index", "compute_paths", "explain", "explain_paths",
    "factory_channels", "factory_demand", "factory_reach", "most_trusted_path", "new_run_id", "paths_frame",
    "render", "top_paths", "trust_inputs_from_model", "write_channels", "write_outputs",
]
