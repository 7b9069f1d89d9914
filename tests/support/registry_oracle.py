"""Independent figures for the residence marts, straight from the landing CSV files.

Plain Python: the start snapshot plus every daily residence extract; registrations in force
replayed with the documented rules (a de-registration closes the registration of the same
person, type and household in force on its effective date; TAM_TRU / LUU_TRU end at
``expires_on``); legacy codes (before 1 July 2025) mapped by the reference rule.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from antt.reference.admin_units import MERGER_DATE, current_commune_for, hanoi_communes

MERGER = dt.date.fromisoformat(MERGER_DATE)
ID_RE = re.compile(r"^[0-9]{12}$")


def _rows(path: Path):
    with path.open(encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh)
        head = next(rows)
        for r in rows:
            if len(r) == len(head):
                yield dict(zip(head, r))


def residence_events(landing_dir: Path) -> dict[str, dict]:
    current = {c.code for c in hanoi_communes()}
    root = Path(landing_dir) / "registry"
    files = sorted(root.glob("snapshot/dt=*/residence_snapshot.csv")) + sorted(root.glob("residence/dt=*/*.csv"))
    out: dict[str, dict] = {}
    for f in files:
        for e in _rows(f):
            if not (ID_RE.match(e["national_id"]) and e["effective_date"] and e["registered_at"]):
                continue
            eff = dt.date.fromisoformat(e["effective_date"])
            try:
                if eff < MERGER:
                    e["commune"] = current_commune_for(e["commune_code"], float(e["lat"]) if e["lat"] else None,
                                                       float(e["lon"]) if e["lon"] else None)
                elif e["commune_code"] in current:
                    e["commune"] = e["commune_code"]
                else:
                    continue
            except KeyError:
                continue
            e["landing"] = dt.date.fromisoformat(f.parent.name.removeprefix("dt="))
            e["eff"] = eff
            e["exp"] = dt.date.fromisoformat(e["expires_on"]) if e["expires_on"] else None
            out.setdefault(e["event_id"], e)
    return out


def in_force(events: dict[str, dict], day: dt.date, residence_type: str) -> dict[str, int]:
    """Registrations of the type in force at the end of ``day``, per current commune."""
    regs = [e for e in events.values() if e["action"] == "REGISTER"]
    by_key: dict[tuple, list[dict]] = {}
    for r in regs:
        by_key.setdefault((r["national_id"], r["residence_type"], r["household_id"]), []).append(r)
    closed: dict[str, dt.date] = {}
    for d in (e for e in events.values() if e["action"] == "DEREGISTER"):
        cands = [r for r in by_key.get((d["national_id"], d["residence_type"], d["household_id"]), [])
                 if r["eff"] <= d["eff"] and (r["exp"] is None or r["exp"] >= d["eff"])]
        if cands:
            r = max(cands, key=lambda r: (r["eff"], r["event_id"]))
            closed[r["event_id"]] = min(closed.get(r["event_id"], d["eff"]), d["eff"])
    out: dict[str, int] = {}
    for r in regs:
        if r["residence_type"] != residence_type or r["eff"] > day:
            continue
        if r["exp"] is not None and r["exp"] < day:
            continue
        if r["event_id"] in closed and closed[r["event_id"]] <= day:
            continue
        out[r["commune"]] = out.get(r["commune"], 0) + 1
    return out


LOCAL = dt.timezone(dt.timedelta(hours=7))


def _local_date(ts: str) -> dt.date:
    return dt.datetime.fromisoformat(ts).astimezone(LOCAL).date()


def dossiers(landing_dir: Path) -> dict[str, dict]:
    """Newest valid version of every dossier, with its current commune (legacy codes before
    1 July 2025 by the reference rule; dossiers carry no coordinates, so split units go to
    the default ward), local submission date and processing hours (completed − submitted)."""
    current = {c.code for c in hanoi_communes()}
    out: dict[str, dict] = {}
    for f in sorted((Path(landing_dir) / "registry" / "dossiers").glob("dt=*/*.csv")):
        for d in _rows(f):
            if not (ID_RE.match(d["national_id"]) and d["submitted_at"] and d["dossier_id"]):
                continue
            submitted = _local_date(d["submitted_at"])
            try:
                commune = (current_commune_for(d["commune_code"]) if submitted < MERGER
                           else d["commune_code"] if d["commune_code"] in current else None)
            except KeyError:
                commune = None
            if commune is None:
                continue
            d["commune"], d["submitted_date"] = commune, submitted
            d["hours"] = (round((dt.datetime.fromisoformat(d["completed_at"])
                                 - dt.datetime.fromisoformat(d["submitted_at"])).total_seconds() / 3600, 3)
                          if d["completed_at"] else None)
            old = out.get(d["dossier_id"])
            if old is None or int(d["record_version"]) > int(old["record_version"]):
                out[d["dossier_id"]] = d
    return out


def registrations_on(events: dict[str, dict], day: dt.date, commune: str) -> int:
    """Permanent + temporary registrations recorded (registered_at, local date) on ``day``."""
    return sum(1 for e in events.values()
               if e["action"] == "REGISTER" and e["commune"] == commune
               and e["residence_type"] in ("THUONG_TRU", "TAM_TRU") and _local_date(e["registered_at"]) == day)
