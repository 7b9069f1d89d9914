"""Data-quality gate: validate one landing day of a table with its GX suite.

    from expectations.gate import run_gate
    summary = run_gate(spark, table="silver.camera_events", where_landing_date=day)

* FAIL bound crossed -> :class:`GateFailed` (message: check, table, observed vs bound,
  example offending values and rows) after the results are stored and Data Docs updated;
* WARN bound crossed -> a ``WARN data-quality ...`` line on stderr, the gate passes;
* the validation results and Data Docs live in the GX file context under
  ``$ANTT_VAR_DIR/gx`` (never in the git tree); ``python -m expectations.docs`` prints
  where the Data Docs index is.

The Spark DataFrame is validated in Spark (GX Spark datasource, dataframe asset, whole-
dataframe batch): no data goes to pandas. Only the day summary of the quarantine suite
(one row of counts) is collected to the driver.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import time
from pathlib import Path
from typing import Any, Iterator, Mapping

from expectations import thresholds as th
from expectations.suites import (DAYS_BEHIND, LANDING, OBSERVED, RATIO, RECENT, Check, TableSuite,
                                 build_expectation, suite_for)
from spark_jobs.config import BRONZE_CAMERA_EVENTS

DATASOURCE = "antt_spark"
BATCH_DEFINITION = "whole_dataframe"
EXAMPLES = 5  # example offending values / rows per check (GX partial_unexpected_count)


class GateFailed(Exception):
    """A FAIL threshold was crossed. ``summary`` holds the whole result dict."""

    def __init__(self, message: str, summary: dict[str, Any] | None = None):
        super().__init__(message)
        self.summary = summary or {}


# --- GX file context -----------------------------------------------------------------

def gx_dir(path: str | os.PathLike | None = None) -> Path:
    """Where the GX file context lives: ``path``, else ``$ANTT_GX_DIR``, else ``$ANTT_VAR_DIR/gx``."""
    if path:
        return Path(path)
    if os.environ.get("ANTT_GX_DIR"):
        return Path(os.environ["ANTT_GX_DIR"])
    from spark_jobs.config import settings

    return settings().var_dir / "gx"


@contextlib.contextmanager
def locked_context(root: Path) -> Iterator[Any]:
    """The GX file context, under an exclusive file lock.

    Several Airflow runs (landing days) may validate at once; GX's file stores rewrite
    great_expectations.yml, suites and checkpoints on every add_or_update and are not safe
    for concurrent writers, so one process at a time uses the context.
    """
    import great_expectations as gx

    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".gate.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            context = gx.get_context(mode="file", project_root_dir=str(root))
            _quiet(context)
            yield context
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _quiet(context) -> None:
    """No tqdm "Calculating Metrics" bars in the Airflow task log."""
    from great_expectations.data_context.types.base import ProgressBarsConfig

    pb = context.variables.progress_bars
    if isinstance(pb, dict):
        pb = ProgressBarsConfig(**pb)
    if pb is None or pb.globally or pb.metric_calculations:
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        context.variables.save()


def docs_index(context) -> str:
    sites = context.get_docs_sites_urls()
    return sites[0]["site_url"] if sites else ""


def _datasource(context):
    try:
        return context.data_sources.get(DATASOURCE)
    except (KeyError, ValueError, LookupError):
        # persist=False: GX would .persist() the batch and never unpersist it, which leaks
        # cache in the long-lived shared Spark application (the gate does not cache).
        return context.data_sources.add_spark(name=DATASOURCE, persist=False)


def _batch_definition(datasource, asset_name: str):
    try:
        asset = datasource.get_asset(asset_name)
    except LookupError:
        asset = datasource.add_dataframe_asset(name=asset_name)
    try:
        return asset.get_batch_definition(BATCH_DEFINITION)
    except (KeyError, LookupError):
        return asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION)


def _suite_name(table: str, frame: str) -> str:
    return table if frame == "rows" else f"{table}.{frame}"


def _checkpoint(context, name: str, expectations: list, id_columns: tuple[str, ...] | None,
                docs: bool = True, asset: str | None = None):
    """A checkpoint validating ``expectations`` against the dataframe asset ``asset``
    (default ``name``). ``id_columns`` None: counts only (result format BASIC without
    example values — one Spark job per column, where the examples and their rows take
    about eight more per check); else the example values and the rows they are in, named
    by ``id_columns``."""
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction

    suite = context.suites.add_or_update(gx.ExpectationSuite(name=name, expectations=expectations))
    vd = context.validation_definitions.add_or_update(gx.ValidationDefinition(
        name=name, data=_batch_definition(_datasource(context), asset or name), suite=suite))
    result_format: dict[str, Any]
    if id_columns is None:
        result_format = {"result_format": "BASIC", "partial_unexpected_count": 0}
    else:
        result_format = {"result_format": "SUMMARY", "partial_unexpected_count": EXAMPLES}
        if id_columns:
            result_format["unexpected_index_column_names"] = list(id_columns)
    # the results are stored either way; the action only re-renders the Data Docs
    return context.checkpoints.add_or_update(gx.Checkpoint(
        name=name, validation_definitions=[vd], result_format=result_format,
        actions=[UpdateDataDocsAction(name="update_data_docs")] if docs else [],
    ))


def build_docs(identifiers: list, gx_root: str | os.PathLike | None = None) -> str:
    """Render the Data Docs pages of these validation results (and their suites) and the
    index, once — instead of once per checkpoint (each rebuild re-reads the whole results
    store for the index: 22 gold tables took 90 s with a rebuild per table)."""
    if not identifiers:
        return ""
    with locked_context(gx_dir(gx_root)) as context:
        suites = list({i.expectation_suite_identifier.name: i.expectation_suite_identifier
                       for i in identifiers}.values())
        context.build_data_docs(resource_identifiers=[*identifiers, *suites])
        return docs_index(context)


# --- frames ----------------------------------------------------------------------------

Days = "dt.date | list[dt.date] | None"


def _days(landing_dates) -> list[dt.date]:
    if landing_dates is None:
        return []
    if isinstance(landing_dates, (list, tuple, set)):
        return sorted(dt.date.fromisoformat(d) if isinstance(d, str) else d for d in landing_dates)
    return [dt.date.fromisoformat(landing_dates) if isinstance(landing_dates, str) else landing_dates]


def _label(days: list[dt.date]) -> str:
    if not days:
        return "whole table"
    return (f"landing_date {days[0]}" if len(days) == 1
            else f"landing_date {days[0]}..{days[-1]} ({len(days)} days)")


def rows_of_day(spark, table: str, landing_date: dt.date | list[dt.date]):
    """Rows of one landing day, or of the range spanned by a list of days (a backfill)."""
    from pyspark.sql import functions as F

    days = _days(landing_date)
    if len(days) == 1:
        return spark.table(table).where(F.col("landing_date") == F.lit(days[0]))
    return spark.table(table).where(F.col("landing_date").between(F.lit(days[0]), F.lit(days[-1])))


def rows_in_scope(spark, suite: TableSuite, physical: str, days: list[dt.date]):
    from pyspark.sql import functions as F

    if suite.scope == LANDING:
        if not days:
            raise ValueError(f"{suite.table}: its suite validates landing days; give landing_dates")
        return rows_of_day(spark, physical, days)
    df = spark.table(physical)
    if suite.scope == RECENT:
        newest = df.agg(F.max(suite.date_column)).first()[0]
        if newest is not None:
            df = df.where(F.col(suite.date_column) >= F.date_sub(F.lit(newest), suite.recent_days))
    return df


def quarantine_day_summary(spark, landing_date: dt.date | list[dt.date], quarantine_rows=None,
                           table_names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Bronze lines, quarantined lines (by reason) and the quarantined share of one landing
    day — one Spark job; the result is a handful of numbers on the driver."""
    from pyspark.sql import functions as F

    from expectations.suites import QUARANTINE_CAMERA_EVENTS

    names = dict(table_names or {})
    if quarantine_rows is None:
        quarantine_rows = rows_of_day(
            spark, names.get(QUARANTINE_CAMERA_EVENTS, QUARANTINE_CAMERA_EVENTS), landing_date)
    bronze_key = "__bronze__"
    keys = (rows_of_day(spark, names.get(BRONZE_CAMERA_EVENTS, BRONZE_CAMERA_EVENTS), landing_date).select(F.lit(bronze_key).alias("k"))
            .unionByName(quarantine_rows.select(F.coalesce("reason_code", F.lit("<null>")).alias("k"))))
    counts = {r["k"]: int(r["n"]) for r in keys.groupBy("k").agg(F.count(F.lit(1)).alias("n")).collect()}
    bronze_n = counts.pop(bronze_key, 0)
    quar_n = sum(counts.values())
    day = _days(landing_date)[0]
    return {"landing_date": day, "bronze_lines": bronze_n, "quarantined_lines": quar_n,
            "quarantine_share": (quar_n / bronze_n) if bronze_n else 0.0,
            "quarantine_reasons": dict(sorted(counts.items(), key=lambda kv: -kv[1]))}


