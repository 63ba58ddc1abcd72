"""The time-split evaluation: no leakage from the hidden days, baselines in the same run."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from livetrust.cli import main
from livetrust.graph.recommend import Truth, evaluate, load_projection, time_split
from livetrust.graph.recommend.data import Graph
from livetrust.graph.recommend.evaluate import consumer_products_task, fraud_products

from test_recommend_lists import tiny_projection, tiny_scores, ts  # noqa: E402  (same folder)


def test_time_split_hides_the_future():
    proj = tiny_projection()
    proj.orders.loc[proj.orders.order_id == "o3", "first_returned_at"] = ts(-2)  # bought day -7, returned after the cut
    proj.follows.loc[proj.follows.consumer_id == "c3", "unfollowed_at"] = ts(-1)
    split = time_split(proj, 4.5, end=ts(0))  # cutoff: day -4.5
    assert split.cutoff == ts(-4.5)
    train = split.train
    assert train.as_of == split.cutoff
    assert set(train.orders.order_id) == {"o0", "o1", "o2", "o3", "o4", "o5"}
    assert set(split.test_orders.order_id) == {"o6", "o7"}
    o3 = train.orders.set_index("order_id").loc["o3"]
    assert o3["returned_quantity"] == 0 and pd.isna(o3["first_returned_at"])  # the return is the future
    assert split.test_orders.set_index("order_id").loc["o6", "returned_quantity"] == 0
    c3 = train.follows.set_index("consumer_id").loc["c3"]
    assert pd.isna(c3["unfollowed_at"])  # still following at the cutoff
    assert len(split.test_follows) == 0
    # nothing in train happens after the cutoff
    assert (train.orders.purchased_at < split.cutoff).all() and (train.follows.followed_at < split.cutoff).all()
    with pytest.raises(ValueError):
        time_split(proj, 0)


def test_fraud_products_are_sold_mainly_by_fraud_streamers():
    orders = pd.DataFrame({"streamer_id": ["s1", "s2", "s2", "s1", "s1"], "product_id": ["a", "a", "a", "b", "c"]})
    flags = fraud_products(orders, pd.Index(["a", "b", "c", "d"]), {"s2"})
    assert flags.tolist() == [True, False, False, False]  # a: 2 of 3 lines by s2


def test_evaluate_with_hand_scores_runs_every_method():
    proj = tiny_projection()
    ev = evaluate(proj, holdout_days=4.5, k=3, scorer=lambda p: tiny_scores())
    t = ev.table
    assert set(t[t.list == "consumer_products"].method) == {"livetrust", "most_popular", "item_knn", "rp3beta",
                                                            "followed_sellers"}
    assert "followed_sellers" not in set(t[t.list == "consumer_streamers"].method)
    assert set(t[t.list == "factory_streamers"].method) == {"livetrust", "category_top_sellers", "most_popular",
                                                            "item_knn", "rp3beta"}
    for name in ("streamer_products", "streamer_factories"):
        assert set(t[t.list == name].method) <= {"livetrust", "most_popular", "item_knn", "rp3beta"}
    assert ev.info["score_run_id"] == "score-1" and ev.info["k"] == 3
    # hidden (after day -7.5): c2 buys p1 and returns it (1), c4 p3 twice, c3 p4, c2 p5, all kept:
    # four new (consumer, product) pairs, one returned -> the base rate of the returned column is 1/4
    assert ev.info["returned_base_rate"] == pytest.approx(0.25)
    assert "returned, for comparison: 0.2500 over every new product" in ev.to_markdown()


def test_returned_share_of_a_hit_is_its_returned_units_over_units():
    """c1 buys p2 twice in the hidden days and returns one of the two (0.5, not 1), and p3 once,
    3 units of which 1 returned (1/3)."""
    proj = tiny_projection()
    extra = pd.DataFrame({
        "order_id": ["h1", "h2", "h3"], "consumer_id": ["c1", "c1", "c1"], "streamer_id": ["s1", "s1", "s2"],
        "product_id": ["p2", "p2", "p3"], "quantity": [1, 1, 3], "amount": 10.0,
        "purchased_at": [ts(-2), ts(-1), ts(-1)], "returned_quantity": [1, 0, 1],
        "first_returned_at": pd.to_datetime([ts(-1), pd.NaT, ts(0)], utc=True),
    })
    proj.orders = pd.concat([proj.orders, extra], ignore_index=True)
    split = time_split(proj, 4.5, end=ts(0))
    g = Graph.build(split.train)
    task = consumer_products_task(g, split, None, np.ones(g.n_consumers, dtype=bool))
    row = list(task.users).index(g.consumers.get_loc("c1"))
    returned = task.returned[row].toarray().ravel()
    assert returned[g.products.get_loc("p2")] == pytest.approx(0.5)
    assert returned[g.products.get_loc("p3")] == pytest.approx(1 / 3)


@pytest.fixture(scope="module")
def xs_world(tmp_path_factory):
    from livetrust.world import generate_world

    out = tmp_path_factory.mktemp("world") / "xs"
    generate_world(out, scale="xs", seed=7)
    return out


def test_evaluate_on_a_generated_world(xs_world):
    truth = Truth.load(xs_world / "truth")
    ev = evaluate(load_projection(xs_world), holdout_days=30, k=10, truth=truth)
    t = ev.table.set_index(["list", "method"])
    assert len(t) == 5 + 4 + 5 + 4 + 4  # followed_sellers recommends consumer -> products only
    assert ("consumer_products", "followed_sellers") in t.index and ("consumer_streamers", "followed_sellers") not in t.index
    # xs: no streamer sold a factory's goods new to it in the hidden days; every other list has subjects
    assert set(t.index[t["users"] == 0].get_level_values(0)) == {"streamer_factories"}
    scored = t[t["users"] > 0]
    for col in ("precision", "recall", "ndcg", "map", "coverage"):
        v = scored[col].to_numpy(dtype=float)
        assert np.all((v >= 0) & (v <= 1)), col
    v = scored.loc[scored.index.get_level_values(0) != "streamer_factories", "fraud_exposure"].to_numpy(dtype=float)
    assert np.all((v >= 0) & (v <= 1))
    assert ev.info["test_orders"] > 0 and ev.info["truth"].endswith("truth")
    md = ev.to_markdown()
    assert "| consumer_products | livetrust |" in md and "NDCG@10" in md
    assert json.loads(ev.to_json())["info"]["holdout_days"] == 30
    # livetrust minus each baseline on the same subjects: the mean difference is the difference of
    # the table's means, inside its interval
    c = ev.comparisons.set_index(["list", "baseline"])
    assert sorted(c.index) == sorted(i for i in scored.index if i[1] != "livetrust")  # none for an empty list
    for (lst, base), r in c.iterrows():
        for metric in ("ndcg", "precision"):
            expected = t.loc[(lst, "livetrust"), metric] - t.loc[(lst, base), metric]
            assert r[f"{metric}_diff"] == pytest.approx(expected, abs=1e-12)
            assert r[f"{metric}_ci_low"] <= r[f"{metric}_diff"] <= r[f"{metric}_ci_high"]
            assert 0 <= r[f"{metric}_p"] <= 1
        assert r["users"] == t.loc[(lst, base), "users"]
    assert "paired t-test" in md and "| consumer_products | followed_sellers |" in md
    assert len(json.loads(ev.to_json())["comparisons"]) == len(c)
    # factories of one category share the baseline's list and the relevant set: one group per category
    factories = ev.comparisons.set_index("list").loc["factory_streamers"]
    categories = pd.read_csv(xs_world / "products.csv").groupby("factory_id")["category"].first().nunique()
    assert (factories["groups"] == categories).all() and (categories <= factories["users"]).all()


def test_comparisons_pair_subjects_in_order():
    """Hand rows: livetrust and a baseline equal subject by subject are an exact tie; the same values
    with the baseline's subjects in another order are not (comparisons pairs by position)."""
    from livetrust.graph.recommend.evaluate import CLUSTERS, PER_USER, comparisons

    def row(method, ndcg, clusters=None):
        return {"list": "l", "method": method, "users": len(ndcg),
                PER_USER: {"ndcg": np.array(ndcg), "precision": np.array(ndcg) / 10}, CLUSTERS: clusters}

    same = comparisons([row("livetrust", [1.0, 0.0, 0.5, np.nan]), row("b", [1.0, 0.0, 0.5, 0.2])])
    assert same[["users", "groups", "ndcg_diff", "ndcg_ci_low", "ndcg_ci_high", "ndcg_p"]].values.tolist() == [
        [3, 3, 0.0, 0.0, 0.0, 1.0]]
    shuffled = comparisons([row("livetrust", [1.0, 0.0, 0.5]), row("b", [0.0, 0.5, 1.0])]).iloc[0]
    assert shuffled["ndcg_diff"] == 0.0 and shuffled["ndcg_ci_low"] < 0 < shuffled["ndcg_ci_high"]
    grouped = comparisons([row("livetrust", [1.0, 1.0, 0.0, 0.0], [7, 7, 8, 8]), row("b", [0.0] * 4)]).iloc[0]
    assert (grouped["groups"], grouped["ndcg_p"]) == (2, pytest.approx(0.5))


