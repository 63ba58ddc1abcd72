"""Projection.from_neo4j equals Projection.from_folder: the promise that both modes agree."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from livetrust.graph.projection import COLUMNS, Projection
from livetrust.loaders import load_folder
from livetrust.world import generate_world


def assert_same(a: Projection, b: Projection) -> None:
    a, b = a.sorted(), b.sorted()
    for name in COLUMNS:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True, obj=name)
    assert a.as_of == b.as_of
    assert a.counts == b.counts


def test_embedded_projection_types(tmp_path: Path):
    world = tmp_path / "xs"
    generate_world(world, scale="xs", seed=3)
    p = Projection.from_folder(world)
    assert list(p.orders.columns) == list(COLUMNS["orders"])
    assert str(p.orders["purchased_at"].dtype) == "datetime64[ns, UTC]"
    assert p.orders["quantity"].dtype == "int64" and p.orders["returned_quantity"].dtype == "int64"
    assert p.orders["amount"].dtype == "float64"
    assert p.orders["order_id"].is_unique and p.counts["orders"] == len(p.orders)
    assert (p.orders["returned_quantity"] <= p.orders["quantity"]).all()
    assert p.as_of is not None and p.as_of >= p.orders["purchased_at"].max()


def test_projection_carries_return_reasons(tmp_path: Path):
    world = tmp_path / "xs"
    generate_world(world, scale="xs", seed=3)
    p = Projection.from_folder(world)
    r = p.returns
    assert list(r.columns) == list(COLUMNS["returns"]) and len(r) == p.counts["returns"] > 0
    assert str(r["returned_at"].dtype) == "datetime64[ns, UTC]" and r["quantity"].dtype == "int64"
    raw = pd.read_csv(world / "returns.csv", dtype=str, keep_default_na=False)
    # the reasons as written by the generator (empty -> None), row for row
    assert sorted(r["reason"].fillna("")) == sorted(raw["reason"])
    assert {"defective", "not_as_described"} <= set(r["reason"].dropna())
    # the orders' returned units are the sum of their returns
    per_order = r.groupby("order_id")["quantity"].sum()
    o = p.orders.set_index("order_id")
    assert (o.loc[per_order.index, "returned_quantity"] == per_order).all()
    assert o["returned_quantity"].sum() == r["quantity"].sum()


@pytest.mark.integration
@pytest.mark.parametrize("corrupt, file_format", [(0.0, "csv"), (0.03, "parquet"), (0.03, "jsonl")])
def test_from_neo4j_equals_from_folder(neo4j_db, neo4j_settings, tmp_path: Path, corrupt, file_format):
    world = tmp_path / "xs"
    generate_world(world, scale="xs", seed=5, corrupt=corrupt, file_format=file_format)
    load_folder(world, driver=neo4j_db, database=neo4j_settings.database, report_dir=tmp_path / "r")
    assert_same(Projection.from_neo4j(neo4j_db, neo4j_settings.database), Projection.from_folder(world))


@pytest.mark.integration
def test_chunked_reads_lose_and_repeat_nothing(neo4j_db, neo4j_settings, tmp_path: Path):
    """Tiny chunks: many round trips per table, chunk edges inside a consumer's follows and
    between the returns of one order; the result is the same as one chunk per table."""
    world = tmp_path / "xs"
    generate_world(world, scale="xs", seed=5)
    load_folder(world, driver=neo4j_db, database=neo4j_settings.database, report_dir=tmp_path / "r")
    folder = Projection.from_folder(world)
    assert folder.returns["order_id"].duplicated().any()  # some order has several returns
    assert folder.follows["consumer_id"].duplicated().any()
    for chunk_size in (1, 7):
        assert_same(Projection.from_neo4j(neo4j_db, neo4j_settings.database, chunk_size=chunk_size), folder)
    with pytest.raises(ValueError, match="chunk_size must be at least 1"):
        Projection.from_neo4j(neo4j_db, neo4j_settings.database, chunk_size=0)


@pytest.mark.integration
def test_empty_graph_projection(neo4j_db, neo4j_settings, tmp_path: Path):
    p = Projection.from_neo4j(neo4j_db, neo4j_settings.database)
    assert all(len(t) == 0 for t in p.tables().values()) and p.as_of is None
    for name, cols in COLUMNS.items():
        assert list(getattr(p, name).columns) == list(cols)
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "factories.csv").write_text("factory_id,name,region\n")  # a header, no rows
    assert_same(p, Projection.from_folder(tmp_path / "empty"))


@pytest.mark.integration
def test_a_daily_load_gives_the_whole_worlds_projection(neo4j_db, neo4j_settings, tmp_path: Path):
    """The daily cycle: the main part loaded, then the holdout days as the next export (new
    events, and the ends of follows made before): Neo4j then holds what one folder of the whole
    world holds, unfollows included, so Neo4j mode and embedded mode agree after it."""
    whole, split = tmp_path / "whole", tmp_path / "split"
    generate_world(whole, scale="xs", seed=4)
    generate_world(split, scale="xs", seed=4, holdout_days=30)
    db = neo4j_settings.database
    load_folder(split, driver=neo4j_db, database=db, report_dir=tmp_path / "r1")
    day = load_folder(split / "holdout", driver=neo4j_db, database=db, report_dir=tmp_path / "r2")
    follows = day.file("follows.csv")
    ends = pd.read_csv(split / "holdout" / "follows.csv", dtype=str)
    ends = ends[ends["followed_at"] < json.loads((split / "truth" / "world.json").read_text())["holdout_cutoff"]]
    assert len(ends) > 0 and follows.loaded == follows.read and follows.quarantined == 0
    records, _, _ = neo4j_db.execute_query(
        "MATCH ()-[f:FOLLOWS]->() WHERE f.unfollowed_at >= datetime($cut) RETURN count(f) AS n",
        cut=ends["unfollowed_at"].min(), database_=db)
    assert records[0]["n"] >= len(ends)  # every end reached its follow
    assert_same(Projection.from_neo4j(neo4j_db, db), Projection.from_folder(whole))
