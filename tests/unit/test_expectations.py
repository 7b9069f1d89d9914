"""Data-quality gate (expectations/): GX 1.x suites on tiny inline DataFrames, local Spark.

Most tests validate DataFrames through ``validate_frames``; one runs the whole
``run_gate`` path on Delta tables in a scratch schema (never the shared table names, so
the job tests that count ``silver.camera_events`` are not disturbed).
"""
from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
import yaml

from expectations import gate, thresholds
from expectations.suites import QUARANTINE_CAMERA_EVENTS, SILVER_CAMERA_EVENTS, SUITES

D = dt.date(2031, 1, 15)
TS = dt.datetime(2031, 1, 15, 8, 0, 0)
SILVER_SCHEMA = (
    "event_id string, camera_id string, commune_code string, event_time timestamp, "
    "event_date date, event_hour int, plate string, vehicle_type string, lane int, "
    "speed_kmh double, confidence double, violation_code string, landing_date date, "
    "source_file string, line_no int, ingested_at timestamp, processed_at timestamp")
QUARANTINE_SCHEMA = (
    "landing_date date, source_file string, line_no int, reason_code string, "
    "reason_detail string, raw string, ingested_at timestamp, quarantined_at timestamp")
BRONZE_SCHEMA = ("landing_date date, source_file string, line_no int, raw string, "
                 "ingested_at timestamp, ingest_run string")
SOURCE = "camera/events/dt=2031-01-15/hh=08/CAM-00001.jsonl.gz"


def silver_rows(n=100, overrides_by_line=None):
    """n valid silver rows of day D; ``overrides_by_line={line_no: {column: value}}``."""
    overrides_by_line = overrides_by_line or {}
    rows = []
    for i in range(1, n + 1):
        r = dict(event_id=f"e{i:05d}", camera_id="CAM-00001", commune_code="00004",
                 event_time=TS, event_date=D, event_hour=8, plate=f"30A-{i % 1000:03d}.45",
                 vehicle_type="car", lane=1, speed_kmh=42.0, confidence=0.9,
                 violation_code="RED_LIGHT" if i % 10 == 0 else None, landing_date=D,
                 source_file=SOURCE, line_no=i, ingested_at=TS, processed_at=TS)
        r.update(overrides_by_line.get(i, {}))
        rows.append(tuple(r.values()))
    return rows


def silver_df(spark, n=100, overrides=None):
    return spark.createDataFrame(silver_rows(n, overrides), SILVER_SCHEMA)


def quarantine_rows(reasons):
    return [(D, SOURCE, 1000 + i, code, "detail", "{...}", TS, TS) for i, code in enumerate(reasons)]


@pytest.fixture(autouse=True)
def committed_thresholds(monkeypatch):
    """Tests judge the committed thresholds.yml, whatever the shell exports."""
    monkeypatch.delenv(thresholds.ENV_VAR, raising=False)


@pytest.fixture(scope="module")
def gx_root(tmp_path_factory):
    return tmp_path_factory.mktemp("gx")


def validate(spark, df, gx_root, table=SILVER_CAMERA_EVENTS, **kw):
    return gate.validate_frames({"rows": df}, table, D, gx_root=gx_root, **kw)


def check(summary, check_id):
    return next(c for c in summary["checks"] if c["check"] == check_id)


def write_thresholds(path, **changes):
    """The committed thresholds.yml with some checks' bounds replaced."""
    doc = yaml.safe_load(thresholds.DEFAULT_PATH.read_text(encoding="utf-8"))
    for dotted, bounds in changes.items():
        table, cid = dotted.rsplit(".", 1)
        doc[table][cid] = bounds
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


# --- no Spark: configuration ----------------------------------------------------------

def rules(table):
    return {c.id: c.rule for c in SUITES[table].checks}


