"""Resident registry end to end through the real services, plus the PII guarantee.

Four months of registry extracts (with the start snapshot) across the merger, loaded by one
``resident_registry`` run for the range, then gold (the session's ``lakehouse``, see
tests/stack/conftest.py) → registrations in force per
commune equal a replay of the landing files (tests/support/registry_oracle.py); no national
ID or name from the landing files appears in any string column of any silver or gold table.
"""
from __future__ import annotations

import csv
import datetime as dt

import pytest
from pyspark.sql import functions as F

from spark_jobs import config
from tests.support import dq_oracle, registry_oracle

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def loaded(lakehouse, landing_dir):
    return registry_oracle.residence_events(landing_dir)


@pytest.mark.parametrize("day", [dt.date(2025, 6, 30), dt.date(2025, 7, 1), dt.date(2025, 8, 15)])
def test_registrations_in_force_per_commune(loaded, spark, day):
    mart = {r.commune_code: (r.active_permanent, r.active_temporary) for r in
            spark.table("gold.mart_residence_commune_daily").where(F.col("day") == F.lit(day)).collect()}
    perm = registry_oracle.in_force(loaded, day, "THUONG_TRU")
    temp = registry_oracle.in_force(loaded, day, "TAM_TRU")
    assert sum(perm.values()) > 50_000
    assert {c: p for c, (p, _) in mart.items() if p} == perm
    assert {c: t for c, (_, t) in mart.items() if t} == temp


def test_no_national_id_or_name_in_silver_or_gold(loaded, spark, landing_dir):
    ids, names = set(), set()
    for f in sorted((landing_dir / "registry").glob("*/dt=*/*residents*.csv")):
        with f.open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                ids.add(r.get("national_id", ""))
                names.add(r.get("full_name", ""))
    ids.discard("")
    names.discard("")
    assert len(ids) > 50_000 and len(names) > 1_000
    secrets = spark.createDataFrame([(v,) for v in ids | names], "secret string")
    checked, leaks = 0, []
    for schema in ("silver", "gold"):
        for t in spark.catalog.listTables(schema):
            n, found = _secrets_in(spark.table(f"{schema}.{t.name}"), secrets)
            checked += n
            leaks += [f"{schema}.{t.name}.{leak}" for leak in found]
    assert checked > 50
    assert leaks == []
    # the scan does see them where they are kept: in bronze's raw lines
    assert _secrets_in(spark.table(config.BRONZE_REGISTRY_RESIDENTS), secrets)[1]


NATIONAL_ID = r"[0-9]{12}"


def _secrets_in(table, secrets) -> tuple[int, list[str]]:
    """(string columns checked, "column: n exact|embedded" per column holding a secret): a
    value equal to a national ID or name, or with a national ID inside it. One Spark job
    per table over every (column, value) pair."""
    cols = [f.name for f in table.schema.fields if f.dataType.simpleString() == "string"]
    if not cols:
        return 0, []
    pairs = F.array(*[F.struct(F.lit(c).alias("field"), F.col(f"`{c}`").alias("v")) for c in cols])
    values = table.select(F.explode(pairs).alias("p")).select("p.field", "p.v").where(F.col("v").isNotNull()).distinct()
    exact = values.join(secrets, values["v"] == secrets["secret"], "left_semi").select("field", F.lit("exact").alias("kind"))
    embedded = (values.select("field", F.explode(F.regexp_extract_all("v", F.lit(NATIONAL_ID), 0)).alias("secret"))
                .join(secrets, "secret", "left_semi").select("field", F.lit("embedded").alias("kind")))
    hits = exact.unionByName(embedded).groupBy("field", "kind").count().collect()
    return len(cols), [f"{r.field}: {r['count']} {r.kind}" for r in hits]


