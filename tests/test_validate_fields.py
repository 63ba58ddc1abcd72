"""Field validation edge cases (check_fields), embedded: a bad value is quarantined, never loaded
changed, never a crash."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from livetrust.contract import Reason
from livetrust.loaders import validate_folder

PRODUCTS = "product_id,factory_id,name,category,price\np1,f1,Lipstick,beauty,19.90\n"
HEADER = "order_id,consumer_id,streamer_id,product_id,quantity,amount,purchased_at\n"


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def quarantined(v, file: str) -> dict[int, tuple[str, str]]:
    """row -> (reason, detail) of one file's quarantined rows."""
    q = v.quarantine[v.quarantine.file == file]
    return {int(r.row): (r.reason, r.detail) for r in q.itertuples()}


def purchases(folder: Path, rows: list[str]) -> None:
    write(folder, "products.csv", PRODUCTS)
    write(folder, "purchases.csv", HEADER + "".join(r + "\n" for r in rows))


# ------------------------------------------------------------------ 1: non-ASCII digits


def test_non_ascii_digits_are_malformed_numbers(tmp_path: Path):
    purchases(tmp_path, ["o1,c1,s1,p1,3,10,2026-01-01T00:00:00Z",
                         "o2,c1,s1,p1,３,10,2026-01-01T00:00:00Z",  # full-width quantity
                         "o3,c1,s1,p1,1,１２.５,2026-01-01T00:00:00Z",  # full-width amount
                         "o4,c1,s1,p1,١,10,2026-01-01T00:00:00Z"])  # Arabic-Indic quantity
    write(tmp_path, "returns.csv", "order_id,returned_at,quantity,reason\n"
          "o1,2026-01-02T00:00:00Z,２,x\n"  # would have been read as "all units"
          "o1,2026-01-03T00:00:00Z,1,x\n")
    v = validate_folder(tmp_path)
    assert {r: q[0] for r, q in quarantined(v, "purchases.csv").items()} == {
        2: Reason.MALFORMED_NUMBER, 3: Reason.MALFORMED_NUMBER, 4: Reason.MALFORMED_NUMBER}
    assert {r: q[0] for r, q in quarantined(v, "returns.csv").items()} == {1: Reason.MALFORMED_NUMBER}
    assert v.tables["purchases"]["order_id"].tolist() == ["o1"]
    assert v.tables["returns"]["quantity"].tolist() == [1.0]


def test_no_matched_number_is_left_nan_or_inf(tmp_path: Path):
    # 400 digits match the money pattern but are inf as float64
    purchases(tmp_path, ["o1,c1,s1,p1,1," + "9" * 400 + ",2026-01-01T00:00:00Z",
                         "o2,c1,s1,p1,1,12.50,2026-01-01T00:00:00Z"])
    v = validate_folder(tmp_path)
    assert {r: q[0] for r, q in quarantined(v, "purchases.csv").items()} == {1: Reason.MALFORMED_NUMBER}
    t = v.tables["purchases"]
    assert np.isfinite(t["amount"]).all() and np.isfinite(t["quantity"]).all()


# ------------------------------------------------------------- 2: out of pandas' range


def test_out_of_range_timestamps_are_quarantined_not_a_crash(tmp_path: Path):
    write(tmp_path, "consumers.csv", "consumer_id,region,registered_at\n"
          "c1,east,0001-01-01T00:00:00Z\nc2,east,2026-01-01T00:00:00Z\n")
    write(tmp_path, "follows.csv", "consumer_id,streamer_id,followed_at,unfollowed_at\n"
          "c2,s1,2026-01-01T00:00:00Z,9999-12-31T00:00:00Z\n"  # a common "never"
          "c2,s2,2026-01-01T00:00:00Z,2026-02-01T00:00:00Z\n"
          # a fraction of 9 digits in the column makes pandas parse it at ns: 9999 is then coerced
          # to NaT, not parsed (rows 1 and 4 too are told out of range, not malformed)
          "c2,s3,2026-01-01T00:00:00Z,2026-03-01T00:00:00.123456789Z\n"
          "c2,s4,2026-01-01T00:00:00Z,9999-12-31T00:00:00.5Z\n")
    v = validate_folder(tmp_path)
    for file, rows in (("consumers.csv", {1}), ("follows.csv", {1, 4})):
        q = quarantined(v, file)
        assert set(q) == rows
        assert all(reason == Reason.MALFORMED_TIMESTAMP and "out of the supported range" in detail
                   for reason, detail in q.values())
    assert v.tables["consumers"]["consumer_id"].tolist() == ["c2"]
    assert v.tables["follows"]["streamer_id"].tolist() == ["s2", "s3"]


