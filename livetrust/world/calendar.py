"""Simulated time: a marketing calendar with promotion peaks and an evening-heavy day.

Times inside the simulator are integer seconds relative to the simulation start.
``Calendar.sample`` draws event times from the hourly intensity, between per-event
lower and upper bounds, fully vectorised (inverse of a piecewise-linear CDF).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

HOUR = 3600
DAY = 86_400
WEEK = 7 * DAY

# Live rooms are busiest in the evening.
HOUR_WEIGHTS = np.array(
    [0.5, 0.3, 0.2, 0.15, 0.1, 0.1, 0.15, 0.3, 0.5, 0.7, 0.9, 1.0,
     1.1, 1.0, 0.9, 0.9, 1.0, 1.2, 1.6, 2.2, 2.6, 2.6, 2.1, 1.2],
    dtype=np.float64,
)

# Shopping festivals (month, day, name, peak amplitude over a normal day).
FESTIVALS = (
    (3, 8, "Women's Day", 2.0),
    (5, 20, "520", 1.5),
    (6, 18, "618", 4.0),
    (9, 9, "99 festival", 2.0),
    (11, 11, "Double 11", 5.0),
    (12, 12, "Double 12", 3.0),
)
PEAK_WIDTH_DAYS = 1.3


@dataclass(frozen=True)
class Promotion:
    day: int  # day index from the start
    date: str
    name: str
    amplitude: float


def promotion_calendar(start: dt.datetime, span_days: int, rng: np.random.Generator) -> list[Promotion]:
    """Festivals that fall in the span; brand days fill in so there are a few peaks."""
    promos: list[Promotion] = []
    end = start + dt.timedelta(days=span_days)
    for year in range(start.year, end.year + 1):
        for month, day, name, amp in FESTIVALS:
            when = dt.datetime(year, month, day, tzinfo=dt.timezone.utc)
            idx = (when - start).days
            if 2 <= idx < span_days:
                promos.append(Promotion(idx, when.date().isoformat(), name, amp))
    wanted = max(1, min(3, span_days // 60))
    taken = {p.day for p in promos}
    brand = 0
    while len(promos) < wanted:
        idx = int(rng.integers(min(2, span_days - 1), span_days))
        if idx in taken:
            continue
        taken.add(idx)
        brand += 1
        when = start + dt.timedelta(days=idx)
        promos.append(Promotion(idx, when.date().isoformat(), f"brand day {brand}", round(float(rng.uniform(1.5, 3.0)), 2)))
    return sorted(promos, key=lambda p: p.day)


class Calendar:
    """Hourly intensity over the span: promotion peaks times the hour-of-day profile."""

    def __init__(self, span_days: int, promotions: list[Promotion]):
        self.span_days = span_days
        self.span_s = span_days * DAY
        days = np.arange(span_days, dtype=np.float64)
        day_w = np.ones(span_days)
        for p in promotions:
            day_w += p.amplitude * np.exp(-np.abs(days - p.day) / PEAK_WIDTH_DAYS)
        self.day_w = day_w
        self.w = np.repeat(day_w, 24) * np.tile(HOUR_WEIGHTS, span_days)
        self.H = len(self.w)
        self.cum = np.concatenate([[0.0], np.cumsum(self.w)])
        self.mean_w = self.cum[-1] / self.H

    def cdf(self, t: np.ndarray) -> np.ndarray:
        t = np.clip(np.asarray(t, dtype=np.float64), 0, self.span_s)
        h = np.minimum((t // HOUR).astype(np.int64), self.H - 1)
        return self.cum[h] + self.w[h] * (t - h * HOUR) / HOUR

    def sample(self, rng: np.random.Generator, lo, hi, n: int | None = None) -> np.ndarray:
        """Integer times in [lo, hi) (clipped to the span) drawn from the intensity."""
        if n is None:
            n = np.broadcast(np.asarray(lo), np.asarray(hi)).size
        lo = np.broadcast_to(np.asarray(lo, dtype=np.int64), (n,))
        hi = np.broadcast_to(np.asarray(hi, dtype=np.int64), (n,))
        clo, chi = self.cdf(lo), self.cdf(hi)
        u = clo + rng.random(n) * (chi - clo)
        h = np.clip(np.searchsorted(self.cum, u, side="right") - 1, 0, self.H - 1)
        t = np.floor(h * HOUR + (u - self.cum[h]) / self.w[h] * HOUR).astype(np.int64)
        return np.clip(t, lo, np.maximum(hi - 1, lo))

    def intensity(self, a: float, b: float) -> float:
        """Mean intensity over [a, b) relative to the span's average hour."""
        ca, cb = self.cdf(np.array([a, b]))
        return float((cb - ca) / (self.mean_w * (b - a) / HOUR))