def day_summary_frame(spark, summary: Mapping[str, Any]):
    return spark.createDataFrame(
        [(summary["landing_date"], summary["bronze_lines"], summary["quarantined_lines"],
          float(summary["quarantine_share"]))],
        "landing_date date, bronze_lines long, quarantined_lines long, quarantine_share double")


def _has_records(path: Path) -> bool:
    """A landing file that should give bronze rows: any gzip file (even an empty one
    gets a marker row), a CSV extract with more than its header line."""
    if path.suffix == ".gz":
        return True
    with open(path, "rb") as f:
        lines = [ln for ln in (f.readline(), f.readline()) if ln.strip()]
    return len(lines) > 1


def landing_files_for(bronze_table: str, days: list[dt.date]) -> list[str]:
    """The landing files (relative to the landing root, as bronze stores ``source_file``)
    that feed a bronze table on these landing days."""
    from spark_jobs import config as C, csv_bronze
    from spark_jobs.camera import bronze as camera_bronze
    from spark_jobs.cases.bronze import FEED as CASE_FEED
    from spark_jobs.registry.jobs import FEEDS

    cfg = C.settings()
    if bronze_table == C.BRONZE_CAMERA_EVENTS:
        paths = [p for d in days for p in camera_bronze.landing_files(cfg.camera_events_landing, d)]
    else:
        feeds = [f for f in [CASE_FEED, *[f for fs in FEEDS.values() for f in fs]] if f.table == bronze_table]
        if not feeds:
            raise KeyError(f"no landing feed writes {bronze_table}")
        paths = [p for f in feeds for d in days for p in csv_bronze.landing_files(cfg.landing_dir, f, d)]
    return sorted(p.relative_to(cfg.landing_dir).as_posix() for p in paths if _has_records(p))


