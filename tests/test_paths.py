"""Path analysis on the hand-built world of ``test_paths_world``: every number worked out on paper."""

from __future__ import annotations

import hashlib
import json

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from livetrust.graph.paths import (
    OUTPUTS,
    TrustInputs,
    best_paths,
    bridges,
    build_index,
    compute_paths,
    explain,
    factory_channels,
    factory_demand,
    factory_reach,
    most_trusted_path,
    paths_frame,
    top_paths,
    write_outputs,
)
from livetrust.graph.paths.job import channel_rows
from livetrust.graph.paths.most_trusted import trust_subgraph
from test_paths_world import CARRY_PRIOR, hand_projection, hand_trust, write_contract_folder

approx = pytest.approx

# κ(s, p) = (units − returned + 2 t(p)) / (units + 2)
K_S1_P1 = (4 - 1 + 2 * 0.8) / (4 + 2)  # 23/30
K_S2_P2 = (1 + 2 * 0.5) / 3  # 2/3
K_S1_P3 = (1 + 2 * 0.9) / 3  # 14/15
K_S2_P3 = (0 + 2 * 0.9) / 3  # 0.6
K_S3_P3 = (2 + 2 * 0.9) / 4  # 0.95
K_S4_P4 = (1 + 2 * 0.5) / 3  # unscored product: prior 0.5


@pytest.fixture(scope="module")
def index():
    return build_index(hand_projection(), hand_trust(), carry_prior=CARRY_PRIOR)


def by(frame: pd.DataFrame, *keys: str) -> dict:
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in frame.to_dict("records")}


# --------------------------------------------------------------------------- index


def test_carry_trust_and_best_product(index):
    def K(f, s):
        return index.K[index.code("factory", f), index.code("streamer", s)]

    assert K("F1", "S1") == approx(K_S1_P1)
    assert K("F1", "S2") == approx(K_S2_P2)
    assert K("F2", "S1") == approx(K_S1_P3)
    assert K("F2", "S2") == approx(K_S2_P3)
    assert K("F2", "S3") == approx(K_S3_P3)
    assert K("F3", "S4") == approx(K_S4_P4)
    assert K("F1", "S3") == 0  # S3 never sold F1's goods
    # the trust mass T(s) = Σ bonds
    mass = dict(zip(index.streamer_ids, index.streamer_trust_mass()))
    assert mass == approx({"S1": 1.5, "S2": 1.7, "S3": 1.7, "S4": 0.0})


def test_bad_trust_frames_are_refused():
    trust = hand_trust()
    trust.products.loc[0, "trust"] = 1.5
    with pytest.raises(ValueError, match="outside"):
        build_index(hand_projection(), trust)
    trust = hand_trust()
    trust.consumer_streamer = trust.consumer_streamer.drop(columns="trust")
    with pytest.raises(ValueError, match="lacks"):
        build_index(hand_projection(), trust)


# --------------------------------------------------------------------------- channels


def test_channels(index):
    ch = by(factory_channels(index), "factory_id", "streamer_id")
    assert set(ch) == {("F1", "S1"), ("F1", "S2"), ("F2", "S1"), ("F2", "S2"), ("F2", "S3"), ("F3", "S4")}
    f1s1 = ch["F1", "S1"]
    assert (f1s1["orders"], f1s1["gmv"], f1s1["units"], f1s1["returned_units"], f1s1["buyers"]) == (3, 400, 4, 1, 3)
    assert f1s1["return_rate"] == approx(0.25)
    assert f1s1["share_of_factory_gmv"] == approx(400 / 480)
    # flow = T(s) · gmv(f, s) / gmv(s): S1 holds 1.5 of trust and sold 450, 400 of it F1's goods
    assert f1s1["flow_score"] == approx(1.5 * 400 / 450)
    assert (f1s1["trust_mass"], f1s1["streamer_gmv"]) == approx((1.5, 450))  # the flow's factors, on its row
    assert ch["F1", "S2"]["flow_score"] == approx(1.7 * 80 / 130)
    assert ch["F2", "S1"]["flow_score"] == approx(1.5 * 50 / 450)
    assert ch["F2", "S2"]["flow_score"] == approx(1.7 * 50 / 130)
    assert ch["F2", "S2"]["return_rate"] == approx(1.0)
    assert ch["F2", "S3"]["flow_score"] == approx(1.7)
    assert ch["F3", "S4"]["flow_score"] == 0.0  # S4 holds no bonds
    assert [ch["F2", s]["rank"] for s in ("S3", "S2", "S1")] == [1, 2, 3]
    assert [ch["F1", s]["rank"] for s in ("S1", "S2")] == [1, 2]


