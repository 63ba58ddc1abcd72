"""``livetrust report``: one self-contained HTML file from a run's output files.

A *run folder* is what ``livetrust demo --out DIR`` writes (any part may be missing;
its section then says which command makes it)::

    DIR/score/      streamers, factories, ... (livetrust score --out DIR/score)
    DIR/paths/      factory_channels, ...     (livetrust paths --out DIR/paths)
    DIR/recommend/  the lists + manifest.json (livetrust recommend --out DIR/recommend)
    DIR/evaluate/   evaluation.json           (livetrust evaluate --out DIR/evaluate)
    DIR/load/       reconciliation.json       (livetrust load --report-dir DIR/load)
    DIR/demo.json   the demo's record (mode, world folder, timings, picks)

The report holds: the streamer trust distribution; trust against return rate per
streamer (fraud flagged by the recommenders' documented rule, and the world's truth
when the data folder has ``truth/``); the top streamers; one factory's channels as a
flow picture (factory -> streamers -> consumer regions, from the data folder's orders);
the recommendation evaluation against the baselines; one consumer's lists; and the
load's reconciliation. Charts are plotly figures; plotly.js is inlined once, so the file
opens without a network.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from string import Template
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from .errors import LivetrustError, one_line
from .files import atomic_write, writable_folder

RUN_ROOT = Path("livetrust-out")
DEMO_MANIFEST = "demo.json"
REPORT = "report.html"
ID_COLUMNS = ("consumer_id", "streamer_id", "product_id", "factory_id", "subject_id", "object_id", "via_streamer")
CONFIG = {"displaylogo": False, "responsive": True}
TEMPLATE = "plotly_white"
# "none" is the truth's fraud_kind: no fraud, which is not the same as honest (honesty >= 0.5 in the docs)
KIND_LABELS = {"none": "no fraud", "fake_followers": "fraud: fake followers", "brushing": "fraud: brushing ring"}
KIND_COLORS = {"no fraud": "#2b8cbe", "fraud: fake followers": "#e6550d", "fraud: brushing ring": "#a50f15",
               "not flagged": "#2b8cbe", "flagged": "#d62728"}
METHOD_COLORS = {"livetrust": "#1b9e77", "most_popular": "#7570b3", "item_knn": "#e7298a", "rp3beta": "#66a61e",
                 "followed_sellers": "#e6ab02", "category_top_sellers": "#d95f02"}
SANKEY_STREAMERS = 8


# ---------------------------------------------------------------------------- finding and reading a run


def find_run(root: Path | str = RUN_ROOT) -> Path:
    """The newest run folder under ``root``: the most recent ``*/demo.json``, else ``root/demo``."""
    root = Path(root)
    runs = sorted(root.glob(f"*/{DEMO_MANIFEST}"), key=lambda p: p.stat().st_mtime, reverse=True)
    if runs:
        return runs[0].parent
    if (root / "demo" / "score").is_dir():
        return root / "demo"
    raise LivetrustError(f"no run found under {root}/: run `livetrust demo` first, or give --run DIR")


def read_table(folder: Path, name: str) -> pd.DataFrame | None:
    """``folder/name.csv`` (ids as text), ``.parquet`` or ``.jsonl``; None when absent."""
    for ext in ("csv", "parquet", "jsonl"):
        path = folder / f"{name}.{ext}"
        if not path.is_file():
            continue
        try:
            if ext == "csv":
                return pd.read_csv(path, dtype={c: str for c in ID_COLUMNS}, keep_default_na=True)
            if ext == "parquet":
                return pd.read_parquet(path)
            return pd.read_json(path, lines=True, dtype={c: str for c in ID_COLUMNS})
        except Exception as err:  # noqa: BLE001 - empty, truncated or not the format: one line naming it
            raise LivetrustError(f"{path}: cannot read it ({type(err).__name__}: {one_line(err)})") from None
    return None


def _json(path: Path) -> dict | None:
    """The JSON object in ``path``; None when absent. A file that is there but broken is an error:
    reporting it as missing ("run `livetrust evaluate`") would send the user the wrong way."""
    if not path.is_file():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as err:
        raise LivetrustError(f"{path}: not readable JSON ({one_line(err)})") from None
    if not isinstance(value, dict):
        raise LivetrustError(f"{path}: not a JSON object")
    return value


@dataclass
class RunData:
    """Everything the report shows, read from a run folder (None: not there)."""

    run_dir: Path
    demo: dict | None = None
    data_dir: Path | None = None
    streamers: pd.DataFrame | None = None
    factories: pd.DataFrame | None = None
    score_manifest: dict | None = None
    channels: pd.DataFrame | None = None
    paths_manifest: dict | None = None
    recommend_manifest: dict | None = None
    consumer_products: pd.DataFrame | None = None
    consumer_streamers: pd.DataFrame | None = None
    evaluation: dict | None = None
    reconciliation: dict | None = None
    truth: pd.DataFrame | None = None
    factory: str | None = None
    consumer: str | None = None
    flows: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


def read_run(run_dir: Path | str, *, data_dir: Path | str | None = None, factory: str | None = None,
             consumer: str | None = None) -> RunData:
    """Read a run folder (see the module docstring) and, when known, its data folder."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise LivetrustError(f"--run {run_dir}: no such folder")
    if data_dir is not None and not Path(data_dir).is_dir():
        raise LivetrustError(f"--data {data_dir}: no such folder")
    d = RunData(run_dir=run_dir, demo=_json(run_dir / DEMO_MANIFEST))
    if data_dir is None and d.demo and d.demo.get("world_dir"):
        data_dir = d.demo["world_dir"]
    d.data_dir = Path(data_dir) if data_dir is not None and Path(data_dir).is_dir() else None
    d.streamers = read_table(run_dir / "score", "streamers")
    d.factories = read_table(run_dir / "score", "factories")
    d.score_manifest = _json(run_dir / "score" / "score_manifest.json")
    d.channels = read_table(run_dir / "paths", "factory_channels")
    d.paths_manifest = _json(run_dir / "paths" / "paths_manifest.json")
    d.recommend_manifest = _json(run_dir / "recommend" / "manifest.json")
    d.evaluation = _json(run_dir / "evaluate" / "evaluation.json")
    d.reconciliation = _json(run_dir / "load" / "reconciliation.json")
    if d.data_dir is not None and (d.data_dir / "truth" / "streamers.csv").is_file():
        d.truth = pd.read_csv(d.data_dir / "truth" / "streamers.csv", dtype={"streamer_id": str})
    picks = (d.demo or {}).get("picks") or {}
    if factory is not None and d.channels is not None and not (d.channels["factory_id"] == factory).any():
        raise LivetrustError(f"--factory {factory}: no channels for this factory in {run_dir / 'paths'}")
    d.factory = factory or _picked_factory(picks.get("factory"), d.channels)
    d.consumer = consumer or picks.get("consumer")
    products = read_table(run_dir / "recommend", "consumer_products")
    if products is not None:
        d.consumer = d.consumer or _first_subject(products)
        d.consumer_products = products[products["subject_id"] == d.consumer]
    streamers = read_table(run_dir / "recommend", "consumer_streamers")
    if streamers is not None:
        d.consumer = d.consumer or _first_subject(streamers)
        d.consumer_streamers = streamers[streamers["subject_id"] == d.consumer]
    if d.factory is not None and d.data_dir is not None:
        d.flows = factory_flows(d.data_dir, d.factory)
    return d


