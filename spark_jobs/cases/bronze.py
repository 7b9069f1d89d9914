"""Landing → bronze for the case system's daily CDC extracts (see spark_jobs.csv_bronze).

One bronze row per CSV record of ``cases/records/dt=YYYY-MM-DD/*.csv`` in
``bronze.case_records``; loading a day twice adds nothing.
"""
from __future__ import annotations

import argparse
import datetime as dt

from pyspark.sql import SparkSession

from spark_jobs import config, csv_bronze
from spark_jobs.common import date_range

FEED = csv_bronze.Feed("case_records", "cases/records", config.BRONZE_CASE_RECORDS,
                       comment="Case management CDC extracts as landed: one row per CSV record")


def run(spark: SparkSession, landing_dates: dt.date | list[dt.date], run_id: str) -> dict[str, int]:
    """Load the extracts of one landing date or of several (a backfill) in one MERGE."""
    return csv_bronze.run(spark, FEED, landing_dates, run_id)


def main(argv: list[str] | None = None) -> None:
    from spark_jobs.session import get_spark

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--date", required=True, type=dt.date.fromisoformat, help="(first) landing date")
    p.add_argument("--to", type=dt.date.fromisoformat, help="last landing date of a range (inclusive)")
    p.add_argument("--run-id", default=f"manual-{dt.datetime.now():%Y%m%dT%H%M%S}")
    a = p.parse_args(argv)
    run(get_spark("cases_bronze"), date_range(a.date, a.to), a.run_id)


if __name__ == "__main__":
    main()
