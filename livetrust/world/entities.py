"""The global part of a world: factories, products, streamers, catalogs, fraud plan.

Built once from the global seed stream; consumer shards (``shard.py``) read it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .calendar import DAY, Calendar, Promotion
from .config import CATEGORIES, CATEGORY_PRICE, REGION_P, REGIONS, Params, Scale

_ADJ = ("Sunny", "Lucky", "Golden", "Happy", "Little", "Jade", "Bright", "Sweet", "Silver", "Clever",
        "Gentle", "Swift", "Cosy", "Honest", "Merry", "Bold", "Calm", "Pearl", "Maple", "Star")
_NOUN = ("Panda", "Peach", "Lotus", "Crane", "Tiger", "Cloud", "River", "Bamboo", "Orchid", "Moon",
         "Sparrow", "Lantern", "Willow", "Plum", "Koi", "Phoenix", "Jasmine", "Kite", "Ginkgo", "Tea")
_FACTORY = ("Manufacturing", "Industrial", "Trading", "Goods", "Craft", "Works")
_ITEM = {
    "beauty": ("serum", "lipstick", "cream", "mask", "toner"),
    "fashion": ("dress", "jacket", "scarf", "sneakers", "jeans"),
    "food": ("tea", "snack box", "noodles", "honey", "nuts"),
    "home": ("pillow", "lamp", "towel set", "storage box", "mug"),
    "electronics": ("earbuds", "power bank", "speaker", "charger", "smart watch"),
    "mother_baby": ("diapers", "bottle", "stroller toy", "baby wipes", "formula"),
    "health": ("vitamins", "massager", "protein", "thermometer", "collagen"),
    "jewelry": ("necklace", "ring", "bracelet", "earrings", "pendant"),
}


def id_width(prefix_min: int, count: int) -> int:
    """Digits of an id: at least ``prefix_min``, room for twice ``count`` (fresh ids live at the top)."""
    return max(prefix_min, len(str(max(1, count) * 2)))


@dataclass
class World:
    scale: Scale
    params: Params
    seed: int
    start_ts: int
    span_days: int
    parts: int
    calendar: Calendar
    promotions: list[Promotion]
    # factories
    f_category: np.ndarray
    f_quality: np.ndarray
    f_region: np.ndarray
    f_name: np.ndarray
    # products
    p_factory: np.ndarray
    p_category: np.ndarray
    p_quality: np.ndarray
    p_price: np.ndarray  # cents
    p_appeal: np.ndarray
    p_name: np.ndarray
    # streamers
    s_category: np.ndarray
    s_region: np.ndarray
    s_name: np.ndarray
    s_popularity: np.ndarray
    s_honesty: np.ndarray
    s_activity: np.ndarray
    s_fraud: np.ndarray  # 0 none, 1 fake_followers, 2 brushing
    s_fake_count: np.ndarray
    s_ring_size: np.ndarray
    s_ring_mode: np.ndarray  # 0 none, 1 refund, 2 inflate
    s_ring_id: np.ndarray  # -1 or ring number
    s_expected_followers: np.ndarray
    # catalogs (CSR by streamer)
    cat_off: np.ndarray
    cat_prod: np.ndarray
    cat_cum: np.ndarray  # cumulative appeal, len = entries + 1
    # audience sampling
    follow_cdf: list[np.ndarray]  # per consumer region
    discovery_cdf: np.ndarray
    top_streamers: np.ndarray
    # lucky draws
    lucky_s: np.ndarray
    lucky_t: np.ndarray
    lucky_n: np.ndarray
    # consumers: global index layout and id permutation
    shard_bounds: np.ndarray  # genuine consumers of shard k: [b[k], b[k+1])
    fraud_offset: np.ndarray  # fraud accounts of shard k start at this global index
    n_consumers_total: int
    perm_a: int
    perm_b: int
    widths: dict = field(default_factory=dict)

    @property
    def n_streamers(self) -> int:
        return len(self.s_category)

    @property
    def n_products(self) -> int:
        return len(self.p_factory)

    @property
    def n_factories(self) -> int:
        return len(self.f_category)

    @property
    def span_s(self) -> int:
        return self.span_days * DAY

    def shard_of_streamer(self, s: np.ndarray) -> np.ndarray:
        return np.asarray(s) % self.parts

    def consumer_number(self, g: np.ndarray) -> np.ndarray:
        """Global consumer index -> the number in its id (a fixed scrambling permutation)."""
        return (np.asarray(g, dtype=np.int64) * self.perm_a + self.perm_b) % self.n_consumers_total

    def pick_product(self, rng: np.random.Generator, s: np.ndarray, price_sensitivity: np.ndarray | None = None) -> np.ndarray:
        """A product from each streamer's catalog, by appeal; price-sensitive buyers take the cheaper of two."""
        lo = self.cat_cum[self.cat_off[s]]
        hi = self.cat_cum[self.cat_off[s + 1]]

        def draw() -> np.ndarray:
            u = lo + rng.random(len(s)) * (hi - lo)
            j = np.searchsorted(self.cat_cum, u, side="right") - 1
            return self.cat_prod[np.clip(j, self.cat_off[s], self.cat_off[s + 1] - 1)]

        first = draw()
        if price_sensitivity is None:
            return first
        second = draw()
        cheaper = np.where(self.p_price[second] < self.p_price[first], second, first)
        return np.where(rng.random(len(s)) < price_sensitivity, cheaper, first)


