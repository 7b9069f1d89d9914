"""Shared by every source's silver job: conforming admin-unit codes across the 2025 merger,
and the timestamp rule.

``conform`` adds ``commune_code``: a CURRENT code as it is; a LEGACY code through
``silver.ref_commune_crosswalk`` — a unit merged whole to its one commune, a split unit to
the candidate nearest the record's point, else the reference's default ward (the rule of
:func:`antt.reference.admin_units.current_commune_for`, which the tests hold it to).
Input columns: ``location_code_scheme``, ``t_location_commune_code``, ``lat``, ``lon`` and
the bronze row key.
"""
from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

# ISO 8601 with a zone: the source must say which clock it used.
ZONED_TS_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:?[0-9]{2})$"
ROW_KEY = ["landing_date", "source_file", "record_no"]


def conform(valid: DataFrame, crosswalk: DataFrame) -> DataFrame:
    """Add ``commune_code``: current codes as they are, legacy ones through the crosswalk."""
    cw = crosswalk.select(F.col("legacy_code").alias("_lc"), F.col("commune_code").alias("_cc"),
                          "is_default", "target_lat", "target_lon")
    legacy = valid.where(F.col("location_code_scheme") == "LEGACY")
    cand = legacy.join(cw, legacy["t_location_commune_code"] == cw["_lc"], "inner")
    # great-circle distance (km) from the record's point to each candidate's centroid
    dist = F.expr("""2 * 6371.0088 * asin(sqrt(
        pow(sin(radians(target_lat - lat) / 2), 2)
        + cos(radians(lat)) * cos(radians(target_lat)) * pow(sin(radians(target_lon - lon) / 2), 2)))""")
    w = Window.partitionBy(*ROW_KEY).orderBy(
        F.when(F.col("lat").isNull(), F.when(F.col("is_default"), 0).otherwise(1)).asc(),
        dist.asc_nulls_last(), F.col("_cc").asc())
    picked = (cand.withColumn("_rank", F.row_number().over(w)).where("_rank = 1")
              .withColumn("commune_code", F.col("_cc"))
              .drop("_lc", "_cc", "is_default", "target_lat", "target_lon", "_rank"))
    current = (valid.where(F.col("location_code_scheme") == "CURRENT")
               .withColumn("commune_code", F.col("t_location_commune_code")))
    return current.unionByName(picked)
