"""``livetrust report``: a self-contained HTML file, rendered in headless Chromium.

The rendering tests need Debian's ``chromium`` (``apt-get install -y chromium``); like the
Neo4j integration tests they fail, never skip, when it is missing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from livetrust import cli, demo, report
from livetrust.localneo4j import Neo4jChoice

CHARTS = ("chart-trust-histogram", "chart-trust-returns", "chart-factory-flow", "chart-eval-ndcg", "chart-eval-fraud")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--enable-logging=stderr", "--v=0", "--virtual-time-budget=15000"]


@pytest.fixture(scope="module")
def run_root(tmp_path_factory):
    """An embedded xs demo run at ROOT/livetrust-out/demo (where `livetrust report` looks)."""
    root = tmp_path_factory.mktemp("report")
    demo.run_demo(out_dir=root / "livetrust-out" / "demo", scale="xs", seed=7, choice=Neo4jChoice(None, "embedded mode (test)"),
                  progress=False, echo=lambda _m: None)
    return root


@pytest.fixture(scope="module")
def report_file(run_root) -> Path:
    path = run_root / "livetrust-out" / "demo" / "report.html"
    assert path.is_file()
    return path


class Elements(HTMLParser):
    """Every start tag with its attributes (script and style bodies are not parsed as markup)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(text: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(text)
    return parser.tags


def external_references(text: str) -> list[str]:
    """src/href/srcset/action/data attributes of real elements that point off the page."""
    found = []
    for tag, attrs in elements(text):
        for name in ("src", "href", "srcset", "action", "data", "poster"):
            value = (attrs.get(name) or "").strip()
            if re.match(r"^(https?:)?//", value, re.I) or re.match(r"^(ftp|ws|wss):", value, re.I):
                found.append(f"<{tag} {name}={value!r}>")
    return found


def chromium(*args: str, url: str, timeout: int = 120) -> subprocess.CompletedProcess:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.fail("the report test needs Debian's chromium: apt-get update && apt-get install -y chromium", pytrace=False)
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, url],
                              capture_output=True, text=True, timeout=timeout)


def test_report_is_one_self_contained_file(report_file):
    text = report_file.read_text(encoding="utf-8")
    assert external_references(text) == []
    tags = elements(text)
    assert not [a for t, a in tags if t == "link"], "no stylesheets or other linked files"
    assert not [a for t, a in tags if t in ("script", "img", "iframe") and a.get("src")], "every script is inline"
    assert text.count("plotly.js v") >= 1 and len(text) > 1_000_000  # the library itself, inlined once
    assert text.count('<script type="text/javascript">') == 1
    for chart in CHARTS:
        assert f'id="{chart}"' in text


def test_report_gives_the_returned_columns_point_of_comparison(report_file):
    info = json.loads((report_file.parent / "evaluate" / "evaluation.json").read_text())["info"]
    base = info["returned_base_rate"]
    assert 0 < base < 1
    assert f"recommended or not, {base:.1%}." in report_file.read_text(encoding="utf-8")


