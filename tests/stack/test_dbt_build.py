"""The gold build (dbt on the Thrift server, the session's ``lakehouse``) over one small
generated camera day, checked against the landing files; a file landing three days late
corrects the marts in the next build; an incremental build rewrites only the days of the
reads processed since the last one and keeps the others."""
from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter, defaultdict

import pytest
from pyspark.sql import functions as F

from antt.generator.camera import health_fault
from spark_jobs import config
from tests.support.landing_oracle import LOCAL_TZ, expected_camera_counts, valid_events
from tests.support.stack_helpers import CAMERA_DAY as DAY
from tests.support.stack_helpers import CAMERA_SEED as SEED
from tests.support.stack_helpers import DBT_DIR, E2E_DAY, TRACE_DAY, dbt, dbt_build

pytestmark = pytest.mark.stack
LATE_DAY = DAY + dt.timedelta(days=3)   # test_a_file_three_days_late lands reads of DAY here


def day_landings(landing_dir) -> list[dt.date]:
    """The landing days holding reads of DAY: DAY, and DAY + 3 once the late-file test has
    run on this warehouse (a second `make test` on the same stack)."""
    late = landing_dir / "camera" / "events" / f"dt={LATE_DAY}"
    return [DAY, LATE_DAY] if late.exists() else [DAY]


@pytest.fixture(scope="module")
def built(lakehouse, landing_dir):
    """DAY's camera jobs ran, then the session's gold build (``lakehouse``): the landing
    files' figures to compare with."""
    return expected_camera_counts(landing_dir, day_landings(landing_dir))


def test_violations_commune_daily(built, spark):
    mart = spark.table("gold.mart_violations_commune_daily").where(F.col("event_date") == F.lit(DAY))
    got = mart.agg(F.sum("violations")).first()[0]
    assert got == built["valid_distinct_violations_by_date"][DAY.isoformat()]
    # every violation of the day sits under a real commune of the camera registry
    assert mart.where(F.col("commune_code").isNull() | F.col("commune_name").isNull()).count() == 0


def _longest_gap_hours(times: list[dt.datetime]) -> float:
    marks = [0.0] + [(t - dt.datetime.combine(DAY, dt.time(), LOCAL_TZ)).total_seconds() / 3600 for t in times] + [24.0]
    return round(max(b - a for a, b in zip(marks, marks[1:])), 2)


def test_camera_health_per_camera(built, spark, landing_dir):
    with (landing_dir / "camera" / "registry" / f"dt={DAY}" / "cameras.csv").open(encoding="utf-8") as fh:
        cameras = [c["camera_id"] for c in csv.DictReader(fh)]
    reads = defaultdict(list)
    for e in valid_events(landing_dir, day_landings(landing_dir)):
        if e["local_date"] == DAY:
            reads[e["camera_id"]].append(e)
    want = {}
    for cam in cameras:
        rs = sorted(reads[cam], key=lambda e: e["event_time"])
        if not rs:
            want[cam] = (0, None, 24.0, "NO_DATA")
            continue
        top = Counter(e["plate"] for e in rs).most_common(1)[0][1]
        stuck = len(rs) >= 20 and (top > len(rs) / 2 or len({e["speed_kmh"] for e in rs}) == 1)
        want[cam] = (len(rs), round(sum(e["confidence"] for e in rs) / len(rs), 4),
                     _longest_gap_hours([e["event_time"].astimezone(LOCAL_TZ) for e in rs]),
                     "STUCK" if stuck else "OK")
    rows = spark.table("gold.mart_camera_health_daily").where(F.col("day") == F.lit(DAY)).collect()
    got = {r.camera_id: (r.reads, r.mean_ocr_confidence, r.longest_gap_hours, r.health_status) for r in rows}
    assert set(got) >= set(cameras)
    for cam in cameras:
        (n, conf, gap, status), (gn, gconf, ggap, gstatus) = want[cam], got[cam]
        assert (cam, gn, gstatus) == (cam, n, status)
        assert gap == pytest.approx(ggap, abs=0.011) and (conf is None) == (gconf is None), cam
        assert conf is None or conf == pytest.approx(gconf, abs=1e-4), cam
    # the generator's own faults show: the stuck camera, and the 14-hour outage as a gap
    assert health_fault(SEED, "CAM-00012", DAY)[0] == "STUCK" and got["CAM-00012"][3] == "STUCK"
    silent = health_fault(SEED, "CAM-00013", DAY)[1]
    assert len(silent) == 14 and got["CAM-00013"][2] >= 14


