"""Recommender parameters given as text (``--set NAME.PARAM=VALUE`` on the command line).

One place turns ``consumer_products.keep_power=4`` into ``{"consumer_products": {"keep_power":
4.0}}``: the name must be one of the recommenders on offer, the parameter one of its
constructor's, and the value is converted to the type of that parameter's default and must lie
in the parameter's range (the class's ``PARAMETER_RANGES``, as scikit-learn's
``_parameter_constraints``; :func:`check_parameters` applies the same ranges when a list is fitted
from Python). Anything else is a ``ValueError`` whose one line names the setting and the choices.

Examples
--------
>>> from livetrust.graph.recommend.consumer_products import ConsumerProducts
>>> parse_params(["consumer_products.keep_power=4"], {"consumer_products": ConsumerProducts})
{'consumer_products': {'keep_power': 4.0}}
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")


@dataclass(frozen=True)
class Interval:
    """The values a numeric parameter may take: ``low <= value <= high`` (``low < value`` when
    ``open_low``; None: unbounded); always a finite number.

    Examples
    --------
    >>> 0.5 in Interval(0, 1), -1 in Interval(0), 0 in Interval(0, open_low=True), str(Interval(1))
    (True, False, False, '>= 1')
    """

    low: float | None = None
    high: float | None = None
    open_low: bool = False

    def __contains__(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return False
        above = self.low is None or (value > self.low if self.open_low else value >= self.low)
        return above and (self.high is None or value <= self.high)

    def __str__(self) -> str:
        if self.low is None:
            return "a finite number" if self.high is None else f"<= {self.high:g}"
        if self.high is None:
            return f"{'>' if self.open_low else '>='} {self.low:g}"
        return f"in {'(' if self.open_low else '['}{self.low:g}, {self.high:g}]"


def check_parameters(estimator: Any) -> None:
    """Refuse, in one line, a parameter of ``estimator`` outside its class's ``PARAMETER_RANGES``
    (called by the lists' and baselines' ``fit``, before any work)."""
    for name, allowed in getattr(type(estimator), "PARAMETER_RANGES", {}).items():
        value = getattr(estimator, name)
        if value not in allowed:
            raise ValueError(f"{type(estimator).__name__}: {name}={value!r} is not {allowed}")


def parse_params(settings: Iterable[str], targets: Mapping[str, type]) -> dict[str, dict[str, Any]]:
    """Constructor parameters per recommender name from ``NAME.PARAM=VALUE`` texts.

    Parameters
    ----------
    settings : the texts, e.g. ``["consumer_products.keep_power=4", "rp3beta.beta=0.2"]``.
    targets : recommender name -> its class (the parameters are its constructor's).

    Returns
    -------
    ``{name: {param: value}}``; a later setting of the same parameter wins.
    """
    out: dict[str, dict[str, Any]] = {}
    for text in settings:
        name, param, value = _split(text)
        if name not in targets:
            raise ValueError(f"{text!r}: no recommender {name!r}; choose from {', '.join(targets)}")
        defaults = _defaults(targets[name])
        if param not in defaults:
            choices = f"choose from {', '.join(defaults)}" if defaults else "it takes none"
            raise ValueError(f"{text!r}: {name} has no parameter {param!r}; {choices}")
        converted = _convert(text, value, defaults[param])
        allowed = getattr(targets[name], "PARAMETER_RANGES", {}).get(param)
        if allowed is not None and converted not in allowed:
            raise ValueError(f"{text!r}: {param} must be {allowed}")
        out.setdefault(name, {})[param] = converted
    return out


def _split(text: str) -> tuple[str, str, str]:
    key, sep, value = text.partition("=")
    name, dot, param = key.strip().partition(".")
    if not sep or not dot or not name or not param or not value.strip():
        raise ValueError(f"{text!r}: expected NAME.PARAM=VALUE, e.g. consumer_products.keep_power=2")
    return name, param.strip(), value.strip()


def _defaults(cls: type) -> dict[str, Any]:
    sig = inspect.signature(cls)
    return {n: p.default for n, p in sig.parameters.items()
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.default is not p.empty}


def _convert(text: str, value: str, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            if value.lower() in _TRUE + _FALSE:
                return value.lower() in _TRUE
            raise ValueError
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            number = float(value)
            if not math.isfinite(number):
                raise ValueError
            return number
    except ValueError:
        kind = "true or false" if isinstance(default, bool) else f"a finite {type(default).__name__}"
        raise ValueError(f"{text!r}: {value!r} is not {kind}") from None
    raise ValueError(f"{text!r}: this parameter cannot be set from text")