def _picked_factory(picked: str | None, channels: pd.DataFrame | None) -> str | None:
    """The demo's pick while the paths run has channels for it (a later paths run may not), else the busiest."""
    if picked is not None and (channels is None or (channels["factory_id"] == picked).any()):
        return picked
    return _busiest_factory(channels)


def _busiest_factory(channels: pd.DataFrame | None) -> str | None:
    if channels is None or channels.empty:
        return None
    return str(channels.groupby("factory_id")["gmv"].sum().sort_index().idxmax())


def _first_subject(frame: pd.DataFrame) -> str | None:
    return None if frame.empty else str(sorted(frame["subject_id"].unique())[0])


def factory_flows(data_dir: Path, factory: str) -> pd.DataFrame:
    """The factory's orders by streamer and consumer region (gmv, orders, units, returned units).

    Read through the loaders' validation (``Projection.from_folder``): exactly the orders a
    load of this folder holds.
    """
    from .graph.projection import Projection

    p = Projection.from_folder(data_dir)
    products = p.products.loc[p.products["factory_id"] == factory, "product_id"]
    orders = p.orders[p.orders["product_id"].isin(set(products))]
    regions = p.consumers.set_index("consumer_id")["region"]
    orders = orders.assign(region=orders["consumer_id"].map(regions).fillna("").replace("", "unknown"))
    return (orders.groupby(["streamer_id", "region"], as_index=False)
            .agg(gmv=("amount", "sum"), orders=("order_id", "count"), units=("quantity", "sum"),
                 returned_units=("returned_quantity", "sum")))