def test_thresholds_file_covers_every_check_of_every_suite():
    for table, suite in SUITES.items():
        got = thresholds.for_table(table, [c.id for c in suite.checks], rules=rules(table))
        assert set(got) == {c.id for c in suite.checks}
    b = thresholds.for_table(SILVER_CAMERA_EVENTS, [c.id for c in SUITES[SILVER_CAMERA_EVENTS].checks])
    assert (b["plate_format"].warn_below, b["plate_format"].fail_below) == (0.999, 0.99)
    assert b["event_date_in_window"].params == {"max_days_late": 7}
    # generated checks take their rule's default unless the table lists them
    g = thresholds.for_table("gold.dim_commune", [c.id for c in SUITES["gold.dim_commune"].checks],
                             rules=rules("gold.dim_commune"))
    assert g["commune_code_not_null"].fail_below == 1.0
    assert (g["row_count_126"].fail_below, g["row_count_126"].fail_above) == (126, 126)


def test_every_table_of_the_lakehouse_has_a_suite():
    """bronze, silver, quarantine tables named in spark_jobs.config and every gold table
    dbt builds (models and seeds) — a new table without a suite fails here."""
    import re
    from pathlib import Path

    from expectations.suites import suites_of
    from spark_jobs import config as C

    root = Path(__file__).resolve().parents[2]
    layer_tables = {v for k, v in vars(C).items() if isinstance(v, str)
                    and re.fullmatch(r"(bronze|silver|quarantine)\.[a-z_]+", v)}
    # marts/tracing is built into schema `restricted` (dbt_project.yml), outside gold's SQL Lab access
    gold = {f"{'restricted' if p.parent.name == 'tracing' else 'gold'}.{p.stem}"
            for p in (root / "dbt" / "models" / "marts").rglob("*.sql")}
    gold |= {f"gold.{p.stem}" for p in (root / "dbt" / "seeds").glob("*.csv")}
    assert layer_tables and len(gold) > 15
    missing = sorted((layer_tables | gold) - set(SUITES))
    assert not missing, f"tables without a data-quality suite: {missing}"
    assert set(suites_of("gold")) == gold


def test_thresholds_file_must_match_the_suite(tmp_path):
    ids = [c.id for c in SUITES[SILVER_CAMERA_EVENTS].checks]
    doc = yaml.safe_load(thresholds.DEFAULT_PATH.read_text(encoding="utf-8"))
    del doc[SILVER_CAMERA_EVENTS]["plate_format"]
    doc[SILVER_CAMERA_EVENTS]["plate_fromat"] = {"fail_below": 0.99}   # typo
    p = tmp_path / "t.yml"
    p.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(thresholds.ThresholdsError, match=r"missing \['plate_format'\], unknown \['plate_fromat'\]"):
        thresholds.for_table(SILVER_CAMERA_EVENTS, ids, p)
    p.write_text(yaml.safe_dump({SILVER_CAMERA_EVENTS: {"plate_format": {"fail_under": 0.9}}}))
    with pytest.raises(thresholds.ThresholdsError, match="unknown key"):
        thresholds.load(p)


def test_suite_rules_match_the_silver_job():
    """Written twice on purpose (spec vs job); they must not drift apart."""
    from expectations import suites
    from spark_jobs.camera import silver
    from spark_jobs.cases import silver as cases
    from spark_jobs.registry import jobs as registry

    assert set(suites.VIOLATION_CODES) == set(silver.VIOLATION_CODES)
    assert set(suites.REASON_CODES) == set(silver.REASONS)
    assert suites.PLATE_RE == silver.PLATE_RE
    assert set(suites.CASE_REASONS) == set(cases.REASONS)
    assert set(suites.CASE_STATUSES) == set(cases.STATUSES)
    assert set(suites.RECORD_KINDS) == set(cases.KINDS)
    assert set(suites.RESIDENCE_TYPES) == set(registry.RESIDENCE_TYPES)
    assert set(suites.DOSSIER_SERVICES) == set(registry.SERVICES)
    assert set(suites.REGISTRY_FEEDS) == set(registry.FEEDS)


