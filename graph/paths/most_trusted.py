"""Most trusted paths between one factory and one consumer.

A path runs from the consumer to the factory along trust edges (see
:mod:`livetrust.graph.paths.index`); its trust is the product of its edge trusts, so
the most trusted path is the shortest path under edge weights ``−log(trust)``
(found with Dijkstra's algorithm; the ``k`` best with Yen's algorithm, both from
networkx, on a small subgraph built for the pair).

Paths, by number of *shared-streamer hops* ``h``:

- ``h = 0`` (direct): ``c → s → p → f``: the consumer's bond to a streamer ``s`` that
  sold the factory's product ``p``. Trust ``b(c, s) · κ(s, p)``.
- ``h = 1`` (through a shared streamer): ``c → s1 ← c' → s2 → p → f``: the consumer
  trusts a streamer ``s1``; another consumer ``c'`` of the same streamer (a co-follower
  or co-buyer: ``c'`` has a bond to ``s1``) trusts a streamer ``s2`` that sold ``p``.
  Trust ``b(c, s1) · b(c', s1) · b(c', s2) · κ(s2, p)``: trust passes from ``c`` to
  ``c'`` through the streamer they share, as word of mouth in the streamer's community.

Paths are ranked by fewest hops first, then by trust: longer paths are searched only
when no direct path exists (second-hand trust is weaker evidence than one's own bond),
and at most ``max_hops`` (0 or 1) shared hops are searched, which keeps the subgraph
bounded: the consumer's streamers, their bonded consumers that also bond to a carrier
of the factory, those carriers, one product per carrier and the factory.

Each streamer enters with its most trusted product of the factory only (``K(f, s)``,
smallest product id on ties), so the ``k`` best direct paths differ in their streamers, not
just in products of one streamer. Shared-streamer paths may share ``s1`` and ``s2`` and
differ only in the intermediate consumer ``c'``. To keep Yen's algorithm cheap, each
(s1, s2) pair keeps its ``k`` best intermediate consumers, which cannot change the ``k``
best paths.

References
----------
.. [1] E. W. Dijkstra, "A note on two problems in connexion with graphs",
   Numerische Mathematik 1, 1959.
.. [2] J. Y. Yen, "Finding the k shortest loopless paths in a network",
   Management Science 17(11), 1971.
.. [3] J. Golbeck, "Computing and Applying Trust in Web-based Social Networks",
   PhD thesis, University of Maryland, 2005 (trust along a chain as a product).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd

from .index import PathIndex

MAX_HOPS = 1


@dataclass(frozen=True)
class Hop:
    """One edge of a path in traversal order (consumer end to factory end).

    ``kind`` is ``bond`` (consumer–streamer, traversed either way), ``carry``
    (streamer → product) or ``made_by`` (product → factory).
    """

    kind: str
    source_kind: str
    source_id: str
    target_kind: str
    target_id: str
    trust: float
    evidence: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def pair(self) -> tuple[str, str]:
        """(consumer_id, streamer_id) of a bond hop, (streamer_id, product_id) of a carry hop."""
        if self.kind == "bond":
            if self.source_kind == "consumer":
                return self.source_id, self.target_id
            return self.target_id, self.source_id
        return self.source_id, self.target_id


@dataclass(frozen=True)
class TrustedPath:
    """A path from ``consumer_id`` to ``factory_id`` and its trust (product of hop trusts)."""

    factory_id: str
    consumer_id: str
    trust: float
    shared_hops: int
    hops: tuple[Hop, ...]

    @property
    def streamers(self) -> list[str]:
        return [h.target_id for h in self.hops if h.target_kind == "streamer"]

    @property
    def via_consumers(self) -> list[str]:
        return [h.target_id for h in self.hops if h.target_kind == "consumer"]

    @property
    def product_id(self) -> str:
        return next(h.target_id for h in self.hops if h.kind == "carry")

    def describe(self) -> str:
        parts = [f"consumer {self.consumer_id}"]
        for hop in self.hops:
            parts.append(f"{hop.target_kind} {hop.target_id}")
        return " → ".join(parts)


def _row(matrix, i: int) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = matrix.indptr[i], matrix.indptr[i + 1]
    return matrix.indices[lo:hi].astype(np.int64), matrix.data[lo:hi]


def _carriers(index: PathIndex, f: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Streamers that sold factory ``f``'s products: codes, K(f, s), best product code."""
    s, k = _row(index.K, f)
    _, prod = _row(index.K_product, f)
    return s, k, prod.astype(np.int64) - 1