# ---------------------------------------------------------------------------- figures


def _streamer_frame(d: RunData) -> pd.DataFrame:
    """Streamers with ``flagged`` (the recommenders' rule) and ``group`` (truth kind or flag)."""
    from .graph.recommend.scores import Demotion, flags_of

    s = d.streamers.copy()
    s["streamer_id"] = s["streamer_id"].astype(str)
    s["flagged"] = flags_of(s, "streamer_id", pd.Index(s["streamer_id"]), Demotion())
    if d.truth is not None:
        kinds = d.truth.set_index("streamer_id")["fraud_kind"]
        s["truth"] = s["streamer_id"].map(kinds).fillna("none")
        s["group"] = s["truth"].map(lambda k: KIND_LABELS.get(k, f"fraud: {k}"))
        if "honesty" in d.truth.columns:
            s["honesty"] = s["streamer_id"].map(d.truth.set_index("streamer_id")["honesty"])
    else:
        s["group"] = np.where(s["flagged"], "flagged", "not flagged")
    return s


def _groups(s: pd.DataFrame) -> list[str]:
    order = list(KIND_COLORS)
    return sorted(s["group"].unique(), key=lambda g: (order.index(g) if g in order else len(order), g))


def fig_trust_histogram(s: pd.DataFrame):
    import plotly.graph_objects as go

    fig = go.Figure()
    for g in _groups(s):
        part = s[s["group"] == g]
        fig.add_trace(go.Histogram(x=part["trust"], name=f"{g} ({len(part)})", xbins=dict(start=0, end=1.0001, size=0.025),
                                   marker_color=KIND_COLORS.get(g), opacity=0.75))
    fig.update_layout(barmode="overlay", template=TEMPLATE, height=380, margin=dict(l=60, r=20, t=30, b=50),
                      xaxis_title="streamer trust", yaxis_title="streamers", legend=dict(orientation="h", y=1.1))
    fig.update_xaxes(range=[0, 1])
    return fig


def fig_trust_vs_returns(s: pd.DataFrame):
    import plotly.graph_objects as go

    sold = s[s["orders"].fillna(0) > 0] if "orders" in s.columns else s
    fig = go.Figure()
    for g in _groups(sold):
        part = sold[sold["group"] == g]
        custom = np.column_stack([part["streamer_id"], part["confidence"].round(3), part["orders"].astype(int),
                                  part.get("followers", pd.Series(0, index=part.index)).fillna(0).astype(int),
                                  np.where(part["flagged"], "yes", "no")])
        fig.add_trace(go.Scatter(
            x=part["return_rate"], y=part["trust"], mode="markers", name=g, customdata=custom,
            marker=dict(color=KIND_COLORS.get(g), size=np.clip(4 + 2.2 * np.log1p(part["orders"].astype(float)), 4, 22),
                        symbol=np.where(part["flagged"], "x", "circle"), opacity=0.8, line=dict(width=0.5, color="white")),
            hovertemplate=("<b>%{customdata[0]}</b><br>trust %{y:.3f} (confidence %{customdata[1]})<br>"
                           "return rate %{x:.1%}<br>orders %{customdata[2]}, followers %{customdata[3]}<br>"
                           "flagged: %{customdata[4]}<extra>%{fullData.name}</extra>"),
        ))
    fig.update_layout(template=TEMPLATE, height=460, margin=dict(l=60, r=20, t=30, b=50),
                      xaxis_title="return rate (returned units / units sold)", yaxis_title="streamer trust",
                      legend=dict(orientation="h", y=1.08))
    fig.update_xaxes(tickformat=".0%")
    return fig


def _rgba(trust: float, alpha: float = 0.45) -> str:
    from plotly.colors import sample_colorscale, unlabel_rgb

    t = 0.5 if trust is None or (isinstance(trust, float) and math.isnan(trust)) else float(np.clip(trust, 0, 1))
    r, g, b = unlabel_rgb(sample_colorscale("RdYlGn", [t])[0])
    return f"rgba({int(r)},{int(g)},{int(b)},{alpha})"