def test_a_bought_followers_bonds_weigh_their_credibility():
    """Review of paths: a fake-follower streamer ranked first in channels, bridges and reach, as
    every bond counted its trust, and a bought follower's trust is about the streamer's prior.
    Each bond now weighs trust x the consumer's credibility: C4 (0.1) counts a tenth."""
    cred = build_index(hand_projection(), hand_trust({"C4": 0.1}), carry_prior=CARRY_PRIOR)
    mass = dict(zip(cred.streamer_ids, cred.streamer_trust_mass()))
    # S3: C4 .7 -> .07, C1 .5, C5 .3, C6 .2; S2: C2 .5, C3 .8, C4 .4 -> .04
    assert mass == approx({"S1": 1.5, "S2": 1.34, "S3": 1.07, "S4": 0.0})
    ch = by(factory_channels(cred), "factory_id", "streamer_id")
    assert ch["F2", "S3"]["flow_score"] == approx(1.07) and ch["F1", "S2"]["flow_score"] == approx(1.34 * 80 / 130)
    r = by(factory_reach(cred, top_k=None), "factory_id", "consumer_id")
    # F2's buyers: C4 was first (0.7 K_S3_P3 = 0.665), now last behind C2 (0.56) and C3 (0.48)
    assert r["F2", "C4"]["path_trust"] == approx(0.07 * K_S3_P3) and r["F2", "C4"]["rank"] == 3
    assert [r["F2", c]["rank"] for c in ("C2", "C3")] == [1, 2]
    assert r["F1", "C4"]["path_trust"] == approx(0.04 * K_S2_P2)
    c4 = r["F2", "C4"]
    assert (c4["via_product"], c4["bond_trust"], c4["consumer_credibility"]) == ("P3", 0.7, 0.1)
    text = explain(cred, "F2", "C4", top=1)
    assert "-[bond 0.070]-> streamer S3   [trust 0.700 x credibility 0.10; confidence 0.50" in text


def test_flow_is_conserved_per_streamer(index):
    ch = factory_channels(index)
    per_streamer = ch.groupby("streamer_id")["flow_score"].sum().to_dict()
    assert per_streamer == approx({"S1": 1.5, "S2": 1.7, "S3": 1.7, "S4": 0.0})
    assert ch.groupby("factory_id")["share_of_factory_gmv"].sum().to_numpy() == approx(1.0)


# --------------------------------------------------------------------------- reach


def test_reach(index):
    reach = factory_reach(index, top_k=None)
    r = by(reach, "factory_id", "consumer_id")
    expected = {
        ("F1", "C1"): ("direct", 0.9 * K_S1_P1, "S1", 1),
        ("F1", "C3"): ("direct", 0.8 * K_S2_P2, "S2", 2),
        ("F1", "C2"): ("direct", 0.6 * K_S1_P1, "S1", 3),  # beats 0.5 · 2/3 through S2
        ("F1", "C5"): ("direct", 0.0, None, 4),  # bought from S1 without a bond
        ("F1", "C4"): ("prospective", 0.4 * K_S2_P2, "S2", 1),
        ("F2", "C4"): ("direct", 0.7 * K_S3_P3, "S3", 1),
        ("F2", "C2"): ("direct", 0.6 * K_S1_P3, "S1", 2),
        ("F2", "C3"): ("direct", 0.8 * K_S2_P3, "S2", 3),
        ("F2", "C1"): ("prospective", 0.9 * K_S1_P3, "S1", 1),
        ("F2", "C5"): ("prospective", 0.3 * K_S3_P3, "S3", 2),
        ("F2", "C6"): ("prospective", 0.2 * K_S3_P3, "S3", 3),
        ("F3", "C6"): ("direct", 0.0, None, 1),
    }
    assert set(r) == set(expected)
    for key, (kind, trust, via, rank) in expected.items():
        row = r[key]
        assert (row["kind"], row["rank"]) == (kind, rank), key
        assert row["path_trust"] == approx(trust), key
        assert (row["via_streamer"] if isinstance(row["via_streamer"], str) else None) == via, key
    # every row explains itself: path_trust = bond trust x credibility x carry, with the product and confidence
    c2 = r["F1", "C2"]
    assert (c2["via_product"], c2["bond_trust"], c2["consumer_credibility"], c2["bond_confidence"]) == ("P1", 0.6, 1.0, 0.5)
    assert c2["carry_trust"] == approx(K_S1_P1)
    assert r["F2", "C5"]["via_product"] == "P3" and r["F2", "C5"]["carry_trust"] == approx(K_S3_P3)
    with_path = reach[reach["via_streamer"].notna()]
    assert with_path["path_trust"].to_numpy() == approx(
        (with_path["bond_trust"] * with_path["consumer_credibility"] * with_path["carry_trust"]).to_numpy())
    c5 = r["F1", "C5"]  # a buyer without a bond path: nothing to show
    assert pd.isna(c5["via_product"]) and np.isnan([c5["bond_trust"], c5["carry_trust"], c5["bond_confidence"]]).all()


