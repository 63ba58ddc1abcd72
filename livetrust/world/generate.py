"""``generate_world``: simulate, split, corrupt and write one world."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
from tqdm import tqdm

from .. import __version__
from ..contract import LOAD_ORDER
from .calendar import DAY, promotion_calendar
from .config import CATEGORIES, CONSUMER_FRAUD_KINDS, FRAUD_KINDS, REGIONS, RING_MODES, SCALES, Params
from .corrupt import Defect, FreshIds, OrderRefs, corrupt_table
from .entities import World, build_world
from .shard import REASONS, ShardResult, simulate_shard
from .tables import (
    EXTENSIONS,
    id_strings,
    int_strings,
    make_table,
    money_strings,
    stream_path,
    text_strings,
    ts_strings,
    write_csv,
    write_table,
)

DEFAULT_START = "2026-01-01T00:00:00Z"
DEFECT_COLUMNS = ("stream", "file", "row", "key", "defect", "expected_outcome", "reason")


@dataclass
class WorldSummary:
    """What ``generate_world`` wrote; ``str()`` is a short human-readable report."""

    out_dir: Path
    truth_dir: Path
    holdout_dir: Path | None
    scale: str
    seed: int
    file_format: str
    parts: int
    counts: dict[str, dict[str, int]]  # folder ("main" / "holdout") -> stream -> rows written
    defects: int
    seconds: float
    fraud: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        lines = [f"world: scale={self.scale} seed={self.seed} format={self.file_format} parts={self.parts} "
                 f"in {self.seconds:.1f} s"]
        for folder, counts in self.counts.items():
            where = self.out_dir if folder == "main" else self.holdout_dir
            lines.append(f"  {folder} ({where}):")
            for stream in LOAD_ORDER:
                if stream in counts:
                    lines.append(f"    {stream:<10} {counts[stream]:>12,d} rows")
        lines.append("  fraud: " + ", ".join(f"{k}={v}" for k, v in self.fraud.items()))
        lines.append(f"  injected defects: {self.defects} (truth/defects.csv)")
        lines.append(f"  truth: {self.truth_dir}")
        return "\n".join(lines)


def _parse_start(start: str | dt.datetime) -> dt.datetime:
    if isinstance(start, dt.datetime):
        when = start
    else:
        when = dt.datetime.fromisoformat(start.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(dt.timezone.utc)


def _rng(seed: int, *key: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


class WorldArgumentError(ValueError):
    """An argument of :func:`generate_world` it cannot work with (the CLI prints it in one line)."""


TRUTH_FILES = ("consumers.csv", "defects.csv", "factories.csv", "products.csv", "streamers.csv", "world.json")
_PART = re.compile(r"part-\d{5}(" + "|".join(re.escape(e) for e in EXTENSIONS.values()) + ")")
_STREAM_FILES = {f"{stream}{ext}" for stream in LOAD_ORDER for ext in EXTENSIONS.values()}  # in any format


def _clean(out: Path) -> None:
    """Remove a previous world from ``out``: only names this generator writes (a stream's file in
    any of its formats, a stream folder's ``part-NNNNN`` files, ``truth/``'s files), in ``out`` and
    ``out/holdout``; anything else stays, and so do the folders that still hold it."""
    for root in (out, out / "holdout"):
        for name in _STREAM_FILES:
            (root / name).unlink(missing_ok=True)
        for stream in LOAD_ORDER:
            folder = root / stream
            if folder.is_dir():
                for f in folder.iterdir():
                    if f.is_file() and _PART.fullmatch(f.name):
                        f.unlink()
                _remove_if_empty(folder)
    for name in TRUTH_FILES:
        (out / "truth" / name).unlink(missing_ok=True)
    _remove_if_empty(out / "truth")
    _remove_if_empty(out / "holdout")


def _refuse_foreign_stream_files(out: Path) -> None:
    """Refuse, before anything is deleted, an ``out`` holding stream files that are not a generated
    world's (``returns.csv.gz``, ``purchases (1).csv``, a note in ``purchases/``): kept beside the new
    world they would make its load refuse the folder (a stream given twice), and deleting them would
    lose a user's data."""
    from ..loaders.readers import stream_entries

    foreign = [entry for root in (out, out / "holdout") if root.is_dir() for entry in stream_entries(root)
               if not (entry.name in _STREAM_FILES if entry.parent == root else _PART.fullmatch(entry.name))]
    if foreign:
        names = ", ".join(str(f.relative_to(out)) for f in foreign[:5])
        more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        raise WorldArgumentError(f"{out} holds stream files this generator did not write ({names}{more}): a load "
                                 "would read them with the new world's; move them, or choose another --out")