@pytest.mark.parametrize("observed, expected", [
    (1.0, "PASS"), (0.999, "PASS"), (0.995, "WARN"), (0.99, "WARN"), (0.9899, "FAIL"), (None, "PASS"),
])
def test_bounds_status_below(observed, expected):
    assert thresholds.Bounds(warn_below=0.999, fail_below=0.99).status(observed) == expected


@pytest.mark.parametrize("observed, expected", [(0.0, "PASS"), (0.04, "WARN"), (0.051, "FAIL")])
def test_bounds_status_above(observed, expected):
    assert thresholds.Bounds(warn_above=0.03, fail_above=0.05).status(observed) == expected


# --- GX on local Spark ----------------------------------------------------------------

def test_clean_day_passes_through_run_gate_on_delta_tables(spark_local, gx_root, scratch):
    """The whole path: Delta tables, landing-day filter, quarantine share from bronze."""
    spark = spark_local
    schema = scratch
    names = {SILVER_CAMERA_EVENTS: f"{schema}.silver_camera_events",
             QUARANTINE_CAMERA_EVENTS: f"{schema}.quarantine_camera_events",
             "bronze.camera_events": f"{schema}.bronze_camera_events"}
    other_day = [r[:12] + (D - dt.timedelta(days=1),) + r[13:]
                 for r in silver_rows(5, {i: {"event_id": None} for i in range(1, 6)})]
    spark.createDataFrame(silver_rows(200) + other_day, SILVER_SCHEMA) \
        .write.format("delta").saveAsTable(names[SILVER_CAMERA_EVENTS])
    spark.createDataFrame(quarantine_rows(["UNKNOWN_CAMERA", "MALFORMED_JSON"]), QUARANTINE_SCHEMA) \
        .write.format("delta").saveAsTable(names[QUARANTINE_CAMERA_EVENTS])
    spark.createDataFrame([(D, SOURCE, i, "{}", TS, "r") for i in range(1, 203)], BRONZE_SCHEMA) \
        .write.format("delta").saveAsTable(names["bronze.camera_events"])

    s = gate.run_gate(spark, SILVER_CAMERA_EVENTS, D, gx_root=gx_root, table_names=names)
    q = gate.run_gate(spark, QUARANTINE_CAMERA_EVENTS, D.isoformat(), gx_root=gx_root,
                      table_names=names)

    # the previous day's null event_ids are not part of this landing day
    assert (s["status"], s["rows"], s["failed"], s["warned"]) == ("PASS", 200, [], [])
    assert {c["check"] for c in s["checks"]} == {c.id for c in SUITES[SILVER_CAMERA_EVENTS].checks}
    assert all(c["status"] == "PASS" and c["gx_success"] for c in s["checks"])
    assert check(s, "event_id_not_null")["observed"] == 1.0
    assert (q["status"], q["bronze_lines"], q["quarantined_lines"]) == ("PASS", 202, 2)
    assert check(q, "quarantine_share")["observed"] == pytest.approx(2 / 202)
    json.dumps(s), json.dumps(q)  # fit for XCom
    # results and Data Docs are kept in the GX file context
    assert list((gx_root / "gx" / "uncommitted" / "validations").rglob("*.json"))
    index = gx_root / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    assert index.exists() and s["data_docs"].endswith("index.html")


def test_null_event_id_fails_naming_check_table_and_example(spark_local, gx_root):
    df = silver_df(spark_local, 100, {37: {"event_id": None}})
    with pytest.raises(gate.GateFailed) as err:
        validate(spark_local, df, gx_root)
    msg = str(err.value)
    assert "event_id_not_null" in msg and "expect_column_values_to_not_be_null" in msg
    assert "silver.camera_events" in msg and "2031-01-15" in msg
    assert "1 of 100 rows unexpected" in msg and "fail below 1" in msg
    assert "'line_no': 37" in msg and SOURCE in msg          # the offending row
    assert err.value.summary["failed"] == ["event_id_not_null"]
    assert check(err.value.summary, "event_id_not_null")["observed"] == pytest.approx(0.99)


