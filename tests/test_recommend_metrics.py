"""Ranking metrics on tiny cases computed by hand (exact values)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

from livetrust.graph.recommend import metrics as M


def relevant(rows: list[set[int]], n_items: int = 10) -> sp.csr_matrix:
    r = [u for u, items in enumerate(rows) for _ in items]
    c = [i for items in rows for i in sorted(items)]
    return sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(len(rows), n_items))


REC = np.array([[1, 2, 3], [4, 5, -1], [1, 2, 3]])
REL = relevant([{2, 9}, {4}, set()])  # user 2 has nothing relevant: left out of the means


def test_per_user_values():
    pu = M.per_user(REC, REL, 3)
    # user 0: hit at rank 2 of 2 relevant; user 1: hit at rank 1 of 1
    assert pu["precision"][:2] == pytest.approx([1 / 3, 1 / 3])
    assert pu["recall"][:2] == pytest.approx([1 / 2, 1.0])
    dcg0 = 1 / math.log2(3)
    assert pu["ndcg"][:2] == pytest.approx([dcg0 / (1 + 1 / math.log2(3)), 1.0])
    assert pu["ap"][:2] == pytest.approx([(1 / 2) / 2, 1.0])
    assert all(np.isnan(v[2]) for v in pu.values())


def test_means_and_wrappers():
    m = M.ranking_metrics(REC, REL, 3)
    ndcg0 = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert m == pytest.approx({"precision": 1 / 3, "recall": 0.75, "ndcg": (ndcg0 + 1) / 2, "map": 0.625, "users": 2})
    assert M.precision_at_k(REC, REL, 3) == pytest.approx(1 / 3)
    assert M.recall_at_k(REC, REL, 3) == pytest.approx(0.75)
    assert M.ndcg_at_k(REC, REL, 3) == pytest.approx((ndcg0 + 1) / 2)
    assert M.map_at_k(REC, REL, 3) == pytest.approx(0.625)


def test_cutoff_shorter_than_list_and_short_lists():
    # k=1: user 0 misses, user 1 hits
    m = M.ranking_metrics(REC, REL, 1)
    assert m["precision"] == pytest.approx(0.5) and m["ndcg"] == pytest.approx(0.5) and m["map"] == pytest.approx(0.5)
    # k larger than the lists: a short list still divides precision by k
    m = M.ranking_metrics(REC, REL, 5)
    assert m["precision"] == pytest.approx(1 / 5)


def test_ideal_list_scores_one():
    rec = np.array([[7, 3, 0]])
    m = M.ranking_metrics(rec, relevant([{3, 7}]), 3)
    assert m["ndcg"] == pytest.approx(1.0) and m["map"] == pytest.approx(1.0) and m["recall"] == pytest.approx(1.0)


def test_coverage_fraud_and_returned_exposure():
    assert M.coverage(REC[:2], 10) == pytest.approx(0.5)  # items 1..5 of 10
    flagged = np.zeros(10, bool)
    flagged[[3, 5]] = True
    assert M.flagged_share(REC[:2], flagged) == pytest.approx(2 / 5)  # 5 slots (the -1 pad is no slot)
    bought = relevant([{2, 3}, {4}])
    returned = sp.csr_matrix((np.array([1.0, 0.5]), ([0, 1], [3, 4])), shape=(2, 10))
    # hits that were bought: (0,2) kept, (0,3) returned, (1,4) half returned
    assert M.returned_share(REC[:2], bought, returned) == pytest.approx(0.5)
    assert np.isnan(M.returned_share(np.array([[8]]), relevant([{1}]), relevant([set()])))


def test_paired_difference_by_hand():
    """Differences 0.5, 0, 0, 0.5 (a NaN user left out): mean 0.25, sd 0.2887, se 0.1443; t(3) 97.5%
    quantile 3.1824 gives 0.25 +- 0.4593; t = 1.7321, two-sided p = 0.1817."""
    a = np.array([1.0, 0.5, 0.0, 1.0, np.nan])
    b = np.array([0.5, 0.5, 0.0, 0.5, 1.0])
    r = M.paired_difference(a, b)
    assert r["users"] == 4 and r["diff"] == pytest.approx(0.25)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((0.25 - 0.45935, 0.25 + 0.45935), abs=1e-4)
    assert r["p_value"] == pytest.approx(0.1817, abs=1e-4)
    same = M.paired_difference(np.array([0.2, 0.4]), np.array([0.1, 0.3]))  # every difference 0.1 (to rounding)
    assert (same["diff"], same["ci_low"], same["ci_high"], same["p_value"]) == pytest.approx((0.1, 0.1, 0.1, 0.0))
    tie = M.paired_difference(np.array([0.3, 0.3]), np.array([0.1 + 0.2] * 2))  # -5.6e-17 apart: a tie
    assert (tie["diff"], tie["p_value"]) == (0.0, 1.0)
    one = M.paired_difference(np.array([0.5]), np.array([0.0]))  # one subject: no interval, no p
    assert one["diff"] == 0.5 and math.isnan(one["ci_low"]) and math.isnan(one["p_value"])
    with pytest.raises(ValueError, match="different lengths"):
        M.paired_difference(np.array([0.5, 0.1]), np.array([0.0]))


def test_paired_difference_clustered_by_hand():
    """Differences 1, 1, 0, 0 in groups x, x, y, y: mean 0.5; the groups' residual sums +1 and -1, so
    the CR1 standard error is sqrt(2/1 * 2) / 4 = 0.5 with 1 degree of freedom: t = 1, p = 0.5, half
    width 12.706 * 0.5. Unclustered, the same differences give p = 0.18 (sd 0.577, se 0.289, t(3))."""
    a, b = np.array([1.0, 1.0, 0.0, 0.0]), np.zeros(4)
    r = M.paired_difference(a, b, clusters=np.array(["x", "x", "y", "y"]))
    assert (r["diff"], r["groups"], r["users"]) == (0.5, 2, 4)
    assert r["p_value"] == pytest.approx(0.5) and r["ci_high"] - 0.5 == pytest.approx(12.7062 * 0.5, abs=1e-3)
    plain = M.paired_difference(a, b)
    assert plain["groups"] == 4 and plain["p_value"] == pytest.approx(0.1817, abs=1e-4)
    assert math.isnan(M.paired_difference(np.array([np.nan]), np.array([1.0]))["diff"])


def test_paired_difference_without_groups_is_scipys_paired_t_test():
    """One subject per group: the interval and p-value are scipy.stats.ttest_rel's."""
    from scipy import stats

    rng = np.random.default_rng(1)
    a, b = rng.random(200), rng.random(200)
    r = M.paired_difference(a, b)
    t = stats.ttest_rel(a, b)
    ci = t.confidence_interval()
    assert (r["ci_low"], r["ci_high"], r["p_value"]) == pytest.approx((ci.low, ci.high, t.pvalue), rel=1e-9)
