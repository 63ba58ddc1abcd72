"""Consumer credibility and its lockstep component, counted by the truth's consumer kind.

``graph/trust/credibility.py`` scores a consumer's lockstep component from the raw number of
lockstep partners of its most suspicious bond (``1 - exp(-(partners - 1) / lockstep_scale)``),
while the streamer-level lockstep flag (``graph/recommend/scores.py``) asks for a share of the
streamer's buyers as well. This script measures what the raw count costs genuine consumers on a
generated world: per kind (genuine ``none``, ``brushing`` ring members, ``fake_follower``
accounts), how many consumers have 1, 2-3 or 4+ lockstep partners, the mean credibility and
lockstep component, and the order lines those consumers hold. For genuine consumers with a
lockstep penalty it prints the streamers where it happens, with their buyers.

Truth is used only to count. Reads the world through the loaders' validation, cached like
``recommend_bench.py --cache``.

    python bench/credibility_truth.py /work/worlds/m [--cache]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from recommend_bench import load  # noqa: E402

from livetrust.graph.trust.credibility import consumer_credibility  # noqa: E402
from livetrust.graph.trust.evidence import build_evidence  # noqa: E402
from livetrust.graph.trust.model import TrustParams  # noqa: E402
from livetrust.graph.trust.reasons import reason_classes  # noqa: E402

KINDS = ("none", "brushing", "fake_follower")


def consumer_kinds(world: Path, consumer_ids: pd.Index) -> np.ndarray:
    truth = pd.read_csv(world / "truth" / "consumers.csv", dtype={"consumer_id": str, "fraud_kind": str},
                        usecols=["consumer_id", "fraud_kind"])
    return truth.set_index("consumer_id")["fraud_kind"].fillna("none").reindex(consumer_ids).fillna("none").to_numpy()


def partner_bands(partners: np.ndarray) -> dict[str, np.ndarray]:
    return {"0": partners == 0, "1": partners == 1, "2-3": (partners >= 2) & (partners <= 3), "4+": partners >= 4}


def kind_table(cred, kinds: np.ndarray, lines: np.ndarray) -> None:
    print("| kind | consumers | partners 0 / 1 / 2-3 / 4+ | mean credibility | mean lockstep | "
          "consumers with lockstep > 0 | their order lines |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: |")
    for kind in KINDS:
        k = kinds == kind
        bands = " / ".join(f"{int((band & k).sum()):,}" for band in partner_bands(cred.lockstep_partners).values())
        hit = k & (cred.lockstep > 0)
        print(f"| {kind} | {int(k.sum()):,} | {bands} | {cred.credibility[k].mean():.4f} | "
              f"{cred.lockstep[k].mean():.4f} | {int(hit.sum()):,} | {int(lines[hit].sum()):,} |")


def genuine_hits(ev, cred, kinds: np.ndarray, top: int) -> None:
    c, s, partners = cred.bond_partners
    genuine = (kinds[c] == "none") & (partners >= 2)
    if not genuine.any():
        print("\nno genuine consumer has a bond with 2+ lockstep partners")
        return
    buyers = pd.Series(ev.o_consumer).groupby(ev.o_streamer).nunique()
    per = pd.DataFrame({"streamer": s[genuine], "partners": partners[genuine]}).groupby("streamer").agg(
        genuine_bonds=("partners", "size"), max_partners=("partners", "max"))
    per["buyers"] = buyers.reindex(per.index).to_numpy()
    per.index = ev.streamer_ids[per.index]
    per = per.sort_values("genuine_bonds", ascending=False)
    print(f"\ngenuine bonds with 2+ lockstep partners: {int(genuine.sum()):,} at {len(per):,} streamers; "
          f"the {min(top, len(per))} with most:")
    print(per.head(top).to_string())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("world", type=Path)
    ap.add_argument("--cache", action="store_true", help="pickle the projection in bench/.cache")
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()
    t0 = time.perf_counter()
    projection, took, cached = load(args.world, args.cache)
    P = TrustParams()
    ev = build_evidence(projection, P.half_life_days, reason_classes(P.reason_classes))  # as TrustModel.fit
    cred = consumer_credibility(ev, P.credibility_params())
    kinds = consumer_kinds(args.world, ev.consumer_ids)
    lines = np.bincount(ev.o_consumer, minlength=ev.n_consumers)
    print(f"{args.world}: {ev.n_consumers:,} consumers, {ev.n_orders:,} order lines "
          f"(read {took:.1f} s{' from cache' if cached else ''})\n")
    kind_table(cred, kinds, lines)
    genuine_hits(ev, cred, kinds, args.top)
    print(f"\n{time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
