"""--set NAME.PARAM=VALUE: recommender parameters from text, checked at the boundary."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from livetrust.cli import main
from livetrust.graph.recommend import recommend
from livetrust.graph.recommend.consumer_products import ConsumerProducts
from livetrust.graph.recommend.evaluate import RECOMMENDERS
from livetrust.graph.recommend.params import parse_params

from test_recommend_lists import tiny_projection, tiny_scores  # noqa: E402  (same folder)


def test_values_take_the_type_of_the_default():
    got = parse_params(["consumer_products.keep_power=4", "item_knn.k=50", "item_knn.binary=false",
                        "rp3beta.beta=0.2", "rp3beta.beta=0.3"], RECOMMENDERS)
    assert got == {"consumer_products": {"keep_power": 4.0}, "item_knn": {"k": 50, "binary": False},
                   "rp3beta": {"beta": 0.3}}  # the later setting wins
    assert isinstance(got["consumer_products"]["keep_power"], float) and isinstance(got["item_knn"]["k"], int)
    assert parse_params([], RECOMMENDERS) == {}
    # a negative beta favours popular items: the baseline tuning grid tries it (review of the diff)
    assert parse_params(["rp3beta.beta=-0.5"], RECOMMENDERS) == {"rp3beta": {"beta": -0.5}}


@pytest.mark.parametrize("text, words", [
    ("keep_power=4", "expected NAME.PARAM=VALUE"),
    ("consumer_products.keep_power=", "expected NAME.PARAM=VALUE"),
    ("ranker.k=3", "no recommender 'ranker'"),
    ("consumer_products.keep_powr=3", "has no parameter 'keep_powr'; choose from lapsed_weight, keep_power"),
    ("most_popular.k=3", "most_popular has no parameter 'k'; it takes none"),
    ("item_knn.k=2.5", "'2.5' is not a finite int"),
    ("rp3beta.beta=nan", "'nan' is not a finite float"),
    ("item_knn.binary=maybe", "is not true or false"),
    # review: these ran (a negative keep_power favoured low-trust products)
    ("consumer_products.keep_power=-5", "keep_power must be >= 0"),
    ("consumer_products.lapsed_weight=-1", "lapsed_weight must be in [0, 1]"),
    ("consumer_streamers.neighbours=-3", "neighbours must be >= 1"),
    ("factory_streamers.w_audience=1.5", "w_audience must be in [0, 1]"),
    ("item_knn.k=0", "k must be >= 1"),
    ("factory_streamers.keep_prior=0", "keep_prior must be > 0"),  # review of the diff: 0 / 0, a list of 8 rows
])
def test_a_bad_setting_is_one_line_naming_it(text, words):
    with pytest.raises(ValueError) as err:
        parse_params([text], RECOMMENDERS)
    assert words in str(err.value) and text in str(err.value) and "\n" not in str(err.value)


def test_every_numeric_parameter_has_a_range_and_its_default_is_in_it():
    """A parameter added without a range would take any value from --set: each int or float
    parameter of every recommender on offer is in its class's PARAMETER_RANGES."""
    import inspect

    from livetrust.graph.recommend.run import LISTS

    classes = {*RECOMMENDERS.values(), *(cls for cls, _, _ in LISTS.values())}
    for cls in classes:
        ranges = getattr(cls, "PARAMETER_RANGES", {})
        for name, p in inspect.signature(cls).parameters.items():
            numeric = isinstance(p.default, (int, float)) and not isinstance(p.default, bool)
            assert (name in ranges) == numeric, (cls.__name__, name)
            if numeric:
                assert p.default in ranges[name], (cls.__name__, name)


def test_fit_refuses_a_value_outside_its_range_before_any_work():
    """From Python too (not only --set), as scikit-learn's estimators check their parameters in fit."""
    from livetrust.graph.recommend.itemknn import ItemKNN

    with pytest.raises(ValueError, match=r"^ConsumerProducts: keep_power=-5 is not >= 0$"):
        ConsumerProducts(keep_power=-5).fit(None)  # no context needed: refused first
    with pytest.raises(ValueError, match=r"ItemKNN: k=0 is not >= 1"):
        ItemKNN(k=0).fit(None)


def test_keep_power_reaches_the_list():
    """Every product of the tiny world has trust 0.8: keep_power 4 instead of 1 scales each
    consumer -> product score by 0.8 ** 3 and keeps the order."""
    base = recommend(tiny_projection(), tiny_scores(), top=3, lists=["consumer_products"]).lists["consumer_products"]
    steep = recommend(tiny_projection(), tiny_scores(), top=3, lists=["consumer_products"],
                      params=parse_params(["consumer_products.keep_power=4"], {"consumer_products": ConsumerProducts}))
    steep = steep.lists["consumer_products"]
    assert len(base) > 0
    assert steep[["subject_id", "rank", "object_id"]].equals(base[["subject_id", "rank", "object_id"]])
    np.testing.assert_allclose(steep["score"], base["score"] * 0.8 ** 3, rtol=1e-12)


def test_cli_set_is_recorded_and_checked(tmp_path):
    from livetrust.world import generate_world

    world = tmp_path / "world"
    generate_world(world, scale="xs", seed=3)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["recommend", "--data", str(world), "--out", str(out), "--lists", "consumer_products",
                                  "--set", "consumer_products.keep_power=2"])
    assert r.exit_code == 0, r.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["params"] == {"consumer_products": {"keep_power": 2.0}}
    r = CliRunner().invoke(main, ["evaluate", "--data", str(world), "--lists", "consumer_products", "--baselines",
                                  "rp3beta", "--set", "rp3beta.beta=0.2", "--out", str(tmp_path / "ev")])
    assert r.exit_code == 0, r.output
    saved = json.loads((tmp_path / "ev" / "evaluation.json").read_text())
    assert saved["info"]["params"] == {"rp3beta": {"beta": 0.2}}
    bad = CliRunner().invoke(main, ["recommend", "--data", str(world), "--out", str(out),
                                    "--set", "consumer_products.nope=1"])
    assert bad.exit_code == 2 and "--set" in bad.output and "has no parameter 'nope'" in bad.output
