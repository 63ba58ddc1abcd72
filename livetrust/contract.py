"""The input data contract (``shared/data-contract.md``) as one fixed schema.

Loaders validate against it, the world generator writes it, and every Cypher
label or property name used with data from it comes from here, never from input.
"""

from __future__ import annotations

from dataclasses import dataclass

FORMATS = (".csv", ".csv.gz", ".parquet", ".jsonl", ".jsonl.gz")
MAX_ID_LENGTH = 128


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "id" | "text" | "timestamp" | "money" | "quantity"
    required: bool = False


@dataclass(frozen=True)
class Stream:
    """One file (or folder of part files) of a contract folder."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def of_kind(self, kind: str) -> list[str]:
        return [c.name for c in self.columns if c.kind == kind]


def _c(name: str, kind: str, required: bool = False) -> Column:
    return Column(name, kind, required)


STREAMS: dict[str, Stream] = {
    s.name: s
    for s in (
        Stream("factories", (_c("factory_id", "id", True), _c("name", "text"), _c("region", "text")), ("factory_id",)),
        Stream(
            "streamers",
            (_c("streamer_id", "id", True), _c("name", "text"), _c("category", "text"), _c("region", "text")),
            ("streamer_id",),
        ),
        Stream(
            "products",
            (
                _c("product_id", "id", True),
                _c("factory_id", "id", True),
                _c("name", "text"),
                _c("category", "text"),
                _c("price", "money"),
            ),
            ("product_id",),
        ),
        Stream(
            "consumers",
            (_c("consumer_id", "id", True), _c("region", "text"), _c("registered_at", "timestamp")),
            ("consumer_id",),
        ),
        Stream(
            "follows",
            (
                _c("consumer_id", "id", True),
                _c("streamer_id", "id", True),
                _c("followed_at", "timestamp", True),
                _c("unfollowed_at", "timestamp"),
            ),
            ("consumer_id", "streamer_id", "followed_at"),
        ),
        Stream(
            "purchases",
            (
                _c("order_id", "id", True),
                _c("consumer_id", "id", True),
                _c("streamer_id", "id", True),
                _c("product_id", "id", True),
                _c("quantity", "quantity", True),
                _c("amount", "money", True),
                _c("purchased_at", "timestamp", True),
            ),
            ("order_id",),
        ),
        Stream(
            "returns",
            (
                _c("order_id", "id", True),
                _c("returned_at", "timestamp", True),
                _c("quantity", "quantity"),
                _c("reason", "text"),
            ),
            ("order_id", "returned_at"),
        ),
    )
}

# Entities before events, purchases before returns: the order a load applies them.
LOAD_ORDER = ("factories", "streamers", "products", "consumers", "follows", "purchases", "returns")


class Outcome:
    """The four outcomes every input row ends in (contract, "What bad or early input gets")."""

    LOADED = "loaded"
    DUPLICATE = "duplicate"
    PENDING = "pending"
    QUARANTINED = "quarantined"
    ALL = (LOADED, DUPLICATE, PENDING, QUARANTINED)


class Reason:
    """Fixed reason codes; the generator's truth/defects file and the loaders' reports share them.

    Row numbers everywhere are 1-based positions among a file's data rows (the CSV
    header is not counted), per file (a part file inside a stream folder is its own file).
    """

    # quarantined
    MISSING_VALUE = "missing_value"
    MALFORMED_ID = "malformed_id"
    MALFORMED_TIMESTAMP = "malformed_timestamp"
    FUTURE_TIMESTAMP = "future_timestamp"  # later than the validation's clock (+ FUTURE_TOLERANCE)
    MALFORMED_NUMBER = "malformed_number"
    NEGATIVE_AMOUNT = "negative_amount"
    ZERO_QUANTITY = "zero_quantity"
    RETURN_BEFORE_PURCHASE = "return_before_purchase"
    RETURN_EXCEEDS_QUANTITY = "return_exceeds_quantity"
    UNFOLLOW_BEFORE_FOLLOW = "unfollow_before_follow"  # a follow's unfollowed_at earlier than its followed_at
    CONFLICTING_KEY = "conflicting_key"
    MALFORMED_ROW = "malformed_row"  # a CSV line with the wrong number of fields, a JSONL line that is not an object
    # pending
    ORDER_NOT_YET_LOADED = "order_not_yet_loaded"
    PRODUCT_NOT_YET_LOADED = "product_not_yet_loaded"
    # duplicate
    DUPLICATE = "duplicate"

    PENDING = (ORDER_NOT_YET_LOADED, PRODUCT_NOT_YET_LOADED)
