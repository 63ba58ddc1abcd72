"""Return reasons: the mapping reason -> cause class, and what the trust model does with it,
on hand-built cases whose answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from livetrust.graph.projection import COLUMNS, Projection
from livetrust.graph.trust import TrustModel
from livetrust.graph.trust.evidence import build_evidence
from livetrust.graph.trust.reasons import classify_reasons, normalise_reason, reason_classes

T0 = pd.Timestamp("2026-01-01", tz="UTC")


def day(d: float) -> pd.Timestamp:
    return T0 + pd.Timedelta(days=float(d))


# ---------------------------------------------------------------- the mapping

@pytest.mark.parametrize("raw, expected", [
    ("not_as_described", 0), ("Not as described", 0), ("  NOT-AS-DESCRIBED ", 0), ("Wrong item", 0),
    ("描述不符", 0), ("少件/漏发", 0),
    ("defective", 1), ("DEFECTIVE", 1), ("Damaged or defective", 1), ("质量问题", 1),
    ("changed_mind", 2), ("Changed mind", 2), ("wrong_size", 2), ("SIZE_TOO_SMALL", 2), ("七天无理由", 2),
    ("", -1), (None, -1), (float("nan"), -1), ("other", -1), ("unknown", -1), ("the box was blue", -1),
    (42, -1), ("\x00\ufffd", -1),
])
def test_reason_classes_by_default(raw, expected):
    assert classify_reasons([raw]).tolist() == [expected]


def test_reason_normalisation_is_case_and_punctuation_blind():
    assert normalise_reason("Ｎot　As Described") == "not_as_described"  # full-width letters and space (NFKC)
    assert normalise_reason("changed-mind!!") == normalise_reason("CHANGED MIND") == "changed_mind"


def test_reason_mapping_is_configurable():
    mapping = reason_classes({"Late Delivery": "seller", "defective": "neutral", "wrong_size": None})
    got = classify_reasons(["late delivery", "Defective", "wrong_size", "not_as_described"], mapping)
    assert got.tolist() == [0, 2, -1, 0]
    with pytest.raises(ValueError, match="reason class"):
        reason_classes({"x": "factory"})
    with pytest.raises(ValueError, match="unattributed"):
        TrustModel(unattributed="nobody")


# ---------------------------------------------------------------- a hand-built market

class Market:
    """Orders and returns (with reasons) written out by hand; as_of is day 180."""

    def __init__(self) -> None:
        self.orders: list[dict] = []
        self.returns: list[dict] = []
        self.products = {"pg": "f_good", "pb": "f_bad"}

    def order(self, c: str, s: str, p: str, at: float, qty: int = 1) -> str:
        oid = f"o{len(self.orders):06d}"
        self.orders.append({"order_id": oid, "consumer_id": c, "streamer_id": s, "product_id": p, "quantity": qty,
                            "amount": 10.0 * qty, "purchased_at": day(at), "returned_quantity": 0,
                            "first_returned_at": pd.NaT})
        return oid

    def give_back(self, oid: str, reason: str | None, qty: int = 1, after: float = 3.0) -> None:
        o = next(o for o in self.orders if o["order_id"] == oid)
        at = o["purchased_at"] + pd.Timedelta(days=after)
        self.returns.append({"order_id": oid, "returned_at": at, "quantity": qty, "reason": reason})
        o["returned_quantity"] += qty
        o["first_returned_at"] = at if pd.isna(o["first_returned_at"]) else min(o["first_returned_at"], at)

    def projection(self, with_returns: bool = True) -> Projection:
        orders = pd.DataFrame(self.orders, columns=list(COLUMNS["orders"]))
        for col in ("purchased_at", "first_returned_at"):
            orders[col] = pd.to_datetime(orders[col], utc=True)
        consumers = sorted(set(orders["consumer_id"]))
        returns = pd.DataFrame(self.returns if with_returns else [], columns=list(COLUMNS["returns"]))
        returns["returned_at"] = pd.to_datetime(returns["returned_at"], utc=True)
        return Projection(
            factories=pd.DataFrame({"factory_id": sorted(set(self.products.values())), "name": "", "region": ""}),
            streamers=pd.DataFrame({"streamer_id": sorted(set(orders["streamer_id"])), "name": "", "category": "",
                                    "region": ""}),
            products=pd.DataFrame({"product_id": list(self.products), "factory_id": list(self.products.values()),
                                   "name": "", "category": "", "price": 10.0}),
            consumers=pd.DataFrame({"consumer_id": consumers, "region": "", "registered_at": day(-400)}),
            follows=pd.DataFrame({c: pd.Series(dtype="datetime64[ns, UTC]" if c.endswith("_at") else object)
                                  for c in COLUMNS["follows"]}),
            orders=orders, returns=returns, as_of=day(180),
        )


def market(liar_reason: str | None = "not_as_described", factory_reason: str | None = "defective") -> Market:
    """Two streamers sell the same two products to 150 shoppers each (one of each product).

    The bad factory's product comes back every 4th sale at both streamers (``factory_reason``);
    ``s_liar`` also gets every 4th sale of the *good* product back (``liar_reason``).
    """
    m = Market()
    for s in ("s_honest", "s_liar"):
        for i in range(150):
            c = f"{s}-c{i:03d}"
            at = 1.0 + i
            good, bad = m.order(c, s, "pg", at), m.order(c, s, "pb", at + 0.5)
            if i % 4 == 0:
                m.give_back(bad, factory_reason)
            if s == "s_liar" and i % 4 == 1:
                m.give_back(good, liar_reason)
    return m


def fit(m: Market, **params) -> TrustModel:
    return TrustModel(**params).fit(m.projection())


def streamer(model: TrustModel, sid: str) -> pd.Series:
    return model.streamers.set_index("streamer_id").loc[sid]


def factory_trust(model: TrustModel, fid: str) -> float:
    return float(model.factories.set_index("factory_id").loc[fid, "trust"])


def test_evidence_splits_returned_units_by_cause():
    m = Market()
    a = m.order("c1", "s1", "pg", 10.0, qty=4)
    m.give_back(a, "Defective", qty=1)
    m.give_back(a, "not as described", qty=2, after=4.0)
    b = m.order("c2", "s1", "pg", 11.0, qty=2)
    m.give_back(b, None)
    c = m.order("c3", "s1", "pg", 12.0, qty=2)
    m.give_back(c, "changed_mind", qty=1)
    m.orders[2]["returned_quantity"] = 2  # one more unit returned than the returns table explains
    d = m.order("c4", "s1", "pg", 175.0)
    m.give_back(d, "defective", after=10.0)  # returned after as_of: not evidence yet
    m.returns.append({"order_id": "nope", "returned_at": day(20), "quantity": 1, "reason": "defective"})
    ev = build_evidence(m.projection(), 90.0)
    np.testing.assert_allclose(ev.o_cause, [[2 / 3, 1 / 3, 0, 0], [0, 0, 0, 1], [0, 0, 0.5, 0.5], [0, 0, 0, 0]])
    np.testing.assert_allclose(ev.o_returned_units, [3, 1, 2, 0])


def test_seller_returns_blame_the_streamer_and_defects_the_factory():
    model = fit(market())
    honest, liar = streamer(model, "s_honest"), streamer(model, "s_liar")
    assert liar["trust"] < honest["trust"] - 0.05
    assert liar["seller_return_risk"] > honest["seller_return_risk"] + 0.05
    assert abs(liar["product_return_risk"] - honest["product_return_risk"]) < 0.02  # same catalogue
    assert (liar["returned_units_seller"], liar["returned_units_product"]) == (38, 38)
    assert factory_trust(model, "f_good") > factory_trust(model, "f_bad") + 0.1


def test_the_reason_decides_who_is_blamed_for_the_same_returns():
    """The liar's returns of the good product: said "not as described" they are the streamer's
    conduct, said "defective" they count against the good factory's quality."""
    as_seller, as_defect = fit(market()), fit(market(liar_reason="defective"))
    assert factory_trust(as_seller, "f_good") > factory_trust(as_defect, "f_good") + 0.02
    gap = lambda m: streamer(m, "s_liar")["seller_return_risk"] - streamer(m, "s_honest")["seller_return_risk"]  # noqa: E731
    assert gap(as_seller) > 0.05 and abs(gap(as_defect)) < 0.01


