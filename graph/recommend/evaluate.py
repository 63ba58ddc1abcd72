"""Time-split offline evaluation of the ranked lists, with baselines in the same run.

Protocol (``livetrust evaluate``)
---------------------------------
1. Hide the last ``holdout_days`` of the projection (:func:`~.data.time_split`): the
   recommenders and the trust scores see only what was known before the cutoff
   (returns and unfollows after it are hidden too).
2. Score the training part (trust model), build every list for the evaluated subjects.
3. Score the lists against what really happened in the hidden days:

- **consumer -> products**: relevant = products the consumer bought in the hidden days
  and had not bought before (every method excludes already-bought products);
  users = consumers with at least one such product (genuine ones only when a truth
  folder is given: the truth's fraud accounts -- fake followers, brushing rings -- are
  not customers to serve). Methods: ``livetrust`` and the baselines ``most_popular``,
  ``item_knn`` (scikit-learn cosine) and ``rp3beta`` fit on the consumer x product
  purchase matrix, and ``followed_sellers`` (the products of the streamers the consumer
  follows, by their share of each one's recent sales: the private-domain data livetrust
  reads besides trust, without trust).
- **consumer -> streamers**: relevant = streamers the consumer started following in the
  hidden days and had never followed before the cutoff; baselines fit on the follows
  running at the cutoff, and every method excludes the streamers the consumer ever followed.
- **factory -> streamers**: relevant = the truth's honest (``honesty >= 0.5``), non-fraud
  streamers that sold the factory's category in the hidden days (without truth: all
  streamers that did); baselines ``category_top_sellers`` (most units sold in the
  factory's category before the cutoff) and the matrix baselines fit on the factory x
  streamer units sold before the cutoff (most popular: the streamers selling for the most
  factories; item-kNN and RP3beta: streamers like the factory's sellers); no method
  excludes the factory's current sellers.
- **streamer -> products / factories**: relevant = what the streamer sold in the hidden days
  for the first time (a product, or a factory's goods, it had not sold before the cutoff);
  users = the streamers with such an item (honest ones only when a truth folder is given);
  every method offers only what the streamer has not carried; the matrix baselines fit on the
  streamer x product (factory) units sold before the cutoff, recency-weighted. In generated worlds a
  streamer's catalogue is fixed at the start, so what is new to it is a catalogue item that
  had not sold yet; real streamers also take on new goods.

Metrics (``metrics.py``): precision@k, recall@k, NDCG@k, MAP@k, catalogue coverage,
**fraud exposure** (share of recommended objects the truth marks fraudulent: fraud
streamers, and products sold mainly -- more than half their order lines -- by fraud
streamers) and **returned share** (mean over hits -- products recommended and then bought --
of the returned units / units of the consumer's hidden-day order lines of it); for streamer
lists with truth, **mean honesty** of the recommended streamers (the truth's latent
honesty, 0..1). Beside the table, :func:`comparisons`: livetrust minus each baseline per
subject, with a 95% interval and a paired t-test.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ...files import json_text
from ..projection import Projection
from . import metrics as M
from .common import MatrixRecommender, pair_values, top_k_dense
from .consumer_products import ConsumerProducts
from .consumer_streamers import ConsumerStreamers
from .context import Context
from .data import Graph, codes_of, time_split
from .factory_streamers import FactoryStreamers
from .followed_sellers import FollowedSellers
from .itemknn import ItemKNN
from .popular import MostPopular
from .rp3beta import RP3beta
from .scores import Scores, scores_from_model
from .streamer_products import StreamerFactories, StreamerProducts

HONEST = 0.5

#: Baseline hyper-parameters, tuned by grid search on the ``s`` world (seed 7) -- the best
#: NDCG@10 of ``bench/recommend_bench.py tune`` (bench/results/recommend_tune_s7.json), RP3beta's
#: within the paper's beta >= 0 (a negative beta, favouring popular items, scored 0.0837 against
#: 0.0808, most popular's 0.0853); ``params`` overrides them. RP3beta's paper defaults (alpha 1,
#: beta 0.5) scored lower.
BASELINE_PARAMS: dict[str, dict[str, Any]] = {
    "item_knn": {"k": 500},
    "rp3beta": {"alpha": 0.25, "beta": 0.0, "k": 200},
}

#: What ``params`` may set: livetrust's recommender of each evaluated list, and the baselines.
RECOMMENDERS: dict[str, type] = {
    "consumer_products": ConsumerProducts, "consumer_streamers": ConsumerStreamers,
    "factory_streamers": FactoryStreamers, "most_popular": MostPopular, "item_knn": ItemKNN, "rp3beta": RP3beta,
    "followed_sellers": FollowedSellers,
}

#: The lists the protocol scores (``--lists``), in the table's order.
EVALUABLE: tuple[str, ...] = ("consumer_products", "consumer_streamers", "factory_streamers", "streamer_products",
                              "streamer_factories")

#: The baselines on offer (``--baselines``), in the table's order. ``followed_sellers`` recommends
#: products only (``products_only``): the consumer -> streamers evaluation skips it.
BASELINES: tuple[str, ...] = ("most_popular", "item_knn", "rp3beta", "followed_sellers")

Scorer = Callable[[Projection], Scores]

#: Per-user metrics compared between livetrust and each baseline (:func:`comparisons`), and the
#: rows' keys that carry them (and the subjects' dependent groups, if any) until then.
COMPARED: tuple[str, ...] = ("ndcg", "precision")
PER_USER, CLUSTERS = "_per_user", "_clusters"


@dataclass
class Truth:
    """What the world generator knows (``OUT/truth/``): fraud streamers, honesty, fraud accounts."""

    streamers: pd.DataFrame  # streamer_id, honesty, fraud_kind
    consumers: pd.DataFrame  # consumer_id, is_fraud
    folder: str | None = None

    #: The files and columns read from a truth folder (``livetrust generate`` writes more).
    FILES = {"streamers.csv": ("streamer_id", "honesty", "fraud_kind"), "consumers.csv": ("consumer_id", "is_fraud")}

    @classmethod
    def load(cls, folder: str | Path) -> "Truth":
        """Read ``folder``; a missing file or column is a one-line ``LivetrustError`` naming it."""
        folder = Path(folder)
        streamers, consumers = (cls._read(folder / name, columns) for name, columns in cls.FILES.items())
        streamers["fraud_kind"] = streamers["fraud_kind"].fillna("none")
        return cls(streamers=streamers, consumers=consumers, folder=str(folder))

    @staticmethod
    def _read(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
        from ...errors import LivetrustError

        if not path.is_file():
            raise LivetrustError(f"truth folder {path.parent}: no {path.name} (a world's truth/ has "
                                 f"streamers.csv and consumers.csv)")
        try:
            frame = pd.read_csv(path, dtype={columns[0]: str, "fraud_kind": str}, usecols=lambda c: c in columns)
        except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as err:
            raise LivetrustError(f"{path}: cannot read as CSV: {str(err).splitlines()[0]}") from None
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise LivetrustError(f"{path}: no column {', '.join(missing)} (a truth file needs {', '.join(columns)})")
        return frame

    def fraud_streamers(self, index: pd.Index) -> np.ndarray:
        s = self.streamers.set_index("streamer_id")["fraud_kind"].reindex(index).fillna("none")
        return (s != "none").to_numpy()

    def honesty(self, index: pd.Index) -> np.ndarray:
        return self.streamers.set_index("streamer_id")["honesty"].reindex(index).fillna(0.0).to_numpy(dtype=np.float64)

    def honest_streamers(self, index: pd.Index) -> np.ndarray:
        h = self.streamers.set_index("streamer_id")["honesty"].reindex(index).fillna(0.0).to_numpy()
        return (h >= HONEST) & ~self.fraud_streamers(index)

    def fraud_consumers(self, index: pd.Index) -> np.ndarray:
        c = self.consumers.set_index("consumer_id")["is_fraud"].reindex(index).fillna(0).astype(int)
        return (c > 0).to_numpy()


def fraud_products(orders: pd.DataFrame, products: pd.Index, fraud_streamer_ids: set[str]) -> np.ndarray:
    """Products sold mainly (> half their order lines) by fraud streamers."""
    is_fraud = orders["streamer_id"].isin(fraud_streamer_ids).to_numpy(dtype=np.float64)
    p = codes_of(products, orders["product_id"])
    ok = p >= 0
    lines = np.bincount(p[ok], minlength=len(products))
    fraud = np.bincount(p[ok], weights=is_fraud[ok], minlength=len(products))
    return fraud > 0.5 * np.maximum(lines, 1)


@dataclass
class Evaluation:
    """The result: one row per (list, method) in ``table``, plus run information."""

    table: pd.DataFrame
    info: dict[str, Any] = field(default_factory=dict)
    comparisons: pd.DataFrame = field(default_factory=pd.DataFrame)  # livetrust minus each baseline

    def to_markdown(self) -> str:
        cols = ["list", "method", "users", "precision", "recall", "ndcg", "map", "coverage", "fraud_exposure",
                "returned_share", "mean_honesty", "seconds"]
        t = self.table[[c for c in cols if c in self.table.columns]].copy()
        k = self.info.get("k", 10)
        head = ["list", "method", "subjects", f"P@{k}", f"R@{k}", f"NDCG@{k}", f"MAP@{k}", "coverage",
                "fraud exp.", "returned", "honesty", "s"]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for r in t.itertuples(index=False):
            vals = [r.list, r.method, str(r.users)] + [_fmt(getattr(r, c)) for c in
                    ("precision", "recall", "ndcg", "map", "coverage", "fraud_exposure", "returned_share", "mean_honesty")] + [f"{r.seconds:.1f}"]
            lines.append("| " + " | ".join(vals) + " |")
        empty = list(dict.fromkeys(t.loc[t["users"] == 0, "list"]))
        if empty:
            lines += ["", f"not evaluated: {', '.join(empty)}: no subject had anything relevant in the hidden days "
                          "(hide more days, or check that the data reaches its last day)"]
        lines += self._comparisons_markdown(k)
        base = self.info.get("returned_base_rate")
        if base is not None and not math.isnan(base):
            lines += ["", f"returned, for comparison: {base:.4f} over every new product the evaluated consumers "
                          "bought in the hidden days, recommended or not"]
        return "\n".join(lines) + "\n"

    def _comparisons_markdown(self, k: int) -> list[str]:
        if self.comparisons.empty:
            return []
        names = {"ndcg": f"NDCG@{k}", "precision": f"P@{k}"}
        lines = ["", "livetrust minus each baseline, per subject: mean difference [95% interval], paired t-test p "
                     "(clustered by groups of dependent subjects where shown)", "",
                 "| list | baseline | subjects | " + " | ".join(names[m] for m in COMPARED) + " |",
                 "|---|---|---|" + "---|" * len(COMPARED)]
        for r in self.comparisons.to_dict("records"):
            subjects = f"{r['users']}" + (f" in {r['groups']} groups" if r["groups"] != r["users"] else "")
            cells = [_difference(r[f"{m}_diff"], r[f"{m}_ci_low"], r[f"{m}_ci_high"], r[f"{m}_p"]) for m in COMPARED]
            lines.append(f"| {r['list']} | {r['baseline']} | {subjects} | " + " | ".join(cells) + " |")
        return lines

    def to_json(self) -> str:
        """Strict JSON: a metric that is not available (no truth) is ``null``."""
        return json_text({"info": self.info, "table": self.table.to_dict("records"),
                          "comparisons": self.comparisons.to_dict("records")}, indent=2)


def _difference(diff: float, low: float, high: float, p: float) -> str:
    if np.isnan(diff):
        return "–"
    if np.isnan(p):
        return f"{diff:+.4f} (too few subjects for an interval)"
    p_text = "p < 1e-4" if p < 1e-4 else f"p = {p:.2g}"
    return f"{diff:+.4f} [{low:+.4f}, {high:+.4f}] {p_text}"


def _fmt(x: float) -> str:
    return "–" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.4f}"


def evaluate(
    projection: Projection,
    *,
    holdout_days: float = 30,
    k: int = 10,
    truth: Truth | None = None,
    scorer: Scorer | None = None,
    baselines: tuple[str, ...] = BASELINES,
    lists: tuple[str, ...] = EVALUABLE,
    params: dict[str, dict[str, Any]] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Evaluation:
    """Run the evaluation protocol of the module docstring.

    Parameters
    ----------
    projection : the whole projection (the last ``holdout_days`` are hidden here).
    k : cut-off of every metric.
    truth : the world's truth, for fraud exposure and the factory -> streamer relevance.
    scorer : trust scores of the training projection (default: livetrust's trust model).
    params : constructor parameters per recommender: livetrust's by list name, the baselines' by
        theirs (:data:`RECOMMENDERS`), e.g. ``{"consumer_products": {"keep_power": 2}, "rp3beta":
        {"beta": 0.3}}``; recorded in ``info["params"]``.
    """
    say = progress or (lambda _m: None)
    params = params or {}
    t0 = time.perf_counter()
    split = time_split(projection, holdout_days)
    train = split.train
    if not len(train.orders):  # nothing to learn from: every method would score by tie order
        from ...errors import LivetrustError

        first = projection.orders["purchased_at"].min()
        raise LivetrustError(f"--holdout-days {holdout_days} leaves no orders before the cutoff {split.cutoff} "
                             f"(the first order is of {first}): hide fewer days")
    g = Graph.build(train)
    say(f"cutoff {split.cutoff}: {len(train.orders)} orders before, {len(split.test_orders)} after")
    t = time.perf_counter()
    scores = (scorer or scores_from_model)(train)
    score_seconds = time.perf_counter() - t
    say(f"trust scores of the training part in {score_seconds:.1f} s")
    ctx = Context.build(g, scores)
    rows: list[dict[str, Any]] = []
    genuine = ~truth.fraud_consumers(g.consumers) if truth is not None else np.ones(g.n_consumers, bool)
    info: dict[str, Any] = {
        "holdout_days": holdout_days, "k": k, "cutoff": str(split.cutoff),
        "train_orders": len(train.orders), "test_orders": len(split.test_orders),
        "score_run_id": scores.run_id, "score_seconds": round(score_seconds, 2),
        "truth": truth.folder if truth is not None else None,
        "consumers": g.n_consumers, "streamers": g.n_streamers, "products": g.n_products, "factories": g.n_factories,
        "params": params,
    }

    if "consumer_products" in lists:
        rows += _consumer_products(ctx, split, k, truth, genuine, baselines, params, say, info)
    if "consumer_streamers" in lists:
        rows += _consumer_streamers(ctx, split, k, truth, genuine, baselines, params, say)
    if "factory_streamers" in lists:
        rows += _factory_streamers(ctx, split, k, truth, baselines, params, say)
    for name in ("streamer_products", "streamer_factories"):
        if name in lists:
            rows += _streamer_carry(name, ctx, split, k, truth, baselines, params, say)
    info["seconds"] = round(time.perf_counter() - t0, 1)
    compared = comparisons(rows)
    return Evaluation(table=pd.DataFrame(rows).drop(columns=[PER_USER, CLUSTERS]), info=info, comparisons=compared)


def comparisons(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """livetrust minus each baseline of the same list, per subject (the same subjects in the same
    order), for every metric of :data:`COMPARED`: the mean difference, its 95% interval and the
    paired t-test's p-value (:func:`metrics.paired_difference`), cluster-robust where the rows name
    groups of dependent subjects (factories of one category). A +2% NDCG lead is a claim only with
    its interval."""
    out = []
    for ours in (r for r in rows if r["method"] == "livetrust" and r["users"]):
        for base in (r for r in rows if r["list"] == ours["list"] and r["method"] != "livetrust"):
            d = {m: M.paired_difference(ours[PER_USER][m], base[PER_USER][m], ours[CLUSTERS]) for m in COMPARED}
            row: dict[str, Any] = {"list": ours["list"], "baseline": base["method"],
                                   "users": d[COMPARED[0]]["users"], "groups": d[COMPARED[0]]["groups"]}
            for m in COMPARED:  # every metric is defined for the same subjects (those with something relevant)
                row.update({f"{m}_diff": d[m]["diff"], f"{m}_ci_low": d[m]["ci_low"],
                            f"{m}_ci_high": d[m]["ci_high"], f"{m}_p": d[m]["p_value"]})
            out.append(row)
    return pd.DataFrame(out)


def _matrix(rows: np.ndarray, cols: np.ndarray, values: np.ndarray, shape) -> sp.csr_matrix:
    ok = (rows >= 0) & (cols >= 0)
    m = sp.csr_matrix((values[ok], (rows[ok], cols[ok])), shape=shape)
    m.sum_duplicates()
    return m


def _row(list_name: str, method: str, rec: np.ndarray, relevant: sp.csr_matrix, k: int, n_items: int,
         flagged: np.ndarray | None, bought=None, returned=None, seconds: float = 0.0,
         honesty: np.ndarray | None = None, clusters: np.ndarray | None = None) -> dict[str, Any]:
    per_user = M.per_user(rec, relevant, k)
    r = M.ranking_metrics(rec, relevant, k, per_user)
    slots = rec[:, :k][rec[:, :k] >= 0]
    if r["users"] == 0:  # nothing to score against: every measure of the lists is moot
        flagged = bought = honesty = None
    return {
        "list": list_name, "method": method, "users": r["users"],
        "precision": r["precision"], "recall": r["recall"], "ndcg": r["ndcg"], "map": r["map"],
        "coverage": M.coverage(rec[:, :k], n_items) if r["users"] else float("nan"),
        "fraud_exposure": M.flagged_share(rec[:, :k], flagged) if flagged is not None else float("nan"),
        "returned_share": M.returned_share(rec[:, :k], bought, returned) if bought is not None else float("nan"),
        "mean_honesty": float(honesty[slots].mean()) if honesty is not None and len(slots) else float("nan"),
        "seconds": seconds,
        PER_USER: {m: per_user[m] for m in COMPARED},
        CLUSTERS: clusters,
    }


def baseline(name: str, params: dict[str, dict[str, Any]] | None = None) -> MatrixRecommender:
    """The baseline ``name`` with the evaluation's defaults (:data:`BASELINE_PARAMS`) under ``params``."""
    return RECOMMENDERS[name](**{**BASELINE_PARAMS.get(name, {}), **(params or {}).get(name, {})})


@dataclass(frozen=True)
class ProductTask:
    """Consumer -> products in the hidden days: who is evaluated and what counts."""

    users: np.ndarray  # consumer codes with a new (not bought before) product in the hidden days
    relevant: sp.csr_matrix  # per user: the new products bought in the hidden days
    bought: sp.csr_matrix  # per user: every product bought in the hidden days
    returned: sp.csr_matrix  # per user: the returned share of those
    fraud_products: np.ndarray | None  # per product: the truth marks it fraudulent (None without truth)

    def returned_base_rate(self) -> float:
        """The returned share of every relevant pair (each new product a user bought in the hidden
        days), averaged as :func:`metrics.returned_share` averages hits: what a list's hits would
        show if recommending did not change which purchases are returned."""
        relevant = self.relevant.tocoo()
        if not relevant.nnz:
            return float("nan")
        return float(pair_values(self.returned, relevant.row, relevant.col).mean())


def consumer_products_task(g: Graph, split, truth: Truth | None, genuine: np.ndarray) -> ProductTask:
    """The consumer -> products task of the protocol (module docstring) on ``split``.

    Parameters
    ----------
    g : the training part's :class:`Graph` (codes of consumers and products).
    split : :func:`time_split` of the whole projection.
    truth : the world's truth, for the fraudulent products; None leaves them out.
    genuine : per consumer code, False for the truth's fraud accounts (they are not evaluated).

    Examples
    --------
    >>> task = consumer_products_task(g, split, truth, genuine)       # doctest: +SKIP
    >>> len(task.users), task.relevant.shape                           # doctest: +SKIP
    """
    test = split.test_orders
    tc, tp = codes_of(g.consumers, test["consumer_id"]), codes_of(g.products, test["product_id"])
    shape = (g.n_consumers, g.n_products)
    test_bought, test_returned = _hidden_purchases(tc, tp, test, shape)
    new = test_bought - test_bought.multiply(g.bought)
    new.eliminate_zeros()
    users = np.flatnonzero((np.diff(new.indptr) > 0) & genuine)
    flagged = None
    if truth is not None:
        fraud_ids = set(truth.streamers.loc[truth.streamers["fraud_kind"] != "none", "streamer_id"])
        whole = pd.concat([split.train.orders, test], ignore_index=True)
        flagged = fraud_products(whole, g.products, fraud_ids)
    return ProductTask(users, new[users], test_bought[users], test_returned[users], flagged)


def _hidden_purchases(tc: np.ndarray, tp: np.ndarray, test: pd.DataFrame, shape) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Per (consumer, product) bought in the hidden days: 1, and its returned units / units over
    all its hidden-day order lines (two lines, one of them returned whole: 0.5, not 1)."""
    units = test["quantity"].clip(lower=1).to_numpy(dtype=np.float64)
    returned = np.clip(test["returned_quantity"].to_numpy(dtype=np.float64), 0.0, units)
    bought = _matrix(tc, tp, units, shape).tocoo()
    share = pair_values(_matrix(tc, tp, returned, shape), bought.row, bought.col) / bought.data
    return (sp.csr_matrix((np.ones(bought.nnz), (bought.row, bought.col)), shape=shape),
            sp.csr_matrix((share, (bought.row, bought.col)), shape=shape))


def _consumer_products(ctx: Context, split, k, truth, genuine, baselines, params, say,
                       info: dict[str, Any]) -> list[dict[str, Any]]:
    g = ctx.graph
    task = consumer_products_task(g, split, truth, genuine)
    info["returned_base_rate"] = task.returned_base_rate()
    users, relevant, bought_u, returned_u, flagged = (task.users, task.relevant, task.bought, task.returned,
                                                      task.fraud_products)
    say(f"consumer -> products: {len(users)} consumers with new purchases in the hidden days")
    out = []
    t = time.perf_counter()
    model = ConsumerProducts(**params.get("consumer_products", {})).fit(ctx)
    rec, _ = model.recommend(k, users)
    out.append(_row("consumer_products", "livetrust", rec, relevant, k, g.n_products, flagged, bought_u, returned_u,
                    time.perf_counter() - t))
    say(f"  livetrust ndcg@{k}={out[-1]['ndcg']:.4f} in {out[-1]['seconds']:.1f} s")
    X = g.bought
    for name in baselines:
        t = time.perf_counter()
        base = baseline(name, params).fit_graph(X, g)
        rec, _ = base.recommend(k, users)
        out.append(_row("consumer_products", name, rec, relevant, k, g.n_products, flagged, bought_u, returned_u,
                        time.perf_counter() - t))
        say(f"  {name} ndcg@{k}={out[-1]['ndcg']:.4f} in {out[-1]['seconds']:.1f} s")
    return out


def new_follows(g: Graph, split, genuine: np.ndarray) -> tuple[np.ndarray, sp.csr_matrix]:
    """The consumers evaluated for consumer -> streamers (genuine ones who started following
    someone new in the hidden days) and, per consumer, those streamers (the relevant ones). New:
    never followed before the cutoff; a re-follow of an unfollowed streamer is not, as the list
    never offers one (``ConsumerStreamers``)."""
    tf = split.test_follows
    fc, fs = codes_of(g.consumers, tf["consumer_id"]), codes_of(g.streamers, tf["streamer_id"])
    new = _matrix(fc, fs, np.ones(len(tf)), (g.n_consumers, g.n_streamers))
    new.data[:] = 1.0
    new = new - new.multiply(g.followed_ever)
    new.eliminate_zeros()
    users = np.flatnonzero((np.diff(new.indptr) > 0) & genuine)
    return users, new[users]


def _consumer_streamers(ctx: Context, split, k, truth, genuine, baselines, params, say) -> list[dict[str, Any]]:
    g = ctx.graph
    users, relevant = new_follows(g, split, genuine)
    flagged = truth.fraud_streamers(g.streamers) if truth is not None else None
    say(f"consumer -> streamers: {len(users)} consumers who started following someone new")
    out = []
    t = time.perf_counter()
    model = ConsumerStreamers(**params.get("consumer_streamers", {})).fit(ctx)
    rec, _ = model.recommend(k, users)
    honesty = truth.honesty(g.streamers) if truth is not None else None
    out.append(_row("consumer_streamers", "livetrust", rec, relevant, k, g.n_streamers, flagged,
                    seconds=time.perf_counter() - t, honesty=honesty))
    say(f"  livetrust ndcg@{k}={out[-1]['ndcg']:.4f}")
    X = g.following
    for name in (b for b in baselines if not RECOMMENDERS[b].products_only):
        t = time.perf_counter()
        base = baseline(name, params).fit(X)
        # fit on the follows running at the cutoff; offer none the consumer ever followed (as livetrust)
        rec, _ = base.recommend(k, users, excluded=g.followed_ever)
        out.append(_row("consumer_streamers", name, rec, relevant, k, g.n_streamers, flagged,
                        seconds=time.perf_counter() - t, honesty=honesty))
        say(f"  {name} ndcg@{k}={out[-1]['ndcg']:.4f}")
    return out


def _factory_streamers(ctx: Context, split, k, truth, baselines, params, say) -> list[dict[str, Any]]:
    g = ctx.graph
    test = split.test_orders
    ts, tp = codes_of(g.streamers, test["streamer_id"]), codes_of(g.products, test["product_id"])
    ok = (ts >= 0) & (tp >= 0)
    n_cat = max(1, len(g.categories))
    cat = np.where(ok, g.p_category[np.maximum(tp, 0)], -1)
    ok &= cat >= 0
    sold = sp.csr_matrix((np.ones(ok.sum()), (cat[ok], ts[ok])), shape=(n_cat, g.n_streamers))
    sold.sum_duplicates()
    sold.data[:] = 1.0
    if truth is not None:
        sold = sp.csr_matrix(sold @ sp.diags(truth.honest_streamers(g.streamers).astype(np.float64)))
        sold.eliminate_zeros()
    factories = np.flatnonzero(g.f_category >= 0)
    relevant = sp.csr_matrix(sold[g.f_category[factories]])
    flagged = truth.fraud_streamers(g.streamers) if truth is not None else None
    label = "honest non-fraud streamers" if truth is not None else "streamers"
    say(f"factory -> streamers: {len(factories)} factories; relevant = {label} selling the category in the hidden days")
    out = []
    t = time.perf_counter()
    model = FactoryStreamers(**params.get("factory_streamers", {})).fit(ctx)
    rec, _ = model.recommend(k, factories)
    honesty = truth.honesty(g.streamers) if truth is not None else None
    # the baseline's list and the relevant set are the category's: factories of one category are one group
    categories = g.f_category[factories]
    out.append(_row("factory_streamers", "livetrust", rec, relevant, k, g.n_streamers, flagged,
                    seconds=time.perf_counter() - t, honesty=honesty, clusters=categories))
    say(f"  livetrust precision@{k}={out[-1]['precision']:.4f}")
    # baseline: the category's top sellers before the cutoff
    t = time.perf_counter()
    o_ok = (g.o_streamer >= 0) & (g.o_product >= 0)
    o_cat = np.where(o_ok, g.p_category[np.maximum(g.o_product, 0)], -1)
    o_ok &= o_cat >= 0
    units = sp.csr_matrix((g.o_units[o_ok], (o_cat[o_ok], g.o_streamer[o_ok])), shape=(n_cat, g.n_streamers)).toarray()
    block = units[g.f_category[factories]]
    block = np.where(block > 0, block, -np.inf)
    rec, _ = top_k_dense(block, k)
    out.append(_row("factory_streamers", "category_top_sellers", rec, relevant, k, g.n_streamers, flagged,
                    seconds=time.perf_counter() - t, honesty=honesty, clusters=categories))
    say(f"  category_top_sellers precision@{k}={out[-1]['precision']:.4f}")
    # the matrix baselines on the factory x streamer units sold before the cutoff (recency-weighted, as
    # the streamer lists' baselines); like livetrust's list (exclude_partners=False) they may name the
    # factory's current sellers
    X = sp.csr_matrix(g.streamer_factory_units.T)
    for name in (b for b in baselines if not RECOMMENDERS[b].products_only):
        t = time.perf_counter()
        rec, _ = baseline(name, params).fit(X).recommend(k, factories, exclude_seen=False)
        out.append(_row("factory_streamers", name, rec, relevant, k, g.n_streamers, flagged,
                        seconds=time.perf_counter() - t, honesty=honesty, clusters=categories))
        say(f"  {name} precision@{k}={out[-1]['precision']:.4f}")
    return out


def _streamer_carry(name: str, ctx: Context, split, k, truth, baselines, params, say) -> list[dict[str, Any]]:
    """Streamer -> products (``streamer_products``) or factories (``streamer_factories``) to carry:
    relevant = what the streamer sold in the hidden days for the first time (a product, or any
    product of a factory, it had not sold before the cutoff); with a truth folder, honest
    streamers only. livetrust's list offers only what the streamer has not carried; the baselines
    fit on the streamer x item units sold before the cutoff (recency-weighted, as livetrust's) and
    exclude the same pairs. Fraud exposure: products sold mainly by fraud streamers (none for
    factories)."""
    g = ctx.graph
    model = (StreamerProducts if name == "streamer_products" else StreamerFactories)().fit(ctx)
    test = split.test_orders
    ts, tp = codes_of(g.streamers, test["streamer_id"]), codes_of(g.products, test["product_id"])
    # the baselines fit on recency-weighted units, as livetrust's lists weigh them
    if name == "streamer_products":
        items, n_items, X = tp, g.n_products, g.streamer_product_units
    else:
        items = np.where(tp >= 0, g.p_factory[np.maximum(tp, 0)], -1)
        n_items, X = g.n_factories, g.streamer_factory_units
    sold = _matrix(ts, items, np.ones(len(test)), (g.n_streamers, n_items))
    sold.data[:] = 1.0
    new = sold - sold.multiply(model.carried_)
    new.eliminate_zeros()
    # with a truth folder, the fraud streamers are not evaluated: their rings' orders are no choice to serve
    genuine = ~truth.fraud_streamers(g.streamers) if truth is not None else np.ones(g.n_streamers, bool)
    users = np.flatnonzero((np.diff(new.indptr) > 0) & genuine)
    relevant = new[users]
    flagged = None
    if truth is not None and name == "streamer_products":
        fraud_ids = set(truth.streamers.loc[truth.streamers["fraud_kind"] != "none", "streamer_id"])
        flagged = fraud_products(pd.concat([split.train.orders, test], ignore_index=True), g.products, fraud_ids)
    what = "product" if name == "streamer_products" else "factory's goods"
    say(f"{name.replace('_', ' -> ', 1)}: {len(users)} streamers who sold a {what} new to them in the hidden days")
    t = time.perf_counter()
    rec, _ = model.recommend(k, users)
    out = [_row(name, "livetrust", rec, relevant, k, n_items, flagged, seconds=time.perf_counter() - t)]
    say(f"  livetrust ndcg@{k}={out[-1]['ndcg']:.4f}")
    for base_name in (b for b in baselines if not RECOMMENDERS[b].products_only):
        t = time.perf_counter()
        rec, _ = baseline(base_name, params).fit(X).recommend(k, users, excluded=model.carried_)
        out.append(_row(name, base_name, rec, relevant, k, n_items, flagged, seconds=time.perf_counter() - t))
        say(f"  {base_name} ndcg@{k}={out[-1]['ndcg']:.4f}")
    return out