def test_report_renders_every_chart_in_headless_chromium(report_file, tmp_path):
    done = chromium("--dump-dom", url=report_file.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    html_attrs = next(a for t, a in elements(dom) if t == "html")
    assert "data-js-errors" not in html_attrs, html_attrs.get("data-js-errors")
    assert html_attrs.get("data-resources") == "0", "the page loaded no file or URL besides itself"
    assert html_attrs.get("data-charts") == str(len(CHARTS))
    assert html_attrs.get("data-charts-rendered") == str(len(CHARTS))
    for chart in CHARTS:
        start = dom.index(f'id="{chart}"')
        part = dom[start:start + 400_000]
        nxt = [part.find(f'id="{c}"', 1) for c in CHARTS if c != chart and part.find(f'id="{c}"', 1) > 0]
        part = part[:min(nxt)] if nxt else part
        assert "plot-container" in part and "main-svg" in part, f"{chart} was not drawn"
    assert "sankey" in dom  # the flow picture's nodes
    assert external_references(dom) == []
    console = [ln for ln in done.stderr.splitlines() if ":CONSOLE" in ln]
    assert not [ln for ln in console if re.search(r"error|uncaught|failed", ln, re.I)], console

    shot = tmp_path / "report.png"
    taken = chromium("--hide-scrollbars", "--window-size=1280,3000", f"--screenshot={shot}", url=report_file.as_uri())
    assert taken.returncode == 0, taken.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000


def test_report_command_finds_the_newest_run(run_root, monkeypatch, tmp_path):
    monkeypatch.chdir(run_root)
    assert report.find_run() == Path("livetrust-out") / "demo"
    target = tmp_path / "again.html"
    result = CliRunner().invoke(cli.main, ["report", "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert "self-contained" in result.output and target.stat().st_size > 1_000_000


def test_report_of_a_partial_run_says_what_is_missing(run_root, tmp_path):
    run = tmp_path / "partial"
    shutil.copytree(run_root / "livetrust-out" / "demo" / "score", run / "score")
    path = report.write_report(run, tmp_path / "partial.html")
    text = path.read_text(encoding="utf-8")
    assert 'id="chart-trust-histogram"' in text and 'id="chart-factory-flow"' not in text
    assert "No path analysis in this run" in text and "No evaluation in this run" in text
    assert "No load report in this run" in text


def test_report_errors_are_one_line(run_root, tmp_path):
    runner = CliRunner()
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(cli.main, ["report", "--run", str(empty)])
    assert result.exit_code == 2 and "nothing to report" in result.output and "Traceback" not in result.output
    result = runner.invoke(cli.main, ["report", "--run", str(run_root / "livetrust-out" / "demo"), "--factory", "nope",
                                      "--out", str(tmp_path / "x.html")])
    assert result.exit_code == 2 and "--factory nope" in result.output
    monkey_root = tmp_path / "nowhere"
    monkey_root.mkdir()
    with pytest.raises(Exception, match="no run found"):
        report.find_run(monkey_root)


def test_report_flow_follows_the_orders(run_root):
    d = report.read_run(run_root / "livetrust-out" / "demo")
    assert d.flows is not None and len(d.flows)
    channels = d.channels[d.channels["factory_id"] == d.factory]
    # the flow picture's streamer -> region links add up to each channel's GMV
    by_streamer = d.flows.groupby("streamer_id")["gmv"].sum()
    merged = channels.set_index("streamer_id")["gmv"]
    assert (by_streamer.reindex(merged.index) - merged).abs().max() < 0.01


def test_report_shows_mean_honesty_and_states_the_flag_rule(report_file, run_root):
    """The evaluation table looked for 'honesty' while evaluation.json says 'mean_honesty' (the column
    vanished); the caption gave the old flag rule (integrity below 0.9); the truth's fraud_kind 'none'
    was labelled 'honest' though some such streamers have honesty below 0.5."""
    text = report_file.read_text(encoding="utf-8")
    table = text[text.index('id="table-evaluation"'):]
    table = table[:table.index("</table>")]
    assert "mean honesty" in table
    honesty = [r["mean_honesty"] for r in json.loads((run_root / "livetrust-out" / "demo" / "evaluate" /
                                                      "evaluation.json").read_text())["table"] if r["mean_honesty"]]
    assert honesty and all(f"{h:.3f}" in table or f"{h:.4f}" in table for h in honesty[:2])
    assert "below 0.7" in text and "below 0.9" not in text
    assert '"no fraud"' in text and '"honest"' not in text


def test_report_refuses_broken_inputs_and_outputs_in_one_line(run_root, tmp_path):
    runner = CliRunner()
    run = tmp_path / "broken"
    shutil.copytree(run_root / "livetrust-out" / "demo", run)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    cases = []
    result = runner.invoke(cli.main, ["report", "--run", str(run), "--out", str(blocker / "r.html")])
    cases.append((result, "--out's folder"))
    result = runner.invoke(cli.main, ["report", "--run", str(run), "--data", str(tmp_path / "nope")])
    cases.append((result, "no such folder"))
    (run / "evaluate" / "evaluation.json").write_text('{"info": {')
    result = runner.invoke(cli.main, ["report", "--run", str(run), "--out", str(tmp_path / "r.html")])
    cases.append((result, "evaluation.json: not readable JSON"))
    (run / "evaluate" / "evaluation.json").unlink()
    (run / "score" / "streamers.csv").write_text("")
    result = runner.invoke(cli.main, ["report", "--run", str(run), "--out", str(tmp_path / "r.html")])
    cases.append((result, "streamers.csv: cannot read it (EmptyDataError"))
    for result, message in cases:
        assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1, result.output


def _table(text: str, table_id: str) -> str:
    table = text[text.index(f'id="{table_id}"'):]
    return table[:table.index("</table>")]


def test_report_prints_shares_as_percentages_and_keeps_decimals(report_file, run_root):
    """fraud exposure 0.000624 printed as "0.001" and a returned share of 0.101 as "0.101" under a text quoting
    percentages; values of 10 and more lost their decimals (a flow score of 12.7 printed as 13)."""
    table = _table(report_file.read_text(encoding="utf-8"), "table-evaluation")
    rows = json.loads((run_root / "livetrust-out" / "demo" / "evaluate" / "evaluation.json").read_text())["table"]
    exposures = [r["fraud_exposure"] for r in rows if r.get("fraud_exposure") is not None]
    returned = [r["returned_share"] for r in rows if r.get("returned_share") is not None]
    assert exposures and returned
    for v in exposures:
        assert f">{v:.3%}<" in table
    for v in returned:
        assert f">{v:.1%}<" in table
    assert report._cell(12.7) == "12.7" and report._cell(0.25) == "0.250" and report._cell(12345.6) == "12,346"


def test_report_stages_list_only_finished_ones(report_file, run_root):
    """The demo writes its report while the report stage runs: it showed "report 0.0 s"."""
    text = report_file.read_text(encoding="utf-8")
    stages = json.loads((run_root / "livetrust-out" / "demo" / "demo.json").read_text())["stages"]
    assert stages["report"]["status"] == "succeeded"  # finished after the page was written
    shown = re.search(r"<dt>stages</dt><dd>([^<]*)</dd>", text).group(1)
    assert "score" in shown and "report" not in shown


def test_report_falls_back_when_the_demos_factory_has_no_channels(run_root, tmp_path):
    """A paths run after the demo may have no channels for the demo's pick: the whole report failed."""
    run = tmp_path / "rerun"
    shutil.copytree(run_root / "livetrust-out" / "demo", run)
    picked = json.loads((run / "demo.json").read_text())["picks"]["factory"]
    channels = run / "paths" / "factory_channels.csv"
    frame = report.read_table(run / "paths", "factory_channels")
    frame[frame["factory_id"] != picked].to_csv(channels, index=False)
    d = report.read_run(run)
    assert d.factory != picked and d.factory == report._busiest_factory(d.channels)
    assert report.write_report(run, tmp_path / "r.html").is_file()
    with pytest.raises(Exception, match=f"--factory {picked}: no channels"):
        report.read_run(run, factory=picked)


def test_report_warns_when_paths_or_recommend_used_another_score_run(run_root, tmp_path):
    """Review of report: a scheduler re-scores nightly while paths and recommend keep their run; the
    page listed the three run ids side by side and mixed the runs' numbers without a word."""
    run = tmp_path / "mixed"
    shutil.copytree(run_root / "livetrust-out" / "demo", run)
    manifests = {part: run / part / name for part, name in
                 (("score", "score_manifest.json"), ("paths", "paths_manifest.json"), ("recommend", "manifest.json"))}
    docs = {part: json.loads(path.read_text()) for part, path in manifests.items()}
    docs["paths"]["score_run_id"] = docs["recommend"]["score_run_id"] = docs["score"]["run_id"]
    for part in ("paths", "recommend"):
        manifests[part].write_text(json.dumps(docs[part]))
    assert report.mixed_runs(report.read_run(run)) == []
    docs["paths"]["score_run_id"] = "score-older"
    manifests["paths"].write_text(json.dumps(docs["paths"]))
    warnings = report.mixed_runs(report.read_run(run))
    assert warnings == [f"the paths run {docs['paths']['run_id']} was built from score run score-older, not from "
                        f"{docs['score']['run_id']} shown here: its tables' trust columns come from another score run "
                        "than its numbers; rerun livetrust paths to match"]
    page = report.write_report(run, tmp_path / "mixed.html").read_text(encoding="utf-8")
    assert "built from score run score-older" in page