def test_neutral_returns_do_not_cost_trust_by_default():
    changed = fit(market(liar_reason="Changed mind"))
    honest, liar = streamer(changed, "s_honest"), streamer(changed, "s_liar")
    assert abs(liar["trust"] - honest["trust"]) < 0.01
    assert liar["neutral_return_risk"] > honest["neutral_return_risk"]
    counted = fit(market(liar_reason="Changed mind"), neutral_weight=1.0)
    assert streamer(counted, "s_liar")["trust"] < streamer(counted, "s_honest")["trust"] - 0.05


def test_unlabelled_returns_are_shared_out_never_dropped():
    """Without any reason at all the model is the single return model of before (everything
    counts against the seller model): the same as a projection without a returns table."""
    blank = market(liar_reason=None, factory_reason=None)
    with_table, without = fit(blank), TrustModel().fit(blank.projection(with_returns=False))
    pd.testing.assert_frame_equal(with_table.streamers, without.streamers)
    pd.testing.assert_frame_equal(with_table.factories, without.factories)
    assert with_table.diagnostics_["unattributed_split"] == {"seller": 1.0, "product": 0.0, "neutral": 0.0}
    # some labelled, the rest shared out in the platform's proportions: the liar still ranks lower
    half = market(liar_reason=None)
    model = fit(half)
    split = model.diagnostics_["unattributed_split"]
    assert split["product"] == 1.0 and split["seller"] == 0.0  # the only labelled returns are defects
    assert streamer(model, "s_liar")["trust"] < streamer(model, "s_honest")["trust"]
    assert model.diagnostics_["returned_units_by_cause"]["unattributed"] == 38.0
