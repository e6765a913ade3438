"""Mistakes in the files marketers edit, as values: a code, its values, and where it is.

Loaders (``load_table``, ``load_policy``, ``read_mapping``) raise these instead of
sentences; ``bot.domain.mistakes_fr`` words every code in French, in one place, and
``make check`` turns a :class:`Place` into a line of the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

Key = str | int


class Code(str, Enum):
    """Every kind of mistake a loader can find; each has a French wording."""

    # Any YAML file.
    INVALID_YAML = "invalid_yaml"
    UNKNOWN_KEY = "unknown_key"
    # The congratulation table (data/congratulations.yml).
    TABLE_NOT_A_MAPPING = "table_not_a_mapping"
    BAD_MILESTONES = "bad_milestones"
    MISSING_LABEL = "missing_label"
    RULE_WITHOUT_WHEN = "rule_without_when"
    UNKNOWN_CONDITION = "unknown_condition"
    UNKNOWN_EVENT = "unknown_event"
    RATING_OUT_OF_RANGE = "rating_out_of_range"
    UNLISTED_MILESTONE = "unlisted_milestone"
    UNKNOWN_FIELD_IN_RULE = "unknown_field_in_rule"
    UNKNOWN_RESPONSE = "unknown_response"
    SINGLE_VARIANT = "single_variant"
    PRAISE_FOR_LOW_RATING = "praise_for_low_rating"
    NO_CATCH_ALL = "no_catch_all"
    MILESTONE_WITHOUT_RULE = "milestone_without_rule"
    # The freshness policy (data/freshness.yml).
    POLICY_NOT_A_MAPPING = "policy_not_a_mapping"
    NON_POSITIVE_DEFAULT_MONTHS = "non_positive_default_months"
    FIELDS_NOT_A_MAPPING = "fields_not_a_mapping"
    UNKNOWN_FIELD = "unknown_field"
    NON_POSITIVE_MONTHS = "non_positive_months"
    BAD_QUIET_DAYS = "bad_quiet_days"
    # The privacy policy (data/privacy.yml).
    PRIVACY_NOT_A_MAPPING = "privacy_not_a_mapping"
    BAD_CONSENT_VERSION = "bad_consent_version"
    NOT_YES_OR_NO = "not_yes_or_no"
    RETENTION_NOT_A_MAPPING = "retention_not_a_mapping"
    BAD_DURATION = "bad_duration"
    TWO_DURATIONS = "two_durations"
    # The product catalogue (data/products.yml) and its CSV import.
    CATALOGUE_NOT_A_MAPPING = "catalogue_not_a_mapping"
    PRODUCTS_NOT_A_LIST = "products_not_a_list"
    PRODUCT_NOT_A_MAPPING = "product_not_a_mapping"
    PRODUCT_WITHOUT_NAME = "product_without_name"
    BAD_ALIASES = "bad_aliases"
    DUPLICATE_PRODUCT_ID = "duplicate_product_id"
    CSV_WITHOUT_NAME_COLUMN = "csv_without_name_column"


@dataclass(frozen=True)
class Place:
    """Where a mistake is: the keys from the top of the file down (list items by their
    0-based index), in the loaded file or in ``domain.yml``; or a line, when only the
    YAML parser can say where."""

    keys: tuple[Key, ...] = ()
    in_domain: bool = False
    line: int | None = None


@dataclass(frozen=True)
class Mistake:
    """One mistake: what kind (``code``), about what (``values``, the fields of its wording),
    where (``place``), and where the fix is to be made when elsewhere (``see``)."""

    code: Code
    place: Place = Place()
    values: Mapping[str, Any] = field(default_factory=dict, hash=False)
    see: Place | None = None


def unknown_keys(raw: Iterable[Any], known: tuple[str, ...]) -> list[Mistake]:
    """One mistake per top-level key that is not ``known`` (a typo would lose the setting)."""
    return [
        Mistake(Code.UNKNOWN_KEY, Place((key,)), {"key": key, "known": known})
        for key in raw
        if key not in known
    ]
