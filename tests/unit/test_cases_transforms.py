"""Case-records silver: validation reasons, the crosswalk rule in Spark, CDC upsert order."""
from __future__ import annotations

import csv
import datetime as dt
import json
import random

import pytest
from pyspark.sql import functions as F

from antt.reference.admin_units import current_commune_for, hanoi_communes, hanoi_crosswalk
from antt.reference.seeds import penal_code_articles
from spark_jobs.cases import bronze, silver
from spark_jobs.reference import admin_units as ref
from tests.support.tables import drop_tables

D = dt.date(2025, 7, 2)
TS = dt.datetime(2025, 7, 2, 1, 0, 0)
LEGACY_ONLY = sorted(set(hanoi_crosswalk()) - {c.code for c in hanoi_communes()})[0]


def rec(rid="TB-1", version="1", received="2025-06-20T09:00:00+07:00", code="00001",
        unit="CAX-00001", status="RECEIVED", article="173", **extra):
    d = {"op": "I" if version == "1" else "U", "record_id": rid, "record_version": version,
         "changed_at": received, "record_kind": "TO_GIAC", "article": article,
         "received_at": received, "incident_at": received, "receiving_unit_code": unit,
         "location_commune_code": code, "address": "Số 1, phố Huế", "lat": "", "lon": "",
         "summary": "x", "status": status, "status_at": received, "is_complex": "0",
         "deadline_extended": "0", "case_no": "", "prosecuted_at": "", "cleared_at": "",
         "suspended_at": "", "vehicle_plate": ""}
    d.update(extra)
    return json.dumps(d, ensure_ascii=False)


def bronze_df(spark, raws):
    rows = [(D, "cases/records/dt=2025-07-02/x.csv", i + 1, raw, raw == "<bad>", TS, "t")
            for i, raw in enumerate(raws)]
    return spark.createDataFrame(rows, "landing_date date, source_file string, record_no int, raw string, "
                                       "malformed boolean, ingested_at timestamp, ingest_run string")


@pytest.fixture(scope="module")
def refs(spark_local):
    make = spark_local.createDataFrame
    return {"legacy": make(ref.legacy_rows(), ref.LEGACY), "current": make(ref.communes_rows(), ref.COMMUNES),
            "units": make(ref.police_unit_rows(), ref.UNITS), "crosswalk": make(ref.crosswalk_rows(), ref.CROSSWALK)}


def test_classify_gives_one_reason_per_bad_row(spark_local, refs):
    after = "2025-07-01T08:00:00+07:00"
    raws = [
        rec("ok-legacy"),                                                  # 1 legacy code, legacy unit
        rec("ok-current", received=after, code="00070", unit="CAX-00070"),  # 2 current code after merger
        "<bad>",                                                           # 3 wrong field count
        rec("m", received=""),                                             # 4 missing receipt time
        rec("t", received="2025-06-20 09:00:00"),                          # 5 no zone
        rec("s", status="CLOSED"),                                         # 6 unknown status
        rec("a", article="999"),                                           # 7 not a Penal Code article we know
        rec("c", received=after, code=LEGACY_ONLY, unit="CAX-00070"),      # 8 legacy-only code after the merger
        rec("u", received=after, code="00070", unit="CAH-001"),            # 9 district police after abolition
        rec("g", lat="10.5", lon="106.7"),                                 # 10 point outside Hà Nội
        rec("p", vehicle_plate=" 29b1-234.56 "),                           # 11 plate normalised, valid
        rec("v", version="0"),                                             # 12 bad version
    ]
    out = silver.classify(silver.parse(bronze_df(spark_local, raws)), refs["legacy"], refs["current"],
                          refs["units"], penal_code_articles(), dt.date(2025, 7, 1))
    got = {r.record_no: r.reason_code for r in out.collect()}
    assert got == {1: None, 2: None, 3: "MALFORMED_ROW", 4: "MISSING_FIELD", 5: "BAD_TIMESTAMP",
                   6: "BAD_VALUE", 7: "UNKNOWN_ARTICLE", 8: "UNKNOWN_COMMUNE", 9: "UNKNOWN_UNIT",
                   10: "BAD_VALUE", 11: None, 12: "BAD_VALUE"}
    detail = {r.record_no: r.reason_detail for r in out.collect()}
    assert "received_at" in detail[4] and LEGACY_ONLY in detail[8] and "CAH-001" in detail[9]
    assert out.where("record_no = 11").first().vehicle_plate == "29B1-234.56"


