"""Validation outcomes do not depend on how rows are cut into chunks.

``livetrust load`` validates in chunks of 5,000 rows, embedded mode in chunks of 20,000, and a
chunk never spans two files. Every row must get the outcome it gets when rows are judged one at a
time in arrival order (``batch_size=1``): that is the rule the contract states ("the later one is
the duplicate or the conflict"), and it is the only rule under which the two modes agree on any
input. Hypothesis draws small contract folders whose keys repeat on purpose: the same order twice
with other values, a return of an order not loaded, a follow re-sent with its end, a consumer row
with no attributes then with some, partial returns beyond the order's quantity.
"""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory
from types import SimpleNamespace

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from livetrust.contract import Outcome, Reason
from livetrust.loaders import load_folder, validate_folder

T = ["2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z", "2024-01-03T00:00:00Z", "2024-01-04T00:00:00Z"]
FRACTION = "2024-01-04T00:00:00.5Z"  # a time with a fraction of a second (it changed other rows' pending keys)
HEADERS = {
    "factories": "factory_id,name,region",
    "streamers": "streamer_id,name,category,region",
    "products": "product_id,factory_id,name,category,price",
    "consumers": "consumer_id,region,registered_at",
    "follows": "consumer_id,streamer_id,followed_at,unfollowed_at",
    "purchases": "order_id,consumer_id,streamer_id,product_id,quantity,amount,purchased_at",
    "returns": "order_id,returned_at,quantity,reason",
}


def _rows(*fields) -> st.SearchStrategy:
    return st.lists(st.tuples(*[st.sampled_from(f) for f in fields]), max_size=10)


FOLDERS = st.fixed_dictionaries({
    "factories": _rows(["f1", "f2"], ["", "Acme"], ["", "east", "west"]),
    "streamers": _rows(["s1", "s2"], ["", "Ann"], ["", "beauty"], ["", "east"]),
    # p3 is never in the catalog: its purchases stay pending
    "products": _rows(["p1", "p2"], ["f1", "f2", "f3"], ["", "Lip"], ["beauty"], ["1", "2"]),
    "consumers": _rows(["c1", "c2"], ["", "east"], ["", T[0]]),
    "follows": _rows(["c1", "c2"], ["s1"], T[:2], ["", T[2], T[3]]),
    "purchases": _rows(["o1", "o2", "o3"], ["c1"], ["s1", "s2"], ["p1", "p2", "p3"], ["1", "2", "3"], ["5", "6"],
                       T[1:3]),
    # o4 never arrives (pending); T[0] is before every purchase
    "returns": _rows(["o1", "o2", "o3", "o4"], T + [FRACTION], ["", "1", "2", "3"], ["", "broken"]),
})
NONE = {s: [] for s in HEADERS}
OPEN, ENDED = ("c1", "s1", T[0], ""), ("c1", "s1", T[0], T[2])


