"""Embedded mode says what validation kept out of the projection: nothing is dropped without a word."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from livetrust.cli import main
from livetrust.loaders import validate_folder
from livetrust.world import generate_world


@pytest.fixture(scope="module")
def corrupt_world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corrupt")
    generate_world(folder, scale="xs", seed=3, corrupt=0.05)
    return folder


@pytest.mark.parametrize("verb, manifest", [
    (["score"], "score_manifest.json"),
    (["paths"], "paths_manifest.json"),
    (["recommend"], "manifest.json"),
    (["evaluate", "--holdout-days", "10", "--baselines", "most_popular"], None),
])
def test_embedded_jobs_report_the_rows_validation_kept_out(corrupt_world, tmp_path, verb, manifest):
    totals = validate_folder(corrupt_world).report.totals()
    assert totals.quarantined > 0 and totals.duplicate > 0 and totals.pending > 0
    out = tmp_path / "out"
    r = CliRunner().invoke(main, [*verb, "--data", str(corrupt_world), *(["--out", str(out)] if manifest else [])])
    assert r.exit_code == 0, r.output
    [line] = [ln for ln in r.output.splitlines() if ln.startswith("  input: ")]
    assert line.startswith(f"  input: {totals.read:,d} rows read, {totals.loaded:,d} loaded, "
                           f"{totals.duplicate:,d} duplicate, {totals.pending:,d} pending, "
                           f"{totals.quarantined:,d} quarantined; why not loaded: ")
    top_reason, n = totals.reasons.most_common(1)[0]
    assert f"why not loaded: {top_reason} {n:,d}" in line and line.endswith(f"livetrust load --dry-run {corrupt_world}")
    # review: the reasons of all three outcomes read as the quarantined rows' (243 reasons for 194)
    assert sum(totals.reasons.values()) == totals.duplicate + totals.pending + totals.quarantined
    if manifest:
        recorded = json.loads((out / manifest).read_text())["input_outcomes"]
        assert recorded["quarantined"] == totals.quarantined and recorded["reasons"] == dict(totals.reasons)


def test_a_clean_folder_gets_no_input_line(tmp_path):
    world = tmp_path / "clean"
    generate_world(world, scale="xs", seed=3)
    r = CliRunner().invoke(main, ["score", "--data", str(world), "--out", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    assert "input:" not in r.output
    recorded = json.loads((tmp_path / "out" / "score_manifest.json").read_text())["input_outcomes"]
    assert recorded["read"] == recorded["loaded"] > 0