def fig_factory_sankey(d: RunData):
    """Factory -> its top streamers (+ the rest) -> consumer regions, sized by GMV, coloured by trust."""
    import plotly.graph_objects as go

    ch = d.channels[d.channels["factory_id"] == d.factory].sort_values("rank")
    trust = d.streamers.set_index("streamer_id")["trust"] if d.streamers is not None else pd.Series(dtype=float)
    top = list(ch["streamer_id"].head(SANKEY_STREAMERS))
    by_gmv = ch.set_index("streamer_id")
    other = "other streamers"
    labels = [f"factory {d.factory}"]
    colors = ["#444444"]
    for sid in top:
        labels.append(f"{sid} (trust {trust.get(sid, float('nan')):.2f})")
        colors.append(_rgba(trust.get(sid), 0.9))
    rest = ch[~ch["streamer_id"].isin(top)]
    if len(rest):
        labels.append(f"{other} ({len(rest)})")
        colors.append("#999999")
    node_of = {sid: i + 1 for i, sid in enumerate(top)}
    other_node = len(top) + 1 if len(rest) else None
    src, dst, val, lcol, hover = [], [], [], [], []
    for sid in top:
        row = by_gmv.loc[sid]
        src.append(0), dst.append(node_of[sid]), val.append(float(row["gmv"])), lcol.append(_rgba(trust.get(sid)))
        hover.append(f"{int(row['orders'])} orders, return rate {row['return_rate']:.1%}, flow score {row['flow_score']:.1f}")
    if len(rest):
        src.append(0), dst.append(other_node), val.append(float(rest["gmv"].sum())), lcol.append("rgba(150,150,150,0.4)")
        hover.append(f"{int(rest['orders'].sum())} orders through {len(rest)} streamers")
    if d.flows is not None and len(d.flows):
        regions = sorted(d.flows["region"].unique())
        region_node = {r: len(labels) + i for i, r in enumerate(regions)}
        labels += [f"region {r}" for r in regions]
        colors += ["#6baed6"] * len(regions)
        flows = d.flows.assign(node=d.flows["streamer_id"].map(node_of).fillna(other_node if other_node else -1))
        flows = flows[flows["node"] >= 0].groupby(["node", "region"], as_index=False)[["gmv", "orders", "units", "returned_units"]].sum()
        for r in flows.itertuples(index=False):
            src.append(int(r.node)), dst.append(region_node[r.region]), val.append(float(r.gmv))
            rate = r.returned_units / r.units if r.units else float("nan")
            lcol.append("rgba(107,174,214,0.35)")
            hover.append(f"{int(r.orders)} orders, return rate {rate:.1%}")
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node=dict(label=labels, color=colors, pad=14, thickness=16, line=dict(width=0.5, color="#333")),
        link=dict(source=src, target=dst, value=val, color=lcol, customdata=hover,
                  hovertemplate="%{source.label} → %{target.label}<br>GMV %{value:,.0f}<br>%{customdata}<extra></extra>"),
    ))
    fig.update_layout(template=TEMPLATE, height=520, margin=dict(l=20, r=20, t=20, b=20), font=dict(size=12))
    return fig


def _eval_table(d: RunData) -> pd.DataFrame:
    return pd.DataFrame(d.evaluation.get("table", []))


def fig_evaluation(d: RunData, metric: str, title: str):
    """Grouped bars: ``metric`` per list, one bar per method (livetrust and the baselines)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    t = _eval_table(d)
    lists = [x for x in dict.fromkeys(t["list"])]
    fig = make_subplots(rows=1, cols=len(lists), subplot_titles=[x.replace("_", " → ", 1) for x in lists],
                        horizontal_spacing=0.08)
    shown = set()
    for i, name in enumerate(lists, 1):
        part = t[t["list"] == name]
        for r in part.itertuples(index=False):
            value = getattr(r, metric, None)
            value = None if value is None or (isinstance(value, float) and math.isnan(value)) else value
            fig.add_trace(go.Bar(x=[r.method], y=[value], name=r.method, legendgroup=r.method,
                                 showlegend=r.method not in shown, marker_color=METHOD_COLORS.get(r.method, "#888"),
                                 text=[f"{value:.3f}" if value is not None else "–"], textposition="outside",
                                 hovertemplate=f"{name}<br>%{{x}}: %{{y:.4f}}<extra></extra>"), row=1, col=i)
            shown.add(r.method)
    fig.update_layout(template=TEMPLATE, height=400, margin=dict(l=50, r=20, t=50, b=40), yaxis_title=title,
                      legend=dict(orientation="h", y=-0.12), bargap=0.25)
    fig.update_xaxes(showticklabels=False)
    top = pd.to_numeric(t[metric], errors="coerce").max()
    if top and not math.isnan(top):
        fig.update_yaxes(range=[0, top * 1.2])
    return fig


# ---------------------------------------------------------------------------- HTML


def _chart(fig, div_id: str) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=CONFIG)


def _cell(v: Any) -> str:
    if isinstance(v, float):
        if math.isnan(v):
            return "–"
        if abs(v) < 10:
            return f"{v:,.3f}"
        return f"{v:,.1f}" if abs(v) < 1000 else f"{v:,.0f}"  # a flow score of 12.7 is not 13
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return f"{int(v):,d}"
    return html.escape(str(v))


def _percent(values: pd.Series, digits: int = 1) -> pd.Series:
    """Shares as percentages ("–" where there is none), as the page's text quotes them."""
    return values.map(lambda v: "–" if v is None or pd.isna(v) else f"{v:.{digits}%}")