def test_conform_applies_the_crosswalk_rule_to_every_legacy_unit(spark_local, refs):
    """Spark's conform() against the reference rule, for every legacy unit, with and
    without coordinates (random points around each candidate)."""
    rng = random.Random(11)
    rows, expected = [], {}
    n = 0
    for code, targets in hanoi_crosswalk().items():
        points = [(None, None)] + [(t.lat + rng.uniform(-0.03, 0.03), t.lon + rng.uniform(-0.03, 0.03))
                                   for t in targets]
        for lat, lon in points:
            n += 1
            rows.append((D, "f", n, "LEGACY", code, lat, lon))
            expected[n] = current_commune_for(code, lat, lon)
    n += 1
    rows.append((D, "f", n, "CURRENT", "00070", None, None))
    expected[n] = "00070"
    df = spark_local.createDataFrame(rows, "landing_date date, source_file string, record_no int, "
                                           "location_code_scheme string, t_location_commune_code string, "
                                           "lat double, lon double")
    got = {r.record_no: r.commune_code for r in silver.conform(df, refs["crosswalk"]).collect()}
    assert got == expected


def _write_extract(path, rows):
    from antt.generator.cases import COLUMNS

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for r in rows:
            d = json.loads(r)
            w.writerow([d[c] for c in COLUMNS])


def test_jobs_upsert_newest_version_keep_history_and_rerun_safely(spark_local, tmp_path, monkeypatch):
    from spark_jobs import config

    land = tmp_path / "landing"
    monkeypatch.setenv("ANTT_LANDING_DIR", str(land))
    day1, day2 = dt.date(2025, 6, 22), dt.date(2025, 6, 23)
    t0, t1, t2 = "2025-06-20T09:00:00+07:00", "2025-06-21T10:00:00+07:00", "2025-06-21T15:00:00+07:00"
    # day 1: version 1 and version 3 (PROSECUTED); version 2 (VERIFYING) lands a day late,
    # with the address's quoted newline; day 2 also resends version 3
    v1 = rec("TB-A", address="Số 5,\nngõ 2")
    v2 = rec("TB-A", version="2", status="VERIFYING", changed_at=t1, status_at=t1, address="Số 5,\nngõ 2")
    v3 = rec("TB-A", version="3", status="PROSECUTED", changed_at=t2, status_at=t2, case_no="VA-1",
             prosecuted_at=t2, address="Số 5,\nngõ 2")
    _write_extract(land / f"cases/records/dt={day1}/case_records_1.csv", [v1, v3, rec("TB-B", article="999")])
    _write_extract(land / f"cases/records/dt={day2}/case_records_2.csv", [v2, v3])

    spark = spark_local
    drop_tables(spark, config.BRONZE_CASE_RECORDS, config.SILVER_CASE_RECORD_VERSIONS, config.SILVER_CASE_RECORDS,
                config.SILVER_CASE_STATUS_HISTORY, config.QUARANTINE_CASE_RECORDS)
    ref.run(spark)
    assert bronze.run(spark, [day1, day2], "r1")["inserted"] == 5
    assert bronze.run(spark, [day1, day2], "r2")["inserted"] == 0
    s1 = silver.run(spark, day1)
    s2 = silver.run(spark, day2)
    assert (s1["bronze"], s1["versions"], s1["quarantined"], s1["duplicates"]) == (3, 2, 1, 0)
    assert (s2["bronze"], s2["new_versions"], s2["records_updated"]) == (2, 1, 0)  # v2 is older: no rollback
    again = silver.run(spark, [day1, day2])
    assert (again["new_versions"], again["records_new"], again["records_updated"], again["history_new"]) == (0, 0, 0, 0)
    assert again["bronze"] == again["versions"] + again["duplicates"] + again["quarantined"] == 5

    cur = spark.table(config.SILVER_CASE_RECORDS).where("record_id = 'TB-A'").collect()
    assert [(r.record_version, r.status, r.case_no, r.address) for r in cur] == [(3, "PROSECUTED", "VA-1", "Số 5,\nngõ 2")]
    assert cur[0].commune_code == current_commune_for("00001")
    hist = spark.table(config.SILVER_CASE_STATUS_HISTORY).where("record_id = 'TB-A'").orderBy("status_at")
    assert [r.status for r in hist.collect()] == ["RECEIVED", "VERIFYING", "PROSECUTED"]
    assert spark.table(config.SILVER_CASE_RECORD_VERSIONS).count() == 3
    q = spark.table(config.QUARANTINE_CASE_RECORDS).collect()
    assert [(r.record_id, r.reason_code, r.record_no) for r in q] == [("TB-B", "UNKNOWN_ARTICLE", 3)]
    assert json.loads(q[0].raw)["article"] == "999"
    assert spark.table(config.BRONZE_CASE_RECORDS).where(F.col("ingest_run") == "r2").count() == 0