def test_traffic_hotspots_slots(built, spark, landing_dir):
    """Violations per camera × ISO weekday × hour over the mart's window, from the landing
    files of every landing day loaded into silver."""
    loaded = [r[0] for r in spark.table(config.SILVER_CAMERA_EVENTS).select("landing_date").distinct().collect()]
    events = [e for e in valid_events(landing_dir, loaded) if e["violation"]]
    newest = max(e["local_date"] for e in events)
    start = newest - dt.timedelta(days=7 * 12 - 1)
    want = Counter((e["camera_id"], e["local_date"].isoweekday(), e["event_time"].astimezone(LOCAL_TZ).hour)
                   for e in events if e["local_date"] >= start)
    rows = spark.table("gold.mart_traffic_hotspots").collect()
    assert {(r.camera_id, r.iso_weekday, r.hour_of_day): r.violations for r in rows} == dict(want)
    top = min(rows, key=lambda r: r.hotspot_rank)
    assert top.violations == max(want.values())


def _current_registry(spark) -> dict[str, str]:
    """camera -> commune of the current camera registry (silver.cameras keeps the newest
    snapshot loaded): silver conforms reads to it, and the scorecard's expected camera-hours
    come from it. Another module may have loaded a newer registry than DAY's (test_case_records
    loads 2025-07-30 with another seed), so DAY's own export is not the oracle."""
    return {r.camera_id: r.commune_code for r in spark.table(config.SILVER_CAMERAS).collect()}


def test_dq_scorecard_camera_rows(built, spark, landing_dir):
    """Per commune: camera-hours with a valid read out of the registered cameras × 24, the
    share of reads landed more than 2 h after the event, and the status — from the landing
    files; the silent camera (14 h without a read) makes its commune's hours thinner.
    Cameras count under their commune in the current registry (see _current_registry)."""
    day_registry = _current_registry(spark)
    registered = Counter(day_registry.values())
    events = [e for e in valid_events(landing_dir, day_landings(landing_dir)) if e["local_date"] == DAY]
    hours, reads, late = defaultdict(set), Counter(), Counter()
    for e in events:
        commune = day_registry[e["camera_id"]]
        hours[commune].add((e["camera_id"], e["event_time"].astimezone(LOCAL_TZ).hour))
        reads[commune] += 1
        late[commune] += (e["landed_by"] - e["event_time"]).total_seconds() > 2 * 3600
    rows = {r.commune_code: r for r in spark.table("gold.mart_dq_scorecard_daily")
            .where((F.col("day") == F.lit(DAY)) & (F.col("source") == "camera_events")).collect()}
    # every commune with registered cameras or with reads, none else
    assert set(rows) == set(registered) | set(reads)
    statuses = Counter()
    for commune in rows:
        r, n = rows[commune], registered.get(commune, 0)
        completeness = min(1.0, len(hours[commune]) / (n * 24)) if n else None
        share_late = late[commune] / reads[commune] if reads[commune] else None
        want = ("LATE" if share_late and share_late > 0.05 else "OK") if not n else (
            "NO_DATA" if not reads[commune] else "THIN" if completeness < 0.8
            else "LATE" if share_late > 0.05 else "OK")
        assert (r.records, r.rows_received, r.expected_records) == (len(hours[commune]), reads[commune], n * 24), commune
        assert (r.record_completeness is None) == (completeness is None), commune
        assert completeness is None or r.record_completeness == pytest.approx(completeness), commune
        assert (r.late_share is None) == (share_late is None) and \
            (share_late is None or r.late_share == pytest.approx(share_late)), commune
        assert (r.status, r.status_vi) == (want, {"NO_DATA": "Không có dữ liệu", "THIN": "Thiếu dữ liệu",
                                                  "LATE": "Chậm", "OK": "Đạt"}[want]), commune
        statuses[want] += 1
    # the silent camera shows: its commune has at most 24 - 14 of its hours
    silent_commune = day_registry["CAM-00013"]
    assert len(hours[silent_commune]) <= 24 * sum(1 for c in day_registry.values() if c == silent_commune) - 14
    assert rows[silent_commune].records == len(hours[silent_commune])
    print(f"dq scorecard {DAY}: {dict(statuses)} over {len(rows)} communes")