def _edge(graph: nx.DiGraph, u, v, trust: float) -> None:
    graph.add_edge(u, v, trust=float(trust), weight=-math.log(trust) if trust < 1.0 else 0.0)


def trust_subgraph(index: PathIndex, f: int, c: int, shared_hops: int, *, keep_per_pair: int = 5) -> nx.DiGraph:
    """The layered subgraph holding every path with exactly ``shared_hops`` shared hops.

    Nodes are ``(layer, code)`` with layers ``c``, ``s1``, ``c2``, ``s2``, ``p``, ``f``;
    edges carry ``trust`` and ``weight = −log(trust)``.
    """
    if shared_hops not in (0, 1):
        raise ValueError(f"shared_hops must be 0 or 1 (at most {MAX_HOPS}), not {shared_hops}")
    graph = nx.DiGraph()
    car_s, car_k, car_p = _carriers(index, f)
    if len(car_s) == 0:
        return graph
    my_s, my_b = _row(index.BT, c)
    carrier_mask = np.zeros(index.n_streamers, bool)
    carrier_mask[car_s] = True
    k_of = dict(zip(car_s.tolist(), zip(car_k.tolist(), car_p.tolist())))

    def to_factory(layer: str, s: int) -> None:
        k, p = k_of[s]
        _edge(graph, (layer, s), ("p", p), k)
        _edge(graph, ("p", p), ("f", f), 1.0)

    if shared_hops == 0:
        for s, b in zip(my_s.tolist(), my_b.tolist()):
            if carrier_mask[s]:
                _edge(graph, ("c", c), ("s1", s), b)
                to_factory("s1", s)
        return graph

    # shared hop: c → s1 ← c2 → s2. Both sides come from B's streamer rows (the audiences of
    # the consumer's streamers and of the carriers); only consumers on both sides are joined.
    B = index.B
    s1, c2a, b2 = _audience(B, my_s)
    s2, c2b, b3 = _audience(B, car_s)
    on_b = np.zeros(index.n_consumers, bool)
    on_b[c2b] = True
    on_a = np.zeros(index.n_consumers, bool)
    on_a[c2a] = True
    keep_a = on_b[c2a] & (c2a != c)
    keep_b = on_a[c2b] & (c2b != c)
    first = pd.DataFrame({"s1": s1[keep_a], "c2": c2a[keep_a], "b2": b2[keep_a]})
    second = pd.DataFrame({"c2": c2b[keep_b], "s2": s2[keep_b], "b3": b3[keep_b]})
    if first.empty or second.empty:
        return graph
    b1_of = np.zeros(index.n_streamers)
    b1_of[my_s] = my_b
    k_arr = np.zeros(index.n_streamers)
    k_arr[car_s] = car_k
    joined = first.merge(second, on="c2")
    joined = joined[joined["s1"] != joined["s2"]]
    if joined.empty:
        return graph
    joined["value"] = (
        b1_of[joined["s1"].to_numpy()] * joined["b2"].to_numpy() * joined["b3"].to_numpy()
        * k_arr[joined["s2"].to_numpy()]
    )
    joined = joined.sort_values(["s1", "s2", "value", "c2"], ascending=[True, True, False, True], kind="stable")
    joined = joined[joined.groupby(["s1", "s2"], sort=False).cumcount() < keep_per_pair]
    joined = joined.sort_values(["s1", "c2", "s2"], kind="stable")
    for a in joined["s1"].unique().tolist():
        _edge(graph, ("c", c), ("s1", a), b1_of[a])
    for a, mid, t in joined[["s1", "c2", "b2"]].drop_duplicates(["s1", "c2"]).itertuples(index=False):
        _edge(graph, ("s1", int(a)), ("c2", int(mid)), float(t))
    for mid, b, t in joined[["c2", "s2", "b3"]].drop_duplicates(["c2", "s2"]).itertuples(index=False):
        _edge(graph, ("c2", int(mid)), ("s2", int(b)), float(t))
    for b in np.unique(joined["s2"].to_numpy()).tolist():
        to_factory("s2", b)
    return graph


