"""Two versions of ``lockstep_partners`` on one world's evidence: seconds and a digest of the result.

    git show 618ce98:graph/trust/lockstep.py > /tmp/lockstep_old.py
    /usr/bin/time -f "%M KiB" python bench/lockstep_ab.py --old /tmp/lockstep_old.py WORLD_OR_PICKLE
    /usr/bin/time -f "%M KiB" python bench/lockstep_ab.py WORLD_OR_PICKLE        # the installed code

WORLD_OR_PICKLE is a contract folder or a pickled ``Projection`` (``recommend_bench.py --cache``
keeps one in ``bench/.cache/``). Equal digests mean the same bonds, days and partners.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import pickle
import time
from pathlib import Path

import numpy as np


def load_module(path: Path):
    text = path.read_text(encoding="utf-8").replace("from ._arrays import", "from livetrust.graph.trust._arrays import")
    spec = importlib.util.spec_from_loader("lockstep_under_test", loader=None)
    module = importlib.util.module_from_spec(spec)
    exec(compile(text, str(path), "exec"), module.__dict__)
    return module


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source", type=Path, help="contract folder or pickled Projection")
    ap.add_argument("--old", type=Path, help="a lockstep.py to run instead of the installed one")
    args = ap.parse_args()

    from livetrust.graph.projection import Projection
    from livetrust.graph.trust import lockstep
    from livetrust.graph.trust.evidence import build_evidence
    from livetrust.graph.trust.model import TrustParams
    from livetrust.graph.trust.reasons import reason_classes

    if args.source.suffix == ".pkl":
        with open(args.source, "rb") as fh:
            projection = pickle.load(fh)
    else:
        projection = Projection.from_folder(args.source)
    params = TrustParams()
    ev = build_evidence(projection, params.half_life_days, reason_classes(params.reason_classes))
    module = load_module(args.old) if args.old else lockstep
    t = time.perf_counter()
    r = module.lockstep_partners(ev.o_consumer, ev.o_streamer, ev.o_day, len(projection.streamers),
                                 min_days=params.lockstep_min_days, min_shared=params.lockstep_min_shared)
    took = time.perf_counter() - t
    digest = hashlib.sha256()
    for a in (r.consumer, r.streamer, r.days, r.partners):
        digest.update(np.ascontiguousarray(a, dtype=np.int64).tobytes())
    print(f"{'old' if args.old else 'installed'}: lockstep {took:.2f} s, bonds {len(r.consumer)}, "
          f"with partners {int((r.partners > 0).sum())}, digest {digest.hexdigest()[:16]}")


if __name__ == "__main__":
    main()
