"""The case and registry sources: backfilling landing days in any order — one day at a time
or several in one run — gives the same tables as loading them in order, and a re-run
changes nothing. Compared by content (every column but load timestamps), through the real
bronze and silver jobs on a local Delta warehouse.

The days hold what makes order matter: resends with the same content, resends of a version
with OTHER content (the earliest-landed copy wins, the others are DUPLICATE_CONFLICT of
their own landing day, naming the winner), versions landing after newer ones, a conflicting
copy whose status would leave a wrong status history, and a registration resent with
another person.
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io

import pytest

from spark_jobs import config
from tests.support.tables import checksum, content, drop_tables

D1, D2, D3 = dt.date(2025, 8, 4), dt.date(2025, 8, 5), dt.date(2025, 8, 6)
T0, T1, T2 = "2025-08-01T09:00:00+07:00", "2025-08-02T10:00:00+07:00", "2025-08-03T15:00:00+07:00"

CASE_TABLES = (config.BRONZE_CASE_RECORDS, config.SILVER_CASE_RECORD_VERSIONS, config.SILVER_CASE_RECORDS,
               config.SILVER_CASE_STATUS_HISTORY, config.QUARANTINE_CASE_RECORDS)
REGISTRY_TABLES = (config.BRONZE_REGISTRY_RESIDENTS, config.BRONZE_REGISTRY_RESIDENCE,
                   config.BRONZE_REGISTRY_DOSSIERS, config.SILVER_RESIDENTS, config.SILVER_RESIDENCE_EVENTS,
                   config.SILVER_RESIDENCE_HISTORY, config.SILVER_DOSSIERS, config.QUARANTINE_REGISTRY)


# --- cases -----------------------------------------------------------------------------

def case(rid, version=1, status="RECEIVED", status_at=T0, summary="x", **extra):
    d = {"op": "I" if version == 1 else "U", "record_id": rid, "record_version": str(version),
         "changed_at": status_at, "record_kind": "TO_GIAC", "article": "173", "received_at": T0,
         "incident_at": T0, "receiving_unit_code": "CAX-00070", "location_commune_code": "00070",
         "address": "Số 1, phố Huế", "lat": "", "lon": "", "summary": summary, "status": status,
         "status_at": status_at, "is_complex": "0", "deadline_extended": "0", "case_no": "",
         "prosecuted_at": "", "cleared_at": "", "suspended_at": "", "vehicle_plate": ""}
    d.update(extra)
    return d


CASE_DAYS = {
    D1: [case("A"), case("B", summary="first"), case("C"), case("F")],
    D2: [case("A"),                                           # resent, same: a duplicate
         case("B", summary="second"),                         # other content: D1's copy wins
         case("A", 2, "VERIFYING", T1),
         case("E", 3, "VERIFYING", T1, summary="v3"),         # lands before its version 2
         case("F", 2, "VERIFYING", T1)],
    D3: [case("A", 2, "VERIFYING", T1),                       # same again
         case("A", 3, "PROSECUTED", T2, case_no="VA-1", prosecuted_at=T2),
         case("B", summary="third"),                          # a third content: D1's still wins
         case("E", 2, "VERIFYING", T1, summary="v2"),         # the history's VERIFYING is v2's
         case("F", 2, "CLEARED", T2, cleared_at=T2),          # other content: D2's wins, and no
         case("E"),                                           # CLEARED may stay in the history
         case("G", article="999")],                           # invalid: quarantined
}


def _write_csv(path, columns, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([r[c] for c in columns])


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    from antt.generator.cases import COLUMNS
    from antt.generator.residents import DOSSIER_COLUMNS, RESIDENCE_COLUMNS, RESIDENT_COLUMNS

    land = tmp_path_factory.mktemp("order_sources") / "landing"
    for day, rows in CASE_DAYS.items():
        _write_csv(land / "cases" / "records" / f"dt={day}" / f"case_records_{day:%Y%m%d}.csv", COLUMNS, rows)
    for day, feeds in REGISTRY_DAYS.items():
        for feed, columns in (("residents", RESIDENT_COLUMNS), ("residence", RESIDENCE_COLUMNS),
                              ("dossiers", DOSSIER_COLUMNS)):
            _write_csv(land / "registry" / feed / f"dt={day}" / f"{feed}_{day:%Y%m%d}.csv", columns,
                       feeds.get(feed, []))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANTT_LANDING_DIR", str(land))
        mp.setenv("ANTT_PII_HMAC_KEY", "order-test-key-" + "k" * 32)
        yield land


@pytest.fixture(scope="module", autouse=True)
def _reference_and_cleanup(spark_local):
    from spark_jobs.reference import admin_units as ref

    ref.run(spark_local)
    yield
    drop_tables(spark_local, *CASE_TABLES, *REGISTRY_TABLES)


def load_cases(spark, batches) -> str:
    """Run the case jobs on each batch (a list of landing days: one run for all of them)."""
    from spark_jobs.cases import bronze, silver

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        for days in batches:
            bronze.run(spark, days, f"order-{days[0]}")
            silver.run(spark, days)
    return err.getvalue()


def check_cases_in_order(spark) -> None:
    cur = {r.record_id: (r.record_version, r.status, r.summary, r.landing_date)
           for r in spark.table(config.SILVER_CASE_RECORDS).collect()}
    assert cur == {"A": (3, "PROSECUTED", "x", D3), "B": (1, "RECEIVED", "first", D1), "C": (1, "RECEIVED", "x", D1),
                   "E": (3, "VERIFYING", "v3", D2), "F": (2, "VERIFYING", "x", D2)}
    hist = {(r.record_id, r.status): r.record_version for r in spark.table(config.SILVER_CASE_STATUS_HISTORY).collect()}
    assert hist == {("A", "RECEIVED"): 1, ("A", "VERIFYING"): 2, ("A", "PROSECUTED"): 3, ("B", "RECEIVED"): 1,
                    ("C", "RECEIVED"): 1, ("E", "VERIFYING"): 2, ("E", "RECEIVED"): 1, ("F", "RECEIVED"): 1,
                    ("F", "VERIFYING"): 2}
    q = {(r.landing_date, r.record_id): (r.reason_code, r.reason_detail)
         for r in spark.table(config.QUARANTINE_CASE_RECORDS).collect()}
    first_b = f"cases/records/dt={D1}/case_records_{D1:%Y%m%d}.csv:2"
    assert q == {(D2, "B"): ("DUPLICATE_CONFLICT", f"B v1 already in silver from {first_b} with other content"),
                 (D3, "B"): ("DUPLICATE_CONFLICT", f"B v1 already in silver from {first_b} with other content"),
                 (D3, "F"): ("DUPLICATE_CONFLICT",
                             f"F v2 already in silver from cases/records/dt={D2}/case_records_{D2:%Y%m%d}.csv:5"
                             " with other content"),
                 (D3, "G"): ("UNKNOWN_ARTICLE", "Penal Code article not in reference: 999")}


# --- registry ------------------------------------------------------------------------

NID_P, NID_Q = "001090012345", "001090054321"


def person(nid, version=1, hh="HK-00000001", changed_at=T0):
    return {"op": "I" if version == 1 else "U", "national_id": nid, "full_name": "Nguyễn Văn A",
            "birth_date": "1990-01-02", "sex": "NAM", "household_id": hh, "changed_at": changed_at,
            "record_version": str(version)}


def residence(eid, nid=NID_P, action="REGISTER", eff="2025-08-01", hh="HK-00000001", typ="THUONG_TRU"):
    return {"event_id": eid, "national_id": nid, "household_id": hh, "residence_type": typ, "action": action,
            "commune_code": "00070", "address": "Số 1, phố Huế", "lat": "", "lon": "", "effective_date": eff,
            "expires_on": "", "registered_at": f"{eff}T09:00:00+07:00"}


def dossier(did, version=1, status="SUBMITTED", channel="ONLINE"):
    return {"dossier_id": did, "record_version": str(version), "service_code": "DK_THUONG_TRU",
            "channel": channel, "commune_code": "00070", "national_id": NID_P, "status": status,
            "submitted_at": T0, "completed_at": T2 if status == "COMPLETED" else "", "changed_at": T0}


REGISTRY_DAYS = {
    D1: {"residents": [person(NID_P), person(NID_Q)],
         "residence": [residence("R1"), residence("R2", NID_Q)],
         "dossiers": [dossier("X1"), dossier("X2")]},
    D2: {"residents": [person(NID_P),                            # resent, same
                       person(NID_Q, 2, hh="HK-00000002", changed_at=T1)],
         "residence": [residence("R1"),                          # resent, same
                       residence("R3", NID_Q, "DEREGISTER", "2025-08-03"),   # closes R2
                       residence("R4", NID_Q, hh="HK-00000002", eff="2025-08-03")],
         "dossiers": [dossier("X1", 2, "COMPLETED"), dossier("X2", channel="OFFLINE")]},   # X2: other content
    D3: {"residents": [person(NID_Q, 2, hh="HK-00000002", changed_at=T1)],   # resent
         "residence": [residence("R1", NID_Q),                   # resent with another person: D1's wins
                       residence("R5", NID_P, "DEREGISTER", "2025-08-05")],  # closes R1
         "dossiers": [dossier("X1", 2, "COMPLETED"), dossier("X3", 1, "PROCESSING")]},
}


def load_registry(spark, batches) -> str:
    from spark_jobs.registry import jobs

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        for days in batches:
            jobs.load_bronze(spark, days, f"order-{days[0]}")
            jobs.load_silver(spark, days)
    return err.getvalue()


def check_registry_in_order(spark) -> None:
    from spark_jobs import pii

    key = pii.key_from_env()
    p, q = pii.hmac_hex_py(NID_P, key), pii.hmac_hex_py(NID_Q, key)
    events = {r.event_id: (r.person_key, r.landing_date) for r in spark.table(config.SILVER_RESIDENCE_EVENTS).collect()}
    assert events == {"R1": (p, D1), "R2": (q, D1), "R3": (q, D2), "R4": (q, D2), "R5": (p, D3)}
    hist = {r.registration_id: (r.person_key, str(r.valid_to), r.end_reason)
            for r in spark.table(config.SILVER_RESIDENCE_HISTORY).collect()}
    assert hist == {"R1": (p, "2025-08-04", "DEREGISTERED"), "R2": (q, "2025-08-02", "DEREGISTERED"),
                    "R4": (q, "None", None)}
    dossiers = {r.dossier_id: (r.record_version, r.status, r.channel, r.landing_date)
                for r in spark.table(config.SILVER_DOSSIERS).collect()}
    assert dossiers == {"X1": (2, "COMPLETED", "ONLINE", D2), "X2": (1, "SUBMITTED", "ONLINE", D1),
                        "X3": (1, "PROCESSING", "ONLINE", D3)}
    residents = {r.person_key: (r.record_version, r.household_id, r.landing_date)
                 for r in spark.table(config.SILVER_RESIDENTS).collect()}
    assert residents == {p: (1, "HK-00000001", D1), q: (2, "HK-00000002", D2)}


# --- both sources: any order, re-run --------------------------------------------------

SOURCES = {
    # tables, loader, checks of the in-order load, reconciliation lines per run, what an
    # out-of-order load must log (a replacement), what a re-run must and must not log
    "cases": (CASE_TABLES, load_cases, check_cases_in_order, 1,
              "replacing copies of later landing days",
              ["(new 0, already there", "records: 0 new, 0 updated; status history: 0 added, 0 corrected"],
              "replac"),
    "registry": (REGISTRY_TABLES, load_registry, check_registry_in_order, 3,
                 "silver.residence_events: 1 new, 1 updated",
                 ["silver.residents: 0 new, 0 updated", "silver.residence_events: 0 new, 0 updated",
                  "silver.dossiers: 0 new, 0 updated", "0 periods inserted or changed"],
                 "1 updated"),
}


@pytest.fixture(scope="module", params=sorted(SOURCES))
def in_order(request, spark_local, landing):
    """(source, content after loading the three days one by one in landing order)."""
    tables, load, check, runs, *_ = SOURCES[request.param]
    drop_tables(spark_local, *tables)
    log = load(spark_local, [[D1], [D2], [D3]])
    check(spark_local)
    assert log.count("-> OK") == 3 * runs
    return request.param, content(spark_local, tables)


@pytest.mark.parametrize("batches", [[[D3], [D2], [D1]], [[D2, D3], [D1]]], ids=["3-2-1", "backfill 2..3, then 1"])
def test_any_order_gives_the_same_tables(spark_local, in_order, batches):
    source, want = in_order
    tables, load, _, runs, replaced, *_ = SOURCES[source]
    drop_tables(spark_local, *tables)
    log = load(spark_local, batches)
    got = content(spark_local, tables)
    for t in want:
        assert got[t] == want[t], t
    assert checksum(got) == checksum(want)
    assert log.count("-> OK") == runs * len(batches)
    assert replaced in log


def test_rerun_changes_nothing(spark_local, in_order):
    """After an out-of-order load, re-running every day as one backfill changes nothing."""
    source, want = in_order
    tables, load, *_, must, must_not = SOURCES[source]
    assert checksum(content(spark_local, tables)) == checksum(want)
    log = load(spark_local, [[D1, D2, D3]])
    assert checksum(content(spark_local, tables)) == checksum(want)
    for text in must:
        assert text in log, text
    assert must_not not in log