def test_a_file_three_days_late_corrects_the_marts(built, spark, landing_dir):
    """Reads of DAY in a file that lands three days later (dt=DAY+3) land in silver, and the
    next build corrects DAY in the daily violations and in the data-quality scorecard."""
    import gzip
    import json
    import shutil

    from spark_jobs.camera import bronze, registry, silver

    late_day = LATE_DAY
    before = expected_camera_counts(landing_dir, [DAY])["valid_distinct_violations_by_date"][DAY.isoformat()]
    reg_dir = landing_dir / "camera" / "registry" / f"dt={late_day}"
    reg_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(landing_dir / "camera" / "registry" / f"dt={DAY}" / "cameras.csv", reg_dir / "cameras.csv")
    lines = [json.dumps({"event_id": f"late3-{i}", "camera_id": "CAM-00001",
                         "event_time": f"{DAY}T21:{i:02d}:00+07:00", "plate": f"30A-{i:03d}.99",
                         "vehicle_type": "car", "lane": 1, "speed_kmh": 41.0, "confidence": 0.93,
                         "violation": "RED_LIGHT"}) for i in range(7)]
    f = landing_dir / "camera" / "events" / f"dt={late_day}" / "hh=09" / "CAM-00001.jsonl.gz"
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    registry.run(spark, late_day)
    bronze.run(spark, late_day, "test-late")
    silver.run(spark, late_day)
    late_rows = spark.table("silver.camera_events").where(F.col("event_id").startswith("late3-"))
    assert late_rows.where(F.col("landing_date") == F.lit(late_day)).count() == 7

    dbt_build("+mart_violations_commune_daily", "int_camera__commune_day_reads", "mart_dq_scorecard_daily")
    want = expected_camera_counts(landing_dir, [DAY, late_day])["valid_distinct_violations_by_date"][DAY.isoformat()]
    assert want == before + 7
    got = (spark.table("gold.mart_violations_commune_daily").where(F.col("event_date") == F.lit(DAY))
           .agg(F.sum("violations")).first()[0])
    assert got == want
    # the scorecard sees them as late: landed more than 2 h after the event
    current = _current_registry(spark)
    commune = current["CAM-00001"]
    row = (spark.table("gold.mart_dq_scorecard_daily")
           .where((F.col("day") == F.lit(DAY)) & (F.col("source") == "camera_events")
                  & (F.col("commune_code") == commune)).first())
    events = []
    for landing in (DAY, late_day):
        events += [e for e in valid_events(landing_dir, [landing])
                   if e["local_date"] == DAY and current[e["camera_id"]] == commune]
    late = sum((e["landed_by"] - e["event_time"]).total_seconds() > 2 * 3600 for e in events)
    assert row.rows_received == len(events) and late >= 7
    assert row.late_share == pytest.approx(late / len(events))


INCR_LANDING = TRACE_DAY + dt.timedelta(days=2)   # reads of TRACE_DAY that land two days later


def _per_day(df, column: str = "event_date", value=None) -> dict[dt.date, int]:
    agg = df.groupBy(column).agg((F.sum(value) if value else F.count(F.lit(1))).alias("n"))
    return {r[column]: r.n for r in agg.collect()}


