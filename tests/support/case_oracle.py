"""Independent figures for the case marts, straight from the landing CSV files.

Plain Python (csv + datetime): no Spark, no dbt. Valid rows are recognised by the rules the
generator documents (field count, required fields, known article and unit code for the
era); the current commune comes from the reference rule
:func:`antt.reference.admin_units.current_commune_for`.
"""
from __future__ import annotations

import csv
import datetime as dt
from functools import lru_cache
from pathlib import Path

from antt.reference.admin_units import MERGER_DATE, current_commune_for, hanoi_communes
from antt.reference.seeds import penal_code_articles, read_seed

MERGER = dt.date.fromisoformat(MERGER_DATE)


def _ts(text: str) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def _local_date(t: dt.datetime | None) -> dt.date | None:
    return t.astimezone(dt.timezone(dt.timedelta(hours=7))).date() if t else None


def load_records(landing_dir: Path) -> dict[str, dict]:
    """Newest valid version of every record found in any landed extract, with the landing
    day of its first valid version (``first_landing``)."""
    articles = penal_code_articles()
    current = {c.code for c in hanoi_communes()}
    versions: dict[tuple[str, int], dict] = {}
    first_landing: dict[str, dt.date] = {}   # earliest landing day of any valid version
    for path in sorted((Path(landing_dir) / "cases" / "records").glob("dt=*/*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows = csv.reader(fh)
            head = next(rows)
            for r in rows:
                if len(r) != len(head):
                    continue
                rec = dict(zip(head, r))
                if not rec["received_at"] or int(rec["article"]) not in articles:
                    continue
                received = _local_date(_ts(rec["received_at"]))
                code = rec["location_commune_code"]
                try:
                    commune = (current_commune_for(code, float(rec["lat"]) if rec["lat"] else None,
                                                   float(rec["lon"]) if rec["lon"] else None)
                               if received < MERGER else (code if code in current else None))
                except KeyError:
                    commune = None
                if commune is None:
                    continue
                rec["commune_code"] = commune
                rec["received_date"] = received
                landing = dt.date.fromisoformat(path.parent.name.removeprefix("dt="))
                first_landing[rec["record_id"]] = min(landing, first_landing.get(rec["record_id"], landing))
                versions.setdefault((rec["record_id"], int(rec["record_version"])), rec)
    latest: dict[str, dict] = {}
    for (rid, v), rec in sorted(versions.items()):
        latest[rid] = rec  # sorted by version: the last one wins
    for rid, rec in latest.items():
        rec["first_landing"] = first_landing[rid]
    return latest


@lru_cache(maxsize=1)
def _categories() -> dict[int, str]:
    return {int(r["article"]): r["category_code"] for r in read_seed("ref_penal_code_articles")}


def category_of(article: int) -> str:
    return _categories()[article]


def count_received(records: dict[str, dict], commune: str, category: str | None,
                   first: dt.date, last: dt.date) -> int:
    return sum(1 for r in records.values()
               if r["commune_code"] == commune and first <= r["received_date"] <= last
               and (category is None or category_of(int(r["article"])) == category))


def clearance(records: dict[str, dict], commune: str, month: dt.date) -> tuple[int, int]:
    """(cases opened, cases cleared) in the month for the commune."""
    def in_month(text):
        d = _local_date(_ts(text))
        return d is not None and (d.year, d.month) == (month.year, month.month)
    opened = sum(1 for r in records.values() if r["commune_code"] == commune and in_month(r["prosecuted_at"]))
    cleared = sum(1 for r in records.values() if r["commune_code"] == commune and in_month(r["cleared_at"]))
    return opened, cleared
