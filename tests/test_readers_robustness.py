"""Readers on awkward input: one-line InputErrors naming the file, or the rows loaded; nothing lost."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from livetrust.errors import InputError
from livetrust.loaders import validate_folder
from livetrust.loaders import readers

FACTORIES = "factory_id,name,region\nf1,Acme,east\nf2,Bolt,west\n"
PRODUCTS = "product_id,factory_id,name,category,price\np1,f1,Lipstick,beauty,19.90\np2,f2,Phone,tech,999\n"
HEADER = "order_id,consumer_id,streamer_id,product_id,quantity,amount,purchased_at"
ROWS = [
    "o1,c1,s1,p1,3,59.70,2024-01-01T10:00:00Z",
    "o2,c2,s1,p2,1,999,2024-01-02T10:00:00Z",
    "o3,c1,s2,p1,1,19.90,2024-01-03T10:00:00Z",
]


@pytest.fixture
def base(tmp_path: Path) -> Path:
    (tmp_path / "factories.csv").write_text(FACTORIES)
    (tmp_path / "products.csv").write_text(PRODUCTS)
    return tmp_path


def purchases(folder: Path, header: str = HEADER, rows: list[str] = ROWS) -> Path:
    path = folder / "purchases.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def input_error(folder: Path) -> str:
    with pytest.raises(InputError) as err:
        validate_folder(folder)
    message = str(err.value)
    assert "\n" not in message
    return message


def loaded(v, file: str) -> tuple[int, int]:
    f = v.report.file(file)
    return f.read, f.loaded


def stderr_of_validate(folder: Path) -> list[str]:
    """The non-empty stderr lines of validate_folder in a fresh interpreter that prints its error."""
    code = ("import sys\nfrom livetrust.loaders import validate_folder\n"
            "try:\n    validate_folder(sys.argv[1])\nexcept Exception as e:\n    print(e, file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True, timeout=120)
    return [ln for ln in proc.stderr.splitlines() if ln.strip()]


# 1. a repeated header column used to keep the last copy silently
def test_duplicated_header_column_is_an_input_error(base: Path):
    purchases(base, HEADER + ",amount", [r + ",1.00" for r in ROWS])
    message = input_error(base)
    assert "purchases.csv" in message and "amount" in message and "more than once" in message


def test_columns_repeated_after_trimming_are_an_input_error(base: Path):
    purchases(base, HEADER + ", amount ", [r + ",1.00" for r in ROWS])
    assert "amount" in input_error(base)


# 2. spaces around CSV header names, as Parquet and JSONL names are trimmed
def test_csv_header_names_are_trimmed(base: Path):
    purchases(base, ",".join(f" {c} " for c in HEADER.split(",")))
    v = validate_folder(base)
    assert loaded(v, "purchases.csv") == (3, 3)
    assert list(v.tables["purchases"].columns[:7]) == HEADER.split(",")


# 3. not UTF-8, binary, truncated gzip: one line naming the file and the reason
def test_truncated_csv_gz_is_an_input_error(base: Path):
    data = gzip.compress(("\n".join([HEADER, *ROWS * 200]) + "\n").encode())
    (base / "purchases.csv.gz").write_bytes(data[: len(data) // 2])
    message = input_error(base)
    assert "purchases.csv.gz" in message and "Truncated compressed stream" in message


def test_invalid_utf8_names_the_data_row_and_column(base: Path):
    path = purchases(base)
    path.write_bytes(path.read_bytes().replace(b"o3,", b"o\xff3,"))
    message = input_error(base)
    assert "purchases.csv" in message and "data row 3" in message and "order_id" in message
    assert "not valid UTF-8" in message


def test_invalid_utf8_row_number_counts_malformed_rows(base: Path):
    path = purchases(base, rows=[ROWS[0], "o9,too,few", ROWS[1], ROWS[2]])
    path.write_bytes(path.read_bytes().replace(b"o3,", b"o\xff3,"))
    assert "data row 4" in input_error(base)


def test_invalid_utf8_in_a_malformed_row_prints_one_line(base: Path):
    path = purchases(base, rows=[ROWS[0], ROWS[1], ROWS[2] + ",extra"])
    path.write_bytes(path.read_bytes().replace(b"o3,", b"o\xff3,"))
    lines = stderr_of_validate(base)  # no "Exception ignored ... UnicodeDecodeError" before it
    assert len(lines) == 1, lines
    assert "purchases.csv" in lines[0] and "not valid UTF-8" in lines[0]


def test_binary_csv_header_is_an_input_error(base: Path):
    (base / "purchases.csv").write_bytes(b"\xff\xfe\x00\x01order_id\n" + bytes(range(256)))
    lines = stderr_of_validate(base)
    assert len(lines) == 1 and "purchases.csv" in lines[0], lines


def test_jsonl_not_utf8_and_truncated_gzip_are_input_errors(base: Path):
    (base / "factories.csv").unlink()
    (base / "factories.jsonl").write_bytes(b'{"factory_id": "f1"}\n\n{"factory_id": "f\xff"}\n')
    message = input_error(base)
    assert "factories.jsonl" in message and "data row 2" in message and "not valid UTF-8" in message
    (base / "factories.jsonl").unlink()
    data = gzip.compress(b"".join(b'{"factory_id": "f%d"}\n' % i for i in range(500)))
    (base / "factories.jsonl.gz").write_bytes(data[:-20])
    message = input_error(base)
    assert "factories.jsonl.gz" in message and "Truncated compressed stream" in message


# 4. a header error must not leave its stream to the garbage collector (SIGABRT at exit)
def test_streams_are_closed_when_the_header_is_rejected(base: Path, monkeypatch):
    opened = []
    real = pa.input_stream

    def recording(*args, **kwargs):
        opened.append(real(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(readers.pa, "input_stream", recording)
    purchases(base, HEADER.replace("amount", "amt"))
    assert "missing required column amount" in input_error(base)
    assert opened and all(s.closed for s in opened)


# 5. a JSONL file written with a BOM kept its first row as malformed
def test_jsonl_bom_is_ignored(base: Path):
    (base / "factories.csv").unlink()
    text = "".join(json.dumps({"factory_id": f, "name": n}) + "\n" for f, n in (("f1", "Acme"), ("f2", "Bolt")))
    (base / "factories.jsonl").write_text(text, encoding="utf-8-sig")
    v = validate_folder(base)
    assert loaded(v, "factories.jsonl") == (2, 2)
    assert v.quarantine.empty


# 6. a field over 1 MB in the first data row failed the header read
def test_big_field_in_first_csv_row_loads(base: Path):
    big = "x" * (2 << 20)
    (base / "factories.csv").write_text(f"factory_id,name,region\nf1,{big},east\nf2,Bolt,west\n")
    v = validate_folder(base)
    assert loaded(v, "factories.csv") == (2, 2)
    assert v.tables["factories"].set_index("factory_id").loc["f1", "name"] == big


@pytest.mark.parametrize("name", ["Purchases.csv", "return.csv", "FACTORY.jsonl", "follow.csv.gz"])
def test_a_stream_file_named_almost_right_is_refused(tmp_path, name):
    """Skipped as not a stream, it would have left its stream empty and the run 'succeeded'."""
    (tmp_path / name).write_text("x\n")
    (tmp_path / "notes.csv").write_text("x\n")  # not near a stream name: still ignored
    with pytest.raises(InputError, match=rf"{re.escape(name)}: not a stream name; the \w+ stream is read from"):
        readers.discover(tmp_path)


@pytest.mark.parametrize("name, message", [
    ("Purchases/", "not a stream name; the purchases stream is read from a purchases/ folder"),
    ("purchase/", "not a stream name; the purchases stream is read from a purchases/ folder"),
    ("purchases (1).csv", "named like the purchases stream but not read as it"),
    ("purchases_2026.csv", "named like the purchases stream but not read as it"),
    ("factory-part1.jsonl", "named like the factories stream but not read as it"),
    ("returns.bak/", "named like the returns stream but not read as it"),
])
def test_a_stream_folder_or_part_file_named_almost_right_is_refused(tmp_path, name, message):
    """Review: these loaded nothing of their stream, exit 0, no note (only files of another case or the
    singular were refused)."""
    (tmp_path / "products.csv").write_text("product_id,factory_id,name,category,price\n")
    if name.endswith("/"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "part-0.csv").write_text("x\n")
    else:
        (tmp_path / name).write_text("x\n")
    (tmp_path / "_purchases_old.csv").write_text("x\n")  # a leading _ leaves a file out
    (tmp_path / "holdout").mkdir()  # folders not named like a stream are not read
    with pytest.raises(InputError, match=re.escape(f"{tmp_path / name.rstrip('/')}: {message}")):
        readers.discover(tmp_path)


def test_side_files_named_after_a_stream_with_a_word_of_their_own_are_not_read(tmp_path):
    """Review of the diff: 'the stream's name and a separator' refused consumer_segments.csv and the like,
    other tables a data folder may hold; only copies, parts and dated exports look like the stream."""
    (tmp_path / "factories.csv").write_text("factory_id,name,region\nf1,Acme,east\n")
    for name in ("consumer_segments.csv", "product_categories.jsonl", "streamer_stats.csv"):
        (tmp_path / name).write_text("x\n")
    (tmp_path / "follow-up").mkdir()
    assert readers.discover(tmp_path)["factories"][0].relpath == "factories.csv"


def test_a_folder_without_stream_files_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("x\n")
    with pytest.raises(InputError, match="no stream files"):
        validate_folder(tmp_path)


@pytest.mark.parametrize("broken, where", [
    ('o2,c2,s1,"p2,1,999,2024-01-02T10:00:00Z', "data row 2: "),        # the row splits wrong: malformed
    ('o2,c2,s1,p2,1,999,"2024-01-02T10:00:00Z', "data row 2, column purchased_at: "),  # the last value swallows
])
def test_an_unterminated_quote_fails_the_file_instead_of_hiding_the_rows_after_it(base, broken, where):
    rows = [ROWS[0], broken, *ROWS[2:], "o4,c3,s2,p1,2,39.80,2024-01-04T10:00:00Z"]
    purchases(base, rows=rows)
    message = input_error(base)
    assert message.endswith(f"purchases.csv: {where}a quote opened here is not closed: the 2 rows after it were "
                            "read as part of one value")


@pytest.mark.parametrize("stream, text, where, swallowed", [
    # the quote closes inside the next row, which then fills the rest of this one: 3 rows read of 4
    ("streamers", 's1,"Big Bold Live,food,east\ns2,"Quiet",food,west\ns3,Third,home,north\n', "data row 1, column name",
     "the row after it was"),
    # the next rows quote their ids: no line had as many commas as the header and no quote
    ("streamers", 's1,"Big Bold Live,food,east\n"s2",Quiet,food,west\n"s3",Third,home,north\n', "data row 1",
     "the row after it was"),
    # the rows after it are short (a missing trailing comma): only their first field tells them
    ("follows", 'c1,"s1,2026-01-01T00:00:00Z,\nc2,s1,2026-01-01T00:00:00Z\nc3,s1,2026-01-01T00:00:00Z\n', "data row 1",
     "the 2 rows after it were"),
])
def test_an_unterminated_quote_is_told_by_rows_with_quotes_or_missing_fields(tmp_path, stream, text, where, swallowed):
    """Review: these swallowed rows loaded nowhere (4 lines read as 3, or 1) and the load succeeded."""
    header = {"streamers": "streamer_id,name,category,region",
              "follows": "consumer_id,streamer_id,followed_at,unfollowed_at"}[stream]
    (tmp_path / f"{stream}.csv").write_text(f"{header}\n{text}")
    with pytest.raises(InputError) as err:
        validate_folder(tmp_path)
    assert str(err.value).endswith(f"{stream}.csv: {where}: a quote opened here is not closed: {swallowed} "
                                   "read as part of one value")


@pytest.mark.parametrize("note", [
    '"see item2, below\nitem2, the second thing"',
    '"Order A12,\nB7, and more"',
    '"Wants:\n2, maybe 3 units"',
])
def test_a_closed_multi_line_value_starting_a_line_like_an_id_loads(tmp_path, note):
    """Review: the first-field-shape sign refused these valid files as holding an unclosed quote."""
    key = "1001" if "Wants" in note else "c1"
    (tmp_path / "consumers.csv").write_text(f"consumer_id,region,registered_at,note\n{key},EU,2024-01-01,{note}\n"
                                            "c2,EU,2024-01-01,x\n")
    v = validate_folder(tmp_path)
    assert v.report.file("consumers.csv").loaded == 2


def test_a_quoted_value_with_line_breaks_still_loads(base):
    (base / "products.csv").write_text(PRODUCTS + 'p3,f1,"Lip gloss\nlimited, 2024\nedition",beauty,9.90\n')
    purchases(base)
    v = validate_folder(base)
    assert v.report.file("products.csv").loaded == 3
    assert "limited, 2024" in v.tables["products"].set_index("product_id").loc["p3", "name"]


def test_a_value_under_an_unnamed_header_column_is_quarantined_not_dropped(tmp_path):
    """Review: with a trailing comma in the header, "vip" under it was on neither the node nor any report;
    two trailing commas failed the file with "column  given more than once"."""
    (tmp_path / "consumers.csv").write_text("consumer_id,region,registered_at,,\n"
                                            "c1,east,2026-01-01T00:00:00Z,,\nc2,west,,vip,\nc3,west,,,x\n")
    (tmp_path / "factories.jsonl").write_text('{"factory_id": "f1", "": "note"}\n{"factory_id": "f2", "": ""}\n')
    v = validate_folder(tmp_path)
    assert loaded(v, "consumers.csv") == (3, 1) and loaded(v, "factories.jsonl") == (2, 1)
    q = v.quarantine.set_index(["file", "row"])
    assert q.loc[("consumers.csv", 2), "detail"] == "'vip' under column 4, which the header does not name"
    assert q.loc[("consumers.csv", 3), "detail"] == "'x' under column 5, which the header does not name"
    assert q.loc[("factories.jsonl", 1), "reason"] == "malformed_row"
    assert '"vip"' in q.loc[("consumers.csv", 2), "values"]  # the value is kept with the row


@pytest.mark.parametrize("header, hint", [
    ("consumer_id;region;registered_at", "the header is one name holding semicolons: CSV files here are separated by commas"),
    ("Consumer_ID,region,registered_at", "the header has Consumer_ID: column names are lower case"),
])
def test_a_missing_column_error_says_why_the_names_may_not_match(tmp_path, header, hint):
    (tmp_path / "consumers.csv").write_text(header + "\nc1;east;\n")
    with pytest.raises(InputError, match="missing required column consumer_id") as err:
        validate_folder(tmp_path)
    assert str(err.value).endswith(hint) and "\n" not in str(err.value)


def test_an_empty_stream_file_is_noted(tmp_path):
    """Review: a 0-byte consumers.csv loaded nothing without a word (the contract's CSV has a header)."""
    (tmp_path / "factories.csv").write_text("factory_id,name,region\nf1,Acme,east\n")
    (tmp_path / "consumers.csv").write_text("")
    v = validate_folder(tmp_path)
    assert v.report.notes == ["consumers.csv: empty file (0 bytes, not even a header): nothing read"]
    assert v.report.file("consumers.csv").read == 0
    from livetrust.graph.projection import Projection  # an embedded job's summary says it too

    assert Projection.from_validated(v).input_note(tmp_path) == (
        "  input: 1 rows read, all loaded; note: consumers.csv: empty file (0 bytes, not even a header): nothing read")


def test_an_empty_stream_folder_is_noted(tmp_path):
    (tmp_path / "factories.csv").write_text("factory_id,name,region\nf1,Acme,east\n")
    (tmp_path / "purchases").mkdir()  # a part-file export of no rows
    (tmp_path / "purchases" / "_SUCCESS").write_text("")
    v = validate_folder(tmp_path)
    assert v.report.notes == ["purchases/: a stream folder with no part files: nothing read"]
