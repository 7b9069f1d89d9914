"""Row counts per layer, with the checks that must hold between them.

    landing lines = bronze rows
    bronze rows   = silver rows + quarantined + duplicates removed
    silver violations = fct_camera_violations rows = SUM(mart violations)

``python -m spark_jobs.counts [--from D --to D]`` prints the table.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from spark_jobs import config
from spark_jobs.session import get_spark


def landing_lines(landing_root: Path, dates: list[dt.date] | None) -> tuple[int, int]:
    """(files, non-blank lines) of the landing event files, read with plain gzip."""
    files = lines = 0
    day_dirs = ([landing_root / f"dt={d.isoformat()}" for d in dates] if dates
                else sorted(landing_root.glob("dt=*")))
    for day in day_dirs:
        for f in sorted(day.glob("hh=*/*.jsonl.gz")):
            files += 1
            with gzip.open(f, "rt", encoding="utf-8", errors="replace") as fh:
                lines += sum(1 for line in fh if line.strip())
    return files, lines


def layer_counts(spark: SparkSession, dates: list[dt.date] | None = None) -> dict[str, int]:
    cfg = config.settings()
    files, lines = landing_lines(cfg.camera_events_landing, dates)

    def count(table: str, date_col: str | None = None, where=None) -> int:
        if not spark.catalog.tableExists(table):
            return 0
        df = spark.table(table)
        if dates and date_col:
            df = df.where(F.col(date_col).isin(dates))
        if where is not None:
            df = df.where(where)
        return df.count()

    bronze = count(config.BRONZE_CAMERA_EVENTS, "landing_date")
    quarantined = count(config.QUARANTINE_CAMERA_EVENTS, "landing_date")
    # silver rows that came from these landing days (an event keeps its first landing day)
    silver = count(config.SILVER_CAMERA_EVENTS, "landing_date")
    silver_violations = count(config.SILVER_CAMERA_EVENTS, "landing_date", F.col("violation_code").isNotNull())
    out = {
        "landing_files": files, "landing_lines": lines, "bronze": bronze, "silver": silver,
        "quarantined": quarantined, "duplicates_removed": bronze - silver - quarantined,
        "silver_violations": silver_violations,
    }
    if not dates and spark.catalog.tableExists("gold.fct_camera_violations"):
        out["gold_fct_camera_violations"] = spark.table("gold.fct_camera_violations").count()
        out["gold_mart_rows"] = spark.table("gold.mart_violations_commune_daily").count()
        out["gold_mart_violations"] = int(
            spark.table("gold.mart_violations_commune_daily").agg(F.sum("violations")).first()[0] or 0)
    return out


def checks(c: dict[str, int]) -> list[tuple[str, bool]]:
    res = [("landing lines = bronze rows", c["landing_lines"] == c["bronze"]),
           ("duplicates removed >= 0", c["duplicates_removed"] >= 0)]
    if "gold_fct_camera_violations" in c:
        res += [("silver violations = gold fct rows", c["silver_violations"] == c["gold_fct_camera_violations"]),
                ("gold fct rows = SUM(mart violations)", c["gold_fct_camera_violations"] == c["gold_mart_violations"])]
    return res


def render(c: dict[str, int]) -> str:
    rows = [
        ("landing", "camera/events/**/*.jsonl.gz", f"{c['landing_files']:,} files, {c['landing_lines']:,} lines"),
        ("bronze", config.BRONZE_CAMERA_EVENTS, f"{c['bronze']:,}"),
        ("silver", config.SILVER_CAMERA_EVENTS, f"{c['silver']:,}  (violations {c['silver_violations']:,})"),
        ("quarantine", config.QUARANTINE_CAMERA_EVENTS, f"{c['quarantined']:,}"),
        ("", "duplicates removed", f"{c['duplicates_removed']:,}"),
    ]
    if "gold_fct_camera_violations" in c:
        rows += [("gold", "gold.fct_camera_violations", f"{c['gold_fct_camera_violations']:,}"),
                 ("gold", "gold.mart_violations_commune_daily",
                  f"{c['gold_mart_rows']:,} rows, SUM(violations) {c['gold_mart_violations']:,}")]
    w = max(len(r[1]) for r in rows)
    lines = [f"{'layer':<11}{'table':<{w + 2}}rows", "-" * (w + 40)]
    lines += [f"{a:<11}{b:<{w + 2}}{v}" for a, b, v in rows]
    lines.append(f"bronze {c['bronze']:,} = silver {c['silver']:,} + quarantined {c['quarantined']:,}"
                 f" + duplicates removed {c['duplicates_removed']:,}")
    lines += [f"[{'OK' if ok else 'FAIL'}] {name}" for name, ok in checks(c)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--from", dest="start", type=dt.date.fromisoformat)
    p.add_argument("--to", dest="end", type=dt.date.fromisoformat)
    a = p.parse_args(argv)
    dates = None
    if a.start:
        end = a.end or a.start
        dates = [a.start + dt.timedelta(days=i) for i in range((end - a.start).days + 1)]
    c = layer_counts(get_spark("counts"), dates)
    print(render(c))
    return 0 if all(ok for _, ok in checks(c)) else 1


if __name__ == "__main__":
    raise SystemExit(main())
