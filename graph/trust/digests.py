"""Per-streamer digests for the query library, precomputed by the score job.

A hub streamer has tens of thousands of bonds and orders; reading them all to answer
"who is its most bonded audience" or "how do its returns trend by week" costs hundreds
of milliseconds in Cypher (the expansion of the dense node, not the sort). The score job
already holds every bond and order in memory, so it writes small summaries onto each
``Streamer`` node in the same transaction that publishes the run (run-consistent with
the bonds):

- ``audience_top``: ids of the ``top`` consumers with the highest bond trust (ties by
  consumer id), best first; ``audience_bonds``: how many bonds the streamer has, so a
  reader can tell whether the list is complete;
- ``trend_weeks`` (ISO date of the week's Monday, UTC), ``trend_orders``,
  ``trend_units``, ``trend_returned_units``: orders by week of purchase, most recent
  week first, with the units returned so far.

``queries/library/streamer_audience.cypher`` and ``streamer_return_trend.cypher`` read
them, and fall back to the live expansion when a streamer has no digest yet.

Examples
--------
>>> digests = streamer_digests(projection, model.consumer_streamer, top=100)
>>> digests.loc[0, "audience_top"][:3]
['c000123', 'c004711', 'c000042']
"""

from __future__ import annotations

import pandas as pd

from ..projection import Projection

AUDIENCE_TOP = 100

COLUMNS = ("streamer_id", "audience_top", "audience_bonds", "trend_weeks", "trend_orders",
           "trend_units", "trend_returned_units")


def audience_digest(bonds: pd.DataFrame, top: int = AUDIENCE_TOP) -> pd.DataFrame:
    """Per streamer: the ``top`` consumer ids by bond trust (ties by id) and the bond count."""
    ranked = bonds[["streamer_id", "consumer_id", "trust"]].sort_values(
        ["streamer_id", "trust", "consumer_id"], ascending=[True, False, True], kind="stable")
    counts = ranked.groupby("streamer_id", sort=True).size().rename("audience_bonds")
    best = ranked.groupby("streamer_id", sort=True).head(top)
    lists = best.groupby("streamer_id", sort=True)["consumer_id"].agg(lambda s: [str(v) for v in s])
    out = pd.concat([lists.rename("audience_top"), counts], axis=1).reset_index()
    out["audience_bonds"] = out["audience_bonds"].astype(int)
    return out


def week_start(stamps: pd.Series) -> pd.Series:
    """The Monday (UTC) of each timestamp's week, as ``YYYY-MM-DD`` (Cypher's ``date.truncate('week', t)``)."""
    utc = pd.to_datetime(stamps, utc=True)
    day = utc.dt.normalize()
    return (day - pd.to_timedelta(day.dt.day_of_week, unit="D")).dt.strftime("%Y-%m-%d")


def trend_digest(orders: pd.DataFrame) -> pd.DataFrame:
    """Per streamer: orders, units and returned units by week of purchase, latest week first."""
    weekly = (orders.assign(week=week_start(orders["purchased_at"]))
              .groupby(["streamer_id", "week"], sort=True)
              .agg(orders=("order_id", "size"), units=("quantity", "sum"),
                   returned=("returned_quantity", "sum"))
              .reset_index()
              .sort_values(["streamer_id", "week"], ascending=[True, False], kind="stable"))
    grouped = weekly.groupby("streamer_id", sort=True)
    return pd.DataFrame({
        "trend_weeks": grouped["week"].agg(list),
        "trend_orders": grouped["orders"].agg(lambda s: [int(v) for v in s]),
        "trend_units": grouped["units"].agg(lambda s: [int(v) for v in s]),
        "trend_returned_units": grouped["returned"].agg(lambda s: [int(v) for v in s]),
    }).reset_index()


def streamer_digests(projection: Projection, bonds: pd.DataFrame, top: int = AUDIENCE_TOP) -> pd.DataFrame:
    """The digest of every streamer with bonds or orders (columns: :data:`COLUMNS`).

    Parameters
    ----------
    projection : Projection
        The projection the scores were computed on (its ``orders``).
    bonds : pandas.DataFrame
        The run's ``consumer_streamer`` table (``consumer_id``, ``streamer_id``, ``trust``).
    top : int, default 100
        How many consumers ``audience_top`` keeps per streamer.
    """
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    audience = audience_digest(bonds, top)
    trend = trend_digest(projection.orders)
    out = audience.merge(trend, on="streamer_id", how="outer").sort_values("streamer_id", kind="stable")
    out["audience_bonds"] = out["audience_bonds"].fillna(0).astype(int)
    for column in ("audience_top", "trend_weeks", "trend_orders", "trend_units", "trend_returned_units"):
        out[column] = [v if isinstance(v, list) else [] for v in out[column]]
    return out[list(COLUMNS)].reset_index(drop=True)
