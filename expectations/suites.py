"""The checks per table, as GX 1.x expectations; thresholds come from thresholds.yml.

Each :class:`Check` has a stable id (the key in ``thresholds.yml``), the frame it runs on
and a factory that builds the GX expectation from the check's bounds and params. The GX
expectation always carries the *strictest* bound (e.g. ``mostly`` = the warn level), so
GX's own success flag — what Data Docs shows — means "neither warn nor fail"; the gate
then compares the observed value with each bound to decide WARN or FAIL.

Which rows a suite validates (``TableSuite.scope``):
  * ``landing``  — the rows of the landing day(s) being loaded (bronze, quarantine, and the
                   silver tables that keep every landed row);
  * ``table``    — the whole table (current-state silver tables, reference data, small
                   gold marts and dimensions);
  * ``recent``   — rows whose ``date_column`` is within ``recent_days`` of the table's newest
                   date (big gold facts: the incremental build only rewrites those).

Frames (see ``expectations.gate.frames_for``):
  * ``rows``        — the rows in scope;
  * ``day_summary`` — one computed row per landing day (counts across tables), so
                      cross-table ratios are checked by GX like any column value;
  * ``source``      — one computed row comparing the table with its source (bronze: files on
                      the landing disk vs files in bronze; gold facts: rows vs silver).

Checks with a ``rule`` take their bounds from ``defaults.<rule>`` in thresholds.yml unless
the table lists the check itself; every other check must be listed.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

import great_expectations.expectations as gxe

from expectations.thresholds import Bounds
from spark_jobs import config as C
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
DAYS_BEHIND = "days_behind"  # days between the source's newest date and the column's max

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
    rule: str | None = None        # bounds default: thresholds.yml defaults.<rule>
    needs_rows: bool = False       # judged only when the table's source has rows


LANDING, TABLE, RECENT = "landing", "table", "recent"


@dataclass(frozen=True)
class TableSuite:
    table: str
    checks: tuple[Check, ...]
    # columns that identify an offending row in the examples (GX unexpected_index_column_names)
    id_columns: tuple[str, ...] = ()
    scope: str = LANDING
    layer: str = "silver"
    date_column: str | None = None   # RECENT scope and freshness
    recent_days: int = 35
    # the table it is built from: (table, date column) — freshness reference, and checks
    # with needs_rows are not judged while it is empty (a source not loaded yet)
    source: tuple[str, str] | None = None

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


def unique(*columns: str) -> Factory:
    if len(columns) == 1:
        return lambda b, p: gxe.ExpectColumnValuesToBeUnique(column=columns[0], mostly=_mostly(b))
    return lambda b, p: gxe.ExpectCompoundColumnsToBeUnique(column_list=list(columns), mostly=_mostly(b))


def row_count_between() -> Factory:
    return lambda b, p: gxe.ExpectTableRowCountToBeBetween(
        min_value=None if b.strictest_min() is None else int(b.strictest_min()),
        max_value=None if b.strictest_max() is None else int(b.strictest_max()))


def fresh(column: str) -> Factory:
    # min_value is a suite parameter: the source's newest date minus the strictest bound
    return lambda b, p: gxe.ExpectColumnMaxToBeBetween(
        column=column, min_value={"$PARAMETER": f"fresh_min_{column}"})


# --- the catalogue: one suite per bronze / silver / quarantine / gold table ------------

_not_null = not_null


def _rules(*, not_null=(), unique_key=(), sets=None, ranges=None, regex=None,
           row_count=True, row_count_needs_rows=False) -> tuple[Check, ...]:
    """The usual checks of a table, named ``<column>_<rule>``; bounds from defaults."""
    out: list[Check] = []
    if row_count:
        out.append(Check("row_count", OBSERVED, row_count_between(), rule="row_count",
                         needs_rows=row_count_needs_rows))
    for c in not_null:
        out.append(Check(f"{c}_not_null", RATIO, _not_null(c), rule="not_null"))
    if unique_key:
        out.append(Check("key_unique", RATIO, unique(*unique_key), rule="unique"))
    for c, values in (sets or {}).items():
        out.append(Check(f"{c}_in_set", RATIO, in_set(c, tuple(values)), rule="in_set"))
    for c, (lo, hi) in (ranges or {}).items():
        out.append(Check(f"{c}_in_range", RATIO, between(c, lo, hi), rule="in_range"))
    for c, rx in (regex or {}).items():
        out.append(Check(f"{c}_format", RATIO, matches(c, rx), rule="format"))
    return tuple(out)


def _freshness(column: str) -> Check:
    return Check(f"{column}_fresh", DAYS_BEHIND, fresh(column), rule="freshness", needs_rows=True)


def _files_loaded() -> Check:
    return Check("landing_files_loaded", OBSERVED, column_max_at_most("files_missing"),
                 frame="source", rule="files_loaded")


def _rows_match_source() -> Check:
    return Check("rows_match_source", OBSERVED, column_max_at_most("rows_difference"),
                 frame="source", rule="rows_match_source")


CASE_STATUSES = ("RECEIVED", "VERIFYING", "PROSECUTED", "NOT_PROSECUTED", "CLEARED", "SUSPENDED")
RECORD_KINDS = ("TIN_BAO", "TO_GIAC", "KIEN_NGHI_KHOI_TO")
CODE_SCHEMES = ("CURRENT", "LEGACY")
RESIDENCE_TYPES = ("THUONG_TRU", "TAM_TRU", "LUU_TRU")
DOSSIER_SERVICES = ("DK_TAM_TRU", "DK_THUONG_TRU", "KHAI_BAO_LUU_TRU", "XAC_NHAN_CU_TRU",
                    "XOA_DK_TAM_TRU", "XOA_DK_THUONG_TRU")
HEALTH_STATUSES = ("OK", "NO_DATA", "INSUFFICIENT_DATA", "STUCK")
COMMUNE_CODE_RE = r"^[0-9]{5}$"
REGISTRY_FEEDS = ("residents", "residence", "dossiers")
REGISTRY_REASONS = ("MALFORMED_ROW", "MISSING_FIELD", "BAD_TIMESTAMP", "BAD_DATE", "BAD_VALUE",
                    "UNKNOWN_COMMUNE")
CASE_REASONS = ("MALFORMED_ROW", "MISSING_FIELD", "BAD_TIMESTAMP", "BAD_VALUE", "UNKNOWN_ARTICLE",
                "UNKNOWN_COMMUNE", "UNKNOWN_UNIT", "DUPLICATE_CONFLICT")


def _bronze(table: str, record_col: str) -> TableSuite:
    return TableSuite(
        table=table, layer="bronze", scope=LANDING, id_columns=("source_file", record_col),
        checks=(Check("row_count", OBSERVED, row_count_between(), rule="bronze_row_count"),)
        + _rules(not_null=("source_file", record_col, "ingested_at"), row_count=False,
                 unique_key=("source_file", record_col), ranges={record_col: (0, None)})
        + (_files_loaded(),))


def _quarantine(table: str, record_col: str, reasons: tuple[str, ...], extra_sets=None) -> TableSuite:
    return TableSuite(
        table=table, layer="quarantine", scope=LANDING, id_columns=("source_file", record_col),
        checks=_rules(row_count=False, not_null=("source_file", "reason_code", "reason_detail"),
                      sets={"reason_code": reasons, **(extra_sets or {})}))


def _gold(table: str, *, key, not_null=(), sets=None, ranges=None, date_column=None,
          source=None, scope=TABLE, extra=()) -> TableSuite:
    checks = _rules(not_null=not_null, unique_key=key, sets=sets, ranges=ranges,
                    row_count_needs_rows=True)
    if date_column and source:
        checks += (_freshness(date_column),)
    return TableSuite(table=table, layer="gold", scope=scope, id_columns=tuple(key),
                      date_column=date_column, source=source, checks=checks + tuple(extra))


G = "gold."
CAMERA_SRC = (SILVER_CAMERA_EVENTS, "event_date")
CASES_SRC = (C.SILVER_CASE_RECORDS, "received_date")
RESIDENCE_SRC = (C.SILVER_RESIDENCE_EVENTS, "effective_date")
DOSSIER_SRC = (C.SILVER_DOSSIERS, "submitted_at")


def _non_negative(*columns: str) -> dict[str, tuple[float, None]]:
    return {c: (0, None) for c in columns}


GENERATED_SUITES: tuple[TableSuite, ...] = (
    # --- bronze: every landed line / record, raw --------------------------------------
    _bronze(C.BRONZE_CAMERA_EVENTS, "line_no"),
    _bronze(C.BRONZE_CASE_RECORDS, "record_no"),
    _bronze(C.BRONZE_REGISTRY_RESIDENTS, "record_no"),
    _bronze(C.BRONZE_REGISTRY_RESIDENCE, "record_no"),
    _bronze(C.BRONZE_REGISTRY_DOSSIERS, "record_no"),
    # --- quarantine -------------------------------------------------------------------
    _quarantine(C.QUARANTINE_CASE_RECORDS, "record_no", CASE_REASONS),
    _quarantine(C.QUARANTINE_REGISTRY, "record_no", REGISTRY_REASONS,
                extra_sets={"feed": REGISTRY_FEEDS}),
    # --- silver: cases ----------------------------------------------------------------
    TableSuite(table=C.SILVER_CASE_RECORD_VERSIONS, scope=LANDING,
               id_columns=("record_id", "record_version", "source_file", "record_no"),
               checks=_rules(row_count=False,
                             not_null=("record_id", "record_version", "received_at", "status",
                                       "commune_code", "article"),
                             unique_key=("record_id", "record_version"),
                             sets={"op": ("I", "U", "D"), "record_kind": RECORD_KINDS,
                                   "status": CASE_STATUSES, "location_code_scheme": CODE_SCHEMES},
                             regex={"commune_code": COMMUNE_CODE_RE})),
    TableSuite(table=C.SILVER_CASE_RECORDS, scope=TABLE, id_columns=("record_id",),
               checks=_rules(row_count=False,
                             not_null=("record_id", "received_at", "status", "commune_code"),
                             unique_key=("record_id",),
                             sets={"status": CASE_STATUSES, "record_kind": RECORD_KINDS},
                             regex={"commune_code": COMMUNE_CODE_RE})),
    TableSuite(table=C.SILVER_CASE_STATUS_HISTORY, scope=TABLE, id_columns=("record_id", "record_version"),
               checks=_rules(row_count=False, not_null=("record_id", "status", "status_at"),
                             unique_key=("record_id", "status", "record_version"),
                             sets={"status": CASE_STATUSES})),
    # --- silver: registry -------------------------------------------------------------
    TableSuite(table=C.SILVER_RESIDENTS, scope=TABLE, id_columns=("person_key",),
               checks=_rules(row_count=False, not_null=("person_key", "birth_year", "sex"),
                             unique_key=("person_key",), sets={"sex": ("NAM", "NU")},
                             ranges={"birth_year": (1900, 2100)})),
    TableSuite(table=C.SILVER_RESIDENCE_EVENTS, scope=LANDING, id_columns=("event_id", "source_file", "record_no"),
               checks=_rules(row_count=False,
                             not_null=("event_id", "person_key", "commune_code", "effective_date"),
                             unique_key=("event_id",),
                             sets={"residence_type": RESIDENCE_TYPES, "action": ("REGISTER", "DEREGISTER"),
                                   "location_code_scheme": CODE_SCHEMES},
                             regex={"commune_code": COMMUNE_CODE_RE})),
    TableSuite(table=C.SILVER_RESIDENCE_HISTORY, scope=TABLE, id_columns=("registration_id",),
               checks=_rules(row_count=False,
                             not_null=("registration_id", "person_key", "commune_code", "valid_from"),
                             unique_key=("registration_id",),
                             sets={"residence_type": RESIDENCE_TYPES,
                                   "end_reason": ("DEREGISTERED", "EXPIRES")})),
    TableSuite(table=C.SILVER_DOSSIERS, scope=TABLE, id_columns=("dossier_id",),
               checks=_rules(row_count=False,
                             not_null=("dossier_id", "service_code", "channel", "status",
                                       "commune_code", "submitted_at"),
                             unique_key=("dossier_id",),
                             sets={"service_code": DOSSIER_SERVICES, "channel": ("ONLINE", "OFFLINE"),
                                   "status": ("SUBMITTED", "PROCESSING", "COMPLETED", "REJECTED")},
                             ranges={"processing_hours": (0, None)})),
    # --- silver: reference data and the camera registry -------------------------------
    TableSuite(table=C.SILVER_CAMERAS, scope=TABLE, id_columns=("camera_id",),
               checks=_rules(not_null=("camera_id", "commune_code", "lat", "lon"),
                             unique_key=("camera_id",), ranges={"speed_limit_kmh": (5, 120)},
                             regex={"commune_code": COMMUNE_CODE_RE})),
    TableSuite(table=C.SILVER_REF_COMMUNES, scope=TABLE, id_columns=("commune_code",),
               checks=_rules(not_null=("commune_code", "commune_name", "lat", "lon"),
                             unique_key=("commune_code",), sets={"commune_type": ("Phường", "Xã")},
                             regex={"commune_code": COMMUNE_CODE_RE})
               + (Check("row_count_126", OBSERVED, row_count_between(), rule=None),)),
    TableSuite(table=C.SILVER_REF_LEGACY_COMMUNES, scope=TABLE, id_columns=("legacy_code",),
               checks=_rules(not_null=("legacy_code", "legacy_name", "district_code"),
                             unique_key=("legacy_code",))),
    TableSuite(table=C.SILVER_REF_COMMUNE_CROSSWALK, scope=TABLE, id_columns=("legacy_code", "commune_code"),
               checks=_rules(not_null=("legacy_code", "commune_code", "is_default"),
                             unique_key=("legacy_code", "commune_code"))),
    TableSuite(table=C.SILVER_REF_POLICE_UNITS, scope=TABLE, id_columns=("unit_code", "valid_from"),
               checks=_rules(not_null=("unit_code", "unit_name", "unit_level"),
                             unique_key=("unit_code", "valid_from"),
                             sets={"unit_level": ("COMMUNE", "LEGACY_WARD", "LEGACY_DISTRICT")})),
    # --- gold -------------------------------------------------------------------------
    _gold(G + "dim_commune", key=("commune_code",), not_null=("commune_code", "commune_name", "police_unit_code"),
          extra=(Check("row_count_126", OBSERVED, row_count_between(), rule=None),)),
    _gold(G + "dim_legacy_commune", key=("legacy_code",), not_null=("legacy_code", "default_commune_code")),
    _gold(G + "dim_police_unit", key=("unit_code", "valid_from"), not_null=("unit_code", "unit_name")),
    # empty until the camera registry is loaded (a lakehouse with cases only)
    _gold(G + "dim_camera", key=("camera_id",), not_null=("camera_id", "commune_code"),
          source=(C.SILVER_CAMERAS, "snapshot_date")),
    _gold(G + "dim_crime_category", key=("article",), not_null=("article", "category_code", "category_name_vi")),
    _gold(G + "dim_traffic_violation", key=("violation_code", "vehicle_class", "speed_excess_min_kmh", "valid_from"),
          not_null=("violation_code", "name_vi", "fine_min_vnd"),
          ranges=_non_negative("fine_min_vnd", "fine_max_vnd")),
    _gold(G + "ref_penal_code_articles", key=("article",), not_null=("article", "category_code")),
    _gold(G + "ref_traffic_violations", key=("violation_code", "vehicle_class", "speed_excess_min_kmh", "valid_from"),
          not_null=("violation_code", "legal_basis")),
    _gold(G + "ref_crime_report_deadlines", key=("rule_code", "valid_from"), not_null=("rule_code", "legal_basis")),
    _gold(G + "fct_camera_violations", key=("event_id",), scope=RECENT, date_column="event_date", source=CAMERA_SRC,
          not_null=("event_id", "event_time", "camera_id", "commune_code", "violation_code", "plate"),
          sets={"violation_code": VIOLATION_CODES}, ranges={"ocr_confidence": (0.0, 1.0), "event_hour": (0, 23)},
          extra=(_rows_match_source(),)),
    _gold(G + "mart_violations_commune_daily", key=("event_date", "commune_code", "violation_code"),
          scope=RECENT, date_column="event_date", source=CAMERA_SRC,
          not_null=("event_date", "commune_code", "violations"), ranges=_non_negative("violations"),
          sets={"violation_code": VIOLATION_CODES}),
    _gold(G + "mart_camera_health_daily", key=("day", "camera_id"), scope=RECENT, date_column="day",
          source=CAMERA_SRC, not_null=("day", "camera_id", "health_status"),
          sets={"health_status": HEALTH_STATUSES}, ranges=_non_negative("reads")),
    _gold(G + "mart_traffic_hotspots", key=("camera_id", "iso_weekday", "hour_of_day"), source=CAMERA_SRC,
          not_null=("camera_id", "violations"), ranges={"iso_weekday": (1, 7), "hour_of_day": (0, 23)}),
    _gold("restricted.mart_vehicle_watchlist_trace", key=("record_id", "sighting_seq"), source=CAMERA_SRC,
          not_null=("record_id", "vehicle_plate", "event_id", "event_time", "camera_id")),
    _gold(G + "fct_crime_reports", key=("record_id",), source=CASES_SRC, date_column="received_date",
          not_null=("record_id", "received_at", "status", "commune_code", "category_code"),
          sets={"status": CASE_STATUSES, "record_kind": RECORD_KINDS},
          extra=(_rows_match_source(),)),
    _gold(G + "mart_crime_report_deadlines", key=("as_of_date", "commune_code"), source=CASES_SRC,
          not_null=("as_of_date", "commune_code", "open_reports"),
          ranges={**_non_negative("open_reports", "overdue_reports"), "late_share_last_30_days": (0.0, 1.0)}),
    _gold(G + "mart_case_clearance_monthly", key=("month_start", "commune_code"), source=CASES_SRC,
          not_null=("month_start", "commune_code"),
          ranges={**_non_negative("cases_opened", "cases_cleared", "backlog_open"), "clearance_rate": (0.0, None)}),
    _gold(G + "mart_compstat_weekly", key=("week_start", "commune_code", "category_code"), source=CASES_SRC,
          not_null=("week_start", "commune_code", "category_code"),
          ranges=_non_negative("wtd_current", "d28_current", "ytd_current")),
    _gold(G + "mart_residence_commune_daily", key=("day", "commune_code"), source=RESIDENCE_SRC,
          not_null=("day", "commune_code", "population"),
          ranges=_non_negative("population", "active_permanent", "active_temporary")),
    _gold(G + "mart_dossier_processing_monthly", key=("month_start", "commune_code", "service_code", "channel"),
          source=DOSSIER_SRC, not_null=("month_start", "commune_code", "service_code", "channel"),
          sets={"channel": ("ONLINE", "OFFLINE")}, ranges=_non_negative("dossiers_submitted", "median_processing_hours")),
    _gold(G + "mart_dq_scorecard_daily", key=("day", "commune_code", "source"), scope=RECENT, date_column="day",
          not_null=("day", "commune_code", "source", "records", "status", "status_vi"),
          sets={"source": ("camera_events", "case_records", "residence_events"),
                "status": ("NO_DATA", "THIN", "LATE", "OK")},
          ranges={"record_completeness": (0.0, 1.0), "field_completeness": (0.0, 1.0),
                  "late_share": (0.0, 1.0), "records": (0, None)}),
    _gold(G + "mart_commune_daily_scorecard", key=("day", "commune_code"), scope=RECENT, date_column="day",
          not_null=("day", "commune_code"),
          ranges=_non_negative("reports_received", "camera_violations")),
)

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
        table=QUARANTINE_CAMERA_EVENTS, layer="quarantine",
        id_columns=("source_file", "line_no"),
        checks=(
            Check("reason_code_not_null", RATIO, not_null("reason_code")),
            Check("reason_code_known", RATIO, in_set("reason_code", REASON_CODES)),
            Check("quarantine_share", OBSERVED, column_max_at_most("quarantine_share"),
                  frame="day_summary"),
        ),
    ),
}


SUITES.update({s.table: s for s in GENERATED_SUITES})


# reference data loaded from the packages (validated by gold_marts.prepare_sources)
REFERENCE_TABLES = [C.SILVER_REF_COMMUNES, C.SILVER_REF_LEGACY_COMMUNES, C.SILVER_REF_COMMUNE_CROSSWALK,
                    C.SILVER_REF_POLICE_UNITS]


def suites_of(layer: str) -> list[str]:
    """The tables of one layer that have a suite (bronze, silver, quarantine, gold)."""
    return [t for t, s in SUITES.items() if s.layer == layer]


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
