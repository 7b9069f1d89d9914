"""Reference data → silver: current and legacy admin units, the crosswalk, police units.

Everything comes from :mod:`antt.reference.admin_units` (the PyPI reference packages), never
from a hand-typed list. Each table is a full snapshot, rewritten only when its content
changed, so a re-run leaves the Delta history untouched.

Police units: after 1 July 2025 each current commune/ward has its commune police
(``CAX-<commune code>``); before, each legacy ward had its ward police (``CAX-<legacy code>``)
and each of the 30 districts its district police (``CAH-<district code>``), abolished by
the reform. The two eras share codes, so every unit row carries its validity dates.
"""
from __future__ import annotations

import argparse
import datetime as dt

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from antt.reference.admin_units import (
    MERGER_DATE,
    hanoi_communes,
    hanoi_crosswalk,
    hanoi_legacy_communes,
)
from spark_jobs import config
from spark_jobs.common import ensure_schema, log
from spark_jobs.session import get_spark

MERGER = dt.date.fromisoformat(MERGER_DATE)
LAST_LEGACY_DAY = MERGER - dt.timedelta(days=1)

COMMUNES = T.StructType([
    T.StructField("commune_code", T.StringType(), False),
    T.StructField("commune_name", T.StringType(), False),
    T.StructField("commune_type", T.StringType(), False),
    T.StructField("lat", T.DoubleType()),
    T.StructField("lon", T.DoubleType()),
    T.StructField("area_km2", T.DoubleType()),
    T.StructField("coord_source", T.StringType()),
])
LEGACY = T.StructType([
    T.StructField("legacy_code", T.StringType(), False),
    T.StructField("legacy_name", T.StringType(), False),
    T.StructField("legacy_type", T.StringType(), False),
    T.StructField("district_code", T.StringType(), False),
    T.StructField("district_name", T.StringType(), False),
    T.StructField("district_type", T.StringType(), False),
    T.StructField("lat", T.DoubleType()),
    T.StructField("lon", T.DoubleType()),
])
CROSSWALK = T.StructType([
    T.StructField("legacy_code", T.StringType(), False),
    T.StructField("commune_code", T.StringType(), False),
    T.StructField("is_default", T.BooleanType(), False),
    T.StructField("n_targets", T.IntegerType(), False),
    T.StructField("target_lat", T.DoubleType(), False),
    T.StructField("target_lon", T.DoubleType(), False),
])
UNITS = T.StructType([
    T.StructField("unit_code", T.StringType(), False),
    T.StructField("unit_name", T.StringType(), False),
    T.StructField("unit_level", T.StringType(), False),
    T.StructField("admin_code", T.StringType(), False),
    T.StructField("valid_from", T.DateType()),
    T.StructField("valid_to", T.DateType()),
])


def communes_rows() -> list[tuple]:
    return [(c.code, c.name, c.type, c.lat, c.lon, c.area_km2, c.coord_source) for c in hanoi_communes()]


def legacy_rows() -> list[tuple]:
    return [(c.code, c.name, c.type, c.district_code, c.district_name, c.district_type, c.lat, c.lon)
            for c in hanoi_legacy_communes()]


def crosswalk_rows() -> list[tuple]:
    return [(t.legacy_code, t.commune_code, t.is_default, len(ts), t.lat, t.lon)
            for ts in hanoi_crosswalk().values() for t in ts]


def police_unit_rows() -> list[tuple]:
    rows = [(f"CAX-{c.code}", f"Công an {c.name}", "COMMUNE", c.code, MERGER, None)
            for c in hanoi_communes()]
    legacy = hanoi_legacy_communes()
    rows += [(f"CAX-{c.code}", f"Công an {c.name} ({c.district_name})", "LEGACY_WARD", c.code,
              None, LAST_LEGACY_DAY) for c in legacy]
    districts = {c.district_code: c.district_name for c in legacy}
    rows += [(f"CAH-{code}", f"Công an {name}", "LEGACY_DISTRICT", code, None, LAST_LEGACY_DAY)
             for code, name in sorted(districts.items())]
    return rows


TABLES = {
    config.SILVER_REF_COMMUNES: (COMMUNES, communes_rows, "Current (from 1 July 2025) Hanoi communes/wards"),
    config.SILVER_REF_LEGACY_COMMUNES: (LEGACY, legacy_rows, "Hanoi communes/wards before 1 July 2025, with their districts"),
    config.SILVER_REF_COMMUNE_CROSSWALK: (CROSSWALK, crosswalk_rows, "Legacy commune -> current commune(s); split units list every candidate"),
    config.SILVER_REF_POLICE_UNITS: (UNITS, police_unit_rows, "Police units receiving reports, with validity dates"),
}


def _same(spark: SparkSession, table: str, df: DataFrame) -> bool:
    if not spark.catalog.tableExists(table):
        return False
    old = spark.table(table)
    if [f.name for f in old.schema] != [f.name for f in df.schema]:
        return False
    return old.exceptAll(df).isEmpty() and df.exceptAll(old).isEmpty()


def run(spark: SparkSession) -> dict[str, int]:
    ensure_schema(spark, "silver")
    out = {}
    for table, (schema, rows_fn, comment) in TABLES.items():
        rows = rows_fn()
        df = spark.createDataFrame(rows, schema)
        if _same(spark, table, df):
            log(f"reference {table}: {len(rows):,} rows, unchanged")
        else:
            (df.write.format("delta").mode("overwrite").option("overwriteSchema", "true")
             .option("comment", comment).saveAsTable(table))
            log(f"reference {table}: {len(rows):,} rows written")
        out[table] = len(rows)
    return out


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__).parse_args(argv)
    run(get_spark("reference_admin_units"))


if __name__ == "__main__":
    main()