# ---------------------------------------------------------------- 3: strict ISO-8601


@pytest.mark.parametrize("value", ["2026/01/01 05:30:00", "2026.01.01 05:30", "2026 01 01", "2026-1-1T5:30:00Z",
                                   "2026-01-01T05:30:00 Z", "2026-01-01T05:30:00.Z",
                                   "２０２６-01-01", "2026-01-01Z"])
def test_non_iso_timestamps_are_malformed(tmp_path: Path, value: str):
    purchases(tmp_path, [f"o1,c1,s1,p1,1,10,{value}", "o2,c1,s1,p1,1,10,2026-01-01T05:30:00Z"])
    v = validate_folder(tmp_path)
    q = quarantined(v, "purchases.csv")
    assert set(q) == {1} and q[1][0] == Reason.MALFORMED_TIMESTAMP
    assert "not an ISO-8601 timestamp" in q[1][1]


@pytest.mark.parametrize("value,utc", [
    ("2026-01-01T05:30:00Z", "2026-01-01T05:30:00"),
    ("2026-01-01T05:30:00", "2026-01-01T05:30:00"),  # no offset = UTC
    ("2026-01-01T05:30:00+08:00", "2025-12-31T21:30:00"),
    ("2026-01-01T05:30:00+0800", "2025-12-31T21:30:00"),  # the Parquet reader's %z
    ("2026-01-01T05:30:00-05", "2026-01-01T10:30:00"),
    ("2026-01-01T05:30:00.123456789Z", "2026-01-01T05:30:00.123456789"),
    ("2026-01-01T05:30Z", "2026-01-01T05:30:00"),
    ("2026-01-01", "2026-01-01T00:00:00"),
    ("20260101T053000Z", "2026-01-01T05:30:00"),  # basic format
    ("2026-01-01 05:30:00+08:00", "2025-12-31T21:30:00"),  # a space for the T (RFC 3339; pandas' to_csv)
])
def test_iso_timestamps_still_load(tmp_path: Path, value: str, utc: str):
    purchases(tmp_path, [f"o1,c1,s1,p1,1,10,{value}"])
    v = validate_folder(tmp_path)
    assert quarantined(v, "purchases.csv") == {}
    assert v.tables["purchases"]["purchased_at"].iloc[0] == pd.Timestamp(utc, tz="UTC")


def test_parquet_timestamp_columns_still_load(tmp_path: Path):
    """The reader turns typed timestamps into text (+0000 offsets); that text must pass the check."""
    write(tmp_path, "products.csv", PRODUCTS)
    at = dt.datetime(2026, 1, 1, 5, 30, 0, 250000)
    pq.write_table(pa.table({"order_id": ["o1"], "consumer_id": ["c1"], "streamer_id": ["s1"], "product_id": ["p1"],
                             "quantity": pa.array([2], pa.int64()), "amount": pa.array([10.5]),
                             "purchased_at": pa.array([at], pa.timestamp("us", tz="Asia/Shanghai"))}),
                   tmp_path / "purchases.parquet")
    pq.write_table(pa.table({"consumer_id": ["c1"], "region": ["east"],
                             "registered_at": pa.array([at], pa.timestamp("ms"))}),  # naive = UTC
                   tmp_path / "consumers.parquet")
    v = validate_folder(tmp_path)
    assert quarantined(v, "purchases.parquet") == {} and quarantined(v, "consumers.parquet") == {}
    assert v.tables["purchases"]["purchased_at"].iloc[0] == pd.Timestamp("2026-01-01T05:30:00.25Z")
    assert v.tables["consumers"]["registered_at"].iloc[0] == pd.Timestamp("2026-01-01T05:30:00.25Z")


