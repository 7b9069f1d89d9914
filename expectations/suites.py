"""The checks per table, as GX 1.x expectations; thresholds come from thresholds.yml.

Each :class:`Check` has a stable id (the key in ``thresholds.yml``), the frame it runs on
and a factory that builds the GX expectation from the check's bounds and params. The GX
expectation always carries the *strictest* bound (e.g. ``mostly`` = the warn level), so
GX's own success flag — what Data Docs shows — means "neither warn nor fail"; the gate
then compares the observed value with each bound to decide WARN or FAIL.

Frames (see ``expectations.gate.frames_for``):
  * ``rows``        — the rows of the table for one landing day;
  * ``day_summary`` — one computed row per landing day (counts across tables), so
                      cross-table ratios are checked by GX like any column value.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

import great_expectations.expectations as gxe

from expectations.thresholds import Bounds
from spark_jobs.config import QUARANTINE_CAMERA_EVENTS, SILVER_CAMERA_EVENTS

# The rules are written down here again on purpose, not imported from the silver job: the
# gate checks the job's output against the specification (a unit test flags any drift).

VIOLATION_CODES = ("RED_LIGHT", "SPEEDING", "WRONG_LANE", "WRONG_WAY", "NO_HELMET",
                   "ILLEGAL_PARKING")
REASON_CODES = ("EMPTY_FILE", "CORRUPT_FILE", "TRUNCATED_FILE", "BAD_ENCODING", "MALFORMED_JSON",
                "MISSING_FIELD", "BAD_TIMESTAMP", "FUTURE_TIMESTAMP", "UNKNOWN_CAMERA",
                "UNREADABLE_PLATE", "OUT_OF_RANGE", "BAD_VIOLATION_CODE", "DUPLICATE_CONFLICT")
# Vietnamese plates: 30A-123.45, 29B1-234.56, 30A-1234 (older 4-digit series).
PLATE_RE = r"^[0-9]{2}[A-Z]{1,2}[0-9]?-([0-9]{3}\.[0-9]{2}|[0-9]{4})$"

# Kinds of observed value (how the gate reads it from the GX result):
RATIO = "ratio"        # share of rows passing: 1 - unexpected_percent / 100
OBSERVED = "observed"  # the expectation's observed_value (a count, a max, ...)

Factory = Callable[[Bounds, dict], gxe.Expectation]
# Suite parameters ({"$PARAMETER": name} in an expectation) filled in per landing day.
RuntimeParams = Callable[[dt.date, Bounds], dict[str, Any]]


@dataclass(frozen=True)
class Check:
    id: str
    kind: str
    make: Factory
    frame: str = "rows"
    runtime_params: RuntimeParams | None = None


@dataclass(frozen=True)
class TableSuite:
    table: str
    checks: tuple[Check, ...]
    # columns that identify an offending row in the examples (GX unexpected_index_column_names)
    id_columns: tuple[str, ...] = ()

    def frames(self) -> list[str]:
        return sorted({c.frame for c in self.checks})

    def checks_on(self, frame: str) -> list[Check]:
        return [c for c in self.checks if c.frame == frame]


def _mostly(b: Bounds) -> float:
    m = b.strictest_min()
    if m is None:
        raise ValueError("a row-level check needs warn_below or fail_below (the share of rows)")
    return float(m)


def not_null(column: str) -> Factory:
    return lambda b, p: gxe.ExpectColumnValuesToNotBeNull(column=column, mostly=_mostly(b))


def between(column: str, lo: float | None, hi: float | None) -> Factory:
    return lambda b, p: gxe.ExpectColumnValuesToBeBetween(
        column=column, min_value=lo, max_value=hi, mostly=_mostly(b))


def in_set(column: str, values: tuple[str, ...]) -> Factory:
    return lambda b, p: gxe.ExpectColumnValuesToBeInSet(
        column=column, value_set=list(values), mostly=_mostly(b))


def matches(column: str, regex: str) -> Factory:
    return lambda b, p: gxe.ExpectColumnValuesToMatchRegex(
        column=column, regex=regex, mostly=_mostly(b))


def row_count_at_least() -> Factory:
    return lambda b, p: gxe.ExpectTableRowCountToBeBetween(min_value=int(b.strictest_min()))


def event_date_window() -> Factory:
    # The window depends on the landing day: suite parameters filled in at run time, so the
    # stored suite stays the same from day to day.
    return lambda b, p: gxe.ExpectColumnValuesToBeBetween(
        column="event_date",
        min_value={"$PARAMETER": "event_date_min"},
        max_value={"$PARAMETER": "event_date_max"},
        mostly=_mostly(b),
    )


def event_date_window_params(day: dt.date, b: Bounds) -> dict[str, Any]:
    late = int(b.params.get("max_days_late", 7))
    return {"event_date_min": day - dt.timedelta(days=late), "event_date_max": day}


def column_max_at_most(column: str) -> Factory:
    return lambda b, p: gxe.ExpectColumnMaxToBeBetween(
        column=column, max_value=float(b.strictest_max()))


SUITES: dict[str, TableSuite] = {
    SILVER_CAMERA_EVENTS: TableSuite(
        table=SILVER_CAMERA_EVENTS,
        id_columns=("event_id", "source_file", "line_no"),
        checks=(
            Check("row_count", OBSERVED, row_count_at_least()),
            Check("event_id_not_null", RATIO, not_null("event_id")),
            Check("event_time_not_null", RATIO, not_null("event_time")),
            Check("camera_id_not_null", RATIO, not_null("camera_id")),
            Check("commune_code_not_null", RATIO, not_null("commune_code")),
            Check("confidence_between_0_and_1", RATIO, between("confidence", 0.0, 1.0)),
            Check("speed_not_negative", RATIO, between("speed_kmh", 0.0, None)),
            Check("plate_format", RATIO, matches("plate", PLATE_RE)),
            Check("violation_code_known", RATIO, in_set("violation_code", VIOLATION_CODES)),
            Check("event_date_in_window", RATIO, event_date_window(),
                  runtime_params=event_date_window_params),
        ),
    ),
    QUARANTINE_CAMERA_EVENTS: TableSuite(
        table=QUARANTINE_CAMERA_EVENTS,
        id_columns=("source_file", "line_no"),
        checks=(
            Check("reason_code_not_null", RATIO, not_null("reason_code")),
            Check("reason_code_known", RATIO, in_set("reason_code", REASON_CODES)),
            Check("quarantine_share", OBSERVED, column_max_at_most("quarantine_share"),
                  frame="day_summary"),
        ),
    ),
}


def suite_for(table: str) -> TableSuite:
    try:
        return SUITES[table]
    except KeyError:
        raise KeyError(f"no data-quality suite for table {table!r}; known: {sorted(SUITES)}") from None


def describe(check: Check, b: Bounds) -> str:
    """Human note stored with the expectation (shown in Data Docs)."""
    return f"gate check `{check.id}`: {b.describe()} (expectations/thresholds.yml)"


def build_expectation(check: Check, b: Bounds, params: dict[str, Any]) -> gxe.Expectation:
    exp = check.make(b, params)
    exp.meta = {"check": check.id, **b.as_dict()}
    exp.notes = describe(check, b)
    return exp