def test_few_bad_plates_warn_but_pass(spark_local, gx_root, capsys):
    """0.5 % unreadable plates: below warn (99.9 %), above fail (99 %)."""
    df = silver_df(spark_local, 200, {150: {"plate": "30A-1?3.45"}})
    s = validate(spark_local, df, gx_root)
    assert (s["status"], s["failed"], s["warned"]) == ("WARN", [], ["plate_format"])
    assert check(s, "plate_format")["gx_success"] is False   # Data Docs show it red
    err = capsys.readouterr().err
    assert "WARN data-quality plate_format" in err and "30A-1?3.45" in err


def test_two_percent_bad_plates_fail_by_default_and_warn_when_the_file_allows(
        spark_local, gx_root, tmp_path, monkeypatch):
    bad = {i: {"plate": "UNKNOWN"} for i in (10, 20)}
    df = silver_df(spark_local, 100, bad).persist()
    with pytest.raises(gate.GateFailed, match=r"plate_format .*98\.0000%.*fail below 0\.99.*'UNKNOWN'"):
        validate(spark_local, df, gx_root)

    loose = write_thresholds(tmp_path / "loose.yml",
                             **{"silver.camera_events.plate_format": {"warn_below": 0.999, "fail_below": 0.97}})
    s = validate(spark_local, df, gx_root, thresholds=loose)
    assert (s["status"], s["warned"]) == ("WARN", ["plate_format"])
    assert s["thresholds"] == str(loose)

    monkeypatch.setenv(thresholds.ENV_VAR, str(loose))       # the same through the environment
    assert validate(spark_local, df, gx_root)["status"] == "WARN"

    strict = write_thresholds(tmp_path / "strict.yml",
                              **{"silver.camera_events.plate_format": {"fail_below": 0.999}})
    with pytest.raises(gate.GateFailed, match="plate_format"):
        validate(spark_local, df, gx_root, thresholds=strict)
    df.unpersist()


def test_event_date_window_allows_late_data_up_to_the_threshold(spark_local, gx_root):
    late = {i: {"event_date": D - dt.timedelta(days=8)} for i in range(1, 6)}      # 5 % too late
    s = validate(spark_local, silver_df(spark_local, 100, {**late, 6: {"event_date": D - dt.timedelta(days=7)}}),
                 gx_root)
    c = check(s, "event_date_in_window")
    assert (s["status"], c["status"], c["observed"]) == ("WARN", "WARN", pytest.approx(0.95))

    future = {i: {"event_date": D + dt.timedelta(days=1)} for i in range(1, 12)}   # 11 % after the day
    with pytest.raises(gate.GateFailed, match="event_date_in_window"):
        validate(spark_local, silver_df(spark_local, 100, future), gx_root)


def test_out_of_range_confidence_and_unknown_violation_code_fail(spark_local, gx_root):
    df = silver_df(spark_local, 50, {3: {"confidence": 1.5}, 4: {"violation_code": "FLYING"}})
    with pytest.raises(gate.GateFailed) as err:
        validate(spark_local, df, gx_root)
    assert set(err.value.summary["failed"]) == {"confidence_between_0_and_1", "violation_code_known"}
    assert "1.5" in str(err.value) and "FLYING" in str(err.value)


def test_missing_column_fails_instead_of_passing_silently(spark_local, gx_root):
    """GX reports metric errors in exception_info keyed by metric, with an empty result."""
    with pytest.raises(gate.GateFailed, match=r'plate_format .*could not be evaluated.*"plate"'):
        validate(spark_local, silver_df(spark_local, 20).drop("plate"), gx_root)


