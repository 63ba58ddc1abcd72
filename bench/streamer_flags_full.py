"""The demotion rule's streamer flags on a whole world (as `livetrust recommend --data` sees it), by the
truth's fraud kind (truth used only to count), and why each honest streamer is flagged.

    python bench/streamer_flags_full.py /work/worlds/m
"""
import sys, pandas as pd, numpy as np
from livetrust.graph.projection import Projection
from livetrust.graph.recommend.context import Context
from livetrust.graph.recommend.data import Graph
from livetrust.graph.recommend.scores import scores_from_model
import livetrust.graph.recommend.bursts as b
p = Projection.from_folder(sys.argv[1]); g = Graph.build(p)
ctx = Context.build(g, scores_from_model(p))
kind = pd.read_csv(sys.argv[1] + "/truth/streamers.csv").set_index("streamer_id")["fraud_kind"].reindex(g.streamers).to_numpy()
f = ctx.s_flagged
print(b.__file__, "flagged: honest", int((f & (kind == "none")).sum()), list(g.streamers[f & (kind == "none")]), "brushing", int((f & (kind == "brushing")).sum()), "of", int((kind == "brushing").sum()),
      "fake followers", int((f & (kind == "fake_followers")).sum()), "of", int((kind == "fake_followers").sum()))
from livetrust.graph.recommend.scores import Demotion, flags_of
rule = Demotion()
share = b.burst_share(g, rule.burst_min_buyers, rule.burst_max_p); count = b.surprising_burst_lines(g, rule.surprise_min_buyers, rule.surprise_max_p)
own = flags_of(ctx.scores.streamers, "streamer_id", g.streamers, rule)
st = ctx.scores.streamers.set_index("streamer_id").reindex(g.streamers)
for s in np.flatnonzero(f & (kind == "none")):
    print(g.streamers[s], "own flag", bool(own[s]), "integrity", round(st["integrity"].iloc[s], 3), "lockstep", st["lockstep_buyers"].iloc[s],
          "trust", round(st["trust"].iloc[s], 3), "burst share", round(share[s], 4), "surprising lines", int(count[s]))
