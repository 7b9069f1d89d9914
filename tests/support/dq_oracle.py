"""Independent figures for the case and registry rows of ``gold.mart_dq_scorecard_daily``.

Plain Python over records the other oracles read from the landing files. The rule, as the
mart documents it: per commune, the records of the 7 days up to the day against 7 × the
commune's daily mean of the 28 days before them (days from the source's first record on);
field completeness and the share of records later than the source's limit over the same 7
days; a unit is judged on completeness only when at least ``dq_min_expected_records`` are
expected. Thresholds come from the dbt project's vars, as the mart's do.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Iterable, NamedTuple

import yaml

LOCAL_TZ = dt.timezone(dt.timedelta(hours=7))
DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt" / "dbt_project.yml"


class Record(NamedTuple):
    day: dt.date            # receipt / registration date (local)
    commune: str            # current commune
    fields_present: float   # share of the judged optional fields present
    delay_hours: float      # event -> end of the landing day of its first extract


@lru_cache(maxsize=1)
def dq_vars() -> dict:
    return {k: v for k, v in yaml.safe_load(DBT_PROJECT.read_text(encoding="utf-8"))["vars"].items()
            if k.startswith("dq_")}


def delay_hours(at: dt.datetime, landing: dt.date) -> float:
    """Hours from ``at`` to the end of the landing day (local midnight after it), at least 0."""
    end = dt.datetime.combine(landing + dt.timedelta(days=1), dt.time(), LOCAL_TZ)
    return max(0.0, (end - at).total_seconds() / 3600)


def expected_rows(records: Iterable[Record], day: dt.date, communes: Iterable[str],
                  max_delay_var: str) -> dict[str, dict]:
    """commune -> the scorecard figures of ``day`` for one source."""
    v = dq_vars()
    records = list(records)
    first_day = min(r.day for r in records)
    by = defaultdict(list)
    for r in records:
        by[r.commune, r.day].append(r)
    week = [day - dt.timedelta(days=k) for k in range(7) if day - dt.timedelta(days=k) >= first_day]
    before = [day - dt.timedelta(days=k) for k in range(7, 35) if day - dt.timedelta(days=k) >= first_day]
    out = {}
    for c in communes:
        rows = [r for d in week for r in by[c, d]]
        n = len(rows)
        expected = sum(len(by[c, d]) for d in before) / len(before) * 7 if before else None
        fields = sum(r.fields_present for r in rows) / n if n else None
        late = sum(r.delay_hours > v[max_delay_var] for r in rows) / n if n else None
        late_flag = late is not None and late > v["dq_max_late_share"]
        if (expected or 0) < v["dq_min_expected_records"]:
            status = "LATE" if late_flag else "OK"
        elif n == 0:
            status = "NO_DATA"
        elif n / expected < v["dq_min_completeness"]:
            status = "THIN"
        else:
            status = "LATE" if late_flag else "OK"
        out[c] = {"records": n, "rows_received": len(by[c, day]), "expected_records": expected,
                  "field_completeness": fields, "late_share": late, "status": status}
    return out


def assert_rows_match(mart_rows: dict, want: dict[str, dict]) -> None:
    """Compare the mart's rows (commune -> Row) with :func:`expected_rows`."""
    import pytest

    assert set(mart_rows) == set(want)
    for c, w in want.items():
        r = mart_rows[c]
        assert (r.records, r.rows_received, r.status) == (w["records"], w["rows_received"], w["status"]), c
        for col in ("expected_records", "field_completeness", "late_share"):
            got = getattr(r, col)
            assert (got is None) == (w[col] is None), (c, col)
            assert got is None or got == pytest.approx(w[col], rel=1e-9), (c, col)
