"""The path analysis answered by Cypher in Neo4j (``queries/paths/*.cypher``).

The same answers as the Python job, for one factory (or all, where cheap) at a time;
used by ``livetrust paths explain`` against Neo4j and by the parity tests. Trust comes
from the graph: ``TRUSTS`` relationships of the current ``score`` run (or
``score_run_id``) and the ``trust`` properties of Product / Streamer / Factory nodes.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...queries import cypher_statement
from .most_trusted import Hop, TrustedPath

DEFAULTS: dict[str, Any] = {
    "carry_prior": 5.0,
    "missing_trust": 0.5,
    "min_bond": 0.0,
    "score_run_id": None,
}


def run(driver, database: str, name: str, **params: Any) -> pd.DataFrame:
    """Run ``queries/paths/NAME.cypher`` and return its rows as a DataFrame."""
    records, _, keys = driver.execute_query(cypher_statement(f"paths/{name}"), params, database_=database)
    return pd.DataFrame([r.values() for r in records], columns=keys)


def _params(**overrides: Any) -> dict[str, Any]:
    return {**DEFAULTS, **overrides}


def factory_channels(driver, database: str, factory_id: str | None = None, **params: Any) -> pd.DataFrame:
    p = _params(**params)
    return run(driver, database, "factory_channels", factory_id=factory_id, min_bond=p["min_bond"],
               score_run_id=p["score_run_id"])


def factory_reach(driver, database: str, factory_id: str, *, kind: str | None = None, top_k: int | None = 1000, **params: Any) -> pd.DataFrame:
    return run(driver, database, "factory_reach", factory_id=factory_id, kind=kind, top_k=top_k, **_params(**params))


def factory_demand(driver, database: str, factory_id: str | None = None, **params: Any) -> pd.DataFrame:
    p = _params(**params)
    return run(driver, database, "factory_demand", factory_id=factory_id, min_bond=p["min_bond"],
               score_run_id=p["score_run_id"])


def bridges(driver, database: str, factory_id: str, **params: Any) -> pd.DataFrame:
    return run(driver, database, "bridges", factory_id=factory_id, **_params(**params))


def _date(value: Any) -> str | None:
    if value is None:
        return None
    try:
        return pd.Timestamp(value.to_native() if hasattr(value, "to_native") else value).strftime("%Y-%m-%d")
    except (TypeError, ValueError):
        return str(value)


def top_paths(driver, database: str, factory_id: str, consumer_id: str, top: int = 5, *, max_hops: int = 1, evidence: bool = True, **params: Any) -> list[TrustedPath]:
    """The ``top`` most trusted paths of the pair, as :class:`TrustedPath` with evidence."""
    p = _params(**params)
    rows = run(driver, database, "most_trusted_path", factory_id=factory_id, consumer_id=consumer_id,
               top=top, max_hops=max_hops, **p)
    paths = []
    for r in rows.to_dict("records"):
        bonds = list(r["bond_weights"])
        hops: list[Hop] = []
        if r["shared_hops"] == 0:
            hops.append(Hop("bond", "consumer", consumer_id, "streamer", r["streamer_id"], bonds[0]))
        else:
            hops += [
                Hop("bond", "consumer", consumer_id, "streamer", r["first_streamer"], bonds[0]),
                Hop("bond", "streamer", r["first_streamer"], "consumer", r["via_consumer"], bonds[1]),
                Hop("bond", "consumer", r["via_consumer"], "streamer", r["streamer_id"], bonds[2]),
            ]
        hops.append(Hop("carry", "streamer", r["streamer_id"], "product", r["product_id"], r["carry_trust"], {
            "trust": r["carry_trust"], "units": r["carry_units"], "returned_units": r["carry_returned_units"],
            "orders": r["carry_orders"], "product_trust": r["product_trust"], "carry_prior": p["carry_prior"],
            "missing_trust": p["missing_trust"], "streamer_trust": r["streamer_trust"],
            "product_name": r["product_name"], "category": r["category"] or "unknown",
            "streamer_name": r["streamer_name"],
        }))
        hops.append(Hop("made_by", "product", r["product_id"], "factory", factory_id, 1.0, {
            "factory_trust": r["factory_trust"], "factory_name": r["factory_name"],
        }))
        paths.append(TrustedPath(factory_id, consumer_id, float(r["path_trust"]), int(r["shared_hops"]), tuple(hops)))
    if evidence and paths:
        pairs = sorted({h.pair for path in paths for h in path.hops if h.kind == "bond"})
        ev = run(driver, database, "bond_evidence", score_run_id=p["score_run_id"],
                 pairs=[{"consumer_id": c, "streamer_id": s} for c, s in pairs])
        by_pair = {}
        for e in ev.to_dict("records"):
            by_pair[(e["consumer_id"], e["streamer_id"])] = {
                "trust": e["trust"], "confidence": e["confidence"], "credibility": e["credibility"],
                "followed_at": _date(e["followed_at"]),
                "unfollowed_at": _date(e["unfollowed_at"]), "orders": e["orders"], "units": e["units"],
                "returned_units": e["returned_units"],
            }
        paths = [
            TrustedPath(path.factory_id, path.consumer_id, path.trust, path.shared_hops, tuple(
                Hop(h.kind, h.source_kind, h.source_id, h.target_kind, h.target_id, h.trust,
                    by_pair.get(h.pair, {}) if h.kind == "bond" else h.evidence)
                for h in path.hops
            ))
            for path in paths
        ]
    return paths
