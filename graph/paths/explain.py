"""Explain the most trusted paths of a factory–consumer pair: every hop with its evidence.

Evidence per hop (the same keys whether it comes from a :class:`PathIndex` here or
from Neo4j in :mod:`livetrust.graph.paths.cypher`):

- bond (consumer, streamer): ``trust``, ``confidence``; ``followed_at`` /
  ``unfollowed_at`` of the follow (None if none or still following); ``orders``,
  ``units``, ``returned_units`` the consumer placed with the streamer;
- carry (streamer, product): ``trust`` (κ), ``units``, ``returned_units``, ``orders`` of
  the product sold by the streamer, ``product_trust`` (None: unscored, the prior
  ``missing_trust`` is used), ``carry_prior``, ``streamer_trust``, ``product_name``,
  ``category``;
- made_by (product, factory): ``factory_trust``, ``factory_name``.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from .index import PathIndex
from .most_trusted import Hop, TrustedPath, top_paths


def _num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def _ts(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return str(value)
    if pd.isna(stamp):
        return None
    return stamp.strftime("%Y-%m-%d")


def _name(frame: pd.DataFrame, key: str, entity_id: str) -> str | None:
    if "name" not in frame.columns:
        return None
    hit = frame.loc[frame[key].astype(str) == entity_id, "name"]
    if hit.empty or pd.isna(hit.iloc[0]) or str(hit.iloc[0]).strip() == "":
        return None
    return str(hit.iloc[0])


def bond_evidence(index: PathIndex, consumer_id: str, streamer_id: str) -> dict:
    c = index.code("consumer", consumer_id)
    s = index.code("streamer", streamer_id)
    at = np.flatnonzero((index.bond_consumer == c) & (index.bond_streamer == s))
    mine = (index.f_consumer == c) & (index.f_streamer == s)
    followed = unfollowed = None
    if mine.any():
        started, ended = index.f_followed[mine], index.f_unfollowed[mine]
        followed = _ts(started.min())
        unfollowed = None if np.isnat(ended).any() else _ts(ended.max())
    sel = (index.o_consumer == c) & (index.o_streamer == s)
    return {
        "trust": float(index.bond_trust[at[0]]) if len(at) else None,
        "confidence": _num(index.bond_confidence[at[0]]) if len(at) else None,
        "credibility": _num(index.bond_credibility[at[0]]) if len(at) else None,
        "followed_at": followed,
        "unfollowed_at": unfollowed,
        "orders": int(sel.sum()),
        "units": int(index.o_quantity[sel].sum()),
        "returned_units": int(index.o_returned[sel].sum()),
    }


def carry_evidence(index: PathIndex, streamer_id: str, product_id: str) -> dict:
    s = index.code("streamer", streamer_id)
    p = index.code("product", product_id)
    projection = index.projection
    return {
        "trust": float(index.carry[p, s]),
        "units": int(index.PS_units[p, s]),
        "returned_units": int(index.PS_returned[p, s]),
        "orders": int(index.PS_orders[p, s]),
        "product_trust": _num(index.product_trust[p]),
        "carry_prior": index.carry_prior,
        "missing_trust": index.missing_trust,
        "streamer_trust": _num(index.streamer_trust[s]),
        "product_name": _name(projection.products, "product_id", product_id),
        "category": str(index.product_category[p]),
        "streamer_name": _name(projection.streamers, "streamer_id", streamer_id),
    }


def made_by_evidence(index: PathIndex, factory_id: str) -> dict:
    f = index.code("factory", factory_id)
    return {
        "factory_trust": _num(index.factory_trust[f]),
        "factory_name": _name(index.projection.factories, "factory_id", factory_id),
    }


def with_evidence(index: PathIndex, path: TrustedPath) -> TrustedPath:
    """The path with the evidence of every hop filled in from ``index``."""
    hops = []
    for hop in path.hops:
        if hop.kind == "bond":
            evidence = bond_evidence(index, *hop.pair)
        elif hop.kind == "carry":
            evidence = carry_evidence(index, *hop.pair)
        else:
            evidence = made_by_evidence(index, hop.target_id)
        hops.append(replace(hop, evidence=evidence))
    return replace(path, hops=tuple(hops))


def explain_paths(index: PathIndex, factory_id: str, consumer_id: str, top: int = 5, *, max_hops: int = 1) -> list[TrustedPath]:
    """The ``top`` most trusted paths of the pair, with evidence."""
    return [with_evidence(index, p) for p in top_paths(index, factory_id, consumer_id, top, max_hops=max_hops)]


def _f(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _hop_line(hop: Hop) -> str:
    ev = hop.evidence
    if hop.kind == "bond":
        arrow = f"-[bond {_f(hop.trust)}]->" if hop.source_kind == "consumer" else f"<-[bond {_f(hop.trust)}]-"
        follow = "no follow"
        if ev.get("followed_at"):
            follow = f"follows since {ev['followed_at']}"
            if ev.get("unfollowed_at"):
                follow = f"followed {ev['followed_at']} to {ev['unfollowed_at']}"
        weight = ""
        if ev.get("trust") is not None:  # the bond's weight: its trust times the consumer's credibility
            cred = ev.get("credibility")
            weight = f"trust {_f(ev['trust'])} x credibility {_f(1.0 if cred is None else cred, 2)}; "
        facts = (
            f"{weight}confidence {_f(ev.get('confidence'), 2)}; {follow}; "
            f"{ev.get('orders', 0)} orders, {ev.get('units', 0)} units, {ev.get('returned_units', 0)} returned"
        )
        return f"{hop.source_kind} {hop.source_id} {arrow} {hop.target_kind} {hop.target_id}   [{facts}]"
    if hop.kind == "carry":
        product = ev.get("product_name") or hop.target_id
        prior = ev.get("product_trust")
        prior_text = f"product trust {_f(prior)}" if prior is not None else f"product unscored, prior {_f(ev.get('missing_trust'))}"
        facts = (
            f"{ev.get('units', 0)} units sold, {ev.get('returned_units', 0)} returned; {prior_text} "
            f"(prior weight {_f(ev.get('carry_prior'), 1)} units); streamer trust {_f(ev.get('streamer_trust'))}"
        )
        return (f"streamer {hop.source_id} -[carry {_f(hop.trust)}]-> product {hop.target_id} "
                f"({product}, {ev.get('category', 'unknown')})   [{facts}]")
    name = ev.get("factory_name") or hop.target_id
    return (f"product {hop.source_id} -[made by]-> factory {hop.target_id} ({name})   "
            f"[factory trust {_f(ev.get('factory_trust'))}]")


def render(paths: list[TrustedPath], factory_id: str, consumer_id: str, max_hops: int = 1) -> str:
    """Text of ``livetrust paths explain``: one block per path, one line per hop."""
    if not paths:
        searched = ("nor through a shared streamer" if max_hops > 0
                    else "shared-streamer paths not searched: --max-hops 0")
        return (f"no trusted path from factory {factory_id} to consumer {consumer_id} (no bond above --min-bond "
                f"to a streamer that sold its products with a carry trust above 0, {searched})")
    lines = [f"most trusted paths from factory {factory_id} to consumer {consumer_id} "
             f"(path trust = product of hop trusts):"]
    for rank, path in enumerate(paths, 1):
        kind = "direct" if path.shared_hops == 0 else f"{path.shared_hops} shared-streamer hop"
        lines.append(f"#{rank}  path trust {path.trust:.4f}  ({kind}, {len(path.hops)} hops)")
        for hop in path.hops:
            lines.append("    " + _hop_line(hop))
    return "\n".join(lines)


def explain(index: PathIndex, factory_id: str, consumer_id: str, top: int = 5, *, max_hops: int = 1) -> str:
    """The text explanation of the ``top`` most trusted paths of the pair."""
    return render(explain_paths(index, factory_id, consumer_id, top, max_hops=max_hops), factory_id, consumer_id,
                  max_hops)