def test_reach_top_k_per_factory_and_kind(index):
    reach = factory_reach(index, top_k=1)
    assert sorted(zip(reach["factory_id"], reach["kind"], reach["consumer_id"])) == [
        ("F1", "direct", "C1"), ("F1", "prospective", "C4"), ("F2", "direct", "C4"),
        ("F2", "prospective", "C1"), ("F3", "direct", "C6"),
    ]
    assert (reach["rank"] == 1).all()


def test_reach_block_size_does_not_change_the_answer(index):
    whole = best_paths(index)
    tiny = best_paths(index, block_rows=1)
    for name in ("factory", "consumer", "best", "via", "second", "direct"):
        assert np.array_equal(getattr(whole, name), getattr(tiny, name)), name


def test_min_bond_drops_weak_bonds():
    index = build_index(hand_projection(), hand_trust(), carry_prior=CARRY_PRIOR, min_bond=0.45)
    r = by(factory_reach(index, top_k=None), "factory_id", "consumer_id")
    assert ("F1", "C4") not in r  # its only F1 bond is 0.4
    assert r["F2", "C1"]["path_trust"] == approx(0.9 * K_S1_P3)


# --------------------------------------------------------------------------- bridges


def test_bridges(index):
    b = by(bridges(index), "factory_id", "streamer_id")
    assert set(b) == {("F1", "S1"), ("F1", "S2"), ("F2", "S1"), ("F2", "S2"), ("F2", "S3")}  # F3 has no trusted flow
    # F1: C1 .69 and C2 .46 (next best 1/3 through S2) via S1; C3 8/15, C4 4/15 via S2; C5 0
    total = 0.9 * K_S1_P1 + 0.6 * K_S1_P1 + 0.8 * K_S2_P2 + 0.4 * K_S2_P2
    assert b["F1", "S1"]["flow_share"] == approx(1.5 * K_S1_P1 / total)
    assert b["F1", "S1"]["flow_lost_if_removed"] == approx((0.9 * K_S1_P1 + 0.6 * K_S1_P1 - 0.5 * K_S2_P2) / total)
    assert (b["F1", "S1"]["consumers_via"], b["F1", "S1"]["consumers_stranded"]) == (2, 1)
    assert b["F1", "S2"]["flow_share"] == approx(1.2 * K_S2_P2 / total)
    assert b["F1", "S2"]["flow_lost_if_removed"] == approx(1.2 * K_S2_P2 / total)
    assert (b["F1", "S1"]["rank"], b["F1", "S2"]["rank"]) == (1, 2)
    # F2: S1 carries C1 (.84, else .475 via S3) and C2 (.56, else .3 via S2); S2 carries C3 (.48, nothing else);
    # S3 carries C4 (.665, else .24 via S2), C5 (.285) and C6 (.19)
    total2 = 0.84 + 0.56 + 0.48 + 0.665 + 0.285 + 0.19
    assert b["F2", "S1"]["flow_lost_if_removed"] == approx((0.84 - 0.475 + 0.56 - 0.3) / total2)
    assert b["F2", "S2"]["flow_lost_if_removed"] == approx(0.48 / total2)
    assert b["F2", "S3"]["flow_share"] == approx((0.665 + 0.285 + 0.19) / total2)
    assert b["F2", "S3"]["flow_lost_if_removed"] == approx((0.665 - 0.24 + 0.285 + 0.19) / total2)
    assert (b["F2", "S3"]["consumers_via"], b["F2", "S3"]["consumers_stranded"]) == (3, 2)
    assert [b["F2", s]["rank"] for s in ("S3", "S1", "S2")] == [1, 2, 3]


