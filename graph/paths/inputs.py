"""The trust scores the path analysis consumes, as four plain DataFrames.

The path analysis depends only on these columns, not on how the scores were made
(``livetrust.graph.trust`` computes them; tests build them by hand):

- ``consumer_streamer``: consumer_id, streamer_id, trust [, confidence] — the bonds;
- ``streamers``: streamer_id, trust [, confidence];
- ``products``:  product_id, trust [, confidence];
- ``factories``: factory_id, trust [, confidence].

Every ``trust`` is in [0, 1]. Other columns (components) are carried along untouched.
:func:`trust_inputs_from_model` obtains the four frames from the trust model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..trust.frames import KEYS, validate_trust_frames

if TYPE_CHECKING:  # pragma: no cover
    from ..projection import Projection

# What trust_bonds.cypher returns per bond, and consumers per chunk read.
BOND_COLUMNS = ["consumer_id", "streamer_id", "trust", "confidence", "consumer_credibility"]
BOND_CHUNK = 50_000


@dataclass
class TrustInputs:
    """The four trust frames; see the module docstring for their columns.

    ``validate()`` (called by :func:`livetrust.graph.paths.build_index`) checks the
    columns, that ids are unique and that every trust lies in [0, 1].
    """

    consumer_streamer: pd.DataFrame
    streamers: pd.DataFrame
    products: pd.DataFrame
    factories: pd.DataFrame
    score_run_id: str | None = None  # the Neo4j score run the bonds come from, if any

    def validate(self) -> "TrustInputs":
        validate_trust_frames({name: getattr(self, name) for name in KEYS})
        return self

    @classmethod
    def from_mapping(cls, frames: dict[str, pd.DataFrame]) -> "TrustInputs":
        """From a mapping with the four names (e.g. a model's ``results_`` dict)."""
        return cls(**{name: frames[name] for name in KEYS})


def trust_inputs_from_model(projection: "Projection", **model_params: Any) -> TrustInputs:
    """Score ``projection`` with the trust model of ``livetrust.graph.trust``.

    Parameters
    ----------
    projection : Projection
        The graph projection to score.
    **model_params
        Passed to the model's constructor.

    Raises
    ------
    LivetrustError
        When the trust package does not provide a model yet.
    """
    from ..trust import TrustModel

    return TrustInputs.from_mapping(TrustModel(**model_params).fit(projection).results_).validate()


def typed_bonds(rows: pd.DataFrame) -> pd.DataFrame:
    """Bonds as ``trust_bonds.cypher`` returns them, with the trust model's dtypes: ids as ``str``
    (as in embedded mode), the scores as float (NaN where Neo4j stored none)."""
    out = {column: rows[column].astype("str") for column in BOND_COLUMNS[:2]}
    out.update({column: pd.to_numeric(rows[column]).astype(float) for column in BOND_COLUMNS[2:]})
    return pd.DataFrame(out, index=rows.index)


def trust_inputs_from_neo4j(driver, database: str, score_run_id: str | None = None, *,
                            chunk_size: int = BOND_CHUNK) -> TrustInputs:
    """The trust frames as ``livetrust score`` wrote them to Neo4j.

    Bonds are the ``TRUSTS`` relationships of ``score_run_id`` (default: the current
    ``score`` run), read ``chunk_size`` consumers at a time (``queries/paths/trust_bonds.cypher``),
    with the ``consumer_credibility`` the run stored on them (null where it stored none);
    entity scores are the ``trust`` / ``trust_confidence`` properties.

    Raises
    ------
    LivetrustError
        When no ``score`` run has been published yet.
    """
    from ...db import read_frame
    from ...errors import LivetrustError
    from ...queries import cypher_statement
    from .cypher import run

    if score_run_id is None:
        from ...writeback import current_run_id

        score_run_id = current_run_id(driver, database, "score")
        if score_run_id is None:
            raise LivetrustError("Neo4j holds no trust scores yet: run `livetrust score` first")
    bonds = read_frame(driver, database, cypher_statement("paths/trust_bonds"), columns=BOND_COLUMNS,
                       typed=typed_bonds, chunk_size=chunk_size, score_run_id=score_run_id)
    scores = run(driver, database, "trust_scores")
    if scores.empty:
        scores = pd.DataFrame(columns=["kind", "id", "trust", "confidence"])

    def of(kind: str, key: str) -> pd.DataFrame:
        part = scores[scores["kind"] == kind]
        return pd.DataFrame({key: part["id"].astype(str).to_numpy(),
                             "trust": part["trust"].astype(float).to_numpy(),
                             "confidence": pd.to_numeric(part["confidence"]).astype(float).to_numpy()})

    return TrustInputs(bonds, of("streamer", "streamer_id"), of("product", "product_id"), of("factory", "factory_id"),
                       score_run_id=score_run_id)