# ------------------------------------------------------- 4: quantities kept exactly


def test_quantity_beyond_exact_range_is_malformed(tmp_path: Path):
    purchases(tmp_path, ["o1,c1,s1,p1,100000000000000000000001,10,2026-01-01T00:00:00Z",  # > int64
                         "o2,c1,s1,p1,9223372036854775807,10,2026-01-01T00:00:00Z",  # int64 max: 2^63 as float
                         "o3,c1,s1,p1,9007199254740993,10,2026-01-01T00:00:00Z",  # 2^53 + 1: rounds
                         "o4,c1,s1,p1,9007199254740991,10,2026-01-01T00:00:00Z"])  # 2^53 - 1: exact
    v = validate_folder(tmp_path)
    q = quarantined(v, "purchases.csv")
    assert {r: reason for r, (reason, _) in q.items()} == {1: Reason.MALFORMED_NUMBER, 2: Reason.MALFORMED_NUMBER,
                                                           3: Reason.MALFORMED_NUMBER}
    assert "larger than" in q[1][1]
    assert v.tables["purchases"]["quantity"].tolist() == [9007199254740991.0]


# ------------------------------------------------------------------ 5: dated in the future


def test_a_time_later_than_the_clock_is_quarantined_and_cannot_move_as_of(tmp_path: Path):
    from livetrust.graph.projection import Projection

    soon = (pd.Timestamp.now(tz="UTC") + pd.Timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M:%SZ")  # clock skew
    purchases(tmp_path, ["o1,c1,s1,p1,1,10,2099-01-01T05:30:00Z", "o2,c1,s1,p1,1,10,2026-01-01T05:30:00Z",
                         f"o3,c1,s1,p1,1,10,{soon}"])
    write(tmp_path, "follows.csv", "consumer_id,streamer_id,followed_at,unfollowed_at\n"
                                   "c1,s1,2026-01-01T00:00:00Z,2099-06-01T00:00:00Z\n")
    v = validate_folder(tmp_path)
    q = quarantined(v, "purchases.csv")
    assert set(q) == {1} and q[1][0] == Reason.FUTURE_TIMESTAMP and "later than this validation's clock" in q[1][1]
    assert quarantined(v, "follows.csv")[1][0] == Reason.FUTURE_TIMESTAMP
    assert Projection.from_folder(tmp_path).as_of == pd.Timestamp(soon)


def test_a_follow_that_ends_before_it_starts_is_quarantined(tmp_path):
    """Review: loaded, with unfollowed_at a month before followed_at (a negative follow length)."""
    from livetrust.loaders import validate_folder

    (tmp_path / "follows.csv").write_text("consumer_id,streamer_id,followed_at,unfollowed_at\n"
                                          "c1,s1,2026-02-01T00:00:00Z,2026-01-01T00:00:00Z\n"
                                          "c2,s1,2026-02-01T00:00:00Z,2026-02-01T00:00:00Z\n"
                                          "c3,s1,2026-02-01T00:00:00Z,2026-03-01T00:00:00Z\n")
    v = validate_folder(tmp_path)
    assert v.report.file("follows.csv").loaded == 2
    assert v.quarantine[["row", "reason", "detail"]].values.tolist() == [
        [1, "unfollow_before_follow", "unfollowed_at 2026-01-01T00:00:00Z is before followed_at 2026-02-01T00:00:00Z"]]
    assert sorted(v.tables["follows"]["consumer_id"]) == ["c2", "c3"]
