"""The bad-input corpus (tests/corpus, made by tests/corpus/build_corpus.py) through the
real jobs on a local Delta warehouse: for every line or record, kept (and how normalised)
or quarantined (with which reason) — and nothing else: no line lost, none counted twice.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from spark_jobs import config
from tests.support.tables import drop_tables

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
CAMERA_DAY = dt.date(2024, 6, 3)
CASES_DAY = dt.date(2025, 7, 2)
EV = "camera/events/dt=2024-06-03/hh=00/"

# (file, line) -> reason, for every camera line that must be quarantined
CAMERA_QUARANTINE = {
    ("01_truncated.jsonl.gz", 4): "TRUNCATED_FILE",
    ("02_zero_bytes.jsonl.gz", 0): "EMPTY_FILE",
    ("03_not_gzip.jsonl.gz", 0): "CORRUPT_FILE",
    ("04_wrong_encoding.jsonl.gz", 2): "BAD_ENCODING",
    ("06_json_types.jsonl.gz", 3): "OUT_OF_RANGE",        # speed "fast"
    ("06_json_types.jsonl.gz", 4): "OUT_OF_RANGE",        # lane "two"
    ("06_json_types.jsonl.gz", 5): "OUT_OF_RANGE",        # confidence true
    ("06_json_types.jsonl.gz", 6): "UNREADABLE_PLATE",    # plate 3012345
    ("06_json_types.jsonl.gz", 7): "MALFORMED_JSON",      # [1, 2, 3]
    ("07_timestamps.jsonl.gz", 1): "FUTURE_TIMESTAMP",
    ("07_timestamps.jsonl.gz", 2): "BAD_TIMESTAMP",       # no zone
    ("07_timestamps.jsonl.gz", 5): "BAD_TIMESTAMP",       # 30 February
    ("08_plates_and_codes.jsonl.gz", 3): "UNREADABLE_PLATE",
    ("08_plates_and_codes.jsonl.gz", 4): "UNKNOWN_CAMERA",
    ("08_plates_and_codes.jsonl.gz", 6): "BAD_VIOLATION_CODE",
    ("09_duplicates.jsonl.gz", 4): "DUPLICATE_CONFLICT",
    ("10_renamed_field.jsonl.gz", 1): "MISSING_FIELD",     # event_time renamed to ts
}
# event_id -> (plate, speed_kmh, event_date, event_hour, violation_code) of every kept event
CAMERA_KEPT = {
    "trunc-1": ("30A-123.45", 42.0, "2024-06-03", 7, None),
    "trunc-2": ("30A-123.45", 42.0, "2024-06-03", 7, None),
    "trunc-3": ("30A-123.45", 42.0, "2024-06-03", 7, None),
    "enc-ok": ("30A-123.45", 42.0, "2024-06-03", 7, None),
    "bom-1": ("30A-123.45", 42.0, "2024-06-03", 7, None),
    "crlf-2": ("30A-123.45", 42.0, "2024-06-03", 7, None),
    "type-speed-text": ("30A-123.45", 42.5, "2024-06-03", 7, None),
    "12345": ("30A-123.45", 42.0, "2024-06-03", 7, None),
    "type-new-field": ("30A-123.45", 42.0, "2024-06-03", 7, None),
    "ts-utc": ("30A-123.45", 42.0, "2024-06-04", 0, None),
    "ts-late-evening": ("30A-123.45", 42.0, "2024-06-04", 0, None),
    "plate-lower": ("30A-123.45", 42.0, "2024-06-03", 7, None),
    "plate-spaces": ("29B1-234.56", 42.0, "2024-06-03", 7, None),
    "violation-lower": ("30A-123.45", 42.0, "2024-06-03", 7, "RED_LIGHT"),
    "dup-same": ("30A-123.45", 42.0, "2024-06-03", 7, "SPEEDING"),
    "dup-other": ("30A-123.45", 50.0, "2024-06-03", 7, None),     # the first landed copy
}


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    land = tmp_path_factory.mktemp("corpus") / "landing"
    shutil.copytree(CORPUS, land, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANTT_LANDING_DIR", str(land))
        yield land


CAMERA_TABLES = (config.BRONZE_CAMERA_EVENTS, config.SILVER_CAMERA_EVENTS,
                 config.QUARANTINE_CAMERA_EVENTS, config.SILVER_CAMERAS)
CASE_TABLES = (config.BRONZE_CASE_RECORDS, config.SILVER_CASE_RECORD_VERSIONS, config.SILVER_CASE_RECORDS,
               config.SILVER_CASE_STATUS_HISTORY, config.QUARANTINE_CASE_RECORDS)


@pytest.fixture(scope="module", autouse=True)
def _leave_no_tables(spark_local):
    yield
    drop_tables(spark_local, *CAMERA_TABLES, *CASE_TABLES)


@pytest.fixture(scope="module")
def camera_day(spark_local, landing):
    """The camera corpus day loaded once (bronze result, silver result, bronze+silver log)."""
    import contextlib
    import io

    from spark_jobs.camera import bronze, registry, silver

    spark = spark_local
    drop_tables(spark, *CAMERA_TABLES)
    registry.run(spark, CAMERA_DAY)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        b = bronze.run(spark, CAMERA_DAY, "corpus")
        s = silver.run(spark, CAMERA_DAY)
    return b, s, err.getvalue()


def test_camera_corpus_lands_every_line_in_its_place(spark_local, camera_day):
    from spark_jobs.camera import bronze, silver

    spark = spark_local
    b, s, err = camera_day
    assert b["unreadable_files"] == 3

    q = {(r.source_file.removeprefix(EV), r.line_no): r.reason_code
         for r in spark.table(config.QUARANTINE_CAMERA_EVENTS).collect()}
    assert q == CAMERA_QUARANTINE
    kept = {r.event_id: (r.plate, r.speed_kmh, r.event_date.isoformat(), r.event_hour, r.violation_code)
            for r in spark.table(config.SILVER_CAMERA_EVENTS).collect()}
    assert kept == CAMERA_KEPT
    # nothing lost, nothing counted twice: every bronze line is kept, a duplicate or quarantined
    assert (s["bronze"], s["duplicates"], s["quarantined"]) == (len(CAMERA_KEPT) + 1 + len(CAMERA_QUARANTINE), 1,
                                                               len(CAMERA_QUARANTINE))
    assert f"reconcile camera_events {CAMERA_DAY}: bronze {s['bronze']} = silver {len(CAMERA_KEPT)}" in err
    assert "-> OK" in err
    # progress: each step of the silver load says what it did and how long it took
    steps = re.findall(rf"silver camera_events {CAMERA_DAY}: (.+) \(\d+\.\d s\)", err)
    expected = [rf"{s['bronze']} bronze lines parsed and classified, \d+ valid",
                r"copies ranked by landing order \(\d+ event_ids with more than one\) and checked against "
                r"the \d+ rows silver holds of their ids "
                r"on \d+ event days",
                rf"{len(CAMERA_KEPT)} events to keep, \d+ conflicts, 0 replacing later-landed copies",
                rf"MERGE into silver: {len(CAMERA_KEPT)} new",
                rf"MERGE into quarantine: {len(CAMERA_QUARANTINE)} new",
                r"tables counted for the reconciliation"]
    assert len(steps) == len(expected) and all(map(re.fullmatch, expected, steps)), err
    # bronze keeps the lines as landed, without their line ends; line numbers are the file's
    crlf = spark.table(config.BRONZE_CAMERA_EVENTS).where(F.col("source_file").endswith("05_bom_crlf.jsonl.gz"))
    assert sorted((r.line_no, r.raw[:1], r.raw[-1:]) for r in crlf.collect()) == [(1, "\ufeff", "}"), (2, "{", "}")]
    details = {r.reason_code: r.reason_detail for r in spark.table(config.QUARANTINE_CAMERA_EVENTS).collect()}
    assert "dup-other" in details["DUPLICATE_CONFLICT"] and "09_duplicates.jsonl.gz:2" in details["DUPLICATE_CONFLICT"]
    assert "2024-06-05T10:00:00+07:00" in details["FUTURE_TIMESTAMP"]
    assert "gzip" in details["CORRUPT_FILE"] and "ends early" in details["TRUNCATED_FILE"]
    assert details["MISSING_FIELD"] == "event_time"

    # the same day again: nothing changes
    again = silver.run(spark, CAMERA_DAY)
    assert (again["new"], again["quarantined"], again["quarantine_new"]) == (0, len(CAMERA_QUARANTINE), 0)
    assert bronze.run(spark, CAMERA_DAY, "again")["inserted"] == 0


def test_camera_copies_landing_a_day_later(spark_local, landing, camera_day):
    """A resend landing on a later day is a duplicate; a copy with other content does not
    overwrite silver — it waits in quarantine, naming where the kept copy came from."""
    import gzip

    from spark_jobs.camera import bronze, silver
    from tests.corpus.build_corpus import ev

    spark = spark_local
    day2 = CAMERA_DAY + dt.timedelta(days=1)
    f = landing / f"camera/events/dt={day2}/hh=00/late.jsonl.gz"
    f.parent.mkdir(parents=True)
    f.write_bytes(gzip.compress((ev("dup-same", v="SPEEDING") + "\n" + ev("enc-ok", speed=77.0) + "\n").encode()))
    bronze.run(spark, day2, "day2")
    s = silver.run(spark, day2)
    # the resend matches the kept row ("already there"); the other copy is a conflict
    assert (s["bronze"], s["new"], s["already"], s["duplicates"], s["quarantined"]) == (2, 0, 1, 0, 1)
    q = spark.table(config.QUARANTINE_CAMERA_EVENTS).where(F.col("landing_date") == day2).collect()
    assert [(r.line_no, r.reason_code) for r in q] == [(2, "DUPLICATE_CONFLICT")]
    assert "already in silver from " + EV + "04_wrong_encoding.jsonl.gz:1" in q[0].reason_detail
    assert spark.table(config.SILVER_CAMERA_EVENTS).where("event_id = 'enc-ok'").collect()[0].speed_kmh == 42.0


def test_case_corpus_lands_every_record_in_its_place(spark_local, landing):
    from spark_jobs.cases import bronze, silver
    from spark_jobs.reference import admin_units as ref

    spark = spark_local
    drop_tables(spark, *CASE_TABLES)
    ref.run(spark)
    assert bronze.run(spark, CASES_DAY, "corpus")["inserted"] == 14
    s = silver.run(spark, CASES_DAY)

    q = {(r.source_file.rsplit("/", 1)[1], r.record_no): r.reason_code
         for r in spark.table(config.QUARANTINE_CASE_RECORDS).collect()}
    assert q == {
        ("02_quoted_newline_extra_column.csv", 2): "MALFORMED_ROW",     # a field too many
        ("03_text_and_codes.csv", 2): "BAD_TIMESTAMP",                  # no zone
        ("03_text_and_codes.csv", 3): "UNKNOWN_COMMUNE",
        ("04_duplicates.csv", 4): "DUPLICATE_CONFLICT",
        ("05_changed_header.csv", 1): "MISSING_FIELD",                 # received_at renamed
    }
    kept = {r.record_id: r for r in spark.table(config.SILVER_CASE_RECORD_VERSIONS).collect()}
    assert sorted(kept) == ["C-ADDED", "C-BOM", "C-CONFLICT", "C-DUP", "C-NEWLINE", "C-NFD", "C-OK", "C-PLATE"]
    renamed = spark.table(config.QUARANTINE_CASE_RECORDS).where("record_id = 'C-RENAMED'").collect()[0]
    assert "received_at" in renamed.reason_detail and "received_time" in renamed.raw
    added = spark.table(config.BRONZE_CASE_RECORDS).where(F.col("source_file").endswith("06_added_column.csv"))
    assert json.loads(added.collect()[0].raw)["reporter_unit_name"] == "Công an phường"   # kept in bronze
    assert kept["C-BOM"].status == "RECEIVED"            # the last column has no stray \r
    assert kept["C-NEWLINE"].address == "Số 5,\nngõ 2"
    assert kept["C-NFD"].address == unicodedata.normalize("NFC", "Số 7, phố Hàng Bạc") == "Số 7, phố Hàng Bạc"
    assert kept["C-NFD"].summary == "Trộm cắp tài sản"
    assert kept["C-PLATE"].vehicle_plate == "29B1-234.56"
    assert kept["C-CONFLICT"].summary == "bản gốc"        # the first landed copy
    assert (s["bronze"], s["versions"], s["duplicates"], s["quarantined"]) == (14, 8, 1, 5)


def test_quarantine_list_and_replay_after_a_fix(spark_local, landing, camera_day, capsys):
    """The unknown camera is registered later: replaying moves its line to silver, the
    rest stays quarantined, and replaying again changes nothing."""
    from spark_jobs import quarantine
    from spark_jobs.camera import registry

    spark = spark_local
    listed = {(i["source"], i["reason"]): i["rows"] for i in quarantine.summary(spark, ["camera_events"])}
    assert listed[("camera_events", "UNKNOWN_CAMERA")] == 1
    quarantine.print_summary(quarantine.summary(spark, ["camera_events"], reason="UNKNOWN_CAMERA"))
    out = capsys.readouterr().out
    assert "UNKNOWN_CAMERA" in out and "08_plates_and_codes.jsonl.gz:4" in out and "CAM-09999" in out

    nothing = quarantine.replay(spark, "camera_events", reason="UNKNOWN_CAMERA")
    assert (nothing["before"], nothing["released"]) == (1, 0)     # not fixed yet

    snap = landing / "camera/registry/dt=2024-06-04/cameras.csv"
    snap.parent.mkdir(parents=True)
    src = (landing / f"camera/registry/dt={CAMERA_DAY}/cameras.csv").read_text(encoding="utf-8")
    snap.write_text(src + "CAM-09999,00004,Phường Ba Đình,21.03,105.83,Đường Láng,50,Hikvision,2024-06-04\n",
                    encoding="utf-8")
    registry.run(spark, dt.date(2024, 6, 4))
    total_before = spark.table(config.QUARANTINE_CAMERA_EVENTS).count()
    fixed = quarantine.replay(spark, "camera_events", first=CAMERA_DAY, last=CAMERA_DAY, reason="UNKNOWN_CAMERA")
    assert (fixed["before"], fixed["after"], fixed["released"]) == (1, 0, 1)
    assert spark.table(config.SILVER_CAMERA_EVENTS).where("event_id = 'cam-unknown'").count() == 1
    assert spark.table(config.QUARANTINE_CAMERA_EVENTS).count() == total_before - 1
    assert quarantine.replay(spark, "camera_events", reason="UNKNOWN_CAMERA")["before"] == 0