def test_cli_evaluate(xs_world, tmp_path):
    r = CliRunner().invoke(main, ["evaluate", "--data", str(xs_world), "--holdout-days", "30", "--k", "5",
                                  "--baselines", "most_popular", "--lists", "consumer_products,factory_streamers",
                                  "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "| consumer_products | most_popular |" in r.output and "P@5" in r.output
    assert "item_knn" not in r.output
    saved = json.loads((tmp_path / "evaluation.json").read_text())
    assert saved["info"]["truth"] == str(xs_world / "truth")  # found beside the data
    assert {row["method"] for row in saved["table"]} == {"livetrust", "most_popular", "category_top_sellers"}
    bad = CliRunner().invoke(main, ["evaluate", "--data", str(xs_world), "--baselines", "svd"])
    assert bad.exit_code != 0 and "svd" in bad.output


def test_evaluation_json_is_strict_and_hiding_every_order_is_refused(xs_world, tmp_path):
    """Without truth the fraud columns are not available: null in evaluation.json (bare NaN broke
    strict parsers); hiding more days than the orders span left nothing to train on and printed
    a table anyway."""
    folder = tmp_path / "own"
    shutil.copytree(xs_world, folder, ignore=shutil.ignore_patterns("truth"))
    ev = evaluate(load_projection(folder), holdout_days=30, k=5, truth=None)
    saved = json.loads(ev.to_json(), parse_constant=lambda c: pytest.fail(f"{c} in evaluation.json"))
    rows = [r for r in saved["table"] if r["list"] == "consumer_products"]
    assert rows and all(r["fraud_exposure"] is None for r in rows) and all(r["ndcg"] is not None for r in rows)
    r = CliRunner().invoke(main, ["evaluate", "--data", str(folder), "--holdout-days", "100000"])
    assert r.exit_code == 2 and "leaves no orders before the cutoff" in r.output, r.output


def test_a_missing_truth_folder_is_named_as_missing(xs_world, tmp_path):
    r = CliRunner().invoke(main, ["evaluate", "--data", str(xs_world), "--truth", str(tmp_path / "nope")])
    assert r.exit_code == 2 and f"--truth {tmp_path / 'nope'}: no such folder" in r.output, r.output


def test_a_truth_folder_of_the_wrong_shape_is_one_line(xs_world, tmp_path):
    """Review of evaluate: --truth pointing at the data folder gave KeyError 'fraud_kind', a truth
    folder without consumers.csv a FileNotFoundError traceback."""
    r = CliRunner().invoke(main, ["evaluate", "--data", str(xs_world), "--truth", str(xs_world)])
    assert r.exit_code == 2 and r.output.count("\n") == 1, r.output
    assert f"{xs_world / 'streamers.csv'}: no column honesty, fraud_kind" in r.output
    partial = tmp_path / "truth"
    partial.mkdir()
    (partial / "streamers.csv").write_text((xs_world / "truth" / "streamers.csv").read_text())
    r = CliRunner().invoke(main, ["evaluate", "--data", str(xs_world), "--truth", str(partial)])
    assert r.exit_code == 2 and f"truth folder {partial}: no consumers.csv" in r.output, r.output


def test_lists_with_nothing_to_score_say_so_and_print_no_measure():
    """Review of evaluate: with no new purchase in the hidden days, consumer -> products printed a
    coverage (0.0000) beside the missing metrics, and nothing said the list was not evaluated."""
    proj = tiny_projection()
    proj.orders.loc[proj.orders["order_id"] == "o7", "product_id"] = "p1"  # c2 bought p1 before: not new
    ev = evaluate(proj, holdout_days=0.5, k=3, scorer=lambda p: tiny_scores(),  # hidden: o7 only (day -3)
                  lists=("consumer_products", "consumer_streamers", "factory_streamers"))
    t = ev.table.set_index(["list", "method"])
    empty = t.loc["consumer_products"]
    assert (empty["users"] == 0).all()
    for col in ("precision", "ndcg", "coverage", "fraud_exposure", "returned_share"):
        assert empty[col].isna().all(), col
    assert (t.loc["factory_streamers", "users"] > 0).all() and t.loc["factory_streamers", "coverage"].notna().all()
    md = ev.to_markdown()
    assert "not evaluated: consumer_products, consumer_streamers: no subject had anything relevant" in md
    assert "| consumer_products | livetrust | 0 | – | – | – | – | – |" in md


def test_lists_option_naming_no_list_is_refused(xs_world):
    r = CliRunner().invoke(main, ["evaluate", "--data", str(xs_world), "--lists", ", ,"])
    assert r.exit_code == 2 and "names no list" in r.output, r.output


def test_consumer_streamers_baselines_offer_no_streamer_the_consumer_ever_followed():
    """Review of evaluate: the baselines excluded only the follows running at the cutoff, so they
    offered streamers the consumer had unfollowed -- sure misses, as no method counts them.
    c3 followed s1 and left; in the hidden day c3 follows s2. Most popular (s1 and s2 have two
    running followers each, s1 first on the tie) must offer s2."""
    proj = tiny_projection()
    extra = pd.DataFrame({"consumer_id": ["c3", "c3"], "streamer_id": ["s1", "s2"],
                          "followed_at": [ts(-50), ts(-2)], "unfollowed_at": [ts(-40), pd.NaT]})
    extra["unfollowed_at"] = pd.to_datetime(extra["unfollowed_at"], utc=True)
    proj.follows = pd.concat([proj.follows, extra], ignore_index=True)
    ev = evaluate(proj, holdout_days=1, k=1, scorer=lambda p: tiny_scores(), baselines=("most_popular",),
                  lists=("consumer_streamers",))  # cutoff: day -3
    row = ev.table.set_index("method").loc["most_popular"]
    assert row["users"] == 1 and row["precision"] == 1.0


def hand_world(rows, extra_product: bool = False):
    """Factories f1 (product p1) and f2 (p2, and p3 with ``extra_product``), streamers s1-s3, all
    beauty; ``rows`` are orders (consumer, streamer, product, day); trust scores by hand
    (everything trusted alike)."""
    from livetrust.graph.projection import Projection
    from livetrust.graph.recommend import Scores

    factories = pd.DataFrame({"factory_id": ["f1", "f2"], "name": ["F1", "F2"], "region": ["east"] * 2})
    streamers = pd.DataFrame({"streamer_id": ["s1", "s2", "s3"], "name": ["S1", "S2", "S3"],
                              "category": ["beauty"] * 3, "region": ["east"] * 3})
    products = pd.DataFrame({"product_id": ["p1", "p2", "p3"], "factory_id": ["f1", "f2", "f2"], "name": ["a", "b", "c"],
                             "category": ["beauty"] * 3, "price": [10.0, 20.0, 30.0]})
    products = products if extra_product else products.iloc[:2]
    consumers = pd.DataFrame({"consumer_id": ["c1", "c2"], "region": ["east"] * 2, "registered_at": [ts(-100)] * 2})
    follows = pd.DataFrame({"consumer_id": ["c1"], "streamer_id": ["s1"], "followed_at": [ts(-50)],
                            "unfollowed_at": pd.to_datetime([pd.NaT], utc=True)})
    orders = pd.DataFrame({
        "order_id": [f"o{i}" for i in range(len(rows))], "consumer_id": [r[0] for r in rows],
        "streamer_id": [r[1] for r in rows], "product_id": [r[2] for r in rows], "quantity": 1, "amount": 10.0,
        "purchased_at": [ts(r[3]) for r in rows], "returned_quantity": 0,
        "first_returned_at": pd.to_datetime([pd.NaT] * len(rows), utc=True),
    })
    proj = Projection(factories=factories, streamers=streamers, products=products, consumers=consumers,
                      follows=follows, orders=orders, as_of=ts(0))
    scores = Scores(pd.DataFrame({"consumer_id": ["c1"], "streamer_id": ["s1"], "trust": [0.9], "confidence": [0.8]}),
                    pd.DataFrame({"streamer_id": ["s1", "s2", "s3"], "trust": [0.9] * 3, "confidence": [0.9] * 3}),
                    pd.DataFrame({"product_id": list(products["product_id"]), "trust": 0.8, "confidence": 0.9}),
                    pd.DataFrame({"factory_id": ["f1", "f2"], "trust": [0.8] * 2, "confidence": [0.9] * 2}),
                    run_id="hand")
    return proj, scores


def test_factory_baselines_fit_on_factory_by_streamer_sales_and_may_name_current_sellers():
    """Issue 7 asks for most popular, item-kNN and RP3beta beside livetrust: for factory -> streamers
    they fit on the factory x streamer units sold before the cutoff. By hand: s1 sells for f1 and
    f2, s2 for f2 only, s3 for none; after the cutoff only s1 sells the factories' category, so s1
    is the one relevant streamer of both factories.

    - most popular ranks s1 (2 factories) first for both: P@1 = 1. Had it excluded the factory's
      current sellers, as the consumer lists exclude what was bought, f1 would get s2, f2 s3: 0.
    - item-kNN (cosine of streamer columns, s1 = [1, 1], s2 = [0, 1]): f1's only neighbour of s1 is
      s2 (0.71): a miss; f2 scores s1 and s2 0.71 each and the tie goes to the more popular s1: a
      hit. P@1 = 0.5.
    """
    proj, scores = hand_world([("c1", "s1", "p1", -10), ("c2", "s1", "p2", -9), ("c2", "s2", "p2", -8),
                               ("c1", "s1", "p1", -1)])
    ev = evaluate(proj, holdout_days=3, k=1, scorer=lambda p: scores, lists=("factory_streamers",))
    precision = ev.table.set_index("method")["precision"]
    assert ev.table["users"].tolist() == [2] * 5
    assert precision["most_popular"] == 1.0 and precision["item_knn"] == 0.5


def test_streamer_lists_are_scored_on_what_a_streamer_sold_for_the_first_time():
    """By hand: before the cutoff s1 sells p1, p2 and p3, s2 only p2, s3 p3; after it s2 sells p1
    for the first time (and so f1's goods), s1 sells p1 again (not new). One streamer evaluated
    per list, s2, relevant p1 (f1). Its candidates are p1 and p3 (f1 only: f2 it carries).

    - most popular offers p3 (2 sellers against p1's 1): a miss, P@1 = 0; f1: a hit.
    - item-kNN (binary cosine over sellers: p1 = {s1}, p2 = {s1, s2}, p3 = {s1, s3}) scores s2's
      candidates by their likeness to p2: p1 0.71, p3 0.5: p1, a hit.
    - livetrust offers what s2's audience (c2) bought and kept elsewhere and s2 does not carry: c2
      bought only p2, so it offers nothing: P@1 = 0 on both lists.
    """
    proj, scores = hand_world([("c1", "s1", "p1", -10), ("c2", "s1", "p2", -9), ("c2", "s2", "p2", -8),
                               ("c1", "s1", "p3", -9), ("c1", "s3", "p3", -8),
                               ("c1", "s1", "p1", -2), ("c2", "s2", "p1", -1)], extra_product=True)
    ev = evaluate(proj, holdout_days=4, k=1, scorer=lambda p: scores, lists=("streamer_products", "streamer_factories"),
                  baselines=("most_popular", "item_knn"))
    t = ev.table.set_index(["list", "method"])["precision"]
    assert (ev.table["users"] == 1).all() and len(t) == 6
    assert t["streamer_products"].to_dict() == {"livetrust": 0.0, "most_popular": 0.0, "item_knn": 1.0}
    assert t["streamer_factories"].to_dict() == {"livetrust": 0.0, "most_popular": 1.0, "item_knn": 1.0}