def test_an_incremental_build_rewrites_only_its_window(built, spark, landing_dir):
    """With lookback_hours 0 a build recomputes exactly the event days of the reads silver
    processed since the last build: here 7 new violations of TRACE_DAY (the newest camera
    day) in a file landing two days later. The fact overwrites only that day's partition
    (dynamic partition overwrite) and the daily mart merges only that day, so the days
    before it (CAMERA_DAY, E2E_DAY: outside the window) stay whole — every day of the fact
    and of the mart still matches silver."""
    import gzip
    import json
    import shutil

    from spark_jobs.camera import bronze, registry, silver

    f = landing_dir / "camera" / "events" / f"dt={INCR_LANDING}" / "hh=08" / "CAM-00001.jsonl.gz"
    new_file = not f.exists()      # False on a warehouse that ran this test before
    if new_file:
        reg_dir = landing_dir / "camera" / "registry" / f"dt={INCR_LANDING}"
        reg_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(landing_dir / "camera" / "registry" / f"dt={TRACE_DAY}" / "cameras.csv",
                    reg_dir / "cameras.csv")
        lines = [json.dumps({"event_id": f"incr-{i}", "camera_id": "CAM-00001",
                             "event_time": f"{TRACE_DAY}T20:{i:02d}:00+07:00", "plate": f"99Z-{i:03d}.01",
                             "vehicle_type": "car", "lane": 2, "speed_kmh": 38.0, "confidence": 0.95,
                             "violation": "RED_LIGHT"}) for i in range(7)]
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    registry.run(spark, INCR_LANDING)
    bronze.run(spark, INCR_LANDING, "test-incremental")
    silver.run(spark, INCR_LANDING)

    dbt_build("+mart_violations_commune_daily", command="run", dbt_vars={"lookback_hours": 0})

    compiled = (DBT_DIR / "target" / "compiled" / "antt" / "models" / "marts" / "traffic"
                / "fct_camera_violations.sql").read_text()
    window = re.search(r"event_date >= date'([0-9-]+)'", compiled)
    assert window, compiled
    # only the new reads' day; nothing at all when they were loaded by an earlier run
    assert window.group(1) == (TRACE_DAY.isoformat() if new_file else "9999-12-31")

    violations = spark.table(config.SILVER_CAMERA_EVENTS).where(F.col("violation_code").isNotNull())
    want = _per_day(violations)
    assert {DAY, E2E_DAY, TRACE_DAY} <= set(want)
    assert _per_day(spark.table("gold.fct_camera_violations")) == want
    assert _per_day(spark.table("gold.mart_violations_commune_daily"), value="violations") == want
    got = spark.table("gold.fct_camera_violations").where(F.col("event_id").startswith("incr-"))
    assert got.where(F.col("event_date") == F.lit(TRACE_DAY)).count() == 7


def test_the_event_id_test_fails_on_a_read_held_twice(built, spark):
    """The source test on silver's event_id (tests/generic/unique_hashed.sql) reports an
    event_id held twice, with its count, both ways: through the hash step (the id's hash in
    the IN list of the compiled test) and through the plain fallback (max_candidates 0)."""
    table = config.SILVER_CAMERA_EVENTS
    probe = "tests/duplicate-probe.jsonl.gz"
    select = "source:camera.camera_events,test_name:unique_hashed"
    event_id = spark.table(table).orderBy(F.col("processed_at").desc()).first()["event_id"]
    # a second copy, processed last: the test's window (__days_touched__) is its event day
    spark.table(table).where(F.col("event_id") == event_id).withColumn("source_file", F.lit(probe)).withColumn("processed_at", F.current_timestamp()) \
        .write.format("delta").mode("append").saveAsTable(table)
    try:
        for dbt_vars, hashed in ((None, True), ({"unique_hashed_max_candidates": 0}, False)):
            proc = dbt("test", select, dbt_vars=dbt_vars)
            out = proc.stdout
            assert proc.returncode == 1, out[-3000:] + proc.stderr[-2000:]
            assert re.search(r"Failure in test source_unique_hashed_camera_camera_events_event_id", out), out[-3000:]
            assert "Got 1 result" in out, out[-3000:]
            compiled = next((DBT_DIR / "target" / "compiled").rglob(
                "source_unique_hashed_camera_camera_events_event_id.sql")).read_text()
            assert ("xxhash64(event_id) in (" in compiled) == hashed, compiled
            got = spark.sql(compiled).collect()
            assert [(r.unique_field, r.n_records) for r in got] == [(event_id, 2)], compiled
    finally:
        spark.sql(f"DELETE FROM {table} WHERE source_file = '{probe}'")
    assert dbt("test", select).returncode == 0     # passes again once the copy is gone