def _names(rng: np.random.Generator, n: int, fmt) -> np.ndarray:
    a = rng.integers(0, len(_ADJ), n)
    b = rng.integers(0, len(_NOUN), n)
    return np.array([fmt(_ADJ[i], _NOUN[j]) for i, j in zip(a, b)], dtype=object)


def build_world(scale: Scale, params: Params, seed: int, start_ts: int, span_days: int, parts: int,
                promotions: list[Promotion], rng: np.random.Generator) -> World:
    P = params
    F, S = scale.factories, scale.streamers
    NC, NR = len(CATEGORIES), len(REGIONS)
    calendar = Calendar(span_days, promotions)

    # ---- factories: latent quality drives defect returns
    f_category = rng.permutation(np.arange(F) % NC)
    f_quality = rng.beta(2.2, 1.8, F)
    f_region = rng.choice(NR, F, p=REGION_P)
    f_kind = rng.integers(0, len(_FACTORY), F)
    f_word = rng.integers(0, len(_NOUN), F)
    f_name = np.array([f"{REGIONS[r].title()} {_NOUN[w]} {_FACTORY[k]} Co." for r, w, k in zip(f_region, f_word, f_kind)], dtype=object)

    # ---- products
    ppf = scale.products_per_factory
    n_pf = rng.integers(max(1, ppf // 2), ppf + ppf // 2 + 1, F)
    p_factory = np.repeat(np.arange(F), n_pf)
    f_first = np.concatenate([[0], np.cumsum(n_pf)])
    Pn = len(p_factory)
    p_category = f_category[p_factory]
    p_quality = np.clip(f_quality[p_factory] + rng.normal(0.0, 0.06, Pn), 0.0, 1.0)
    base = np.asarray(CATEGORY_PRICE)[p_category]
    yuan = base * rng.lognormal(0.0, 0.5, Pn) * (0.75 + 0.5 * f_quality[p_factory])
    p_price = (np.maximum(np.round(yuan), 2.0) * 100 - 10).astype(np.int64)  # e.g. 129.90
    p_appeal = rng.lognormal(0.0, 0.7, Pn)
    item = rng.integers(0, 5, Pn)
    model = rng.integers(100, 1000, Pn)
    p_name = np.array([f"{_ITEM[CATEGORIES[c]][i]} {m}" for c, i, m in zip(p_category, item, model)], dtype=object)

    # ---- streamers: heavy-tailed popularity (stratified Pareto quantiles, shuffled)
    s_category = rng.integers(0, NC, S)
    s_region = rng.choice(NR, S, p=REGION_P)
    s_name = _names(rng, S, lambda a, b: f"{a} {b} Live")
    u = (rng.permutation(S) + rng.uniform(0.25, 0.75, S)) / S
    s_popularity = u ** (-1.0 / P.popularity_alpha)
    s_activity = rng.lognormal(0.0, 0.35, S)

    # fraud plan: never among the very top streamers
    order = np.argsort(-s_popularity, kind="stable")
    candidates = order[int(math.ceil(0.02 * S)):]
    n_fake = max(2, int(round(P.fake_follower_share * S)))
    n_brush = max(2, int(round(P.brushing_share * S)))
    chosen = rng.choice(candidates, n_fake + n_brush, replace=False)
    s_fraud = np.zeros(S, dtype=np.int8)
    s_fraud[chosen[:n_fake]] = 1
    s_fraud[chosen[n_fake:]] = 2
    s_honesty = np.where(s_fraud > 0, rng.beta(2.0, 3.5, S), rng.beta(3.5, 1.8, S))

    expected_follows = scale.consumers * (1 - P.no_follow_share) * (1 + P.follows_mean) * 0.9
    s_expected_followers = expected_follows * s_popularity / s_popularity.sum()
    lo_m, hi_m = P.fake_follower_multiple
    s_fake_count = np.where(
        s_fraud == 1,
        np.maximum(scale.min_fake_followers, np.round(s_expected_followers * rng.uniform(lo_m, hi_m, S))),
        0,
    ).astype(np.int64)
    s_ring_size = np.where(s_fraud == 2, rng.integers(scale.ring_size[0], scale.ring_size[1] + 1, S), 0).astype(np.int64)
    s_ring_mode = np.where(s_fraud == 2, np.where(rng.random(S) < P.ring_refund_share, 1, 2), 0).astype(np.int8)
    s_ring_id = np.full(S, -1, dtype=np.int64)
    brushers = np.flatnonzero(s_fraud == 2)
    s_ring_id[brushers] = np.arange(1, len(brushers) + 1)

    # ---- catalogs: several factories each; honest streamers lean to better factories
    n_fac = np.clip(2 + rng.poisson(1.0 + 0.5 * np.log(s_popularity)), 2, min(8, F))
    kmax = int(n_fac.max())
    pairs_s, pairs_f = [], []
    for c0 in range(0, S, 2000):  # chunks bound the S x F weight matrix
        c1 = min(S, c0 + 2000)
        h = s_honesty[c0:c1, None]
        logw = P.factory_choice_sharpness * 4 * (h - 0.5) * (f_quality[None, :] - 0.5)
        logw = logw + np.where(s_category[c0:c1, None] == f_category[None, :], np.log(4.0), np.log(0.6))
        keys = logw + rng.gumbel(size=logw.shape)
        top = np.argsort(-keys, axis=1, kind="stable")[:, :kmax]
        mask = np.arange(kmax)[None, :] < n_fac[c0:c1, None]
        rows = np.broadcast_to(np.arange(c0, c1)[:, None], top.shape)
        pairs_s.append(rows[mask])
        pairs_f.append(top[mask])
    ps_, pf_ = np.concatenate(pairs_s), np.concatenate(pairs_f)
    k = rng.integers(2, 7, len(ps_))
    es = np.repeat(ps_, k)
    ef = np.repeat(pf_, k)
    ep = f_first[ef] + (rng.random(len(ef)) * n_pf[ef]).astype(np.int64)
    key = np.unique(es * Pn + ep)
    cat_s, cat_prod = key // Pn, key % Pn
    cat_off = np.searchsorted(cat_s, np.arange(S + 1)).astype(np.int64)
    cat_cum = np.concatenate([[0.0], np.cumsum(p_appeal[cat_prod])])

    # ---- audience sampling tables
    follow_cdf = []
    for r in range(NR):
        w = s_popularity * (1.0 + P.region_affinity * (s_region == r))
        follow_cdf.append(np.cumsum(w) / w.sum())
    dw = s_popularity ** P.discovery_popularity_power
    discovery_cdf = np.cumsum(dw) / dw.sum()
    top_streamers = order[: max(3, S // 100)]

    # ---- lucky draws at genuine streamers
    genuine = np.flatnonzero(s_fraud == 0)
    n_lucky = max(2, int(round(P.lucky_draw_share * len(genuine))))
    lucky_streamers = rng.choice(genuine, n_lucky, replace=False)
    draws = rng.integers(1, 3, n_lucky)
    lucky_s = np.repeat(lucky_streamers, draws)
    lucky_t = (rng.uniform(0.05, 0.9, len(lucky_s)) * span_days * DAY).astype(np.int64)
    lo_l, hi_l = P.lucky_draw_size
    lucky_n = np.round(s_expected_followers[lucky_s] * rng.uniform(lo_l, hi_l, len(lucky_s)))
    lucky_n = np.clip(lucky_n, 8, max(20, P.lucky_draw_cap * scale.consumers)).astype(np.int64)
    o = np.lexsort((lucky_s, lucky_t))
    lucky_s, lucky_t, lucky_n = lucky_s[o], lucky_t[o], lucky_n[o]

    # ---- consumer layout: genuine consumers split over shards, fraud accounts after them
    shard_bounds = np.linspace(0, scale.consumers, parts + 1).round().astype(np.int64)
    fraud_per_streamer = s_fake_count + s_ring_size
    fraud_per_shard = np.bincount(np.arange(S) % parts, weights=fraud_per_streamer, minlength=parts).astype(np.int64)
    fraud_offset = scale.consumers + np.concatenate([[0], np.cumsum(fraud_per_shard)[:-1]])
    n_total = int(scale.consumers + fraud_per_shard.sum())
    a = int(rng.integers(n_total // 3 + 1, 2 * n_total // 3 + 2))
    while math.gcd(a, n_total) != 1:
        a += 1
    b = int(rng.integers(0, n_total))

    widths = {
        "factory": id_width(3, F),
        "streamer": id_width(4, S),
        "product": id_width(5, Pn),
        "consumer": id_width(6, n_total),
        "order": scale.order_digits,
    }
    return World(
        scale=scale, params=P, seed=seed, start_ts=start_ts, span_days=span_days, parts=parts,
        calendar=calendar, promotions=promotions,
        f_category=f_category, f_quality=f_quality, f_region=f_region, f_name=f_name,
        p_factory=p_factory, p_category=p_category, p_quality=p_quality, p_price=p_price, p_appeal=p_appeal, p_name=p_name,
        s_category=s_category, s_region=s_region, s_name=s_name, s_popularity=s_popularity, s_honesty=s_honesty,
        s_activity=s_activity, s_fraud=s_fraud, s_fake_count=s_fake_count, s_ring_size=s_ring_size,
        s_ring_mode=s_ring_mode, s_ring_id=s_ring_id, s_expected_followers=s_expected_followers,
        cat_off=cat_off, cat_prod=cat_prod, cat_cum=cat_cum,
        follow_cdf=follow_cdf, discovery_cdf=discovery_cdf, top_streamers=top_streamers,
        lucky_s=lucky_s, lucky_t=lucky_t, lucky_n=lucky_n,
        shard_bounds=shard_bounds, fraud_offset=fraud_offset, n_consumers_total=n_total,
        perm_a=a, perm_b=b, widths=widths,
    )