def _remove_if_empty(folder: Path) -> None:
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


def _strings(values: np.ndarray, vocab) -> pa.Array:
    return pa.array(np.asarray(vocab, dtype=object)[values], pa.string())


def _fmt_float(x: np.ndarray, digits: int = 4) -> pa.Array:
    x = np.asarray(x, dtype=np.float64)
    out = np.array([f"{v:.{digits}f}" for v in x], dtype=object)
    out[np.isnan(x)] = None
    return pa.array(out, pa.string())


class _Writer:
    """Writes folders; corrupts main/holdout event and entity files; collects defects and counts."""

    def __init__(self, out: Path, world: World, file_format: str, corrupt: float, seed: int):
        self.out = out
        self.world = world
        self.fmt = file_format
        self.rate = corrupt
        self.seed = seed
        self.fresh = FreshIds(world.widths)
        self.defects: list[Defect] = []
        self.counts: dict[str, dict[str, int]] = {}

    def write(self, folder: str, stream: str, table: pa.Table, part: int | None, corrupt: bool = True,
              refs: OrderRefs | None = None) -> None:
        root = self.out if folder == "main" else self.out / "holdout"
        path = stream_path(root, stream, self.fmt, part)
        rel = path.relative_to(self.out).as_posix()
        if corrupt and self.rate > 0:
            rng = _rng(self.seed, 2, 0 if folder == "main" else 1, LOAD_ORDER.index(stream), part or 0)
            table, defects = corrupt_table(table, stream, self.rate, rng, self.fresh, self.fmt, rel, refs)
            self.defects.extend(defects)
        write_table(table, path, stream, self.fmt)
        c = self.counts.setdefault(folder, {})
        c[stream] = c.get(stream, 0) + table.num_rows


def _entity_tables(world: World) -> dict[str, pa.Table]:
    w = world.widths
    F, S, Pn = world.n_factories, world.n_streamers, world.n_products
    factories = make_table("factories", {
        "factory_id": id_strings("f", w["factory"], np.arange(1, F + 1)),
        "name": text_strings(world.f_name),
        "region": _strings(world.f_region, REGIONS),
    })
    streamers = make_table("streamers", {
        "streamer_id": id_strings("s", w["streamer"], np.arange(1, S + 1)),
        "name": text_strings(world.s_name),
        "category": _strings(world.s_category, CATEGORIES),
        "region": _strings(world.s_region, REGIONS),
    })
    products = make_table("products", {
        "product_id": id_strings("p", w["product"], np.arange(1, Pn + 1)),
        "factory_id": id_strings("f", w["factory"], world.p_factory + 1),
        "name": text_strings(world.p_name),
        "category": _strings(world.p_category, CATEGORIES),
        "price": money_strings(world.p_price),
    })
    return {"factories": factories, "streamers": streamers, "products": products}


def _consumer_table(world: World, res: ShardResult) -> tuple[pa.Table, np.ndarray]:
    num = world.consumer_number(res.c_global)
    o = np.argsort(num, kind="stable")
    table = make_table("consumers", {
        "consumer_id": id_strings("c", world.widths["consumer"], num[o]),
        "region": _strings(res.c_region[o], REGIONS),
        "registered_at": ts_strings(world.start_ts + res.c_registered[o]),
    })
    return table, o


def _follow_table(world: World, c: np.ndarray, s: np.ndarray, at: np.ndarray, unf: np.ndarray) -> pa.Table:
    num = world.consumer_number(c)
    o = np.lexsort((s, num, at))
    return make_table("follows", {
        "consumer_id": id_strings("c", world.widths["consumer"], num[o]),
        "streamer_id": id_strings("s", world.widths["streamer"], s[o] + 1),
        "followed_at": ts_strings(world.start_ts + at[o]),
        "unfollowed_at": ts_strings(world.start_ts + np.maximum(unf[o], 0), missing=unf[o] < 0),
    })


