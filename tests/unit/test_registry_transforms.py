"""Resident registry silver: HMAC pseudonyms, validation reasons, SCD2 residence periods."""
from __future__ import annotations

import datetime as dt
import json

from pyspark.sql import functions as F

from spark_jobs import pii
from spark_jobs.reference import admin_units as ref
from spark_jobs.registry import jobs

KEY = b"k" * 40
D = dt.date(2025, 7, 2)
TS = dt.datetime(2025, 7, 2, 1, 0)


def test_hmac_in_spark_equals_python_hmac(spark_local):
    ids = ["001090012345", "079201000001", "Nguyễn Văn A", ""]
    df = spark_local.createDataFrame([(i,) for i in ids], "v string")
    got = [r.h for r in df.select(pii.hmac_hex(F.col("v"), KEY).alias("h")).collect()]
    assert got == [pii.hmac_hex_py(i, KEY) for i in ids]
    # a long key is hashed first, as RFC 2104 says
    long_key = b"x" * 100
    assert df.select(pii.hmac_hex(F.col("v"), long_key).alias("h")).first().h == pii.hmac_hex_py(ids[0], long_key)
    assert pii.hmac_hex_py(ids[0], KEY) != pii.hmac_hex_py(ids[0], b"j" * 40)


def _bronze(spark, payloads):
    rows = [(D, "registry/residence/dt=2025-07-02/x.csv", i + 1, p, p == "<bad>", TS, "t")
            for i, p in enumerate(payloads)]
    return spark.createDataFrame(rows, "landing_date date, source_file string, record_no int, raw string, "
                                       "malformed boolean, ingested_at timestamp, ingest_run string")


def ev(eid, nid="001090012345", typ="THUONG_TRU", action="REGISTER", code="00001",
       eff="2025-06-01", exp="", hh="HK-00000001", reg="2025-06-01T09:00:00+07:00", **extra):
    d = {"event_id": eid, "national_id": nid, "household_id": hh, "residence_type": typ,
         "action": action, "commune_code": code, "address": "Số 1, phố Huế", "lat": "", "lon": "",
         "effective_date": eff, "expires_on": exp, "registered_at": reg}
    d.update(extra)
    return json.dumps(d, ensure_ascii=False)


def test_residence_rows_get_one_reason_each(spark_local):
    make = spark_local.createDataFrame
    legacy, current = make(ref.legacy_rows(), ref.LEGACY), make(ref.communes_rows(), ref.COMMUNES)
    rows = [
        ev("ok"),                                    # 1 legacy code before the merger
        ev("ok2", code="00070", eff="2025-07-01"),   # 2 current code after
        "<bad>",                                     # 3
        ev("n", nid="12345"),                        # 4 national ID not 12 digits
        ev("t", typ="VANG_LAI"),                     # 5 unknown residence type
        ev("d", eff="01/06/2025"),                   # 6 not ISO date
        ev("z", reg="2025-06-01 09:00:00"),          # 7 timestamp without zone
        ev("c", code="99999"),                       # 8 unknown commune
        ev("m", eff=""),                             # 9 missing effective date
    ]
    out = jobs.classify(jobs.parse(_bronze(spark_local, rows), "residence"), "residence", legacy, current)
    got = {r.record_no: r.reason_code for r in out.collect()}
    assert got == {1: None, 2: None, 3: "MALFORMED_ROW", 4: "BAD_VALUE", 5: "BAD_VALUE", 6: "BAD_DATE",
                   7: "BAD_TIMESTAMP", 8: "UNKNOWN_COMMUNE", 9: "MISSING_FIELD"}
    detail = {r.record_no: r.reason_detail for r in out.collect()}
    assert "length 5" in detail[4] and "12345" not in detail[4]  # the message never echoes an ID


def test_history_builds_scd2_periods(spark_local):
    """A move (deregister + register the same day), an expiring temporary registration, an
    extension, and a de-registration that arrived before its registration."""
    p = "pk1"
    rows = [
        # permanent in A from 2020, moved to B on 2025-03-10
        ("r1", p, "HK-A", "THUONG_TRU", "REGISTER", "00070", dt.date(2020, 1, 5), None),
        ("x1", p, "HK-A", "THUONG_TRU", "DEREGISTER", "00070", dt.date(2025, 3, 10), None),
        ("r2", p, "HK-B", "THUONG_TRU", "REGISTER", "00088", dt.date(2025, 3, 10), None),
        # temporary at HK-C until 2025-06-30, extended to 2026-06-30, then left early on 2025-09-15
        ("r3", p, "HK-C", "TAM_TRU", "REGISTER", "00091", dt.date(2024, 7, 1), dt.date(2025, 6, 30)),
        ("r4", p, "HK-C", "TAM_TRU", "REGISTER", "00091", dt.date(2025, 7, 1), dt.date(2026, 6, 30)),
        ("x2", p, "HK-C", "TAM_TRU", "DEREGISTER", "00091", dt.date(2025, 9, 15), None),
    ]
    events = spark_local.createDataFrame(
        [(*r, dt.datetime(2025, 1, 1)) for r in rows],
        "event_id string, person_key string, household_id string, residence_type string, action string, "
        "commune_code string, effective_date date, expires_on date, registered_at timestamp")
    got = {r.registration_id: (r.valid_from, r.valid_to, r.end_reason, r.deregistration_id)
           for r in jobs.history(events).collect()}
    assert got == {
        "r1": (dt.date(2020, 1, 5), dt.date(2025, 3, 9), "DEREGISTERED", "x1"),
        "r2": (dt.date(2025, 3, 10), None, None, None),
        "r3": (dt.date(2024, 7, 1), dt.date(2025, 6, 30), "EXPIRES", None),
        "r4": (dt.date(2025, 7, 1), dt.date(2025, 9, 14), "DEREGISTERED", "x2"),
    }