def test_dossiers_online_faster_than_offline(loaded, spark):
    rows = (spark.table("gold.mart_dossier_processing_monthly")
            .where(F.col("service_code") == "DK_TAM_TRU").groupBy("channel")
            .agg((F.sum(F.col("median_processing_hours") * F.col("dossiers_completed"))
                  / F.sum("dossiers_completed")).alias("h")).collect())
    h = {r.channel: r.h for r in rows}
    assert h["ONLINE"] < h["OFFLINE"]


def test_dossier_processing_for_one_commune_month_service_channel(loaded, spark, landing_dir):
    month = dt.date(2025, 6, 1)    # before the merger: legacy codes rolled up
    docs = [d for d in registry_oracle.dossiers(landing_dir).values()
            if d["submitted_date"].replace(day=1) == month]
    groups: dict[tuple, list[dict]] = {}
    for d in docs:
        groups.setdefault((d["commune"], d["service_code"], d["channel"]), []).append(d)
    key = max(sorted(groups), key=lambda k: sum(d["status"] == "COMPLETED" for d in groups[k]))
    ds = groups[key]
    hours = [d["hours"] for d in ds if d["status"] == "COMPLETED"]
    assert len(hours) >= 5
    row = (spark.table("gold.mart_dossier_processing_monthly")
           .where((F.col("month_start") == F.lit(month)) & (F.col("commune_code") == key[0])
                  & (F.col("service_code") == key[1]) & (F.col("channel") == key[2])).first())
    assert (row.dossiers_submitted, row.dossiers_completed, row.dossiers_rejected) == \
        (len(ds), len(hours), sum(d["status"] == "REJECTED" for d in ds))
    assert row.mean_processing_hours == pytest.approx(round(sum(hours) / len(hours), 2), abs=0.006)


def test_scorecard_population_and_registrations(loaded, spark):
    day = dt.date(2025, 8, 15)
    perm = registry_oracle.in_force(loaded, day, "THUONG_TRU")
    temp = registry_oracle.in_force(loaded, day, "TAM_TRU")
    commune = max(sorted(perm), key=lambda c: registry_oracle.registrations_on(loaded, day, c))
    row = (spark.table("gold.mart_commune_daily_scorecard")
           .where((F.col("day") == F.lit(day)) & (F.col("commune_code") == commune)).first())
    assert row.population == perm[commune] + temp.get(commune, 0)
    assert row.registrations == registry_oracle.registrations_on(loaded, day, commune) > 0
    assert row.reports_per_10k == pytest.approx(round(row.reports_received * 10000 / row.population, 3))


@pytest.mark.parametrize("day", [dt.date(2025, 6, 20), dt.date(2025, 8, 10)])
def test_dq_scorecard_registry_rows(loaded, spark, day):
    """Every commune's registry row of the data-quality scorecard (registrations of the 7
    days up to the day against the commune's 28 days before, household / expiry present,
    share landed more than 48 h after registration, status) equals the landing files'."""
    from collections import Counter

    from antt.reference.admin_units import hanoi_communes

    records = []
    for e in loaded.values():
        if e["action"] != "REGISTER":
            continue
        at = dt.datetime.fromisoformat(e["registered_at"])
        present = bool(e["household_id"]) + (bool(e["expires_on"]) or e["residence_type"] == "THUONG_TRU")
        records.append(dq_oracle.Record(at.astimezone(dq_oracle.LOCAL_TZ).date(), e["commune"], present / 2,
                                        dq_oracle.delay_hours(at, e["landing"])))
    want = dq_oracle.expected_rows(records, day, [c.code for c in hanoi_communes()],
                                   "dq_max_delay_hours_registry")
    rows = {r.commune_code: r for r in spark.table("gold.mart_dq_scorecard_daily")
            .where((F.col("day") == F.lit(day)) & (F.col("source") == "residence_events")).collect()}
    dq_oracle.assert_rows_match(rows, want)
    print(f"dq scorecard residence_events {day}: {dict(Counter(w['status'] for w in want.values()))}")
    assert sum(w["records"] for w in want.values()) > 0