def _purchase_table(world: World, res: ShardResult, idx: np.ndarray, order_base: int) -> pa.Table:
    return make_table("purchases", {
        "order_id": id_strings("o", world.widths["order"], order_base + idx),
        "consumer_id": id_strings("c", world.widths["consumer"], world.consumer_number(res.o_consumer[idx])),
        "streamer_id": id_strings("s", world.widths["streamer"], res.o_streamer[idx] + 1),
        "product_id": id_strings("p", world.widths["product"], res.o_product[idx] + 1),
        "quantity": int_strings(res.o_quantity[idx]),
        "amount": money_strings(res.o_amount[idx]),
        "purchased_at": ts_strings(world.start_ts + res.o_at[idx]),
    })


def _return_table(world: World, res: ShardResult, idx: np.ndarray, order_base: int) -> pa.Table:
    q = res.r_quantity[idx]
    reason = res.r_reason[idx]
    reasons = np.asarray(REASONS + (None,), dtype=object)[np.where(reason < 0, len(REASONS), reason)]
    return make_table("returns", {
        "order_id": id_strings("o", world.widths["order"], order_base + res.r_order[idx]),
        "returned_at": ts_strings(world.start_ts + res.r_at[idx]),
        "quantity": int_strings(np.maximum(q, 0), missing=q < 0),
        "reason": pa.array(reasons, pa.string()),
    })


def _truth_consumers(world: World, res: ShardResult, o: np.ndarray) -> pa.Table:
    serves = res.c_serves[o]
    ring = np.where(serves >= 0, world.s_ring_id[np.maximum(serves, 0)], -1)
    ring_ids = np.array([f"r{r:03d}" if r > 0 and f == 2 else None for r, f in zip(ring, res.c_fraud[o])], dtype=object)
    serves_ids = np.full(len(o), None, dtype=object)
    has = serves >= 0
    serves_ids[has] = np.asarray(id_strings("s", world.widths["streamer"], serves[has] + 1).to_pylist(), dtype=object)
    return pa.table({
        "consumer_id": id_strings("c", world.widths["consumer"], world.consumer_number(res.c_global[o])),
        "is_fraud": int_strings((res.c_fraud[o] > 0).astype(np.int64)),
        "fraud_kind": _strings(res.c_fraud[o], CONSUMER_FRAUD_KINDS),
        "ring_id": pa.array(ring_ids, pa.string()),
        "serves_streamer_id": pa.array(serves_ids, pa.string()),
        "loyalty": _fmt_float(res.c_loyalty[o]),
        "price_sensitivity": _fmt_float(res.c_price_sensitivity[o]),
        "activity": _fmt_float(res.c_activity[o]),
        "region": _strings(res.c_region[o], REGIONS),
    })