def _write(folder: Path, streams: dict[str, list[tuple]]) -> None:
    for stream, rows in streams.items():
        if rows:
            lines = [HEADERS[stream]] + [",".join(r) for r in rows]
            (folder / f"{stream}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _outcomes(v) -> pd.DataFrame:
    # the detail names the earlier row it repeats; the outcome and the reason are the rule
    frames = [v.quarantine.assign(outcome=Outcome.QUARANTINED), v.pending.assign(outcome=Outcome.PENDING)]
    cols = ["file", "row", "outcome", "reason"]
    return pd.concat(frames)[cols].sort_values(["file", "row"]).reset_index(drop=True)


def _counts(v) -> list[tuple]:
    return [(f.file, f.read, f.loaded, f.duplicate, f.pending, f.quarantined) for f in v.report.files]


def _tables(v) -> dict[str, pd.DataFrame]:
    # text columns are object or Arrow strings depending on what a chunk held: compare the values
    out = {}
    for stream, t in v.tables.items():
        t = t.astype(object)
        out[stream] = t.where(t.notna(), None).sort_values(list(t.columns)).reset_index(drop=True)
    return out


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(streams=FOLDERS, batch_size=st.integers(2, 6))
# found by a longer random run (review): an open follow repeated after its end within one chunk was a
# duplicate of the stored open row; a pending key's text depended on a fraction elsewhere in its chunk
@example(streams={**NONE, "follows": [OPEN, OPEN, ENDED, OPEN]}, batch_size=2)
# a row that says less than a kept or pending one: a duplicate, one chunk or two
@example(streams={**NONE, "follows": [ENDED, OPEN], "returns": [("o4", T[3], "1", "broken"), ("o4", T[3], "1", "")]},
         batch_size=2)
# found by a longer random run: a row covered by a pending one held its key within its chunk, so the
# pending row's exact repeat after it was judged against it (a conflict) instead of the pending row
@example(streams={**NONE, "returns": [("o1", T[0], "", ""), ("o2", T[1], "", "broken"), ("o2", T[1], "", ""),
                                      ("o2", T[1], "", "broken")]}, batch_size=2)
@example(streams={**NONE, "returns": [("o4", T[3], "1", ""), ("o9", FRACTION, "1", ""), ("o4", T[3], "2", "")]},
         batch_size=2)
def test_outcomes_and_tables_are_those_of_one_row_at_a_time(streams, batch_size):
    assume(any(streams.values()))  # a folder with no stream file is refused
    with TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _write(folder, streams)
        one = validate_folder(folder, batch_size=1)
        chunked = validate_folder(folder, batch_size=batch_size)
    assert _counts(chunked) == _counts(one)
    pd.testing.assert_frame_equal(_outcomes(chunked), _outcomes(one))
    for stream, table in _tables(one).items():
        pd.testing.assert_frame_equal(_tables(chunked)[stream], table, obj=stream)
        # one row per key, as the graph holds it
        key = {"follows": ["consumer_id", "streamer_id", "followed_at"], "returns": ["order_id", "returned_at"]}
        assert not table.duplicated(key.get(stream, [table.columns[0]])).any(), stream


def _validate(tmp_path: Path, name: str, streams: dict[str, str], batch_size: int):
    folder = tmp_path / name
    folder.mkdir()
    for stream, text in streams.items():
        (folder / f"{stream}.csv").write_text(HEADERS[stream] + "\n" + text, encoding="utf-8")
    return validate_folder(folder, batch_size=batch_size)


def _by_row(v, file: str) -> dict[int, tuple[str, str]]:
    o = _outcomes(v)
    return {int(r.row): (r.outcome, r.reason) for r in o[o.file == file].itertuples()}


PURCHASE_O1 = "o1,c1,s1,p1,2,5,2024-01-02T00:00:00Z\n"


def test_a_follow_sent_again_with_its_end_ends_it_in_one_chunk_or_two(tmp_path: Path):
    """An open follow, then the same follow with unfollowed_at (a later export): loaded, one follow, ended."""
    text = "c1,s1,2024-01-01T00:00:00Z,\nc1,s1,2024-01-01T00:00:00Z,2024-01-03T00:00:00Z\n"
    for size in (1, 2):
        v = _validate(tmp_path, f"f{size}", {"follows": text}, size)
        assert v.report.file("follows.csv").loaded == 2, size
        f = v.tables["follows"]
        assert len(f) == 1 and f["unfollowed_at"].iloc[0] == pd.Timestamp("2024-01-03T00:00:00Z"), size


def test_a_row_that_says_less_than_the_loaded_one_is_a_duplicate(tmp_path: Path):
    """Review: re-sending an older export (the open follow, after its end was loaded) quarantined a row
    that had loaded before as conflicting_key. A row empty wherever it differs says nothing new."""
    follows = "c1,s1,2024-01-01T00:00:00Z,2024-01-03T00:00:00Z\nc1,s1,2024-01-01T00:00:00Z,\n"
    consumers = "c1,east,2024-01-01T00:00:00Z\nc1,,\nc1,east,\nc1,west,\n"
    returns = "o9,2024-01-04T00:00:00Z,1,broken\no9,2024-01-04T00:00:00Z,1,\n"  # o9 never arrives: pending
    for size in (1, 2, 10):
        v = _validate(tmp_path, f"s{size}", {"follows": follows, "consumers": consumers, "returns": returns}, size)
        assert _by_row(v, "follows.csv") == {} and v.report.file("follows.csv").duplicate == 1, size
        assert _by_row(v, "consumers.csv") == {4: (Outcome.QUARANTINED, Reason.CONFLICTING_KEY)}, size
        assert v.report.file("consumers.csv").duplicate == 2, size
        assert _by_row(v, "returns.csv") == {1: (Outcome.PENDING, Reason.ORDER_NOT_YET_LOADED)}, size
        assert v.report.file("returns.csv").duplicate == 1, size
        assert v.tables["follows"]["unfollowed_at"].notna().all(), size


def test_a_bare_consumer_takes_the_values_of_its_later_row(tmp_path: Path):
    for size in (1, 3):
        v = _validate(tmp_path, f"c{size}", {"consumers": "c1,,\nc1,east,\nc1,west,\n"}, size)
        assert _by_row(v, "consumers.csv") == {3: (Outcome.QUARANTINED, Reason.CONFLICTING_KEY)}, size
        c = v.tables["consumers"]
        assert c["region"].tolist() == ["east"], size


def test_a_key_pending_with_other_values_is_a_conflict_even_when_the_later_row_could_load(tmp_path: Path):
    """o1 waits for product p3; o1 again for p1 (in the catalog) is a conflict, not a second o1."""
    for size in (1, 2):
        v = _validate(tmp_path, f"p{size}", {"products": "p1,f1,Lip,beauty,1\n",
                                             "purchases": "o1,c1,s1,p3,1,5,2024-01-02T00:00:00Z\n"
                                                          "o1,c1,s1,p1,1,5,2024-01-02T00:00:00Z\n"
                                                          "o1,c1,s1,p3,1,5,2024-01-02T00:00:00Z\n"}, size)
        assert _by_row(v, "purchases.csv") == {1: (Outcome.PENDING, Reason.PRODUCT_NOT_YET_LOADED),
                                               2: (Outcome.QUARANTINED, Reason.CONFLICTING_KEY)}, size
        assert v.report.file("purchases.csv").duplicate == 1 and v.tables["purchases"].empty, size


def test_returns_use_up_an_order_in_arrival_order(tmp_path: Path):
    """Two units bought; the later-dated return arrives first and takes them: the earlier-dated one,
    arriving second, is beyond the quantity, whether the two share a chunk or not."""
    returns = "o1,2024-01-04T00:00:00Z,2,x\no1,2024-01-03T00:00:00Z,1,x\n"
    for size in (1, 2, 3):
        v = _validate(tmp_path, f"r{size}", {"products": "p1,f1,Lip,beauty,1\n", "purchases": PURCHASE_O1,
                                             "returns": returns}, size)
        assert _by_row(v, "returns.csv") == {2: (Outcome.QUARANTINED, Reason.RETURN_EXCEEDS_QUANTITY)}, size


def test_a_return_quarantined_for_its_quantity_does_not_shadow_its_key(tmp_path: Path):
    """A return beyond the quantity is not kept: the same key again with a quantity that fits loads."""
    returns = "o1,2024-01-04T00:00:00Z,3,x\no1,2024-01-04T00:00:00Z,2,x\no1,2024-01-04T00:00:00Z,,x\n"
    for size in (1, 3):
        v = _validate(tmp_path, f"q{size}", {"products": "p1,f1,Lip,beauty,1\n", "purchases": PURCHASE_O1,
                                             "returns": returns}, size)
        assert _by_row(v, "returns.csv") == {1: (Outcome.QUARANTINED, Reason.RETURN_EXCEEDS_QUANTITY)}, size
        # row 3 ("all remaining") repeats row 2 once resolved: a duplicate
        assert v.report.file("returns.csv").duplicate == 1, size
        assert v.tables["returns"]["quantity"].tolist() == [2.0], size


# a bare consumer and an open follow carrying an extra column, then the rows that fill them without it
EXTRAS = {"consumers": ("consumer_id,region,registered_at,note", "c1,,,vip\nc2,west,,\nc1,east,,\n"),
          "follows": ("consumer_id,streamer_id,followed_at,unfollowed_at,via",
                      "c1,s1,2024-01-01T00:00:00Z,,live\nc1,s1,2024-01-01T00:00:00Z,2024-01-03T00:00:00Z,\n")}


def _write_extras(folder: Path) -> Path:
    folder.mkdir()
    for stream, (header, text) in EXTRAS.items():
        (folder / f"{stream}.csv").write_text(header + "\n" + text, encoding="utf-8")
    return folder


def test_a_row_filling_a_bare_one_keeps_its_extra_columns_in_one_chunk_or_two(tmp_path: Path):
    """The bare row's extra values survived only when the filling row came in a later chunk (Neo4j's
    ``SET +=``); within one chunk the bare row was dropped with them."""
    folder = _write_extras(tmp_path / "x")
    for size in (1, 2, 10):
        v = validate_folder(folder, batch_size=size)
        c = v.tables["consumers"].set_index("consumer_id")
        assert c.loc["c1", "region"] == "east" and c.loc["c1", "note"] == "vip", size
        f = v.tables["follows"]
        assert len(f) == 1 and f["via"].iloc[0] == "live" and pd.notna(f["unfollowed_at"].iloc[0]), size


@pytest.mark.integration
@pytest.mark.parametrize("batch_size", [1, 10])
def test_neo4j_keeps_a_bare_rows_extra_columns_in_one_chunk_or_two(neo4j_db, neo4j_settings, tmp_path: Path,
                                                                   batch_size):
    folder = _write_extras(tmp_path / "x")
    load_folder(folder, driver=neo4j_db, database=neo4j_settings.database, report_dir=tmp_path / "r",
                batch_size=batch_size)
    records, _, _ = neo4j_db.execute_query(
        "MATCH (c:Consumer {consumer_id: 'c1'})-[f:FOLLOWS]->() RETURN c.region AS region, c.note AS note, "
        "f.via AS via, f.unfollowed_at IS NOT NULL AS ended", database_=neo4j_settings.database)
    assert [dict(r) for r in records] == [{"region": "east", "note": "vip", "via": "live", "ended": True}]


EDGE_CASES = {
    "products": "p1,f1,Lip,beauty,1\np2,f1,Pen,office,2\n",
    "consumers": "c1,,\nc2,east,\nc1,east,\nc1,west,\n",
    "follows": ("c1,s1,2024-01-01T00:00:00Z,\nc2,s1,2024-01-01T00:00:00Z,\n"
                "c1,s1,2024-01-01T00:00:00Z,2024-01-03T00:00:00Z\nc1,s1,2024-01-01T00:00:00Z,2024-01-04T00:00:00Z\n"),
    "purchases": ("o1,c1,s1,p3,1,5,2024-01-02T00:00:00Z\no2,c1,s1,p1,2,5,2024-01-02T00:00:00Z\n"
                  "o1,c1,s1,p1,1,5,2024-01-02T00:00:00Z\no1,c1,s1,p3,1,5,2024-01-02T00:00:00Z\n"
                  "o3,c2,s1,p2,3,6,2024-01-02T00:00:00Z\n"),
    "returns": ("o2,2024-01-04T00:00:00Z,2,x\no3,2024-01-04T00:00:00Z,4,x\no2,2024-01-03T00:00:00Z,1,x\n"
                "o3,2024-01-04T00:00:00Z,,x\no9,2024-01-04T00:00:00Z,1,x\no9,2024-01-04T00:00:00Z,1,x\n"
                "o9,2024-01-04T00:00:00Z,2,x\no3,2024-01-04T00:00:00Z,3,x\n"),
}


def _load_outcomes(report_dir: Path) -> pd.DataFrame:
    frames = [pd.read_csv(report_dir / f"{name}.csv", dtype=str, keep_default_na=False).assign(outcome=outcome)
              for name, outcome in (("quarantine", Outcome.QUARANTINED), ("pending", Outcome.PENDING))]
    out = pd.concat(frames)[["file", "row", "outcome", "reason"]].astype({"row": "int64"})
    return out.sort_values(["file", "row"]).reset_index(drop=True)


@pytest.mark.integration
@pytest.mark.parametrize("batch_size", [1, 2, 3])
def test_load_into_neo4j_in_small_chunks_agrees_with_embedded_validation(neo4j_db, neo4j_settings, tmp_path: Path,
                                                                        batch_size):
    """``livetrust load`` in chunks of 1, 2 and 3 rows (CREATE for new keys, MERGE for repeats) and
    embedded validation in one chunk: the same outcome for every row and the same projection."""
    from livetrust.graph.projection import Projection

    from test_projection_parity import assert_same

    folder = tmp_path / "edge"
    folder.mkdir()
    for stream, text in EDGE_CASES.items():
        (folder / f"{stream}.csv").write_text(HEADERS[stream] + "\n" + text, encoding="utf-8")
    embedded = validate_folder(folder)
    report = load_folder(folder, driver=neo4j_db, database=neo4j_settings.database, report_dir=tmp_path / "r",
                         batch_size=batch_size)
    assert _counts(SimpleNamespace(report=report)) == _counts(embedded)
    pd.testing.assert_frame_equal(_load_outcomes(tmp_path / "r"), _outcomes(embedded))
    assert_same(Projection.from_neo4j(neo4j_db, neo4j_settings.database), Projection.from_validated(embedded))
    assert _by_row(embedded, "returns.csv") == {
        2: (Outcome.QUARANTINED, Reason.RETURN_EXCEEDS_QUANTITY), 3: (Outcome.QUARANTINED, Reason.RETURN_EXCEEDS_QUANTITY),
        5: (Outcome.PENDING, Reason.ORDER_NOT_YET_LOADED), 7: (Outcome.QUARANTINED, Reason.CONFLICTING_KEY)}
    follows = Projection.from_validated(embedded).follows.set_index("consumer_id")
    assert follows.loc["c1", "unfollowed_at"] == pd.Timestamp("2024-01-03T00:00:00Z")  # row 4 conflicts with row 3
