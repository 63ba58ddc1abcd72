"""Readers and validation rules, embedded (no Neo4j): hand-written contract folders, exact counts."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from livetrust.cli import main
from livetrust.contract import Outcome, Reason
from livetrust.errors import InputError
from livetrust.loaders import validate_folder
from livetrust.loaders.readers import discover, read_chunks

FACTORIES = "factory_id,name,region\nf1,Acme,east\nf2,Bolt,west\n"
PRODUCTS = "product_id,factory_id,name,category,price\np1,f1,Lipstick,beauty,19.90\np2,f2,Phone,tech,999\n"
PURCHASES = (
    "order_id,consumer_id,streamer_id,product_id,quantity,amount,purchased_at\n"
    "o1,c1,s1,p1,3,59.70,2024-01-01T10:00:00Z\n"
    "o2,c2,s1,p2,1,999,2024-01-02T10:00:00\n"
    "o3,c1,s2,p1,1,19.90,2024-01-03T10:00:00+08:00\n"
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def outcomes(v, file: str) -> dict[int, tuple[str, str]]:
    """row -> (outcome, reason) of the rejected rows of one file."""
    out = {}
    for name, frame in (("quarantined", v.quarantine), ("pending", v.pending)):
        for r in frame[frame.file == file].itertuples():
            out[int(r.row)] = (name, r.reason)
    return out


def counts(v, file: str) -> tuple[int, int, int, int, int]:
    f = v.report.file(file)
    return f.read, f.loaded, f.duplicate, f.pending, f.quarantined


@pytest.fixture
def base(tmp_path: Path) -> Path:
    write(tmp_path, "factories.csv", FACTORIES)
    write(tmp_path, "products.csv", PRODUCTS)
    write(tmp_path, "purchases.csv", PURCHASES)
    return tmp_path


def test_clean_folder_loads_everything_typed(base: Path):
    v = validate_folder(base)
    assert counts(v, "purchases.csv") == (3, 3, 0, 0, 0)
    p = v.tables["purchases"].set_index("order_id")
    assert str(p["purchased_at"].dtype) == "datetime64[ns, UTC]"
    assert p.loc["o2", "purchased_at"] == pd.Timestamp("2024-01-02T10:00:00Z")  # no offset = UTC
    assert p.loc["o3", "purchased_at"] == pd.Timestamp("2024-01-03T02:00:00Z")  # offset converted
    assert p.loc["o1", "amount"] == pytest.approx(59.70)
    assert v.report.file("streamers.csv") is None  # a missing optional file is an empty stream


def test_field_rules_quarantine_with_reasons(tmp_path: Path):
    write(tmp_path, "products.csv", PRODUCTS + "p3,f1,Bad,beauty,-3\np4,f1,Bad,beauty,12..5\n")
    long_id = "x" * 129
    write(tmp_path, "purchases.csv", PURCHASES
          + ",c1,s1,p1,1,5,2024-01-01T10:00:00Z\n"  # row 4: missing order_id
          + f"{long_id},c1,s1,p1,1,5,2024-01-01T10:00:00Z\n"  # 5
          + "o6,c1,s1,p1,1,5,2026-02-30T10:00:00Z\n"  # 6
          + "o7,c1,s1,p1,two,5,2024-01-01T10:00:00Z\n"  # 7
          + "o8,c1,s1,p1,1,-5,2024-01-01T10:00:00Z\n"  # 8
          + "o9,c1,s1,p1,0,5,2024-01-01T10:00:00Z\n"  # 9
          + "o10,c1,s1,p1,-2,5,2024-01-01T10:00:00Z\n"  # 10
          + "  o11  ,c1,s1,p1,1,5,2024-01-01T10:00:00Z\n")  # 11: ids are trimmed
    v = validate_folder(tmp_path)
    assert outcomes(v, "products.csv") == {3: ("quarantined", Reason.NEGATIVE_AMOUNT),
                                           4: ("quarantined", Reason.MALFORMED_NUMBER)}
    assert outcomes(v, "purchases.csv") == {
        4: ("quarantined", Reason.MISSING_VALUE), 5: ("quarantined", Reason.MALFORMED_ID),
        6: ("quarantined", Reason.MALFORMED_TIMESTAMP), 7: ("quarantined", Reason.MALFORMED_NUMBER),
        8: ("quarantined", Reason.NEGATIVE_AMOUNT), 9: ("quarantined", Reason.ZERO_QUANTITY),
        10: ("quarantined", Reason.MALFORMED_NUMBER),
    }
    assert counts(v, "purchases.csv") == (11, 4, 0, 0, 7)
    assert "o11" in set(v.tables["purchases"]["order_id"])
    q = v.quarantine[v.quarantine.row == 6].iloc[0]
    assert json.loads(q["values"])["purchased_at"] == "2026-02-30T10:00:00Z"  # original values kept


def test_duplicates_and_conflicts_within_a_load(base: Path):
    write(base, "purchases.csv", PURCHASES
          + "o1,c1,s1,p1,3,59.70,2024-01-01T10:00:00Z\n"  # 4: same row again -> duplicate
          + "o1,c1,s1,p1,3,60.70,2024-01-01T10:00:00Z\n"  # 5: other amount -> conflicting_key
          + "o1,c1,s1,p1,3,60.70,2024-01-01T10:00:00Z\n"  # 6: same as the conflict, still not the loaded row
          + "o2,c2,s1,p2,1,999.00,2024-01-02T10:00:00Z\n")  # 7: same values written differently -> duplicate
    v = validate_folder(base, batch_size=2)  # keys repeat across chunks too
    assert outcomes(v, "purchases.csv") == {5: ("quarantined", Reason.CONFLICTING_KEY),
                                            6: ("quarantined", Reason.CONFLICTING_KEY)}
    assert counts(v, "purchases.csv") == (7, 3, 2, 0, 2)
    assert v.tables["purchases"].set_index("order_id").loc["o1", "amount"] == pytest.approx(59.70)


def test_pending_for_unknown_product_and_order(base: Path):
    write(base, "purchases.csv", PURCHASES + "o4,c3,s1,p9,1,5,2024-01-04T10:00:00Z\n")
    write(base, "returns.csv", "order_id,returned_at,quantity,reason\no9,2024-02-01T00:00:00Z,1,x\n"
          "o4,2024-02-01T00:00:00Z,1,x\n")
    v = validate_folder(base)
    assert outcomes(v, "purchases.csv") == {4: ("pending", Reason.PRODUCT_NOT_YET_LOADED)}
    assert outcomes(v, "returns.csv") == {1: ("pending", Reason.ORDER_NOT_YET_LOADED),
                                          2: ("pending", Reason.ORDER_NOT_YET_LOADED)}


def test_return_rules_count_earlier_returns(base: Path):
    write(base, "returns.csv", "order_id,returned_at,quantity,reason\n"
          "o1,2024-01-05T00:00:00Z,1,defective\n"  # 1: ok (1 of 3)
          "o1,2023-12-31T00:00:00Z,1,defective\n"  # 2: before the purchase
          "o1,2024-01-06T00:00:00Z,3,defective\n"  # 3: 1 + 3 > 3
          "o1,2024-01-07T00:00:00Z,,changed_mind\n"  # 4: empty = the 2 remaining
          "o1,2024-01-08T00:00:00Z,,changed_mind\n"  # 5: nothing left
          "o2,2024-01-08T00:00:00Z,0,x\n")  # 6: zero quantity
    v = validate_folder(base)
    assert outcomes(v, "returns.csv") == {
        2: ("quarantined", Reason.RETURN_BEFORE_PURCHASE), 3: ("quarantined", Reason.RETURN_EXCEEDS_QUANTITY),
        5: ("quarantined", Reason.RETURN_EXCEEDS_QUANTITY), 6: ("quarantined", Reason.ZERO_QUANTITY)}
    r = v.tables["returns"]
    assert sorted(r["quantity"].tolist()) == [1.0, 2.0]
    from livetrust.graph.projection import Projection

    o = Projection.from_validated(v).orders.set_index("order_id")
    assert o.loc["o1", "returned_quantity"] == 3 and o.loc["o2", "returned_quantity"] == 0
    assert o.loc["o1", "first_returned_at"] == pd.Timestamp("2024-01-05T00:00:00Z")
    assert pd.isna(o.loc["o2", "first_returned_at"])


def test_entities_bare_nodes_and_conflicts(tmp_path: Path):
    write(tmp_path, "consumers.csv", "consumer_id,region,registered_at\nc1,east,2023-01-01\nc1,west,2023-01-01\n"
          "c2,,\n")
    write(tmp_path, "follows.csv", "consumer_id,streamer_id,followed_at,unfollowed_at\n"
          "c1,s1,2024-01-01T00:00:00Z,\nc9,s1,2024-01-01T00:00:00Z,2024-02-01T00:00:00Z\n"
          "c1,s1,2024-01-01T00:00:00Z,2024-03-01T00:00:00Z\nc1,s1,2024-01-02T00:00:00Z,\n")
    v = validate_folder(tmp_path)
    assert outcomes(v, "consumers.csv") == {2: ("quarantined", Reason.CONFLICTING_KEY)}
    assert outcomes(v, "follows.csv") == {}  # row 3 ends the open follow of row 1
    from livetrust.graph.projection import Projection

    p = Projection.from_validated(v)
    assert sorted(p.consumers["consumer_id"]) == ["c1", "c2", "c9"]  # c9 only from a follow
    assert sorted(p.streamers["streamer_id"]) == ["s1"]
    assert len(p.follows) == 3
    first = p.follows[(p.follows.consumer_id == "c1") & (p.follows.followed_at == pd.Timestamp("2024-01-01", tz="UTC"))]
    assert first["unfollowed_at"].tolist() == [pd.Timestamp("2024-03-01", tz="UTC")]


def test_formats_and_part_folders_agree(tmp_path: Path):
    rows = [{"order_id": f"o{i}", "consumer_id": "c1", "streamer_id": "s1", "product_id": "p1",
             "quantity": str(1 + i % 3), "amount": f"{i}.50", "purchased_at": f"2024-01-{1 + i % 28:02d}T10:00:00Z",
             "note": "extra"} for i in range(50)]
    rows[7]["quantity"] = "0"
    frame = pd.DataFrame(rows)
    folders = {}
    for fmt in ("csv", "csv.gz", "parquet", "jsonl", "jsonl.gz", "parts"):
        d = tmp_path / fmt
        write(d, "factories.csv", FACTORIES)
        write(d, "products.csv", PRODUCTS)
        if fmt == "csv":
            frame.to_csv(d / "purchases.csv", index=False)
        elif fmt == "csv.gz":
            frame.to_csv(d / "purchases.csv.gz", index=False, compression="gzip")
        elif fmt == "parquet":
            t = frame.assign(quantity=frame.quantity.astype(int), amount=frame.amount.astype(float))
            pq.write_table(pa.Table.from_pandas(t, preserve_index=False), d / "purchases.parquet")
        elif fmt.startswith("jsonl"):
            lines = "".join(json.dumps({**r, "quantity": int(r["quantity"]), "amount": float(r["amount"])}) + "\n"
                            for r in rows)
            if fmt == "jsonl":
                (d / "purchases.jsonl").write_text(lines)
            else:
                with gzip.open(d / "purchases.jsonl.gz", "wt") as fh:
                    fh.write(lines)
        else:
            (d / "purchases").mkdir()
            frame.iloc[:20].to_csv(d / "purchases" / "part-0000.csv", index=False)
            frame.iloc[20:].to_parquet(d / "purchases" / "part-0001.parquet", index=False)
        folders[fmt] = validate_folder(d, batch_size=16)
    ref = folders["csv"].tables["purchases"].sort_values("order_id").reset_index(drop=True)
    for fmt, v in folders.items():
        got = v.tables["purchases"].sort_values("order_id").reset_index(drop=True)
        pd.testing.assert_frame_equal(got[ref.columns[:7]], ref[ref.columns[:7]], check_dtype=False, obj=fmt)
        assert list(got["note"].unique()) == ["extra"]
        assert v.report.totals().quarantined == 1
    assert outcomes(folders["jsonl.gz"], "purchases.jsonl.gz") == {8: ("quarantined", Reason.ZERO_QUANTITY)}
    parts = folders["parts"].report
    assert [f.file for f in parts.files][-2:] == ["purchases/part-0000.csv", "purchases/part-0001.parquet"]


def test_malformed_csv_rows_keep_row_numbers(tmp_path: Path):
    write(tmp_path, "factories.csv", "factory_id,name,region\nf1,A,east\nf2,B,west,EXTRA\nf3,C,x\nbroken\nf5,E,y\n")
    v = validate_folder(tmp_path, batch_size=2)
    assert outcomes(v, "factories.csv") == {2: ("quarantined", Reason.MALFORMED_ROW),
                                            4: ("quarantined", Reason.MALFORMED_ROW)}
    assert counts(v, "factories.csv") == (5, 3, 0, 0, 2)


def test_reader_row_numbers_across_chunks(tmp_path: Path):
    write(tmp_path, "factories.csv", "factory_id\n" + "".join(f"f{i}\n" for i in range(10)))
    (src,) = discover(tmp_path)["factories"]
    rows = [r for ch in read_chunks(src, 3) for r in ch.rows.tolist()]
    assert rows == list(range(1, 11))


@pytest.mark.parametrize("setup, message", [
    (lambda d: None, "input folder not found"),
    (lambda d: write(d, "purchases.xlsx", "x"), "unknown format"),
    (lambda d: write(d, "purchases.csv", "order_id,consumer_id\no1,c1\n"), "missing required columns"),
    (lambda d: write(d, "returns.jsonl", '{"order_id": "o1"}\n'), "missing required column returned_at"),
    (lambda d: (write(d, "returns.csv", "order_id,returned_at\n"), write(d, "returns.parquet", "x")), "given twice"),
])
def test_input_errors_are_one_line(tmp_path: Path, setup, message):
    folder = tmp_path / "in"
    if message != "input folder not found":
        folder.mkdir()
    setup(folder)
    with pytest.raises(InputError) as err:
        validate_folder(folder)
    assert message in str(err.value) and "\n" not in str(err.value)
    result = CliRunner().invoke(main, ["load", str(folder), "--dry-run", "--quiet", "--uri", "bolt://127.0.0.1:1",
                                       "--report-dir", str(tmp_path / "rep")])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert len([ln for ln in result.output.splitlines() if ln.strip()]) == 1


def test_embedded_report_dir_files(base: Path, tmp_path: Path):
    write(base, "purchases.csv", PURCHASES + "o9,c1,s1,p1,0,5,2024-01-01T10:00:00Z\n")
    out = tmp_path / "report"
    v = validate_folder(base, report_dir=out)
    data = json.loads((out / "reconciliation.json").read_text())
    f = next(f for f in data["files"] if f["file"] == "purchases.csv")
    assert (f["read"], f["loaded"], f["quarantined"]) == (4, 3, 1)
    q = pd.read_csv(out / "quarantine.csv")
    assert list(q.columns) == ["stream", "file", "row", "key", "reason", "detail", "values"]
    assert q.iloc[0].to_dict()["row"] == 4 and q.iloc[0]["reason"] == Reason.ZERO_QUANTITY
    assert v.report.mode == "embedded" and Outcome.LOADED == "loaded"


def test_dry_run_without_neo4j_validates_against_an_empty_graph(base: Path, tmp_path: Path):
    from livetrust.loaders import load_folder
    from livetrust.settings import Neo4jSettings

    report = load_folder(base, settings=Neo4jSettings(uri="bolt://127.0.0.1:1", password="x"), dry_run=True,
                         report_dir=tmp_path / "dry")
    assert report.mode == "dry-run" and "empty graph" in report.notes[0]
    assert counts_of(report, "purchases.csv") == (3, 3, 0, 0, 0)
    assert json.loads((tmp_path / "dry" / "reconciliation.json").read_text())["mode"] == "dry-run"


def counts_of(report, file: str) -> tuple[int, int, int, int, int]:
    f = report.file(file)
    return f.read, f.loaded, f.duplicate, f.pending, f.quarantined


def test_malformed_jsonl_lines_are_quarantined(tmp_path: Path):
    write(tmp_path, "factories.jsonl", '{"factory_id": "f1"}\n[1, 2]\n{"factory_id": "f3", "name": null}\n'
          '{not json\n{"factory_id": 17, "region": "x"}\n')
    v = validate_folder(tmp_path)
    assert outcomes(v, "factories.jsonl") == {2: ("quarantined", Reason.MALFORMED_ROW),
                                              4: ("quarantined", Reason.MALFORMED_ROW)}
    assert sorted(v.tables["factories"]["factory_id"]) == ["17", "f1", "f3"]
    # JSON Lines have no header: the reason says what is wrong with the line
    details = v.quarantine.set_index("row")["detail"]
    assert details[2] == "not a JSON object" and details[4].startswith("not valid JSON (Expecting property name")


def test_a_jsonl_object_giving_a_column_twice_is_quarantined(tmp_path: Path):
    """json.loads keeps the last of two equal names: the row would load with a value chosen silently."""
    write(tmp_path, "factories.jsonl", '{"factory_id": "f1", "region": "east"}\n'
          '{"factory_id": "f2", "region": "east", "region": "west"}\n'
          '{"factory_id": "f3", " region": "x", "region ": "y"}\n'
          '{"factory_id": "f4", "tags": {" a ": 1, "a": 2}}\n')  # a nested object is a value, as sent
    v = validate_folder(tmp_path)
    assert outcomes(v, "factories.jsonl") == {2: ("quarantined", Reason.MALFORMED_ROW),
                                              3: ("quarantined", Reason.MALFORMED_ROW)}
    details = v.quarantine.set_index("row")["detail"]
    assert details[2] == "the object gives 'region' twice" and details[3] == "the object gives 'region' twice"
    assert v.tables["factories"]["factory_id"].tolist() == ["f1", "f4"]
    assert json.loads(v.tables["factories"].set_index("factory_id").loc["f4", "tags"]) == {" a ": 1, "a": 2}


def test_jsonl_nested_values_keep_their_numbers_as_sent(tmp_path: Path):
    """Review: nested numbers came back as strings ({"a": 1} stored as {"a": "1"})."""
    write(tmp_path, "factories.jsonl", '{"factory_id": "f1", "meta": {"a": 1.50, "b": [1, "x", null, 2e3], "c": true}}\n'
          '{"factory_id": "f2", "price": 1.50, "tags": [10, -0.0]}\n')
    t = validate_folder(tmp_path).tables["factories"].set_index("factory_id")
    assert t.loc["f1", "meta"] == '{"a": 1.50, "b": [1, "x", null, 2e3], "c": true}'
    assert t.loc["f2", "price"] == "1.50" and t.loc["f2", "tags"] == "[10, -0.0]"


def _outcome_rows(v) -> pd.DataFrame:
    # the detail names the earlier row when it was in the same chunk, so it depends on the chunking
    return v.quarantine.drop(columns="detail").sort_values(["file", "row"]).reset_index(drop=True)


def test_chunk_size_does_not_change_any_outcome(tmp_path: Path):
    """Keys are looked up across chunks (composite keys of follows and returns included): a corrupt
    world validated in chunks of 7 rows sorts every row as it does in one chunk per file."""
    from livetrust.world import generate_world

    generate_world(tmp_path / "w", scale="xs", seed=5, corrupt=0.05)
    small = validate_folder(tmp_path / "w", batch_size=7)
    whole = validate_folder(tmp_path / "w", batch_size=1_000_000)
    assert [(f.file, f.read, f.loaded, f.duplicate, f.pending, f.quarantined) for f in small.report.files] == \
        [(f.file, f.read, f.loaded, f.duplicate, f.pending, f.quarantined) for f in whole.report.files]
    assert small.report.totals().duplicate > 0 and small.report.totals().quarantined > 0
    pd.testing.assert_frame_equal(_outcome_rows(small), _outcome_rows(whole))
    for stream, table in whole.tables.items():
        pd.testing.assert_frame_equal(small.tables[stream], table, obj=stream)


def test_key_lookups_check_keys_exactly_when_hashes_collide(base: Path, monkeypatch):
    """Stored keys are found by hash, then compared: with every hash equal, only the same key matches."""
    from livetrust.loaders import state

    monkeypatch.setattr(state, "_key_hashes", lambda keys: np.zeros(len(keys), dtype=np.uint64))
    write(base, "purchases.csv", PURCHASES
          + "o1,c1,s1,p1,3,59.70,2024-01-01T10:00:00Z\n"  # 4: same row as 1 -> duplicate
          + "o4,c1,s1,p1,3,59.70,2024-01-01T10:00:00Z\n")  # 5: new key, same values -> loaded
    write(base, "returns.csv", "order_id,returned_at,quantity,reason\n"
          "o1,2024-01-05T00:00:00Z,1,defective\n"
          "o1,2024-01-06T00:00:00Z,1,defective\n"  # same order, other time: another return
          "o1,2024-01-05T00:00:00Z,1,defective\n")  # 3: same key and values -> duplicate
    v = validate_folder(base, batch_size=2)
    assert counts(v, "purchases.csv") == (5, 4, 1, 0, 0)
    assert counts(v, "returns.csv") == (3, 2, 1, 0, 0)
    assert sorted(v.tables["purchases"]["order_id"]) == ["o1", "o2", "o3", "o4"]
    asked = pd.DataFrame({"order_id": ["o1", "o9"],
                          "returned_at": pd.to_datetime(["2024-01-06", "2024-01-06"], utc=True).as_unit("ns").asi8})
    found = v.state.existing("returns", asked)
    assert found[["order_id", "returned_at"]].values.tolist() == [["o1", asked.returned_at[0]]]


def test_written_hashes_find_every_added_hash_across_merges(monkeypatch):
    """The fresh streams' written-key hashes live in two sorted runs; with merges forced every few
    chunks, every added hash is found, no other is, and each run stays sorted."""
    from livetrust.loaders.state import _SortedRuns

    monkeypatch.setattr(_SortedRuns, "MIN_RECENT", 4)
    monkeypatch.setattr(_SortedRuns, "MERGE_AT", 2)
    rng = np.random.default_rng(3)
    added = rng.choice(np.arange(0, 10_000, 2, dtype=np.uint64), 300, replace=False)  # even numbers only
    written = _SortedRuns(positions=False)
    merges = 0
    for chunk in np.array_split(added, 40):
        before = len(written.main[0])
        written.add(chunk)
        merges += len(written.main[0]) > before
        assert (np.diff(written.main[0].astype(np.int64)) >= 0).all()
        assert (np.diff(written.recent[0].astype(np.int64)) >= 0).all()
    assert merges >= 5 and len(written.main[0]) + len(written.recent[0]) == 300
    assert written.contains(added).all()
    odd = np.arange(1, 10_001, 2, dtype=np.uint64)
    assert not written.contains(odd).any()
    assert written.contains(np.array([added[0], 1, added[-1]], dtype=np.uint64)).tolist() == [True, False, True]


def test_key_index_finds_every_stored_position_across_merges(monkeypatch):
    """The embedded state's key index keeps hashes and row positions in two sorted runs; with merges
    forced every few chunks, every stored key gives back exactly its positions (a key stored twice,
    both), in whichever run they are, and an absent key none."""
    from livetrust.loaders.state import _KeyIndex, _SortedRuns

    monkeypatch.setattr(_SortedRuns, "MIN_RECENT", 4)
    monkeypatch.setattr(_SortedRuns, "MERGE_AT", 2)
    ids = [f"c{i}" for i in range(300)] + ["c7", "c250"]  # two keys stored twice
    index = _KeyIndex()
    merges = 0
    for chunk in np.array_split(np.arange(len(ids)), 40):
        before = len(index.runs.main[0])
        index.add(pd.DataFrame({"consumer_id": [ids[i] for i in chunk]}))
        merges += len(index.runs.main[0]) > before
        for hashes in (index.runs.main[0], index.runs.recent[0]):
            assert (hashes[1:] >= hashes[:-1]).all()
    runs = index.runs
    assert merges >= 5 and len(index) == len(ids) and len(runs.main[0]) + len(runs.recent[0]) == len(ids)
    asked = pd.DataFrame({"consumer_id": ["c0", "c7", "c299", "c250", "nobody", "c150", "c7"]})  # c7 asked twice
    rows, positions = index.candidates(asked)
    found = sorted(zip(rows.tolist(), positions.tolist()))
    assert found == [(0, 0), (1, 7), (1, 300), (2, 299), (3, 250), (3, 301), (5, 150), (6, 7), (6, 300)]


def test_load_batch_default_is_the_pipelines():
    """The CLI writes its --batch-size default out (it imports no job module at start): it must be
    the loaders' LOAD_BATCH."""
    from livetrust.cli import load
    from livetrust.loaders.pipeline import LOAD_BATCH

    assert next(p.default for p in load.params if p.name == "batch_size") == LOAD_BATCH