def generate_world(
    out_dir: str | Path,
    *,
    scale: str = "xs",
    seed: int = 7,
    file_format: str = "csv",
    corrupt: float = 0.0,
    holdout_days: int = 0,
    span_days: int = 180,
    progress: bool = False,
    start: str | dt.datetime = DEFAULT_START,
    parts: int | None = None,
    params: dict | None = None,
) -> WorldSummary:
    """Simulate a live-commerce world with known truth and write it to ``out_dir``.

    Writes a contract folder (factories, streamers, products, consumers, follows,
    purchases, returns in ``file_format``), ``truth/`` (never read by loaders) and, with
    ``holdout_days``, ``holdout/`` holding the events of the last ``holdout_days`` days.
    ``parts`` (default: the scale's) > 1 writes consumers and events as folders of part
    files, one per consumer shard, and bounds memory by one shard. ``params`` overrides
    behaviour parameters (``livetrust.world.config.Params``). Same arguments, same bytes.
    """
    t_start = time.perf_counter()
    if scale not in SCALES:
        raise WorldArgumentError(f"unknown scale {scale!r}; choose from {', '.join(SCALES)}")
    if file_format not in EXTENSIONS:
        raise WorldArgumentError(f"unknown format {file_format!r}; choose from {', '.join(EXTENSIONS)}")
    if not 0.0 <= corrupt <= 0.5:
        raise WorldArgumentError("corrupt must be in [0, 0.5]")
    if span_days < 7:
        raise WorldArgumentError("span_days must be at least 7")
    if not 0 <= holdout_days < span_days:
        raise WorldArgumentError("holdout_days must be in [0, span_days)")
    sc = SCALES[scale]
    n_parts = int(parts or sc.parts)
    if n_parts < 1:
        raise WorldArgumentError("parts must be at least 1")
    P = Params.with_overrides(params)
    if seed < 0:
        raise WorldArgumentError("seed must be 0 or more")
    start_dt = _parse_start(start)
    end = start_dt + dt.timedelta(days=span_days)
    now = dt.datetime.now(dt.timezone.utc)
    if end > now:
        # the loaders refuse events after their clock (future_timestamp), which defects.csv would not list
        room = (now - start_dt).days
        fix = (f"use at most {room} days from this start, or an earlier start" if room >= 7
               else "choose a start at least 7 days before today")
        raise WorldArgumentError(f"the span {start_dt:%Y-%m-%d} + {span_days} days ends on {end:%Y-%m-%d}, after "
                                 f"today ({now:%Y-%m-%d}): its last events would be refused as future_timestamp; {fix}")
    start_ts = int(start_dt.timestamp())
    out = Path(out_dir)
    _refuse_foreign_stream_files(out)
    out.mkdir(parents=True, exist_ok=True)
    _clean(out)
    truth = out / "truth"
    truth.mkdir(exist_ok=True)
    holdout = out / "holdout" if holdout_days > 0 else None
    cutoff = (span_days - holdout_days) * DAY

    bar = tqdm(total=n_parts + 2, desc=f"generate {scale}", unit="step", disable=not progress, leave=False)
    g = _rng(seed, 0)
    promotions = promotion_calendar(start_dt, span_days, g)
    world = build_world(sc, P, seed, start_ts, span_days, n_parts, promotions, g)
    writer = _Writer(out, world, file_format, corrupt, seed)

    entities = _entity_tables(world)
    for stream in ("factories", "streamers", "products"):
        writer.write("main", stream, entities[stream], None)
        if holdout is not None:
            writer.write("holdout", stream, entities[stream], None, corrupt=False)
    bar.update(1)

    order_base = 1
    lucky_follows = np.zeros(world.n_streamers, dtype=np.int64)
    fraud_counts = {"fake_follower_accounts": 0, "ring_accounts": 0, "brushing_orders": 0}
    for k in range(n_parts):
        part = k if n_parts > 1 else None
        res = simulate_shard(world, k, _rng(seed, 1, k))
        # consumers
        ctable, co = _consumer_table(world, res)
        if holdout is not None:
            # an export taken at the cutoff knows no account registered after it; the holdout's copy
            # has every account, as the next export would
            writer.write("main", "consumers", ctable.filter(pa.array(res.c_registered[co] < cutoff)), part)
            writer.write("holdout", "consumers", ctable, part, corrupt=False)
        else:
            writer.write("main", "consumers", ctable, part)
        write_csv(_truth_consumers(world, res, co), truth / "consumers.csv", append=k > 0)
        fraud_counts["fake_follower_accounts"] += int(np.sum(res.c_fraud == 1))
        fraud_counts["ring_accounts"] += int(np.sum(res.c_fraud == 2))
        fraud_counts["brushing_orders"] += int(np.sum(_ring_order(res)))
        lucky_follows += np.bincount(res.f_streamer[res.f_kind == 1], minlength=world.n_streamers)
        del ctable

        # follows: split by followed_at. A main follow that ends in the holdout window is open in
        # main, and the holdout sends it again with its end, as a platform's next export would:
        # `livetrust load` ends the open follow, so main + holdout loaded in turn are the whole world
        in_main = res.f_at < cutoff
        ends_later = in_main & (res.f_unfollow >= cutoff)
        main_unfollow = np.where(ends_later, -1, res.f_unfollow)
        writer.write("main", "follows", _follow_table(world, res.f_consumer[in_main], res.f_streamer[in_main],
                                                        res.f_at[in_main], main_unfollow[in_main]), part)
        if holdout is not None:
            held = ~in_main | ends_later
            writer.write("holdout", "follows", _follow_table(world, res.f_consumer[held], res.f_streamer[held],
                                                               res.f_at[held], res.f_unfollow[held]), part)

        # purchases and returns
        folders = [("main", res.o_at < cutoff, res.r_at < cutoff)]
        if holdout is not None:
            folders.append(("holdout", res.o_at >= cutoff, res.r_at >= cutoff))
        for folder, pm, rm in folders:
            pidx = np.flatnonzero(pm)
            ridx = np.flatnonzero(rm)
            writer.write(folder, "purchases", _purchase_table(world, res, pidx, order_base), part)
            returned = np.zeros(res.n_purchases, dtype=bool)
            returned[res.r_order[ridx]] = True
            refs = OrderRefs(
                order_id=np.asarray(id_strings("o", world.widths["order"], order_base + pidx).to_pylist(), dtype=object)
                if corrupt > 0 else np.zeros(0, dtype=object),
                at=world.start_ts + res.o_at[pidx],
                quantity=res.o_quantity[pidx],
                has_return=returned[pidx],
            )
            writer.write(folder, "returns", _return_table(world, res, ridx, order_base), part, refs=refs)
        order_base += res.n_purchases
        del res
        bar.update(1)

    if order_base >= writer.fresh.lowest("order"):
        raise RuntimeError("order ids ran into the reserved range; raise Scale.order_digits")

    # ---------------- truth
    S = world.n_streamers
    sid = id_strings("s", world.widths["streamer"], np.arange(1, S + 1))
    ring_ids = np.array([f"r{r:03d}" if r > 0 else None for r in world.s_ring_id], dtype=object)
    write_csv(pa.table({
        "streamer_id": sid,
        "honesty": _fmt_float(world.s_honesty),
        "fraud_kind": _strings(world.s_fraud, FRAUD_KINDS),
        "fake_follower_count": int_strings(world.s_fake_count),
        "ring_size": int_strings(world.s_ring_size),
        "ring_id": pa.array(ring_ids, pa.string()),
        "ring_mode": pa.array(np.asarray(RING_MODES, dtype=object)[world.s_ring_mode], pa.string()),
        "category": _strings(world.s_category, CATEGORIES),
        "region": _strings(world.s_region, REGIONS),
        "lucky_draw_follows": int_strings(lucky_follows),
    }), truth / "streamers.csv")
    write_csv(pa.table({
        "factory_id": id_strings("f", world.widths["factory"], np.arange(1, world.n_factories + 1)),
        "quality": _fmt_float(world.f_quality),
        "category": _strings(world.f_category, CATEGORIES),
        "region": _strings(world.f_region, REGIONS),
    }), truth / "factories.csv")
    write_csv(pa.table({
        "product_id": id_strings("p", world.widths["product"], np.arange(1, world.n_products + 1)),
        "factory_id": id_strings("f", world.widths["factory"], world.p_factory + 1),
        "quality": _fmt_float(world.p_quality),
    }), truth / "products.csv")
    d = sorted(writer.defects, key=lambda x: (x.file, x.row))
    write_csv(pa.table({
        col: pa.array([str(getattr(x, col)) for x in d], pa.string()) for col in DEFECT_COLUMNS
    }), truth / "defects.csv")

    fraud = {
        "fake_follower_streamers": int(np.sum(world.s_fraud == 1)),
        "brushing_streamers": int(np.sum(world.s_fraud == 2)),
        **fraud_counts,
        "lucky_draw_follows": int(lucky_follows.sum()),
    }
    end_dt = start_dt + dt.timedelta(days=span_days)
    meta = {
        "generator": "livetrust.world",
        "version": __version__,
        "scale": scale,
        "seed": seed,
        "format": file_format,
        "corrupt": corrupt,
        "parts": n_parts,
        "start": start_dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": end_dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "span_days": span_days,
        "holdout_days": holdout_days,
        "holdout_cutoff": (start_dt + dt.timedelta(days=span_days - holdout_days)).strftime("%Y-%m-%dT%H:%M:%SZ")
        if holdout_days else None,
        "promotions": [asdict(p) for p in promotions],
        "scale_preset": asdict(sc),
        "params": asdict(P),
        "counts": writer.counts,
        "fraud": fraud,
        "defects": len(d),
        "id_widths": world.widths,
    }
    (truth / "world.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    bar.update(1)
    bar.close()
    return WorldSummary(
        out_dir=out, truth_dir=truth, holdout_dir=holdout, scale=scale, seed=seed, file_format=file_format,
        parts=n_parts, counts=writer.counts, defects=len(d), seconds=time.perf_counter() - t_start, fraud=fraud,
    )


def _ring_order(res: ShardResult) -> np.ndarray:
    """Orders placed by ring accounts (brushing orders, returned or not)."""
    ring_accounts = res.c_global[res.c_fraud == 2]
    return np.isin(res.o_consumer, ring_accounts)
