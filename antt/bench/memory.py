"""Peak resident memory (VmHWM) of the services the benchmark starts, from /proc."""
from __future__ import annotations

import os
from pathlib import Path


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants that still run."""
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        try:
            todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except OSError:
            continue
    return seen


def _hwm_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _exe(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return ""


def service_peak_mib(pidfile: Path, exe_suffix: str | None = None) -> float | None:
    """Sum of the peak resident memory of the processes of a service started by
    infra/services.sh (its pidfile's process and descendants; only executables ending in
    ``exe_suffix`` when given). A sum of per-process peaks: an upper bound of the service's
    peak, exact for a single process such as the Spark JVM."""
    if not pidfile.exists():
        return None
    pids = [p for p in process_tree(int(pidfile.read_text().strip()))
            if exe_suffix is None or _exe(p).endswith(exe_suffix)]
    peaks = [m for m in map(_hwm_mib, pids) if m is not None]
    return sum(peaks) if peaks else None
