"""Who caused a return: mapping free-text return reasons to a cause class.

A return says something different about each party depending on *why* it happened:

- ``seller`` -- the streamer's doing: the goods were not as the live room described
  them, the wrong item was shipped, parts were missing, a fake was sold;
- ``product`` -- the goods themselves: defective, damaged, poor workmanship (the
  factory's doing, whoever sold them);
- ``neutral`` -- nobody's fault: the buyer changed their mind, the size or colour did
  not suit, the buyer ordered the wrong thing;
- unattributed -- no reason, "other", "unknown", or text the mapping does not know.

The default vocabulary covers the return-reason enumerations of common commerce
platforms and standards ([1]_, [2]_) and the usual Chinese reason codes of live-commerce
platforms (质量问题, 描述不符, 七天无理由, ...). Reasons are compared after
normalisation: Unicode NFKC, case-folded, every run of non-alphanumeric characters
turned into one ``_`` (so ``"Not as described"``, ``"NOT-AS-DESCRIBED"`` and
``"not_as_described"`` are the same reason). Anything else -- including ``None``,
numbers and free text -- is unattributed; nothing here raises on odd input.

A platform with its own codes passes ``extra`` (``{reason: class}``), which is merged
over the defaults (a class of ``None`` removes a default entry, making that reason
unattributed).

References
----------
.. [1] Shopify Admin GraphQL API, enum ``ReturnReason`` (COLOR, DEFECTIVE,
   NOT_AS_DESCRIBED, OTHER, SIZE_TOO_LARGE, SIZE_TOO_SMALL, STYLE, UNKNOWN, UNWANTED,
   WRONG_ITEM), https://shopify.dev/docs/api/admin-graphql/latest/enums/ReturnReason
.. [2] ASC X12, data element 1293 "Return Request Reason Code" (e.g. NA not as expected or
   described, DR defective, PW poor workmanship, PF poor fit, CO customer ordering
   error, WG wrong goods), https://stedi.com/edi/x12-003040/element/1293
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

import numpy as np
import pandas as pd

CLASSES = ("seller", "product", "neutral")
UNATTRIBUTED = -1

_SELLER = (
    "not_as_described", "item_not_as_described", "significantly_not_as_described", "snad", "inad",
    "not_as_advertised", "misdescribed", "misleading", "misleading_description", "false_advertising",
    "exaggerated", "not_as_expected", "na", "different_from_description", "wrong_item", "received_wrong_item",
    "wrong_goods", "wg", "wrong_product", "missing_parts", "missing_item", "incomplete", "counterfeit", "fake",
    "switcheroo",
    "描述不符", "与描述不符", "商品与描述不符", "宣传不符", "虚假宣传", "发错货", "少件", "漏发", "少件_漏发",
    "假冒品牌", "假货",
)
_PRODUCT = (
    "defective", "damaged", "damaged_or_defective", "defective_merchandise", "dr", "dm", "faulty", "broken",
    "does_not_work", "doesnt_work", "not_working", "malfunction", "quality", "quality_issue", "quality_problem",
    "poor_quality", "quality_unacceptable", "poor_workmanship", "pw", "excessive_wear", "ew",
    "defective_packaging", "dp", "expired", "short_dated",
    "质量问题", "商品质量问题", "做工问题", "破损", "商品破损", "损坏", "有瑕疵", "瑕疵", "过期",
)
_NEUTRAL = (
    "changed_mind", "changed_my_mind", "customer_changed_mind", "unwanted", "no_longer_needed",
    "no_longer_wanted", "dont_want", "not_needed", "wrong_size", "size", "size_too_large", "size_too_small",
    "too_large", "too_small", "poor_fit", "pf", "does_not_fit", "doesnt_fit", "fit", "color", "colour", "style",
    "did_not_like", "didnt_like", "ordered_by_mistake", "ordered_wrong_item", "bought_by_mistake",
    "customer_ordering_error", "co", "found_better_price", "better_price", "no_reason", "seven_day_no_reason",
    "7_day_no_reason",
    "七天无理由", "七天无理由退货", "7天无理由", "7天无理由退货", "不想要了", "不喜欢", "拍错了", "多拍",
    "多拍_错拍", "错拍", "尺码不合适", "尺码不符", "大小不合适", "颜色不喜欢",
)

DEFAULT_REASON_CLASSES: dict[str, str] = {
    **{r: "seller" for r in _SELLER}, **{r: "product" for r in _PRODUCT}, **{r: "neutral" for r in _NEUTRAL},
}

_NON_WORD = re.compile(r"[\W_]+", flags=re.UNICODE)


def normalise_reason(reason: object) -> str:
    """The comparison form of a reason: NFKC, case-folded, non-alphanumeric runs -> ``_``.

    Examples
    --------
    >>> normalise_reason("  Not-as Described! ")
    'not_as_described'
    >>> normalise_reason(None), normalise_reason(float("nan")), normalise_reason(3)
    ('', '', '3')
    """
    if reason is None or (isinstance(reason, float) and np.isnan(reason)) or reason is pd.NA:
        return ""
    text = unicodedata.normalize("NFKC", str(reason)).casefold()
    return _NON_WORD.sub("_", text).strip("_")


def reason_classes(extra: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """The mapping in use: the defaults with ``extra`` merged over them (keys normalised).

    Parameters
    ----------
    extra : {reason: "seller" | "product" | "neutral" | None}, optional
        Platform-specific codes; ``None`` removes a default (the reason becomes unattributed).

    Returns
    -------
    dict
        ``{normalised reason: class}``.

    Examples
    --------
    >>> m = reason_classes({"Size Too Small": "seller", "defective": None})
    >>> m["size_too_small"], "defective" in m
    ('seller', False)
    """
    out = dict(DEFAULT_REASON_CLASSES)
    for reason, cls in (extra or {}).items():
        key = normalise_reason(reason)
        if cls is None:
            out.pop(key, None)
            continue
        if cls not in CLASSES:
            raise ValueError(f"reason class must be one of {', '.join(CLASSES)} or None, not {cls!r}")
        out[key] = cls
    return out


def classify_reasons(reasons: pd.Series | np.ndarray | list, mapping: Mapping[str, str] | None = None) -> np.ndarray:
    """Class code of each reason: 0 seller, 1 product, 2 neutral, -1 unattributed.

    Vectorised over distinct values (a return table has a handful of reason codes).

    Parameters
    ----------
    reasons : sequence of str or None
        Raw reasons as given by the platform.
    mapping : {normalised reason: class}, optional
        From :func:`reason_classes`; the defaults when omitted.

    Returns
    -------
    numpy.ndarray of int8

    Examples
    --------
    >>> classify_reasons(["Defective", "not as described", "CHANGED_MIND", None, "arrived late"]).tolist()
    [1, 0, 2, -1, -1]
    """
    mapping = DEFAULT_REASON_CLASSES if mapping is None else mapping
    values = pd.Series(np.asarray(reasons, dtype=object), dtype=object)
    if values.empty:
        return np.zeros(0, np.int8)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    index = {c: i for i, c in enumerate(CLASSES)}
    per_unique = np.array([index.get(mapping.get(normalise_reason(u), ""), UNATTRIBUTED) for u in uniques]
                          + [UNATTRIBUTED], dtype=np.int8)
    return per_unique[codes]  # code -1 (missing) picks the trailing UNATTRIBUTED


__all__ = ["CLASSES", "DEFAULT_REASON_CLASSES", "UNATTRIBUTED", "classify_reasons", "normalise_reason",
           "reason_classes"]