def test_empty_day_fails_on_row_count(spark_local, gx_root):
    with pytest.raises(gate.GateFailed, match="row_count .*observed 0"):
        validate(spark_local, spark_local.createDataFrame([], SILVER_SCHEMA), gx_root)


def test_quarantine_unknown_reason_and_high_share_fail(spark_local, gx_root):
    spark = spark_local
    rows = spark.createDataFrame(quarantine_rows(["UNKNOWN_CAMERA"] * 6 + ["GREMLINS"]), QUARANTINE_SCHEMA)
    rows = rows.unionByName(spark.createDataFrame(quarantine_rows(["UNKNOWN_CAMERA"] * 18), QUARANTINE_SCHEMA))
    summary = {"landing_date": D, "bronze_lines": 100, "quarantined_lines": 25, "quarantine_share": 0.25}
    frames = {"rows": rows, "day_summary": gate.day_summary_frame(spark, summary)}
    facts = {"bronze_lines": 100, "quarantined_lines": 25,
             "quarantine_reasons": {"UNKNOWN_CAMERA": 24, "GREMLINS": 1}}
    with pytest.raises(gate.GateFailed) as err:
        gate.validate_frames(frames, QUARANTINE_CAMERA_EVENTS, D, gx_root=gx_root, facts=facts)
    msg = str(err.value)
    assert set(err.value.summary["failed"]) == {"reason_code_known", "quarantine_share"}
    assert "GREMLINS" in msg and "quarantine.camera_events" in msg
    assert "observed 0.25" in msg and "fail above 0.2" in msg and "25 of 100 bronze lines" in msg

    ok = {"rows": rows.where("reason_code <> 'GREMLINS'"),
          "day_summary": gate.day_summary_frame(spark, {**summary, "quarantine_share": 0.01})}
    s = gate.validate_frames(ok, QUARANTINE_CAMERA_EVENTS, D, gx_root=gx_root)
    assert s["status"] == "PASS"
    # 7 % of the day quarantined: worth a look (WARN), not a failed gate
    warn = {"rows": rows.where("reason_code <> 'GREMLINS'"),
            "day_summary": gate.day_summary_frame(spark, {**summary, "quarantine_share": 0.07})}
    assert gate.validate_frames(warn, QUARANTINE_CAMERA_EVENTS, D, gx_root=gx_root)["status"] == "WARN"


def test_docs_command_prints_the_index(gx_root, capsys):
    from expectations import docs

    docs.main(["--gx-dir", str(gx_root)])
    url, path = capsys.readouterr().out.split()
    assert url.startswith("file://") and url.endswith("index.html")
    assert path.endswith("index.html") and (gx_root / "gx").exists()


# --- bronze and gold suites, several tables in one gate ---------------------------------

@pytest.fixture
def scratch(spark_local):
    """A scratch schema (never the shared table names, so the job tests that count e.g.
    ``silver.camera_events`` are not disturbed), dropped after; Delta rebuilds table state
    with 50 tasks by default, far too many for tiny tables, so 1 meanwhile."""
    spark = spark_local
    schema = f"gxtest_{uuid.uuid4().hex[:8]}"
    spark.sql(f"CREATE SCHEMA {schema}")
    old = spark.conf.get("spark.databricks.delta.snapshotPartitions", None)
    spark.conf.set("spark.databricks.delta.snapshotPartitions", "1")
    try:
        yield schema
    finally:
        spark.sql(f"DROP SCHEMA {schema} CASCADE")
        if old is None:
            spark.conf.unset("spark.databricks.delta.snapshotPartitions")
        else:
            spark.conf.set("spark.databricks.delta.snapshotPartitions", old)