def test_bridge_loss_matches_recomputation_without_the_streamer(index):
    """flow_lost_if_removed equals the drop in Σ path trust when the streamer's bonds are deleted."""
    projection, trust = hand_projection(), hand_trust()
    for f, s in [("F1", "S1"), ("F2", "S3"), ("F2", "S2")]:
        cut = TrustInputs(trust.consumer_streamer[trust.consumer_streamer["streamer_id"] != s],
                          trust.streamers, trust.products, trust.factories)
        before = factory_reach(index, top_k=None)
        after = factory_reach(build_index(projection, cut, carry_prior=CARRY_PRIOR), top_k=None)
        total = before.loc[before["factory_id"] == f, "path_trust"].sum()
        loss = total - after.loc[after["factory_id"] == f, "path_trust"].sum()
        row = bridges(index).query("factory_id == @f and streamer_id == @s").iloc[0]
        assert row["flow_lost_if_removed"] == approx(loss / total)


# --------------------------------------------------------------------------- demand


def test_demand(index):
    d = by(factory_demand(index), "factory_id", "region", "category")
    cols = ("orders", "units", "gmv", "returned_units", "consumers")
    f1 = {
        ("east", "beauty"): (2, 3, 300, 1, 2),  # o1, o2
        ("east", "food"): (1, 1, 50, 0, 1),  # o3 (F2's honey: all the audience's orders count)
        ("south", "food"): (3, 4, 230, 1, 2),  # o4, o5, o6
        ("north", "beauty"): (1, 1, 100, 0, 1),  # o7
    }
    assert {k[1:] for k in d if k[0] == "F1"} == set(f1)
    for key, values in f1.items():
        assert tuple(d[("F1", *key)][c] for c in cols) == values
    assert d["F1", "south", "food"]["return_rate"] == approx(0.25)
    # C6 (no region) is in F2's audience through its bond to S3, not in F1's
    assert {k[1:] for k in d if k[0] == "F2"} == set(f1) | {("unknown", "home")}
    assert tuple(d["F2", "unknown", "home"][c] for c in cols) == (1, 1, 40, 0, 1)
    assert {k[1:] for k in d if k[0] == "F3"} == {("unknown", "home")}


# --------------------------------------------------------------------------- most trusted paths


def test_direct_paths(index):
    paths = top_paths(index, "F2", "C1", 5)
    assert [p.trust for p in paths] == approx([0.9 * K_S1_P3, 0.5 * K_S3_P3])
    assert [p.streamers for p in paths] == [["S1"], ["S3"]]
    assert all(p.shared_hops == 0 and p.product_id == "P3" for p in paths)
    best = most_trusted_path(index, "F2", "C1")
    assert best.trust == approx(0.84) and best.streamers == ["S1"]
    frame = paths_frame(paths)
    assert frame[["rank", "streamer_id", "product_id", "shared_hops"]].values.tolist() == [[1, "S1", "P3", 0], [2, "S3", "P3", 0]]
    assert [h.kind for h in best.hops] == ["bond", "carry", "made_by"]


def test_longer_paths_through_a_shared_streamer(index):
    # C6 bonds only S3, which never sold F1's goods: C6 → S3 ← C1 → S1 → P1 and C6 → S3 ← C4 → S2 → P2
    paths = top_paths(index, "F1", "C6", 5)
    assert [p.trust for p in paths] == approx([0.2 * 0.5 * 0.9 * K_S1_P1, 0.2 * 0.7 * 0.4 * K_S2_P2])
    assert [(p.streamers, p.via_consumers, p.product_id) for p in paths] == [
        (["S3", "S1"], ["C1"], "P1"), (["S3", "S2"], ["C4"], "P2"),
    ]
    assert all(p.shared_hops == 1 for p in paths)
    best = most_trusted_path(index, "F1", "C6")
    assert best.trust == approx(paths[0].trust) and best.via_consumers == ["C1"]
    assert top_paths(index, "F1", "C6", 5, max_hops=0) == []


def test_no_path(index):
    assert top_paths(index, "F3", "C1") == []  # F3's only streamer S4 has no bonds
    assert most_trusted_path(index, "F3", "C1") is None
    with pytest.raises(KeyError):
        top_paths(index, "F9", "C1")