def _audience(B, streamers: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(streamer, consumer, bond weight b(c, s)) of every bond of the given streamers (rows of ``B``)."""
    counts = (B.indptr[streamers + 1] - B.indptr[streamers]).astype(np.int64)
    pos = _positions(B.indptr[streamers].astype(np.int64), counts)
    return np.repeat(streamers, counts), B.indices[pos].astype(np.int64), B.data[pos]


def _positions(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    total = int(counts.sum())
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + (np.arange(total) - offsets)


_KIND = {"c": "consumer", "c2": "consumer", "s1": "streamer", "s2": "streamer", "p": "product", "f": "factory"}
_HOP = {("c", "s1"): "bond", ("s1", "c2"): "bond", ("c2", "s2"): "bond", ("s1", "p"): "carry",
        ("s2", "p"): "carry", ("p", "f"): "made_by"}


def _to_path(index: PathIndex, graph: nx.DiGraph, nodes: list, shared_hops: int) -> TrustedPath:
    ids = {"consumer": index.consumer_ids, "streamer": index.streamer_ids,
           "product": index.product_ids, "factory": index.factory_ids}
    hops = []
    trust = 1.0
    for u, v in zip(nodes[:-1], nodes[1:]):
        t = graph.edges[u, v]["trust"]
        trust = trust * t
        uk, vk = _KIND[u[0]], _KIND[v[0]]
        hops.append(Hop(_HOP[(u[0], v[0])], uk, str(ids[uk][u[1]]), vk, str(ids[vk][v[1]]), t))
    return TrustedPath(
        factory_id=str(index.factory_ids[nodes[-1][1]]), consumer_id=str(index.consumer_ids[nodes[0][1]]),
        trust=trust, shared_hops=shared_hops, hops=tuple(hops),
    )


def top_paths(index: PathIndex, factory_id: str, consumer_id: str, k: int = 5, *, max_hops: int = MAX_HOPS) -> list[TrustedPath]:
    """The ``k`` most trusted paths with the fewest shared hops (empty if none within ``max_hops``).

    Raises
    ------
    KeyError
        Unknown factory or consumer id.
    """
    if k < 1:
        raise ValueError("k must be >= 1")
    if not 0 <= max_hops <= MAX_HOPS:
        raise ValueError(f"max_hops must be between 0 and {MAX_HOPS}")
    f = index.code("factory", factory_id)
    c = index.code("consumer", consumer_id)
    for hops in range(max_hops + 1):
        graph = trust_subgraph(index, f, c, hops, keep_per_pair=k)
        source, target = ("c", c), ("f", f)
        if source not in graph or target not in graph or not nx.has_path(graph, source, target):
            continue
        found = itertools.islice(nx.shortest_simple_paths(graph, source, target, weight="weight"), k)
        paths = [_to_path(index, graph, nodes, hops) for nodes in found]
        # −log sums can differ in the last bits from the products: order by the products
        return sorted(paths, key=lambda p: -p.trust)
    return []


def most_trusted_path(index: PathIndex, factory_id: str, consumer_id: str, *, max_hops: int = MAX_HOPS) -> TrustedPath | None:
    """The most trusted path (Dijkstra on ``−log`` trust), fewest shared hops first; None if none."""
    if not 0 <= max_hops <= MAX_HOPS:
        raise ValueError(f"max_hops must be between 0 and {MAX_HOPS}")
    f = index.code("factory", factory_id)
    c = index.code("consumer", consumer_id)
    for hops in range(max_hops + 1):
        graph = trust_subgraph(index, f, c, hops, keep_per_pair=1)
        try:
            nodes = nx.dijkstra_path(graph, ("c", c), ("f", f), weight="weight")
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            continue
        return _to_path(index, graph, nodes, hops)
    return None


def paths_frame(paths: list[TrustedPath]) -> pd.DataFrame:
    """One row per path: rank, path_trust, shared_hops, streamers, via_consumer, streamer, product_id."""
    return pd.DataFrame({
        "rank": np.arange(1, len(paths) + 1, dtype=np.int64),
        "factory_id": [p.factory_id for p in paths],
        "consumer_id": [p.consumer_id for p in paths],
        "path_trust": [p.trust for p in paths],
        "shared_hops": [p.shared_hops for p in paths],
        "first_streamer": [p.streamers[0] for p in paths],
        "via_consumer": [p.via_consumers[0] if p.via_consumers else None for p in paths],
        "streamer_id": [p.streamers[-1] for p in paths],
        "product_id": [p.product_id for p in paths],
    })