def test_bronze_gate_fails_when_a_landing_file_is_not_in_bronze(spark_local, gx_root, scratch,
                                                                 tmp_path, monkeypatch):
    import gzip

    landing = tmp_path / "landing"
    hour = landing / "camera" / "events" / f"dt={D}" / "hh=08"
    hour.mkdir(parents=True)
    for cam in ("CAM-00001", "CAM-00002"):
        with gzip.open(hour / f"{cam}.jsonl.gz", "wt") as f:
            f.write('{"event_id": "x"}\n')
    monkeypatch.setenv("ANTT_LANDING_DIR", str(landing))
    names = {"bronze.camera_events": f"{scratch}.bronze_camera_events"}
    spark_local.createDataFrame([(D, SOURCE, 1, "{}", TS, "r")], BRONZE_SCHEMA) \
        .write.format("delta").saveAsTable(names["bronze.camera_events"])

    with pytest.raises(gate.GateFailed) as err:
        gate.run_gate(spark_local, "bronze.camera_events", D, gx_root=gx_root, table_names=names)
    msg = str(err.value)
    assert err.value.summary["failed"] == ["landing_files_loaded"]
    assert "1 of 2 landing files" in msg and "CAM-00002.jsonl.gz" in msg and "bronze.camera_events" in msg

    # the missing file loaded: the gate passes
    spark_local.createDataFrame([(D, SOURCE.replace("CAM-00001", "CAM-00002"), 1, "{}", TS, "r")],
                                BRONZE_SCHEMA).write.format("delta").mode("append") \
        .saveAsTable(names["bronze.camera_events"])
    s = gate.run_gate(spark_local, "bronze.camera_events", D, gx_root=gx_root, table_names=names)
    assert (s["status"], s["landing_files"], s["bronze_files"]) == ("PASS", 2, 2)


FCT_SCHEMA = ("event_id string, event_time timestamp, event_date date, event_hour int, camera_id string, "
              "commune_code string, commune_name string, road_name string, violation_code string, "
              "vehicle_type string, plate string, speed_kmh double, speed_limit_kmh int, "
              "ocr_confidence double, processed_at timestamp")


def fct_rows(n, day=D):
    ts = dt.datetime.combine(day, dt.time(8))
    return [(f"e{i:05d}", ts, day, 8, "CAM-00001", "00004", "Hoàn Kiếm", "Tràng Tiền", "RED_LIGHT",
             "car", f"30A-{i:03d}.45", 40.0, 50, 0.9, ts) for i in range(1, n + 1)]