def test_dijkstra_agrees_with_brute_force(index):
    """On every pair, the most trusted path is the max over all simple paths of the layered subgraph."""
    for f in index.factory_ids:
        for c in index.consumer_ids:
            best = most_trusted_path(index, f, c)
            brute = 0.0
            for hops in (0, 1):
                g = trust_subgraph(index, index.code("factory", f), index.code("consumer", c), hops, keep_per_pair=99)
                src, dst = ("c", index.code("consumer", c)), ("f", index.code("factory", f))
                if src in g and dst in g:
                    for nodes in nx.all_simple_paths(g, src, dst):
                        brute = max(brute, float(np.prod([g.edges[u, v]["trust"] for u, v in zip(nodes, nodes[1:])])))
                if brute > 0:
                    break
            assert (best.trust if best else 0.0) == approx(brute), (f, c)


def test_reach_agrees_with_direct_paths(index):
    reach = factory_reach(index, top_k=None)
    for row in reach.to_dict("records"):
        paths = top_paths(index, row["factory_id"], row["consumer_id"], 1, max_hops=0)
        assert (paths[0].trust if paths else 0.0) == approx(row["path_trust"])


# --------------------------------------------------------------------------- explain


def test_explain_text(index):
    text = explain(index, "F1", "C6", top=5)
    lines = text.splitlines()
    assert lines[0] == "most trusted paths from factory F1 to consumer C6 (path trust = product of hop trusts):"
    assert lines[1] == "#1  path trust 0.0690  (1 shared-streamer hop, 5 hops)"
    assert lines[2].startswith("    consumer C6 -[bond 0.200]-> streamer S3   [trust 0.200 x credibility 1.00; confidence 0.50; "
                               "follows since 2025-05-01")
    assert lines[3].startswith("    streamer S3 <-[bond 0.500]- consumer C1   [trust 0.500 x credibility 1.00; confidence 0.50; "
                               "followed 2025-02-01 to 2025-03-01")
    assert lines[4].startswith("    consumer C1 -[bond 0.900]-> streamer S1")
    assert "1 orders, 1 units, 0 returned" in lines[4]
    assert lines[5] == (
        "    streamer S1 -[carry 0.767]-> product P1 (face cream, beauty)   [4 units sold, 1 returned; "
        "product trust 0.800 (prior weight 2.0 units); streamer trust 0.800]"
    )
    assert lines[6] == "    product P1 -[made by]-> factory F1 (Crane Works)   [factory trust 0.700]"
    assert lines[7] == "#2  path trust 0.0373  (1 shared-streamer hop, 5 hops)"
    assert len(lines) == 13
    assert "product unscored, prior 0.500" in explain(index, "F3", "C6") or "no trusted path" in explain(index, "F3", "C6")
    assert explain(index, "F3", "C1").startswith("no trusted path from factory F3 to consumer C1")
    # with --max-hops 0 a pair reached only through a shared streamer has no path, and the text says
    # the shared-streamer paths were not searched (it claimed there were none)
    assert "#1  path trust 0.0690" in explain(index, "F1", "C6", max_hops=1)
    assert explain(index, "F1", "C6", max_hops=0).endswith("shared-streamer paths not searched: --max-hops 0)")


# --------------------------------------------------------------------------- job, files, CLI


def test_compute_and_write_outputs(tmp_path):
    result = compute_paths(hand_projection(), hand_trust(), carry_prior=CARRY_PRIOR, run_id="paths-test")
    files = write_outputs(result, tmp_path, "csv")
    assert sorted(p.name for p in files) == sorted([f"{n}.csv" for n in OUTPUTS] + ["paths_manifest.json"])
    assert not list(tmp_path.glob(".*tmp"))  # no temp files left behind
    channels = pd.read_csv(tmp_path / "factory_channels.csv")
    assert list(channels.columns) == list(result.factory_channels.columns)
    assert channels["flow_score"].to_numpy() == approx(result.factory_channels["flow_score"].to_numpy())
    manifest = json.loads((tmp_path / "paths_manifest.json").read_text())
    assert manifest["run_id"] == "paths-test"
    from livetrust import __version__

    assert manifest["livetrust_version"] == __version__  # which code made the files (as the score manifest says)
    assert manifest["output_counts"] == {"factory_channels": 6, "factory_reach": 12, "factory_demand": 10, "bridges": 5}
    assert manifest["score_run_id"] is None  # the hand-made bonds belong to no score run
    for name, entry in manifest["outputs"].items():
        assert entry["rows"] == manifest["output_counts"][name]
        assert entry["sha256"] == hashlib.sha256((tmp_path / entry["file"]).read_bytes()).hexdigest()
    write_outputs(result, tmp_path / "pq", "parquet")
    reach = pd.read_parquet(tmp_path / "pq" / "factory_reach.parquet")
    assert len(reach) == 12 and reach["via_streamer"].isna().sum() == 2


