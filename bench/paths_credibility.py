"""What weighing bonds by the consumer's credibility changes in the paths outputs (review of paths).

Builds the paths index of a generated world twice from the same trust model: bonds weighed by
trust x credibility (the rule) and by trust alone (before), and reports, with the world's truth
(used only to count): the share of the fake-follower streamers' trust mass T(s) held by fake
accounts, their channels' ranks within each factory, the top-10 channels and top bridges that are
fake-follower streamers', and the fake accounts among the prospective reach rows.

    python bench/paths_credibility.py /work/worlds/s7
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from livetrust.graph.paths import bridges, build_index, factory_channels, factory_reach, trust_inputs_from_model
from livetrust.graph.projection import Projection


def main(world: Path) -> None:
    projection = Projection.from_folder(world)
    trust = trust_inputs_from_model(projection)
    truth = pd.read_csv(world / "truth" / "streamers.csv", dtype={"streamer_id": str})
    fake_sellers = set(truth.loc[truth["fraud_kind"] == "fake_followers", "streamer_id"])
    fake_accounts = set(pd.read_csv(world / "truth" / "consumers.csv", dtype={"consumer_id": str})
                        .query("is_fraud == 1")["consumer_id"])
    plain = trust.consumer_streamer.drop(columns="consumer_credibility")
    print(f"# {world}: {len(fake_sellers)} fake-follower streamers, {len(fake_accounts)} fraud accounts")
    bonds = trust.consumer_streamer
    fake = bonds["consumer_id"].isin(fake_accounts)
    print(f"bond credibility: fraud accounts' {int(fake.sum()):,d} bonds mean "
          f"{bonds.loc[fake, 'consumer_credibility'].mean():.3f}, other accounts' {int((~fake).sum()):,d} bonds mean "
          f"{bonds.loc[~fake, 'consumer_credibility'].mean():.3f}")
    for label, bonds in (("trust alone (before)", plain), ("trust x credibility (now)", trust.consumer_streamer)):
        trust.consumer_streamer = bonds
        index = build_index(projection, trust)
        mass = pd.Series(index.streamer_trust_mass(), index=index.streamer_ids)
        b = trust.consumer_streamer
        fake_bond = b["consumer_id"].isin(fake_accounts) & b["streamer_id"].isin(fake_sellers)
        weight = b["trust"] * (b["consumer_credibility"] if "consumer_credibility" in b else 1.0)
        from_fakes = weight[fake_bond].sum() / mass[list(fake_sellers & set(mass.index))].sum()
        ch = factory_channels(index)
        fake_ch = ch[ch["streamer_id"].isin(fake_sellers)]
        top10 = ch[ch["rank"] <= 10]
        br = bridges(index)
        reach = factory_reach(index, top_k=500)
        prospective = reach[reach["kind"] == "prospective"]
        print(f"{label}: fake accounts hold {from_fakes:.1%} of the fake-follower streamers' T(s); their "
              f"{len(fake_ch)} channels: median rank {fake_ch['rank'].median():.0f}, rank 1 in "
              f"{int((fake_ch['rank'] == 1).sum())} factories, {int(top10['streamer_id'].isin(fake_sellers).sum())} "
              f"of the {len(top10)} top-10 channels; top bridge in "
              f"{int(br[br['rank'] == 1]['streamer_id'].isin(fake_sellers).sum())} of {br['factory_id'].nunique()} "
              f"factories; fraud accounts in the top-500 prospective reach: "
              f"{prospective['consumer_id'].isin(fake_accounts).mean():.1%} of {len(prospective)} rows")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