def html_table(frame: pd.DataFrame, *, table_id: str, numeric: set[str] | None = None, classes: str = "") -> str:
    numeric = numeric if numeric is not None else {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}
    head = "".join(f"<th class=\"{'num' if c in numeric else ''}\">{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for rec in frame.itertuples(index=False):
        cells = "".join(f"<td class=\"{'num' if c in numeric else ''}\">{_cell(v)}</td>" for c, v in zip(frame.columns, rec))
        rows.append(f"<tr>{cells}</tr>")
    return f"<table id=\"{table_id}\" class=\"data {classes}\"><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _missing(what: str, how: str) -> str:
    return f"<p class=\"missing\">No {html.escape(what)} in this run: {html.escape(how)}.</p>"


def top_streamers_table(s: pd.DataFrame, n: int = 20) -> str:
    top = s.sort_values(["trust", "streamer_id"], ascending=[False, True]).head(n)
    cols = [("streamer_id", "streamer"), ("trust", "trust"), ("confidence", "confidence"), ("trust_low", "low"),
            ("trust_high", "high"), ("orders", "orders"), ("return_rate", "return rate"), ("followers", "followers"),
            ("buyers", "buyers"), ("repeat_buyer_share", "repeat buyers"), ("integrity", "integrity")]
    frame = pd.DataFrame({label: top[c] for c, label in cols if c in top.columns})
    for c in ("return rate", "repeat buyers"):
        if c in frame:
            frame[c] = _percent(frame[c])
    frame["flagged"] = np.where(top["flagged"], "yes", "")
    if "truth" in top.columns:
        frame["truth"] = top["truth"].map(lambda k: KIND_LABELS.get(k, k))
    return html_table(frame, table_id="table-top-streamers", numeric={"trust", "confidence", "low", "high", "orders",
                                                                   "return rate", "followers", "buyers", "repeat buyers", "integrity"})


def reconciliation_table(rec: dict) -> str:
    rows = []
    for f in rec.get("files", []):
        rows.append({"file": f["file"], "read": f["read"], "loaded": f["loaded"], "duplicate": f["duplicate"],
                     "pending": f["pending"], "quarantined": f["quarantined"],
                     "reasons": ", ".join(f"{k} {v:,d}" for k, v in (f.get("reasons") or {}).items()) or ""})
    for stream, c in (rec.get("pending_resolved") or {}).items():
        if c.get("read"):
            rows.append({"file": f"pending resolved: {stream}", **{k: c[k] for k in ("read", "loaded", "duplicate", "pending", "quarantined")},
                         "reasons": ", ".join(f"{k} {v:,d}" for k, v in (c.get("reasons") or {}).items())})
    t = rec.get("totals") or {}
    if t:
        rows.append({"file": "total (files)", **{k: t.get(k, 0) for k in ("read", "loaded", "duplicate", "pending", "quarantined")},
                     "reasons": ""})
    frame = pd.DataFrame(rows)
    return html_table(frame, table_id="table-reconciliation", classes="reconciliation")


def channels_table(d: RunData, n: int = 10) -> str:
    ch = d.channels[d.channels["factory_id"] == d.factory].sort_values("rank").head(n)
    trust = d.streamers.set_index("streamer_id")["trust"] if d.streamers is not None else pd.Series(dtype=float)
    frame = pd.DataFrame({"rank": ch["rank"].astype(int), "streamer": ch["streamer_id"],
                          "streamer trust": ch["streamer_id"].map(trust), "orders": ch["orders"].astype(int),
                          "GMV": ch["gmv"].astype(float), "return rate": _percent(ch["return_rate"]),
                          "share of GMV": _percent(ch["share_of_factory_gmv"]),
                          "buyers": ch["buyers"].astype(int), "flow score": ch["flow_score"].astype(float)})
    return html_table(frame, table_id="table-channels", numeric={"rank", "streamer trust", "orders", "GMV", "return rate",
                                                                 "share of GMV", "buyers", "flow score"})


def consumer_table(frame: pd.DataFrame, table_id: str, n: int = 10) -> str:
    rows = frame.sort_values("rank").head(n)
    out = pd.DataFrame({"rank": rows["rank"].astype(int), "recommended": rows["object_id"],
                        "score": rows["score"].astype(float), "why": rows["reason"]})
    return html_table(out, table_id=table_id, numeric={"rank", "score"})


def _returned_lead(base: float | None) -> str:
    """The returned column's meaning and its point of comparison (evaluations before 2026-12-06 lack it)."""
    if base is None or math.isnan(base):
        return ""
    return (f" Returned: share of the recommended products bought in the hidden days that came back; over every "
            f"new product the evaluated consumers bought, recommended or not, {base:.1%}.")


def evaluation_table(d: RunData) -> str:
    t = _eval_table(d)
    k = (d.evaluation.get("info") or {}).get("k", 10)
    cols = [("list", "list"), ("method", "method"), ("users", "subjects"), ("precision", f"P@{k}"), ("recall", f"R@{k}"),
            ("ndcg", f"NDCG@{k}"), ("map", f"MAP@{k}"), ("coverage", "coverage"), ("fraud_exposure", "fraud exposure"),
            ("returned_share", "returned"), ("mean_honesty", "mean honesty")]
    frame = pd.DataFrame({label: t[c] for c, label in cols if c in t.columns})
    # shares as the text quotes them: 0.000624 printed as "0.001" hid livetrust's fraud exposure
    for label, digits in (("fraud exposure", 3), ("returned", 1)):
        if label in frame:
            frame[label] = _percent(frame[label], digits)
    numeric = {label for c, label in cols if c in t.columns and c not in ("list", "method")}
    return html_table(frame, table_id="table-evaluation", numeric=numeric)


def _facts(d: RunData) -> list[tuple[str, str]]:
    facts = []
    if d.demo:
        facts += [("mode", str(d.demo.get("neo4j") or d.demo.get("mode"))),
                  ("world", f"{d.demo.get('scale')} (seed {d.demo.get('seed')}): {d.demo.get('world_dir')}"),
                  ("demo run", f"started {d.demo.get('started_at')}"
                               + (f", {d.demo['seconds']:.0f} s" if d.demo.get("seconds") else ""))]
        stages = d.demo.get("stages") or {}
        if stages:
            # the report stage is still running while this page is written: no time to show yet
            done = [(k, v["seconds"]) for k, v in stages.items() if v.get("seconds") is not None]
            facts.append(("stages", ", ".join(f"{k} {s:.1f} s" for k, s in done)))
    elif d.data_dir is not None:
        facts.append(("data", str(d.data_dir)))
    for label, manifest in (("score run", d.score_manifest), ("paths run", d.paths_manifest),
                            ("recommend run", d.recommend_manifest)):
        if manifest:
            facts.append((label, str(manifest.get("run_id"))))
    if d.score_manifest and d.score_manifest.get("input_counts"):
        facts.append(("graph", ", ".join(f"{k} {v:,d}" for k, v in d.score_manifest["input_counts"].items())))
    facts += [("warning", text) for text in mixed_runs(d)]
    return facts


def mixed_runs(d: RunData) -> list[str]:
    """The parts of the folder built from another score run than the one ``score/`` shows (a
    scheduler re-scores nightly while paths and recommend keep their run): their tables then mix
    two runs' numbers. Embedded runs record no score run id (their scores are computed in the run)."""
    shown = (d.score_manifest or {}).get("run_id")
    out = []
    for label, manifest in (("paths", d.paths_manifest), ("recommend", d.recommend_manifest)):
        used = (manifest or {}).get("score_run_id")
        if shown and used and used != shown:
            out.append(f"the {label} run {manifest.get('run_id')} was built from score run {used}, not from "
                       f"{shown} shown here: its tables' trust columns come from another score run than its "
                       f"numbers; rerun livetrust {label} to match")
    return out


PAGE = Template("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="livetrust $version">
<title>livetrust report – $title</title>
<style>
body{font-family:-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;margin:0;color:#222;background:#f6f7f9}
header{background:#1b3a4b;color:#fff;padding:18px 32px}
header h1{margin:0 0 4px 0;font-size:24px} header p{margin:0;opacity:.85}
main{max-width:1200px;margin:0 auto;padding:12px 24px 40px}
section{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.08);margin:18px 0;padding:14px 20px}
h2{font-size:19px;margin:4px 0 6px} p.lead{margin:0 0 8px;color:#555;font-size:14px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;font-size:13px;margin:0}
dl.facts dt{color:#666} dl.facts dd{margin:0;word-break:break-all}
table.data{border-collapse:collapse;font-size:13px;width:100%;margin:6px 0}
table.data th,table.data td{padding:4px 8px;border-bottom:1px solid #e5e5e5;text-align:left}
table.data th{background:#f0f2f5;position:sticky;top:0} table.data td.num,table.data th.num{text-align:right}
table.data tbody tr:hover{background:#f7fbff} table.reconciliation tr:last-child td{font-weight:600}
.missing{color:#a94442;font-style:italic} .grid2{display:grid;grid-template-columns:1fr 1fr;gap:16px}
@media (max-width:900px){.grid2{grid-template-columns:1fr}}
footer{color:#777;font-size:12px;text-align:center;padding:10px}
</style>
<script>window.__livetrustErrors=[];window.addEventListener("error",function(e){window.__livetrustErrors.push(String(e.message||e.type));
document.documentElement.setAttribute("data-js-errors",window.__livetrustErrors.join(" | "));},true);</script>
<script type="text/javascript">$plotlyjs</script>
</head><body>
<header><h1>livetrust report</h1><p>$subtitle</p></header>
<main>
$sections
</main>
<footer>Made by livetrust $version on $made; self-contained (plotly.js $plotly_version inlined), opens without a network.</footer>
<script>document.documentElement.setAttribute("data-resources",String(performance.getEntriesByType("resource").length));
document.documentElement.setAttribute("data-charts",String(document.querySelectorAll(".plotly-graph-div").length));
document.documentElement.setAttribute("data-charts-rendered",String(document.querySelectorAll(".plotly-graph-div .plot-container").length));</script>
</body></html>
""")


def _section(sid: str, title: str, lead: str, body: str) -> str:
    lead_html = f"<p class=\"lead\">{lead}</p>" if lead else ""
    return f"<section id=\"{sid}\"><h2>{html.escape(title)}</h2>{lead_html}{body}</section>"


def build_html(d: RunData) -> str:
    """The report page for ``d``."""
    import plotly
    from plotly.offline import get_plotlyjs

    sections = []
    facts = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in _facts(d))
    notes = "".join(f"<p class=\"missing\">{html.escape(n)}</p>" for n in d.notes)
    sections.append(_section("run", "This run", "", f"<dl class=\"facts\">{facts}</dl>{notes}"))

    if d.streamers is not None and len(d.streamers):
        s = _streamer_frame(d)
        by = ("Colours: the world's truth (truth/streamers.csv); " if d.truth is not None else "Colours: ")
        flag_rule = ("× marks streamers their score row flags under the recommenders' demotion rule (integrity, "
                     "i.e. real audience, below 0.7, or lockstep buyers: at least 3 and 0.1% of its buyers; "
                     "docs/recommendations.md). The recommenders also flag by same-day bursts in the orders, "
                     "which this chart does not show.")
        sections.append(_section("trust-distribution", "Streamer trust", html.escape(by + "how trust is distributed over "
                                 f"the {len(s):,d} streamers."), _chart(fig_trust_histogram(s), "chart-trust-histogram")))
        unsold = int((s["orders"].fillna(0) <= 0).sum()) if "orders" in s.columns else 0
        extra = f" {unsold} streamers without orders are not shown." if unsold else ""
        sections.append(_section("trust-vs-returns", "Trust against return rate",
                                 html.escape("One dot per streamer, sized by orders. " + by + flag_rule + extra),
                                 _chart(fig_trust_vs_returns(s), "chart-trust-returns")))
        sections.append(_section("top-streamers", "Top streamers", "The 20 most trusted streamers; low/high is the "
                                 "trust interval, confidence how much evidence backs it.", top_streamers_table(s)))
    else:
        sections.append(_section("trust-distribution", "Streamer trust", "", _missing("trust scores", "run `livetrust score --out RUN/score`")))

    if d.channels is not None and d.factory is not None:
        where = ("Flows to consumer regions are the factory's orders in the data folder "
                 f"({d.data_dir})." if d.flows is not None else
                 "Consumer regions need the data folder (demo.json's world, or --data DIR); not available here.")
        lead = (f"Factory {d.factory}'s goods reach consumers through streamers (width: GMV; colour: streamer trust, "
                f"red low, green high). {where}")
        body = _chart(fig_factory_sankey(d), "chart-factory-flow") + channels_table(d)
        sections.append(_section("factory-flow", f"Factory {d.factory}: channels to consumers", html.escape(lead), body))
    else:
        sections.append(_section("factory-flow", "Factory channels", "", _missing("path analysis", "run `livetrust paths --out RUN/paths`")))

    if d.evaluation and d.evaluation.get("table"):
        info = d.evaluation.get("info") or {}
        k = info.get("k", 10)
        lead = (f"Time-split offline evaluation: the last {info.get('holdout_days')} days hidden (cutoff {info.get('cutoff')}), "
                f"lists built from the rest, scored on what happened after. Fraud exposure: share of recommended objects "
                f"the truth marks fraudulent{'' if info.get('truth') else ' (no truth: not measured)'}."
                + _returned_lead(info.get("returned_base_rate")))
        body = (_chart(fig_evaluation(d, "ndcg", f"NDCG@{k}"), "chart-eval-ndcg")
                + _chart(fig_evaluation(d, "fraud_exposure", "fraud exposure"), "chart-eval-fraud")
                + evaluation_table(d))
        sections.append(_section("evaluation", "Recommendations against the baselines", html.escape(lead), body))
    else:
        sections.append(_section("evaluation", "Recommendations against the baselines", "",
                                 _missing("evaluation", "run `livetrust evaluate --out RUN/evaluate`")))

    if d.consumer is not None and (d.consumer_products is not None or d.consumer_streamers is not None):
        parts = []
        if d.consumer_products is not None:
            parts.append(f"<div><h3>products to buy</h3>{consumer_table(d.consumer_products, 'table-consumer-products')}</div>")
        if d.consumer_streamers is not None:
            parts.append(f"<div><h3>streamers to follow</h3>{consumer_table(d.consumer_streamers, 'table-consumer-streamers')}</div>")
        sections.append(_section("consumer", f"Consumer {d.consumer}'s recommendations",
                                 "The top of two of the ranked lists, with the evidence behind each.",
                                 f"<div class=\"grid2\">{''.join(parts)}</div>"))

    if d.reconciliation:
        rec = d.reconciliation
        mode = {"load": "loaded into Neo4j", "embedded": "validated in memory (embedded mode)",
                "dry-run": "validated (dry run)"}.get(rec.get("mode"), rec.get("mode", ""))
        lead = (f"Every row read ends loaded, duplicate, pending or quarantined, and the four add up. "
                f"Folder {rec.get('folder')}, {mode}, run {rec.get('run_id')}.")
        sections.append(_section("reconciliation", "Load reconciliation", html.escape(lead), reconciliation_table(rec)))
    else:
        sections.append(_section("reconciliation", "Load reconciliation", "",
                                 _missing("load report", "run `livetrust load DIR --report-dir RUN/load`")))

    title = d.run_dir.name
    subtitle = (f"{d.demo.get('scale')} world, seed {d.demo.get('seed')}, {d.demo.get('mode')} mode"
                if d.demo else str(d.run_dir))
    return PAGE.substitute(
        version=__version__, title=html.escape(title), subtitle=html.escape(subtitle), sections="\n".join(sections),
        plotlyjs=get_plotlyjs(), plotly_version=plotly.__version__,
        made=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    )


def write_report(run_dir: Path | str, out_file: Path | str | None = None, *, data_dir: Path | str | None = None,
                 factory: str | None = None, consumer: str | None = None) -> Path:
    """Write the report of ``run_dir`` to ``out_file`` (default ``RUN/report.html``) atomically."""
    d = read_run(run_dir, data_dir=data_dir, factory=factory, consumer=consumer)
    if all(x is None for x in (d.streamers, d.channels, d.evaluation, d.reconciliation)):
        raise LivetrustError(f"{run_dir} holds no run output (score/, paths/, evaluate/, load/): nothing to report")
    target = Path(out_file) if out_file is not None else Path(run_dir) / REPORT
    writable_folder(target.parent, "--out's folder")
    text = build_html(d)
    atomic_write(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return target


def report_command(*, run_dir: Path | None, out_file: Path | None, data_dir: Path | None = None,
                   factory: str | None = None) -> str:
    """What ``livetrust report`` does; returns the line it prints."""
    run_dir = Path(run_dir) if run_dir is not None else find_run()
    path = write_report(run_dir, out_file, data_dir=data_dir, factory=factory)
    size = path.stat().st_size / 1e6
    return f"report: {path} ({size:.1f} MB, self-contained; open it in a browser)"