def bronze_source_summary(spark, suite: TableSuite, physical: str, rows, days: list[dt.date]) -> dict[str, Any]:
    """Landing files on disk vs files in bronze for the landing days."""
    expected = set(landing_files_for(suite.table, days))
    loaded = {r[0] for r in rows.select("source_file").distinct().collect()}
    missing = sorted(expected - loaded)
    return {"landing_files": len(expected), "bronze_files": len(loaded & expected),
            "files_missing": len(missing), "missing_files": missing[:EXAMPLES]}


def _count_query(spark, table: str) -> tuple[str, str] | None:
    """(source table, filter) a gold fact must have exactly as many rows as."""
    from spark_jobs import config as C

    return {
        "gold.fct_camera_violations": (C.SILVER_CAMERA_EVENTS, "violation_code IS NOT NULL"),
        "gold.fct_crime_reports": (C.SILVER_CASE_RECORDS, "true"),
    }.get(table)


def gold_source_summary(spark, suite: TableSuite, physical: str, rows, days, names) -> dict[str, Any]:
    """Rows of a gold fact vs the rows of silver it must hold (same date window)."""
    from pyspark.sql import functions as F

    src_table, cond = _count_query(spark, suite.table)
    src = spark.table(names.get(src_table, src_table)).where(cond)
    if suite.scope == RECENT and suite.source:
        lo = rows.agg(F.min(suite.date_column)).first()[0]
        if lo is not None:
            src = src.where(F.col(suite.source[1]) >= F.lit(lo))
    n_src, n_rows = src.count(), rows.count()
    return {"source_table": src_table, "source_rows": n_src, "table_rows": n_rows,
            "rows_difference": abs(n_rows - n_src)}


