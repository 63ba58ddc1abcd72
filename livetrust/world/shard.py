"""One consumer shard: its consumers, their follows, purchases and returns.

Shards are independent given the global ``World`` and their own seed, so a large
world is simulated (and written) one shard at a time with bounded memory.

The private-domain effect is a vectorised process over weekly rounds: every follow
(consumer -> streamer bond) carries a trust level; each week its purchase rate grows
with trust, each purchase turns out good or bad (factory defect, streamer
exaggeration), good ones raise trust, bad ones break it and may end the follow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .calendar import DAY, HOUR, WEEK
from .config import REGION_P
from .entities import World

# purchase causes / return causes
CAUSE_NONE, CAUSE_DEFECT, CAUSE_EXAGGERATION, CAUSE_CHANGED, CAUSE_BRUSHING = 0, 1, 2, 3, 4
# follow kinds
K_ORGANIC, K_LUCKY, K_CONVERSION, K_FAKE, K_CAMOUFLAGE, K_RING = 0, 1, 2, 3, 4, 5

REASONS = ("defective", "not_as_described", "changed_mind", "wrong_size")
# reason string index (-1 = empty) drawn per cause
_REASON_TABLE = {
    CAUSE_DEFECT: ((0, 1, -1), (0.7, 0.15, 0.15)),
    CAUSE_EXAGGERATION: ((1, 0, -1), (0.7, 0.1, 0.2)),
    CAUSE_CHANGED: ((2, 3, -1), (0.6, 0.15, 0.25)),
    CAUSE_BRUSHING: ((2, -1), (0.5, 0.5)),
}


@dataclass
class ShardResult:
    # consumers (global index, region, registered_at rel s) and truth
    c_global: np.ndarray
    c_region: np.ndarray
    c_registered: np.ndarray
    c_fraud: np.ndarray  # 0 none, 1 fake_follower, 2 brushing
    c_serves: np.ndarray  # streamer index or -1
    c_loyalty: np.ndarray  # NaN for fake accounts
    c_price_sensitivity: np.ndarray
    c_activity: np.ndarray
    # follows
    f_consumer: np.ndarray  # global index
    f_streamer: np.ndarray
    f_at: np.ndarray  # rel s (negative: before the span)
    f_unfollow: np.ndarray  # rel s or -1
    f_kind: np.ndarray
    # purchases (sorted by time; order number = order_base + position)
    o_consumer: np.ndarray
    o_streamer: np.ndarray
    o_product: np.ndarray
    o_quantity: np.ndarray
    o_amount: np.ndarray  # cents
    o_at: np.ndarray
    o_follower: np.ndarray  # bought by a follower of the streamer
    o_cause: np.ndarray
    # returns
    r_order: np.ndarray  # position in the shard's purchases
    r_at: np.ndarray
    r_quantity: np.ndarray  # -1 = empty (all of it)
    r_reason: np.ndarray  # index into REASONS or -1

    @property
    def n_purchases(self) -> int:
        return len(self.o_at)


def _outcome(world: World, rng: np.random.Generator, s: np.ndarray, p: np.ndarray, trust: np.ndarray,
             price_sensitivity: np.ndarray):
    """Per purchase: was it bad (defect / exaggeration), was it returned, and why."""
    P = world.params
    n = len(s)
    q = world.p_quality[p]
    h = world.s_honesty[s]
    u = rng.random((4, n))
    defect = u[0] < P.defect_base + P.defect_scale * (1.0 - q) ** 2
    exag = u[1] < P.exaggeration_base + P.exaggeration_scale * (1.0 - h) ** P.exaggeration_power
    bad = defect | exag
    returned_bad = bad & (u[2] < 0.95 - P.trust_tolerance * trust)
    changed = ~bad & (u[3] < P.changed_mind * (0.6 + price_sensitivity) * (1.3 - trust))
    cause = np.zeros(n, dtype=np.int8)
    both = defect & exag
    cause[exag] = CAUSE_EXAGGERATION
    cause[defect & ~exag] = CAUSE_DEFECT
    cause[both & (rng.random(n) < 0.5)] = CAUSE_DEFECT
    cause[changed] = CAUSE_CHANGED
    returned = returned_bad | changed
    cause[~returned] = CAUSE_NONE
    return bad, returned, cause


def _starts(counts: np.ndarray) -> np.ndarray:
    """Start offset of each group given group sizes (works for no groups)."""
    counts = np.asarray(counts, dtype=np.int64)
    return np.cumsum(counts) - counts


def _pick(cdf: np.ndarray, rng: np.random.Generator, n: int) -> np.ndarray:
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(cdf) - 1)


def simulate_shard(world: World, k: int, rng: np.random.Generator) -> ShardResult:
    P = world.params
    cal = world.calendar
    S = world.n_streamers
    span = world.span_s
    W = -(-world.span_days // 7)
    g0, g1 = int(world.shard_bounds[k]), int(world.shard_bounds[k + 1])
    n = g1 - g0

    # ---------------- genuine consumers
    region = rng.choice(len(REGION_P), size=n, p=REGION_P).astype(np.int8)
    loyalty = rng.beta(2.0, 2.0, n)
    price_sens = rng.beta(2.0, 2.5, n)
    activity = rng.lognormal(-0.32, 0.8, n)
    is_new = rng.random(n) < P.new_consumer_share
    registered = np.where(
        is_new,
        (rng.random(n) * (span - 7 * DAY)).astype(np.int64),
        -(30 * DAY + (rng.random(n) * 3 * 365 * DAY)).astype(np.int64),
    )

    # ---------------- organic follows (heavy-tailed: sampled by popularity)
    nf = 1 + rng.poisson(P.follows_mean * activity ** 0.35)
    nf[rng.random(n) < P.no_follow_share] = 0
    fc = np.repeat(np.arange(n, dtype=np.int64), nf)
    fs = np.empty(len(fc), dtype=np.int64)
    creg = region[fc]
    for r in range(len(REGION_P)):
        m = np.flatnonzero(creg == r)
        fs[m] = _pick(world.follow_cdf[r], rng, len(m))
    key = np.unique(fc * S + fs)
    fc, fs = key // S, key % S
    nb = len(fc)
    pre = (~is_new[fc]) & (rng.random(nb) < P.preexisting_follow_share)
    lo_pre = np.maximum(registered[fc], -365 * DAY)
    t_pre = lo_pre + (rng.random(nb) * (-lo_pre)).astype(np.int64)
    t_in = cal.sample(rng, np.maximum(registered[fc], 0), span)
    ft = np.where(pre, np.minimum(t_pre, -1), t_in)
    tau0 = np.where(
        pre,
        np.clip(0.5 + 0.5 * (world.s_honesty[fs] - 0.65) + rng.normal(0, 0.1, nb), 0.05, 0.95),
        np.clip(0.45 + rng.normal(0, 0.05, nb), 0.05, 0.95),
    )
    b_c, b_s, b_t, b_tau = [fc], [fs], [ft], [tau0]
    b_kind = [np.full(nb, K_ORGANIC, dtype=np.int8)]
    organic_key = key  # sorted

    # ---------------- lucky draws: bursts of genuine follows that hardly ever buy
    share = n / max(1, world.scale.consumers)
    nk = rng.binomial(world.lucky_n, share)
    ls = np.repeat(world.lucky_s, nk)
    lt = np.repeat(world.lucky_t, nk) + (rng.random(nk.sum()) * 3 * HOUR).astype(np.int64)
    lc = rng.integers(0, n, len(ls)) if n else np.zeros(0, dtype=np.int64)
    lkey = lc * S + ls
    pos = np.minimum(np.searchsorted(organic_key, lkey), max(0, len(organic_key) - 1))
    known = (organic_key[pos] == lkey) if len(organic_key) else np.zeros(len(lkey), bool)
    ok = (~known) & (registered[lc] < lt - DAY) & (lt < span)
    lc, ls, lt, lkey = lc[ok], ls[ok], lt[ok], lkey[ok]
    _, first = np.unique(lkey, return_index=True)
    first = np.sort(first)
    lc, ls, lt = lc[first], ls[first], lt[first]
    b_c.append(lc), b_s.append(ls), b_t.append(lt), b_tau.append(np.full(len(lc), 0.3))
    b_kind.append(np.full(len(lc), K_LUCKY, dtype=np.int8))

    bond_key = np.concatenate([organic_key, lc * S + ls])
    bond_t = np.concatenate([ft, lt])
    o = np.argsort(bond_key, kind="stable")
    bond_key, bond_t = bond_key[o], bond_t[o]

    # ---------------- discovery purchases (at streamers the consumer does not follow)
    exposure = (span - np.maximum(registered, 0)) / WEEK
    nd = rng.poisson(P.discovery_rate * activity * exposure)
    dc = np.repeat(np.arange(n, dtype=np.int64), nd)
    ds = _pick(world.discovery_cdf, rng, len(dc))
    dt_ = cal.sample(rng, np.maximum(registered[dc], 0), span)
    dkey = dc * S + ds
    pos = np.minimum(np.searchsorted(bond_key, dkey), max(0, len(bond_key) - 1))
    following = (bond_key[pos] == dkey) & (bond_t[pos] <= dt_) if len(bond_key) else np.zeros(len(dc), bool)
    keep = ~following
    dc, ds, dt_, dkey = dc[keep], ds[keep], dt_[keep], dkey[keep]
    found_later = (bond_key[pos[keep]] == dkey) if len(bond_key) else np.zeros(len(dc), bool)
    dp = world.pick_product(rng, ds, price_sens[dc])
    d_bad, d_ret, d_cause = _outcome(world, rng, ds, dp, np.full(len(dc), P.stranger_trust), price_sens[dc])
    # a kept, good purchase may turn a stranger into a follower
    conv = (~d_bad) & (~d_ret) & (~found_later) & (rng.random(len(dc)) < P.conversion * (0.5 + loyalty[dc]))
    ct = dt_[conv] + 600 + rng.exponential(DAY, conv.sum()).astype(np.int64)
    cc, cs, ckey = dc[conv], ds[conv], dkey[conv]
    okc = ct < span - HOUR
    cc, cs, ct, ckey = cc[okc], cs[okc], ct[okc], ckey[okc]
    o = np.lexsort((ct, ckey))
    cc, cs, ct, ckey = cc[o], cs[o], ct[o], ckey[o]
    firstc = np.concatenate([[True], ckey[1:] != ckey[:-1]]) if len(ckey) else np.zeros(0, bool)
    cc, cs, ct = cc[firstc], cs[firstc], ct[firstc]
    b_c.append(cc), b_s.append(cs), b_t.append(ct), b_tau.append(np.full(len(cc), 0.6))
    b_kind.append(np.full(len(cc), K_CONVERSION, dtype=np.int8))

    # ---------------- the weekly follow process
    bc = np.concatenate(b_c)
    bs = np.concatenate(b_s)
    bt = np.concatenate(b_t)
    tau = np.concatenate(b_tau)
    bkind = np.concatenate(b_kind)
    B = len(bc)
    del b_c, b_s, b_t, b_tau, b_kind, fc, fs, ft, tau0, pre, lo_pre, t_pre, t_in, key, organic_key, bond_key, bond_t
    mult = np.where(bkind == K_LUCKY, P.lucky_purchase_multiplier, 1.0)
    churn = np.where(bkind == K_LUCKY, P.lucky_weekly_churn,
                     P.weekly_churn * (1.5 - loyalty[bc]) * (1.5 - world.s_honesty[bs]))
    base = P.bond_rate * activity[bc] ** 0.8 * (0.6 + 0.8 * loyalty[bc]) * world.s_activity[bs] * mult
    promo_exp = 0.5 + price_sens[bc]
    w0 = np.maximum(bt, 0) // WEEK
    alive = np.ones(B, dtype=bool)
    unfollow = np.full(B, -1, dtype=np.int64)
    pb_l, pt_l, pp_l, pbad_l, pret_l, pcause_l = [], [], [], [], [], []
    for w in range(W):
        ws, we = w * WEEK, min((w + 1) * WEEK, span)
        act = np.flatnonzero(alive & (w0 <= w))
        if len(act) == 0:
            continue
        inten = cal.intensity(ws, we)
        started = bt[act] >= ws
        frac = np.where(started, (we - bt[act]) / WEEK, (we - ws) / WEEK)
        frac[bt[act] + 60 >= we] = 0.0  # followed in the week's last minute: no time to buy
        lam = base[act] * (0.25 + 1.5 * tau[act]) * inten ** promo_exp[act] * frac
        cnt = rng.poisson(lam)
        has = cnt > 0
        sel, cnt = act[has], cnt[has]
        pb = np.repeat(sel, cnt)
        if len(pb):
            lo = np.maximum(ws, bt[pb] + 60)
            pt = cal.sample(rng, lo, we)
            pp = world.pick_product(rng, bs[pb], price_sens[bc[pb]])
            bad, ret, cause = _outcome(world, rng, bs[pb], pp, tau[pb], price_sens[bc[pb]])
            starts = np.concatenate([[0], np.cumsum(cnt)[:-1]])
            n_bad = np.add.reduceat(bad.astype(np.int64), starts)
            n_good = cnt - n_bad
            t_new = 1.0 - (1.0 - tau[sel]) * (1.0 - P.trust_gain) ** n_good
            t_new = t_new * (1.0 - P.trust_break) ** n_bad
            tau[sel] = t_new
            pb_l.append(pb), pt_l.append(pt), pp_l.append(pp), pbad_l.append(bad), pret_l.append(ret), pcause_l.append(cause)
            p_unf_bad = np.where(n_bad > 0, P.unfollow_after_bad * (1.0 - loyalty[bc[sel]]) * (1.2 - t_new), 0.0)
        else:
            p_unf_bad = np.zeros(0)
        p_unf = churn[act] * frac
        idx_in_act = np.flatnonzero(has)
        p_unf[idx_in_act] += p_unf_bad
        if w + 1 < W:
            gone = act[rng.random(len(act)) < p_unf]
            nws, nwe = (w + 1) * WEEK, min((w + 2) * WEEK, span)
            unfollow[gone] = nws + (rng.random(len(gone)) * (nwe - nws)).astype(np.int64)
            alive[gone] = False

    if pb_l:
        pb = np.concatenate(pb_l)
        o_at = np.concatenate(pt_l)
        o_prod = np.concatenate(pp_l)
        o_ret = np.concatenate(pret_l)
        o_cause = np.concatenate(pcause_l)
    else:
        pb = np.zeros(0, np.int64)
        o_at = o_prod = np.zeros(0, np.int64)
        o_ret, o_cause = np.zeros(0, bool), np.zeros(0, np.int8)
    o_cons = bc[pb]
    o_str = bs[pb]
    o_follower = np.ones(len(pb), dtype=bool)

    # genuine purchases: follower + discovery
    o_cons = np.concatenate([o_cons, dc])
    o_str = np.concatenate([o_str, ds])
    o_at = np.concatenate([o_at, dt_])
    o_prod = np.concatenate([o_prod, dp])
    o_ret = np.concatenate([o_ret, d_ret])
    o_cause = np.concatenate([o_cause, d_cause])
    o_follower = np.concatenate([o_follower, np.zeros(len(dc), bool)])
    o_qty = np.minimum(rng.geometric(0.72, len(o_cons)), 6).astype(np.int64)
    o_amount = _amounts(world, cal, o_prod, o_qty, o_at, rng)
    o_global = o_cons + g0

    # follows of genuine consumers
    fol_c, fol_s, fol_t, fol_u, fol_k = [bc + g0], [bs], [bt], [unfollow], [bkind]

    # ---------------- fraud accounts of the streamers this shard owns
    mine = np.flatnonzero(world.shard_of_streamer(np.arange(S)) == k)
    fake_s = mine[world.s_fake_count[mine] > 0]
    ring_s = mine[world.s_ring_size[mine] > 0]
    base_g = int(world.fraud_offset[k])

    # fake followers: follow in a few bursts, registered just before, never buy
    fcnt = world.s_fake_count[fake_s]
    nfa = int(fcnt.sum())
    fa_g = base_g + np.arange(nfa, dtype=np.int64)
    fa_s = np.repeat(fake_s, fcnt)
    bursts = rng.uniform(DAY, span - DAY, (len(fake_s), 3)).astype(np.int64)
    nburst = rng.integers(1, 4, len(fake_s))
    which = (rng.random(nfa) * np.repeat(nburst, fcnt)).astype(np.int64)
    fa_t = bursts[np.repeat(np.arange(len(fake_s)), fcnt), which] + (rng.random(nfa) * 4 * HOUR).astype(np.int64)
    fa_reg = fa_t - (rng.uniform(0.5, 5.0, nfa) * DAY).astype(np.int64)
    camo = rng.random(nfa) < world.params.fake_camouflage
    camo_s = world.top_streamers[rng.integers(0, len(world.top_streamers), nfa)]
    camo &= camo_s != fa_s
    camo_t = fa_t + (rng.random(nfa) * 2 * HOUR).astype(np.int64)
    fol_c += [fa_g, fa_g[camo]]
    fol_s += [fa_s, camo_s[camo]]
    fol_t += [fa_t, camo_t[camo]]
    fol_u += [np.full(nfa, -1, np.int64), np.full(int(camo.sum()), -1, np.int64)]
    fol_k += [np.full(nfa, K_FAKE, np.int8), np.full(int(camo.sum()), K_CAMOUFLAGE, np.int8)]

    # brushing rings: a cluster of fresh accounts ordering at one streamer in campaigns
    rsz = world.s_ring_size[ring_s]
    nra = int(rsz.sum())
    ra_g = base_g + nfa + np.arange(nra, dtype=np.int64)
    ring_idx = np.repeat(np.arange(len(ring_s)), rsz)
    ra_s = ring_s[ring_idx]
    t0 = rng.uniform(DAY, 0.5 * span, len(ring_s)).astype(np.int64)
    ra_reg = t0[ring_idx] - (rng.uniform(1.0, 14.0, nra) * DAY).astype(np.int64)
    rf = rng.random(nra) < P.ring_follow
    ra_ft = t0[ring_idx] + (rng.random(nra) * 2 * DAY).astype(np.int64)
    fol_c.append(ra_g[rf]), fol_s.append(ra_s[rf]), fol_t.append(ra_ft[rf])
    fol_u.append(np.full(int(rf.sum()), -1, np.int64)), fol_k.append(np.full(int(rf.sum()), K_RING, np.int8))
    ncamp = np.minimum(8, max(2, round(world.span_days / 45)) + rng.integers(0, 3, len(ring_s)))
    camp_ring = np.repeat(np.arange(len(ring_s)), ncamp)
    camp_t = cal.sample(rng, t0[camp_ring] + 2 * DAY, span - 6 * HOUR)
    camp_first = _starts(ncamp)
    # every (member, campaign) pair of a ring
    pairs = rsz * ncamp
    pr_ring = np.repeat(np.arange(len(ring_s)), pairs)
    j = np.arange(int(pairs.sum()), dtype=np.int64) - np.repeat(_starts(pairs), pairs)
    member = _starts(rsz)[pr_ring] + j // ncamp[pr_ring]
    campaign = camp_first[pr_ring] + j % ncamp[pr_ring]
    norders = 1 + rng.poisson(0.8, len(member))
    bm = np.repeat(member, norders)
    bcamp = np.repeat(campaign, norders)
    br = ring_idx[bm]
    b_at = camp_t[bcamp] + (rng.random(len(bm)) * 6 * HOUR).astype(np.int64)
    b_at = np.minimum(b_at, span - 1)
    # each ring pushes up to three target products of its streamer
    lo_c, hi_c = world.cat_off[ring_s], world.cat_off[ring_s + 1]
    targets = world.cat_prod[lo_c[:, None] + (rng.random((len(ring_s), 3)) * (hi_c - lo_c)[:, None]).astype(np.int64)]
    b_prod = targets[br, rng.integers(0, 3, len(bm))]
    b_qty = np.where(rng.random(len(bm)) < 0.75, 1, rng.integers(2, 4, len(bm))).astype(np.int64)
    # ring orders are discounted and rounded like genuine ones (at list price the amount alone told
    # them apart), from a child generator: the shard's other draws, and the rest of the world, stay
    b_amount = _amounts(world, cal, b_prod, b_qty, b_at, rng.spawn(1)[0])
    refund = world.s_ring_mode[ring_s[br]] == 1
    b_ret = rng.random(len(bm)) < np.where(refund, P.ring_refund_return, P.ring_inflate_return)
    b_cause = np.where(b_ret, CAUSE_BRUSHING, CAUSE_NONE).astype(np.int8)

    # ---------------- purchases, sorted by time -> order numbers
    all_c = np.concatenate([o_global, ra_g[bm]])
    all_s = np.concatenate([o_str, ring_s[br]])
    all_p = np.concatenate([o_prod, b_prod])
    all_q = np.concatenate([o_qty, b_qty])
    all_a = np.concatenate([o_amount, b_amount])
    all_t = np.concatenate([o_at, b_at])
    all_f = np.concatenate([o_follower, rf[bm]])
    all_ret = np.concatenate([o_ret, b_ret])
    all_cause = np.concatenate([o_cause, b_cause])
    order = np.lexsort((rng.random(len(all_t)), all_t))
    inv = np.empty_like(order)
    inv[order] = np.arange(len(order))

    # ---------------- returns (days later; sometimes partial, sometimes in two parts)
    ri = np.flatnonzero(all_ret)
    rq_total = all_q[ri]
    brush = all_cause[ri] == CAUSE_BRUSHING
    delay = np.where(brush, rng.uniform(0.2, 3.0, len(ri)), 0.5 + rng.lognormal(np.log(3.5), 0.5, len(ri)))
    r1_at = all_t[ri] + (delay * DAY).astype(np.int64)
    partial = (rq_total >= 2) & (rng.random(len(ri)) < 0.35) & ~brush
    r1_q = np.where(partial, 1 + (rng.random(len(ri)) * (rq_total - 1)).astype(np.int64), rq_total)
    second = partial & (rng.random(len(ri)) < 0.4)
    r2_q = 1 + (rng.random(len(ri)) * (rq_total - r1_q)).astype(np.int64)
    r2_at = r1_at + (rng.uniform(1.0, 6.0, len(ri)) * DAY).astype(np.int64)
    empty_q = (~partial) & (rng.random(len(ri)) < 0.25)
    reason = np.full(len(ri), -1, dtype=np.int8)
    rcause = all_cause[ri]
    for cause, (choices, probs) in _REASON_TABLE.items():
        m = np.flatnonzero(rcause == cause)
        reason[m] = np.asarray(choices, dtype=np.int8)[rng.choice(len(choices), len(m), p=probs)]
    r_order = np.concatenate([inv[ri], inv[ri[second]]])
    r_at = np.concatenate([r1_at, r2_at[second]])
    r_qty = np.concatenate([np.where(empty_q, -1, r1_q), r2_q[second]])
    r_reason = np.concatenate([reason, reason[second]])
    seen = r_at < span  # later returns fall outside the observed window
    r_order, r_at, r_qty, r_reason = r_order[seen], r_at[seen], r_qty[seen], r_reason[seen]
    ro = np.lexsort((r_order, r_at))

    # ---------------- consumers of the shard (+ truth)
    nan_f = np.full(nfa + nra, np.nan)
    res = ShardResult(
        c_global=np.concatenate([np.arange(g0, g1, dtype=np.int64), fa_g, ra_g]),
        c_region=np.concatenate([region, rng.choice(len(REGION_P), nfa + nra, p=REGION_P).astype(np.int8)]),
        c_registered=np.concatenate([registered, fa_reg, ra_reg]),
        c_fraud=np.concatenate([np.zeros(n, np.int8), np.full(nfa, 1, np.int8), np.full(nra, 2, np.int8)]),
        c_serves=np.concatenate([np.full(n, -1, np.int64), fa_s, ra_s]),
        c_loyalty=np.concatenate([loyalty, nan_f]),
        c_price_sensitivity=np.concatenate([price_sens, nan_f]),
        c_activity=np.concatenate([activity, nan_f]),
        f_consumer=np.concatenate(fol_c),
        f_streamer=np.concatenate(fol_s),
        f_at=np.concatenate(fol_t),
        f_unfollow=np.concatenate(fol_u),
        f_kind=np.concatenate(fol_k),
        o_consumer=all_c[order],
        o_streamer=all_s[order],
        o_product=all_p[order],
        o_quantity=all_q[order],
        o_amount=all_a[order],
        o_at=all_t[order],
        o_follower=all_f[order],
        o_cause=all_cause[order],
        r_order=r_order[ro],
        r_at=r_at[ro],
        r_quantity=r_qty[ro],
        r_reason=r_reason[ro],
    )
    return res


def _amounts(world, cal, prod: np.ndarray, qty: np.ndarray, at: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Order amounts: list price x quantity, discounted (0.75-0.92 on promotion days, else 0.95-1)
    and rounded to whole units."""
    promo_day = cal.day_w[np.clip(at // DAY, 0, world.span_days - 1)] > 1.8
    disc = np.where(promo_day, rng.uniform(0.75, 0.92, len(prod)), rng.uniform(0.95, 1.0, len(prod)))
    return np.maximum(1, np.round(world.p_price[prod] * qty * disc)).astype(np.int64)