def test_channel_rows_for_write_back():
    result = compute_paths(hand_projection(), hand_trust(), carry_prior=CARRY_PRIOR)
    rows = channel_rows(result.factory_channels, top=1)
    assert sorted((r["factory_id"], r["streamer_id"]) for r in rows) == [("F1", "S1"), ("F2", "S3"), ("F3", "S4")]
    assert set(rows[0]["props"]) == {"rank", "flow_score", "orders", "gmv", "return_rate", "share_of_factory_gmv", "buyers"}
    assert all(type(v) in (int, float) for r in rows for v in r["props"].values())


def test_cli_paths_help():
    from livetrust.cli import main

    out = CliRunner().invoke(main, ["paths", "--help"])
    assert out.exit_code == 0 and "explain" in out.output
    out = CliRunner().invoke(main, ["paths", "explain", "--help"])
    assert out.exit_code == 0 and "--factory" in out.output and "--consumer" in out.output


@pytest.fixture
def hand_folder(tmp_path, monkeypatch):
    """The hand world as a contract folder; the trust model stands in with the hand trust frames."""
    import livetrust.graph.paths.commands as commands

    folder = tmp_path / "hand"
    write_contract_folder(hand_projection(), folder)
    monkeypatch.setattr(commands, "trust_inputs_from_model", lambda projection: hand_trust())
    return folder


def test_cli_embedded_job(hand_folder, tmp_path):
    from livetrust.cli import main

    out = CliRunner().invoke(main, ["paths", "--data", str(hand_folder), "--out", str(tmp_path / "out"),
                                    "--format", "parquet", "--carry-prior", "2"])
    assert out.exit_code == 0, out.output
    assert "factory_channels 6, factory_reach 12, factory_demand 10, bridges 5" in out.output
    expected = compute_paths(hand_projection(), hand_trust(), carry_prior=CARRY_PRIOR)
    got = pd.read_parquet(tmp_path / "out" / "bridges.parquet")
    assert got["flow_lost_if_removed"].to_numpy() == approx(expected.bridges["flow_lost_if_removed"].to_numpy())
    out = CliRunner().invoke(main, ["paths", "--data", str(hand_folder)])
    assert out.exit_code != 0 and "give --out DIR" in out.output


def test_cli_embedded_explain(hand_folder, index):
    from livetrust.cli import main

    out = CliRunner().invoke(main, ["paths", "explain", "--factory", "F1", "--consumer", "C6", "--top", "1",
                                    "--data", str(hand_folder), "--carry-prior", "2"])
    assert out.exit_code == 0, out.output
    assert out.output.rstrip("\n") == explain(index, "F1", "C6", top=1)
    out = CliRunner().invoke(main, ["paths", "explain", "--factory", "F1", "--consumer", "C99", "--data", str(hand_folder)])
    assert out.exit_code != 0 and "unknown consumer 'C99'" in out.output


def test_trust_model_adapter_on_an_xs_world(tmp_path):
    """The adapter obtains the four frames from livetrust.graph.trust, and the job runs on them."""
    from livetrust.graph.paths import trust_inputs_from_model
    from livetrust.graph.projection import Projection
    from livetrust.world import generate_world

    generate_world(tmp_path / "xs", scale="xs", seed=7)
    projection = Projection.from_folder(tmp_path / "xs")
    trust = trust_inputs_from_model(projection)
    for name in ("consumer_streamer", "streamers", "products", "factories"):
        frame = getattr(trust, name)
        assert len(frame) and frame["trust"].between(0, 1).all(), name
    result = compute_paths(projection, trust)
    counts = result.counts()
    assert all(counts[name] > 0 for name in OUTPUTS), counts
    # each factory's channels share its whole GMV
    assert result.factory_channels["share_of_factory_gmv"].groupby(result.factory_channels["factory_id"]).sum().to_numpy() == approx(1.0)
    f, c = result.factory_reach.iloc[0][["factory_id", "consumer_id"]]
    assert explain(result.index, f, c).startswith(f"most trusted paths from factory {f} to consumer {c}")