def source_frame(spark, summary: Mapping[str, Any], column: str):
    return spark.createDataFrame([(int(summary[column]),)], f"{column} long")


def source_newest(spark, suite: TableSuite, names: Mapping[str, str]) -> tuple[int, dt.date | None]:
    """(rows, newest date) of the silver table a gold table is built from."""
    from pyspark.sql import functions as F

    if not suite.source:
        return 1, None
    table, column = suite.source
    r = spark.table(names.get(table, table)).agg(F.count(F.lit(1)).alias("n"),
                                                 F.max(F.to_date(column)).alias("d")).first()
    return int(r["n"]), r["d"]


def frames_for(spark, table: str, landing_date: Any = None,
               table_names: Mapping[str, str] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The DataFrames a table's suite runs on, and facts to show with them.

    ``table_names`` maps a logical table (the suite's name) to the physical table to read,
    e.g. a copy in a scratch schema (tests); by default each name is read as is.
    """
    suite = suite_for(table)
    names = dict(table_names or {})
    days = _days(landing_date)
    physical = names.get(table, table)
    rows = rows_in_scope(spark, suite, physical, days)
    frames: dict[str, Any] = {"rows": rows}
    facts: dict[str, Any] = {}
    if "day_summary" in suite.frames():
        s = quarantine_day_summary(spark, days, rows, names)
        facts = {k: v for k, v in s.items() if k != "landing_date"}
        frames["day_summary"] = day_summary_frame(spark, s)
    if "source" in suite.frames():
        if suite.layer == "bronze":
            s = bronze_source_summary(spark, suite, physical, rows, days)
            frames["source"] = source_frame(spark, s, "files_missing")
        else:
            s = gold_source_summary(spark, suite, physical, rows, days, names)
            frames["source"] = source_frame(spark, s, "rows_difference")
        facts.update(s)
    return frames, facts


# --- results -> gate decision ----------------------------------------------------------

def _as_date(v: Any) -> dt.date | None:
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])


def _observed(check: Check, res: Mapping[str, Any], as_of: dt.date | None = None) -> float | None:
    if check.kind == DAYS_BEHIND:
        newest = _as_date(res.get("observed_value"))
        if newest is None or as_of is None:
            return None if as_of is None else float("inf")
        return float((as_of - newest).days)
    if check.kind == RATIO:
        pct = res.get("unexpected_percent")
        return None if pct is None else round(1.0 - float(pct) / 100.0, 9)
    if check.kind == OBSERVED:
        v = res.get("observed_value")
        return None if v is None else float(v)
    raise ValueError(check.kind)


def _jsonable(v: Any) -> Any:
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v


def _check_summary(check: Check, bounds: th.Bounds, evr, as_of: dt.date | None = None) -> dict[str, Any]:
    cfg = evr.expectation_config
    res = dict(evr.result or {})
    error = _gx_error(evr.exception_info)
    observed = None if error else _observed(check, res, as_of)
    if not error and observed is None and not evr.success:
        error = "GX reports a failure but no observed value"
    status = th.FAIL if error else bounds.status(observed)
    out: dict[str, Any] = {
        "check": check.id,
        "expectation": cfg.type,
        "column": cfg.kwargs.get("column"),
        "status": status,
        "observed": observed,
        "bounds": bounds.as_dict(),
        "gx_success": bool(evr.success),
    }
    if check.kind == RATIO:
        out.update(element_count=res.get("element_count"), missing_count=res.get("missing_count"),
                   unexpected_count=res.get("unexpected_count"))
    out["examples"] = _jsonable(res.get("partial_unexpected_list") or [])[:EXAMPLES]
    out["example_rows"] = _jsonable(res.get("partial_unexpected_index_list") or [])[:EXAMPLES]
    if error:
        out["error"] = error
    return out


def _validate(context, suite_name: str, asset: str, expectations: list, id_columns, df, params, run_id,
              docs: bool, docs_to_build: list | None) -> dict[str, Any]:
    """Run ``expectations`` on ``df``; their results by check id."""
    result = _checkpoint(context, suite_name, expectations, id_columns, docs=docs, asset=asset).run(
        batch_parameters={"dataframe": df}, expectation_parameters=params, run_id=run_id)
    if docs_to_build is not None:
        docs_to_build.extend(result.run_results.keys())
    return {(evr.expectation_config.meta or {}).get("check"): evr
            for vr in result.run_results.values() for evr in vr.results}


def _offending(evr) -> bool:
    """The check found rows that break it (so its examples are worth a second look)."""
    return bool((evr.result or {}).get("unexpected_count"))


def _gx_error(info: Any) -> str | None:
    """The first error message in a GX exception_info, which is either flat
    ({"raised_exception": ..., "exception_message": ...}) or keyed by metric id (errors
    while computing metrics, e.g. a missing column)."""
    if not isinstance(info, Mapping):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "expectation raised an exception")
    for v in info.values():
        msg = _gx_error(v)
        if msg:
            return msg
    return None


def _explain(table: str, day: str, c: Mapping[str, Any], bounds: th.Bounds,
             facts: Mapping[str, Any] | None = None) -> str:
    """One line for a check: ``day`` is the scope label (``landing_date 2026-11-03``)."""
    where = c["expectation"] + (f" on column {c['column']}" if c.get("column") else "")
    if c.get("error"):
        return f"{c['check']} [{where}] on {table} {day}: could not be evaluated: {c['error']}"
    obs = c["observed"]
    if c.get("unexpected_count") is not None:
        denom = (c["element_count"] or 0) - (0 if c["expectation"].endswith("not_be_null")
                                              else (c["missing_count"] or 0))
        detail = (f"share of rows passing {obs:.4%} ({c['unexpected_count']:,} of {denom:,} "
                  f"rows unexpected)")
    else:
        detail = f"observed {obs:g}" if isinstance(obs, (int, float)) else f"observed {obs!r}"
    if c["check"] == "quarantine_share" and facts:
        detail += (f" ({facts.get('quarantined_lines', 0):,} of {facts.get('bronze_lines', 0):,} bronze "
                   f"lines quarantined; by reason: {facts.get('quarantine_reasons', {})})")
    if c["check"] == "landing_files_loaded" and facts:
        detail += (f" ({facts.get('files_missing', 0):,} of {facts.get('landing_files', 0):,} landing files "
                   f"with records have no row in bronze; e.g. {facts.get('missing_files', [])})")
    if c["check"] == "rows_match_source" and facts:
        detail += (f" ({facts.get('table_rows', 0):,} rows here, {facts.get('source_rows', 0):,} in "
                   f"{facts.get('source_table')})")
    if c.get("as_of"):
        detail += f" (newest date {c.get('newest')}, source newest {c['as_of']})"
    crossed, every = bounds.crossed(obs), bounds.describe()
    text = (f"{c['check']} [{where}] on {table} {day}: {detail}; threshold {crossed}"
            + (f" (bounds: {every})" if crossed != every else ""))
    if c["examples"] and any(x is not None for x in c["examples"]):
        text += f"; example values: {c['examples']}"
    if c["example_rows"]:
        text += f"; example rows: {c['example_rows']}"
    return text


def _log(msg: str) -> None:
    from spark_jobs.common import log

    log(msg)


# --- the gate --------------------------------------------------------------------------

def validate_frames(frames: Mapping[str, Any], table: str, landing_date: Any, *,
                    thresholds: str | os.PathLike | None = None,
                    gx_root: str | os.PathLike | None = None,
                    facts: Mapping[str, Any] | None = None,
                    raise_on_fail: bool = True,
                    as_of: dt.date | None = None,
                    skip: tuple[str, ...] = (),
                    started: float | None = None,
                    docs_to_build: list | None = None) -> dict[str, Any]:
    """Validate ready-made DataFrames (``{"rows": df, "day_summary": df, "source": df}``)
    with the suite of ``table`` and apply the thresholds. :func:`run_gate` builds the
    frames from the tables; tests call this directly with inline DataFrames.

    ``landing_date``: a day, a list of days, or None (a whole-table suite); ``as_of``: the
    newest date of the table's source (freshness checks are not judged without it);
    ``skip``: check ids not judged this time (their source is empty); ``docs_to_build``: a
    list to collect the validation result ids in, for one :func:`build_docs` after several
    tables (None: each table's checkpoint renders its own Data Docs).
    """
    from great_expectations.core.run_identifier import RunIdentifier

    t0 = started if started is not None else time.monotonic()
    suite: TableSuite = suite_for(table)
    days = _days(landing_date)
    label = _label(days)
    bounds = th.for_table(table, [c.id for c in suite.checks], thresholds,
                          rules={c.id: c.rule for c in suite.checks})
    skipped = set(skip) | ({c.id for c in suite.checks if c.kind == DAYS_BEHIND} if as_of is None else set())
    active = [c for c in suite.checks if c.id not in skipped]
    frame_names = sorted({c.frame for c in active})
    missing = [f for f in frame_names if f not in frames]
    if missing:
        raise ValueError(f"{table}: frames {missing} are needed by its suite")
    params: dict[str, Any] = {}
    for c in active:
        if c.runtime_params:
            params.update(c.runtime_params(days[-1], bounds[c.id]))
        if c.kind == DAYS_BEHIND:
            column = c.make(bounds[c.id], {}).column
            params[f"fresh_min_{column}"] = as_of - dt.timedelta(days=int(bounds[c.id].strictest_max()))

    checks: list[dict[str, Any]] = []
    root = gx_dir(gx_root)
    run_id = RunIdentifier(run_name=f"{table} {label}", run_time=dt.datetime.now(dt.timezone.utc))
    with locked_context(root) as context:
        for frame in frame_names:
            # Not cached: GX reads the frame in a few jobs (a row count and one bundled
            # aggregate of the checks; the examples of a failing check once more), each a
            # scan of the checked columns. Caching a 20 M-row silver day first cost 30 s of
            # a 35 s gate, against 7 s for the scans (bronze: 23 -> 15 s; measured on the
            # bench day over Spark Connect).
            df = frames[frame]
            by_id = {c.id: c for c in active if c.frame == frame}
            exps = [build_expectation(c, bounds[c.id], bounds[c.id].params) for c in by_id.values()]
            name = _suite_name(table, frame)
            # counts first; the checks that found offending rows run again for their
            # example values and rows (a clean silver day: 5 Spark jobs, not 41)
            render = docs_to_build is None
            evrs = _validate(context, name, name, exps, None, df, params, run_id, render, docs_to_build)
            offending = [by_id[cid] for cid, evr in evrs.items() if _offending(evr)]
            if offending:
                evrs.update(_validate(
                    context, f"{name} examples", name,
                    [build_expectation(c, bounds[c.id], bounds[c.id].params) for c in offending],
                    suite.id_columns if frame == "rows" else (), df, params, run_id, render, docs_to_build))
            for cid, evr in evrs.items():
                summary_c = _check_summary(by_id[cid], bounds[cid], evr, as_of)
                if by_id[cid].kind == DAYS_BEHIND:
                    summary_c.update(as_of=as_of.isoformat(),
                                     newest=_jsonable(_as_date((evr.result or {}).get("observed_value"))))
                checks.append(summary_c)
        docs = docs_index(context)

    order = {c.id: i for i, c in enumerate(suite.checks)}
    checks.sort(key=lambda c: order[c["check"]])
    failed = [c for c in checks if c["status"] == th.FAIL]
    warned = [c for c in checks if c["status"] == th.WARN]
    rows = next((c["observed"] for c in checks if c["expectation"] == "expect_table_row_count_to_be_between"),
                next((c.get("element_count") for c in checks if c.get("element_count") is not None), None))
    summary: dict[str, Any] = {
        "table": table,
        "landing_date": days[0].isoformat() if len(days) == 1 else None,
        "landing_dates": [days[0].isoformat(), days[-1].isoformat()] if days else None,
        "scope": label,
        "status": th.FAIL if failed else th.WARN if warned else th.PASS,
        "rows": int(rows) if rows is not None else None,
        **_jsonable(dict(facts or {})),
        "failed": [c["check"] for c in failed],
        "warned": [c["check"] for c in warned],
        "not_judged": sorted(skipped & set(order)),
        "checks": checks,
        "thresholds": str(th.resolve_path(thresholds)),
        "run_name": run_id.run_name,
        "data_docs": docs,
        "seconds": round(time.monotonic() - t0, 2),
    }
    for c in warned:
        _log(f"WARN data-quality {_explain(table, label, c, bounds[c['check']], facts)}")
    _log(f"data-quality gate {table} {label}: {summary['status']} "
         f"({len(checks)} checks, {len(failed)} failed, {len(warned)} warned"
         + (f", not judged: {', '.join(summary['not_judged'])}" if summary["not_judged"] else "")
         + f", {summary['seconds']:.1f} s; Data Docs {docs})")
    if failed and raise_on_fail:
        lines = [f"Data-quality gate FAILED for {table}, {label}: "
                 f"{len(failed)} of {len(checks)} checks crossed a FAIL threshold"]
        lines += [f"  - {_explain(table, label, c, bounds[c['check']], facts)}" for c in failed]
        lines.append(f"  thresholds: {summary['thresholds']}; Data Docs: {docs}")
        raise GateFailed("\n".join(lines), summary)
    return summary


def run_gate(spark, table: str, where_landing_date: Any = None, *,
             thresholds: str | os.PathLike | None = None,
             gx_root: str | os.PathLike | None = None,
             raise_on_fail: bool = True,
             table_names: Mapping[str, str] | None = None,
             source_cache: dict | None = None,
             docs_to_build: list | None = None) -> dict[str, Any]:
    """Validate ``table`` with its suite.

    ``table`` is a suite name (``expectations.suites.SUITES``); ``where_landing_date`` the
    landing day (date or ``YYYY-MM-DD``) or list of days for a landing-scoped suite, None
    for whole-table and recent-window suites; ``thresholds`` a YAML path (default
    ``$ANTT_GX_THRESHOLDS`` or expectations/thresholds.yml); ``gx_root`` the GX project
    root (default ``$ANTT_VAR_DIR/gx``); ``table_names`` maps logical to physical tables
    (see :func:`frames_for`).

    Returns the summary dict (JSON-serialisable, fit for XCom); raises :class:`GateFailed`
    when a FAIL bound of ``thresholds.yml`` is crossed (unless ``raise_on_fail=False``).
    """
    t0 = time.monotonic()
    if where_landing_date is not None and not isinstance(where_landing_date, (str, dt.date, list, tuple)):
        raise TypeError(f"where_landing_date must be a date, got {where_landing_date!r}")
    suite = suite_for(table)
    names = dict(table_names or {})
    cache = source_cache if source_cache is not None else {}
    if suite.source not in cache:
        cache[suite.source] = source_newest(spark, suite, names)
    n_source, as_of = cache[suite.source]
    skip = tuple(c.id for c in suite.checks if c.needs_rows) if n_source == 0 else ()
    frames, facts = frames_for(spark, table, where_landing_date, names)
    return validate_frames(frames, table, where_landing_date, thresholds=thresholds, gx_root=gx_root,
                           facts=facts, raise_on_fail=raise_on_fail, as_of=as_of, skip=skip,
                           started=t0, docs_to_build=docs_to_build)


def run_gates(spark, tables: list[str], landing_dates: Any = None, *,
              thresholds: str | os.PathLike | None = None,
              gx_root: str | os.PathLike | None = None,
              table_names: Mapping[str, str] | None = None) -> dict[str, str]:
    """Validate several tables; every table is validated before a failure is raised, and
    the :class:`GateFailed` message lists each failed table. Returns ``{table: status}``.
    The Data Docs are rendered once, after the last table."""
    statuses: dict[str, str] = {}
    failures: list[GateFailed] = []
    sources: dict = {}   # each source's newest date, read once
    results: list = []
    try:
        for table in tables:
            scoped = landing_dates if suite_for(table).scope == LANDING else None
            try:
                statuses[table] = run_gate(spark, table, scoped, thresholds=thresholds, gx_root=gx_root,
                                           table_names=table_names, source_cache=sources,
                                           docs_to_build=results)["status"]
            except GateFailed as e:
                statuses[table] = th.FAIL
                failures.append(e)
    finally:
        t0 = time.monotonic()
        url = build_docs(results, gx_root)
        if results:
            _log(f"Data Docs of {len(results)} validations rendered in {time.monotonic() - t0:.1f} s: {url}")
    _log("data-quality gates: " + ", ".join(f"{t} {s}" for t, s in statuses.items()))
    if failures:
        raise GateFailed("\n".join(str(e) for e in failures),
                         {"statuses": statuses, "failed": [e.summary for e in failures]})
    return statuses