def test_gold_gate_checks_rows_against_silver_freshness_and_every_table(spark_local, gx_root, scratch):
    """run_gates validates every table before raising; the message names each failure."""
    spark = spark_local
    names = {SILVER_CAMERA_EVENTS: f"{scratch}.silver_camera_events",
             "gold.fct_camera_violations": f"{scratch}.fct",
             "gold.mart_traffic_hotspots": f"{scratch}.hotspots"}
    # silver: 10 violations on D (the newest day), 90 other reads
    spark.createDataFrame(silver_rows(100), SILVER_SCHEMA).write.format("delta") \
        .saveAsTable(names[SILVER_CAMERA_EVENTS])
    # gold lost one violation, and its newest day is 5 days behind silver's
    spark.createDataFrame(fct_rows(9, D - dt.timedelta(days=5)), FCT_SCHEMA).write.format("delta") \
        .saveAsTable(names["gold.fct_camera_violations"])
    spark.createDataFrame([], "camera_id string, commune_code string, commune_name string, road_name string, "
                              "iso_weekday int, hour_of_day int, violations long, weeks_observed int, "
                              "violations_per_week double, hotspot_rank int") \
        .write.format("delta").saveAsTable(names["gold.mart_traffic_hotspots"])

    tables = ["gold.fct_camera_violations", "gold.mart_traffic_hotspots"]
    with pytest.raises(gate.GateFailed) as err:
        gate.run_gates(spark, tables, gx_root=gx_root, table_names=names)
    msg = str(err.value)
    statuses = err.value.summary["statuses"]
    # the empty mart fails its row count (its source has rows), and was validated although
    # the table before it failed
    assert statuses == {"gold.fct_camera_violations": "FAIL", "gold.mart_traffic_hotspots": "FAIL"}
    fct = err.value.summary["failed"][0]
    assert set(fct["failed"]) == {"rows_match_source", "event_date_fresh"}
    assert "9 rows here, 10 in silver.camera_events" in msg
    assert "event_date_fresh" in msg and "observed 5" in msg and "fail above 3" in msg
    assert "row_count" in err.value.summary["failed"][1]["failed"]
    # the Data Docs are rendered once, after the last table, with a page for each table's
    # validation (failed ones included) linked from the index
    site = gx_root / "gx" / "uncommitted" / "data_docs" / "local_site"
    pages = {".".join(p.relative_to(site / "validations").parts[:2])   # gold/fct_…/<run>/…
             for p in (site / "validations").rglob("*.html")}
    assert set(tables) <= pages      # (the module's earlier tests validated other tables)
    index = (site / "index.html").read_text()
    assert all(t in index for t in tables)

    # complete and fresh: passes
    spark.createDataFrame(fct_rows(10), FCT_SCHEMA).write.format("delta").mode("overwrite") \
        .saveAsTable(names["gold.fct_camera_violations"])
    s = gate.run_gate(spark, "gold.fct_camera_violations", gx_root=gx_root, table_names=names)
    assert (s["status"], s["source_rows"], s["table_rows"]) == ("PASS", 10, 10)
    assert check(s, "event_date_fresh")["observed"] == 0

    # while the source is empty (not loaded yet) an empty mart is not judged on rows
    spark.sql(f"DELETE FROM {names[SILVER_CAMERA_EVENTS]}")
    s = gate.run_gate(spark, "gold.mart_traffic_hotspots", gx_root=gx_root, table_names=names)
    assert s["status"] == "PASS" and s["not_judged"] == ["row_count"]


def test_duplicate_key_in_a_gold_mart_fails_with_the_rows(spark_local, gx_root):
    rows = fct_rows(5) + fct_rows(1)   # e00001 twice
    df = spark_local.createDataFrame(rows, FCT_SCHEMA)
    with pytest.raises(gate.GateFailed) as err:
        gate.validate_frames({"rows": df, "source": gate.source_frame(spark_local, {"rows_difference": 0},
                                                                      "rows_difference")},
                             "gold.fct_camera_violations", None, gx_root=gx_root)
    assert err.value.summary["failed"] == ["key_unique"]
    assert "e00001" in str(err.value) and "whole table" in str(err.value)


def test_empty_dimension_of_a_source_not_loaded_yet_is_not_judged(spark_local, gx_root, scratch):
    """CI caught it: with only case records loaded, gold.dim_camera is empty and its row
    count failed the gold gate; it is judged once the camera registry has rows."""
    spark = spark_local
    names = {"silver.cameras": f"{scratch}.cameras", "gold.dim_camera": f"{scratch}.dim_camera"}
    spark.createDataFrame([], "camera_id string, commune_code string, commune_name string, lat double, "
                              "lon double, road_name string, speed_limit_kmh int, vendor string, "
                              "installed_date date, snapshot_date date") \
        .write.format("delta").saveAsTable(names["silver.cameras"])
    spark.createDataFrame([], "camera_id string, commune_code string") \
        .write.format("delta").saveAsTable(names["gold.dim_camera"])
    s = gate.run_gate(spark, "gold.dim_camera", gx_root=gx_root, table_names=names)
    assert (s["status"], s["not_judged"]) == ("PASS", ["row_count"])
    spark.sql(f"INSERT INTO {names['silver.cameras']} VALUES ('CAM-00001', '00004', 'x', 21.0, 105.8, "
              f"'r', 50, 'v', DATE'2023-01-01', DATE'2031-01-15')")
    with pytest.raises(gate.GateFailed, match="row_count .*gold.dim_camera whole table: observed 0"):
        gate.run_gate(spark, "gold.dim_camera", gx_root=gx_root, table_names=names)
