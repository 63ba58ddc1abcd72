"""Scales and behaviour parameters of the simulated world.

Everything the simulator draws is driven by these numbers and the seed; ``world.json``
in the truth folder records them, so a world can be explained and regenerated.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

CATEGORIES = ("beauty", "fashion", "food", "home", "electronics", "mother_baby", "health", "jewelry")
# Typical list price per category, in yuan (products scatter log-normally around it).
CATEGORY_PRICE = (120.0, 160.0, 45.0, 90.0, 380.0, 110.0, 140.0, 600.0)
REGIONS = ("east", "south", "north", "central", "southwest", "northeast", "northwest")
REGION_P = (0.26, 0.20, 0.16, 0.14, 0.12, 0.07, 0.05)

FRAUD_KINDS = ("none", "fake_followers", "brushing")
CONSUMER_FRAUD_KINDS = ("none", "fake_follower", "brushing")
RING_MODES = ("", "refund", "inflate")


@dataclass(frozen=True)
class Scale:
    """Entity counts of one scale; events follow from behaviour (see bench/results)."""

    name: str
    factories: int
    streamers: int
    products_per_factory: int
    consumers: int  # genuine consumers; fake accounts and ring members come on top
    parts: int  # consumer shards; >1 writes event streams as folders of part files
    ring_size: tuple[int, int]  # brushing ring size range (inclusive)
    min_fake_followers: int
    order_digits: int


SCALES: dict[str, Scale] = {
    s.name: s
    for s in (
        Scale("xs", 8, 40, 20, 1_000, 1, (4, 8), 15, 7),
        Scale("s", 30, 300, 50, 10_000, 1, (6, 15), 25, 7),
        Scale("m", 250, 3_000, 80, 300_000, 1, (8, 40), 40, 7),
        Scale("l", 1_500, 20_000, 100, 3_000_000, 10, (8, 40), 40, 8),
    )
}


@dataclass(frozen=True)
class Params:
    """Behaviour of the world. Rates are per week unless named otherwise."""

    # audiences
    popularity_alpha: float = 0.95  # Pareto tail of streamer popularity (heavy-tailed audiences)
    follows_mean: float = 5.5  # follows per consumer = 1 + Poisson(follows_mean * activity^0.35)
    no_follow_share: float = 0.12  # consumers who follow nobody
    preexisting_follow_share: float = 0.5  # follows made before the simulated span (up to a year)
    new_consumer_share: float = 0.15  # consumers who register during the span
    region_affinity: float = 0.8  # extra weight for a streamer of the consumer's own region
    # purchases
    bond_rate: float = 0.03  # purchases per follow-week, average consumer, before the trust factor
    discovery_rate: float = 0.045  # purchases per consumer-week at streamers the consumer does not follow
    discovery_popularity_power: float = 0.8
    conversion: float = 0.12  # kept non-follower purchase -> follow (times 0.5 + loyalty)
    stranger_trust: float = 0.25  # trust of a non-follower in the streamer
    # outcomes (per purchase)
    defect_base: float = 0.01
    defect_scale: float = 0.35  # + defect_scale * (1 - product quality)^2
    exaggeration_base: float = 0.01
    exaggeration_scale: float = 0.55  # + exaggeration_scale * (1 - streamer honesty)^exaggeration_power
    exaggeration_power: float = 1.5
    changed_mind: float = 0.04
    trust_tolerance: float = 0.7  # a bad purchase is returned with probability 0.95 - tolerance * trust
    # trust dynamics of a follow (the private-domain effect)
    trust_gain: float = 0.12  # per good purchase: trust += gain * (1 - trust)
    trust_break: float = 0.45  # per bad purchase: trust *= 1 - break
    unfollow_after_bad: float = 0.6  # * (1 - loyalty) * (1.2 - trust)
    weekly_churn: float = 0.003  # * (1.5 - loyalty) * (1.5 - honesty): exaggeration is seen in the live room
    # honest streamers pick better factories: weight exp(k * 4 (h - .5)(q - .5))
    factory_choice_sharpness: float = 3.0
    # fraud
    fake_follower_share: float = 0.06  # of streamers
    brushing_share: float = 0.04  # of streamers
    fake_follower_multiple: tuple[float, float] = (0.8, 3.0)  # fake accounts per expected genuine follower
    fake_camouflage: float = 0.3  # fake account also follows one top streamer
    ring_refund_share: float = 0.6  # rings whose orders are mostly refunded; the rest inflate sales
    ring_refund_return: float = 0.85
    ring_inflate_return: float = 0.03
    ring_follow: float = 0.8
    # lucky draws (legitimate follow bursts with next to no purchases)
    lucky_draw_share: float = 0.12  # of genuine streamers
    lucky_draw_size: tuple[float, float] = (0.3, 1.0)  # participants per expected genuine follower
    lucky_draw_cap: float = 0.03  # at most this share of all consumers joins one draw
    lucky_purchase_multiplier: float = 0.03
    lucky_weekly_churn: float = 0.06

    @classmethod
    def with_overrides(cls, overrides: dict | None) -> "Params":
        if not overrides:
            return cls()
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(f"unknown world parameter(s): {', '.join(unknown)}")
        return cls(**overrides)
