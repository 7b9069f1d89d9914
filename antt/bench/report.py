"""The benchmark's one table: rows of (figure, value, unit, note), plain text."""
from __future__ import annotations

import datetime as dt
import os
import platform
from dataclasses import dataclass


@dataclass
class Row:
    figure: str
    value: float | None
    unit: str
    note: str = ""


def _num(v: float | None, unit: str) -> str:
    if v is None:
        return "—"
    if unit in ("rows/s", "rows", "MiB"):
        return f"{v:,.0f}"
    if unit in ("ratio", "share"):
        return f"{v:.2f}" if unit == "ratio" else f"{v:.0%}"
    if unit == "s" and v < 10:
        return f"{v:.2f}"
    return f"{v:,.1f}"


def machine() -> str:
    mem = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            kib = int(fh.readline().split()[1])
        mem = f", {kib / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{platform.node()} — {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}"


def render(rows: list[Row], command: str, when: dt.datetime | None = None) -> str:
    when = when or dt.datetime.now()
    head = ("figure", "value", "unit", "note")
    cells = [(r.figure, _num(r.value, r.unit), r.unit, r.note) for r in rows]
    w = [max(len(c[i]) for c in [head, *cells]) for i in range(4)]
    line = "+" + "+".join("-" * (n + 2) for n in w) + "+"

    def fmt(c):
        return "| " + " | ".join((c[i].rjust(w[i]) if i == 1 else c[i].ljust(w[i])) for i in range(4)) + " |"

    out = [f"ANTT Lakehouse benchmark — {when:%Y-%m-%d %H:%M} — {machine()}", f"command: {command}",
           line, fmt(head), line, *[fmt(c) for c in cells], line]
    return "\n".join(out)
