"""Case records end to end through the real services, checked against the landing files.

14 months of case-system extracts spanning the 1 July 2025 merger, loaded by one
``case_records`` run for the whole range, then gold (the session's ``lakehouse``, see
tests/stack/conftest.py) → mart figures equal an independent computation from the CSV files
(tests/support/case_oracle.py).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from pyspark.sql import functions as F

from antt.airflow_api import Airflow
from antt.reference.admin_units import current_commune_for, hanoi_communes, hanoi_crosswalk
from spark_jobs import config
from tests.support import case_oracle, dq_oracle
from tests.support.landing_oracle import valid_events
from tests.support.stack_helpers import CASE_END as END
from tests.support.stack_helpers import CASE_START as START
from tests.support.stack_helpers import TRACE_DAY

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def loaded(lakehouse, landing_dir):
    return case_oracle.load_records(landing_dir)


def test_silver_holds_every_valid_record_once(loaded, spark):
    silver = spark.table(config.SILVER_CASE_RECORDS)
    assert silver.groupBy("record_id").count().where("count > 1").count() == 0
    got = {r.record_id: (r.record_version, r.status, r.commune_code) for r in
           silver.where(F.col("record_id").isin(list(loaded))).collect()}
    want = {rid: (int(r["record_version"]), r["status"], r["commune_code"]) for rid, r in loaded.items()}
    assert got == want


def test_a_legacy_coded_record_rolls_up_to_the_right_current_commune(loaded, spark):
    split = {code for code, ts in hanoi_crosswalk().items() if len(ts) > 1}
    current = {c.code for c in hanoi_communes()}
    legacy = [r for r in loaded.values() if r["received_date"] < dt.date(2025, 7, 1)]
    with_point = next(r for r in legacy if r["location_commune_code"] in split and r["lat"]
                      and current_commune_for(r["location_commune_code"]) != r["commune_code"])
    without = next(r for r in legacy if r["location_commune_code"] in split and not r["lat"])
    legacy_only = next(r for r in legacy if r["location_commune_code"] not in current)
    fct = spark.table("gold.fct_crime_reports")
    for r in (with_point, without, legacy_only):
        row = fct.where(F.col("record_id") == r["record_id"]).first()
        assert row.commune_code == current_commune_for(r["location_commune_code"],
                                                       float(r["lat"]) if r["lat"] else None,
                                                       float(r["lon"]) if r["lon"] else None)
        assert row.location_code_scheme == "LEGACY"
    # every gold row reports under a current commune
    assert fct.where(~F.col("commune_code").isin(sorted(current))).count() == 0


def test_compstat_28_days_and_change_for_one_commune_and_category(loaded, spark):
    week_start, period_end = dt.date(2025, 7, 21), dt.date(2025, 7, 27)
    commune = max(sorted({r["commune_code"] for r in loaded.values()}),
                  key=lambda c: case_oracle.count_received(loaded, c, "PROPERTY", dt.date(2025, 6, 30), period_end))
    cur = case_oracle.count_received(loaded, commune, "PROPERTY", period_end - dt.timedelta(days=27), period_end)
    prev = case_oracle.count_received(loaded, commune, "PROPERTY", period_end - dt.timedelta(days=27 + 364),
                                      period_end - dt.timedelta(days=364))
    assert cur > 0 and prev > 0
    row = (spark.table("gold.mart_compstat_weekly")
           .where((F.col("week_start") == F.lit(week_start)) & (F.col("commune_code") == commune)
                  & (F.col("category_code") == "PROPERTY")).first())
    assert (row.d28_current, row.d28_previous) == (cur, prev)
    assert row.d28_pct_change == pytest.approx(round((cur - prev) * 100 / prev, 1))
    z = 2 * (cur ** 0.5 - prev ** 0.5)
    assert row.d28_z == pytest.approx(z, abs=1e-3) and row.d28_significant == (abs(z) > 3)
    wtd = case_oracle.count_received(loaded, commune, "PROPERTY", week_start, period_end)
    assert row.wtd_current == wtd


def test_clearance_rate_for_one_commune_and_month(loaded, spark):
    month = dt.date(2025, 3, 1)
    commune = max(sorted({r["commune_code"] for r in loaded.values()}),
                  key=lambda c: case_oracle.clearance(loaded, c, month)[0])
    opened, cleared = case_oracle.clearance(loaded, commune, month)
    row = (spark.table("gold.mart_case_clearance_monthly")
           .where((F.col("month_start") == F.lit(month)) & (F.col("commune_code") == commune)).first())
    assert (row.cases_opened, row.cases_cleared) == (opened, cleared)
    assert row.clearance_rate == pytest.approx(round(cleared / opened, 4))


def test_open_reports_per_commune(loaded, spark):
    mart = {r.commune_code: r.open_reports for r in spark.table("gold.mart_crime_report_deadlines").collect()}
    assert len(mart) == 126
    want: dict[str, int] = {}
    for r in loaded.values():
        if r["status"] in ("RECEIVED", "VERIFYING"):
            want[r["commune_code"]] = want.get(r["commune_code"], 0) + 1
    assert {c: n for c, n in mart.items() if n} == want


@pytest.mark.parametrize("day", [dt.date(2025, 2, 14), dt.date(2025, 7, 24)])
def test_dq_scorecard_case_rows(loaded, spark, day):
    """Every commune's case row of the data-quality scorecard — reports of the 7 days up to
    the day against the commune's 28 days before, field completeness, share landed more than
    48 h after receipt, status — equals the figures from the landing files."""
    records = [dq_oracle.Record(r["received_date"], r["commune_code"],
                                (bool(r["lat"]) + bool(r["incident_at"]) + bool(r["receiving_unit_code"])) / 3,
                                dq_oracle.delay_hours(dt.datetime.fromisoformat(r["received_at"]), r["first_landing"]))
               for r in loaded.values()]
    want = dq_oracle.expected_rows(records, day, [c.code for c in hanoi_communes()], "dq_max_delay_hours_cases")
    rows = {r.commune_code: r for r in spark.table("gold.mart_dq_scorecard_daily")
            .where((F.col("day") == F.lit(day)) & (F.col("source") == "case_records")).collect()}
    dq_oracle.assert_rows_match(rows, want)
    statuses = Counter(w["status"] for w in want.values())
    print(f"dq scorecard case_records {day}: {dict(statuses)}")
    # the late reports the generator lands days after receipt show, not averaged away
    assert any(w["late_share"] for w in want.values())


def test_rerun_changes_nothing(loaded, spark):
    before = {t: spark.table(t).count() for t in (config.BRONZE_CASE_RECORDS, config.SILVER_CASE_RECORDS,
                                                   config.SILVER_CASE_RECORD_VERSIONS,
                                                   config.SILVER_CASE_STATUS_HISTORY,
                                                   config.QUARANTINE_CASE_RECORDS)}
    af = Airflow()
    rid = af.trigger("case_records", {"landing_date": START.isoformat(), "landing_date_to": END.isoformat()})
    assert af.wait("case_records", [rid], timeout=1800)[rid] == "success"
    assert {t: spark.table(t).count() for t in before} == before


def _km(lat1, lon1, lat2, lon2) -> float:
    import math
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def test_vehicle_watchlist_trace_from_landing_files(loaded, spark, landing_dir):
    """Camera reads of a day (TRACE_DAY, loaded by the session's ``lakehouse``) → the trace
    of every open vehicle-theft report equals the sightings found in the landing files
    (plate read after the report was received)."""
    import csv

    watched: dict[str, list[dict]] = {}
    for r in loaded.values():
        if r["vehicle_plate"] and r["status"] not in ("CLEARED", "NOT_PROSECUTED"):
            watched.setdefault(r["vehicle_plate"], []).append(r)
    want: dict[str, list[dict]] = {}
    day_events = sorted(valid_events(landing_dir, [TRACE_DAY]), key=lambda e: (e["event_time"], e["event_id"]))
    for e in day_events:
        for r in watched.get(e["plate"], ()):
            if e["event_time"] >= dt.datetime.fromisoformat(r["received_at"]):
                want.setdefault(r["record_id"], []).append(e)
    assert want, "no watched plate was read that day: the test would prove nothing"

    # the mart's sightings among this landing day's reads (other days may be loaded too)
    day_ids = {e["event_id"] for e in day_events}
    rows = [r for r in spark.table("restricted.mart_vehicle_watchlist_trace")
            .orderBy("record_id", "sighting_seq").collect() if r.event_id in day_ids]
    got: dict[str, list] = {}
    for row in rows:
        got.setdefault(row.record_id, []).append(row)
    assert {rid: [x.event_id for x in xs] for rid, xs in got.items()} == \
        {rid: [e["event_id"] for e in es] for rid, es in want.items()}

    # one trace in detail: consecutive sequence, cameras, minutes and km between sightings
    rid = max(sorted(want), key=lambda k: len(want[k]))
    with (landing_dir / "camera" / "registry" / f"dt={TRACE_DAY}" / "cameras.csv").open(encoding="utf-8") as fh:
        where = {c["camera_id"]: (float(c["lat"]), float(c["lon"])) for c in csv.DictReader(fh)}
    trace, sightings = got[rid], want[rid]
    assert [x.sighting_seq for x in trace] == list(range(trace[0].sighting_seq, trace[0].sighting_seq + len(trace)))
    assert all(x.vehicle_plate == loaded[rid]["vehicle_plate"] for x in trace)
    assert [x.camera_id for x in trace] == [e["camera_id"] for e in sightings]
    for prev, (x, e) in zip(sightings, list(zip(trace, sightings))[1:]):
        assert x.minutes_since_previous == pytest.approx((e["event_time"] - prev["event_time"]).total_seconds() / 60, abs=0.06)
        assert x.km_from_previous == pytest.approx(_km(*where[prev["camera_id"]], *where[e["camera_id"]]), abs=0.001)
