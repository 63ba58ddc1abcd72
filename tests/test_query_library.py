"""Library queries on a loaded xs world, against answers computed from the input files with pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from livetrust.loaders import load_folder
from livetrust.queries.runner import run_query
from livetrust.world import generate_world

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("world")
    generate_world(folder, scale="xs", seed=5)
    return folder


@pytest.fixture
def loaded(neo4j_db, neo4j_settings, world, tmp_path):
    load_folder(world, driver=neo4j_db, database=neo4j_settings.database, report_dir=tmp_path / "load")
    return neo4j_db


def orders_with_returns(world) -> pd.DataFrame:
    purchases = pd.read_csv(world / "purchases.csv", dtype={"order_id": str})
    returns = pd.read_csv(world / "returns.csv", dtype={"order_id": str})
    returns = returns.merge(purchases[["order_id", "quantity"]], on="order_id", suffixes=("", "_bought"))
    returns["units"] = returns["quantity"].fillna(returns["quantity_bought"])
    returned = returns.groupby("order_id")["units"].sum()
    purchases["returned"] = purchases["order_id"].map(returned).fillna(0)
    return purchases


def test_return_hotspots_match_pandas(loaded, neo4j_settings, world):
    o = orders_with_returns(world)
    pairs = o.groupby(["product_id", "streamer_id"]).agg(units=("quantity", "sum"), returned=("returned", "sum")).reset_index()
    totals = pairs.groupby("product_id")[["units", "returned"]].transform("sum")
    pairs["other_units"] = totals["units"] - pairs["units"]
    pairs["elsewhere"] = (totals["returned"] - pairs["returned"]) / pairs["other_units"].where(pairs["other_units"] > 0)
    pairs["rate"] = pairs["returned"] / pairs["units"]
    pairs["lift"] = pairs["rate"] / pairs["elsewhere"].clip(lower=0.01)
    expected = pairs[(pairs["units"] >= 5) & pairs["elsewhere"].notna() & (pairs["lift"] >= 1.5)]
    expected = expected.sort_values(["lift", "units", "product_id", "streamer_id"], ascending=[False, False, True, True])

    got = run_query("return_hotspots", driver=loaded, settings=neo4j_settings, min_units=5, min_lift=1.5, limit=1000)
    assert len(expected) > 0
    assert list(got["product_id"]) == list(expected["product_id"])
    assert list(got["streamer_id"]) == list(expected["streamer_id"])
    np.testing.assert_allclose(got["lift"].to_numpy(), expected["lift"].to_numpy(), rtol=1e-9)


def test_fraud_suspects_match_pandas_and_find_fake_follower_streamers(loaded, neo4j_settings, world):
    follows = pd.read_csv(world / "follows.csv")
    o = orders_with_returns(world)
    buyers_anywhere = set(o["consumer_id"])
    followers = follows.groupby("streamer_id").size()
    never = (
        follows.drop_duplicates(["streamer_id", "consumer_id"])
        .assign(never=lambda f: ~f["consumer_id"].isin(buyers_anywhere))
        .groupby("streamer_id")["never"].sum()
    )
    per_buyer = o.groupby(["streamer_id", "consumer_id"]).agg(units=("quantity", "sum"), returned=("returned", "sum")).reset_index()
    streamers_per_buyer = o.groupby("consumer_id")["streamer_id"].nunique()
    per_buyer["only_here"] = per_buyer["consumer_id"].map(streamers_per_buyer) == 1
    per_buyer["returning_only"] = per_buyer["only_here"] & (per_buyer["returned"] >= 0.8 * per_buyer["units"])
    ret = per_buyer.groupby("streamer_id").agg(buyers=("consumer_id", "size"), returning=("returning_only", "sum"))
    frame = pd.DataFrame({"followers": followers, "never": never}).join(ret).fillna(0)
    frame = frame[frame["followers"] >= 10]
    frame["never_share"] = frame["never"] / frame["followers"]
    frame["returning_share"] = (frame["returning"] / frame["buyers"].where(frame["buyers"] > 0)).fillna(0.0)
    frame["suspicion"] = frame[["never_share", "returning_share"]].max(axis=1)
    expected = frame[frame["suspicion"] >= 0.3].reset_index(names="streamer_id")
    expected = expected.sort_values(["suspicion", "followers", "streamer_id"], ascending=[False, False, True])

    got = run_query("fraud_suspects", driver=loaded, settings=neo4j_settings, min_followers=10, min_share=0.3, limit=1000)
    assert list(got["streamer_id"]) == list(expected["streamer_id"])
    np.testing.assert_allclose(got["suspicion"].to_numpy(), expected["suspicion"].to_numpy(), rtol=1e-9)

    truth = pd.read_csv(world / "truth" / "streamers.csv")
    fake = set(truth.loc[truth["fraud_kind"] == "fake_followers", "streamer_id"])
    assert fake and fake <= set(got["streamer_id"])  # every bought-follower streamer is flagged


def header_columns(returns: str) -> list[str]:
    """The column names of a query header's ``returns:`` line (each name's first word)."""
    depth, names, part = 0, [], ""
    for ch in returns + ",":
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            names.append(part.split()[0])
            part = ""
        else:
            part += ch
    return names


def test_every_library_query_returns_the_columns_its_header_names(loaded, neo4j_settings, world):
    from livetrust.queries.runner import library

    ids = {key: pd.read_csv(world / f"{stream}.csv", dtype=str)[key].iloc[0]
           for stream, key in (("consumers", "consumer_id"), ("streamers", "streamer_id"),
                               ("factories", "factory_id"), ("products", "product_id"))}
    for name, query in library().items():
        params = {p.name: ids[p.name] for p in query.params if p.required}
        got = run_query(name, driver=loaded, settings=neo4j_settings, **params)
        assert list(got.columns) == header_columns(query.returns), name


def test_cli_errors_from_neo4j_and_the_output_file_are_one_line(loaded, neo4j_settings, tmp_path):
    """A negative LIMIT (the server refused it with a traceback) and an --output in a missing folder (a
    traceback after running the query): one line each."""
    from click.testing import CliRunner

    from livetrust.cli import main

    env = {"NEO4J_URI": neo4j_settings.uri, "NEO4J_USER": neo4j_settings.user,
           "NEO4J_PASSWORD": neo4j_settings.password, "NEO4J_DATABASE": neo4j_settings.database}
    r = CliRunner().invoke(main, ["query", "top_streamers", "--param", "limit=-1"], env=env)
    assert r.exit_code == 2 and "must be at least 0, got -1" in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1, r.output
    r = CliRunner().invoke(main, ["query", "top_streamers", "--output", str(tmp_path / "no" / "x.csv")], env=env)
    assert r.exit_code == 2 and "the folder" in r.output and "does not exist" in r.output, r.output
    r = CliRunner().invoke(main, ["query", "top_streamers", "--format", "csv", "--output", str(tmp_path / "x.csv")], env=env)
    assert r.exit_code == 0 and (tmp_path / "x.csv").read_text().startswith("streamer_id,")


def test_no_rows_says_which_jobs_have_a_current_run(loaded, neo4j_settings):
    """Review of query: on a graph never scored, `top_streamers` printed [] as if nothing matched;
    the result stays [] on stdout and stderr names the jobs without a current run. A --param given
    twice is refused (the last one silently won)."""
    from click.testing import CliRunner

    from livetrust.cli import main

    env = {"NEO4J_URI": neo4j_settings.uri, "NEO4J_USER": neo4j_settings.user,
           "NEO4J_PASSWORD": neo4j_settings.password, "NEO4J_DATABASE": neo4j_settings.database}
    r = CliRunner().invoke(main, ["query", "top_streamers", "--format", "json"], env=env)
    assert r.exit_code == 0 and r.stdout.strip() == "[]", r.output
    assert r.stderr.strip() == ("no rows; current runs: score none (never run), paths none (never run), "
                                "recommend none (never run)")
    r = CliRunner().invoke(main, ["query", "top_streamers", "--param", "limit=3", "--param", "limit=4"], env=env)
    assert r.exit_code == 2 and "--param limit is given twice" in r.output, r.output
