"""Read ``thresholds.yml``: warn / fail bounds per table and check id."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PATH = Path(__file__).with_name("thresholds.yml")
ENV_VAR = "ANTT_GX_THRESHOLDS"
DEFAULTS = "defaults"   # bounds per rule, for checks a table does not list
BOUND_KEYS = ("warn_below", "fail_below", "warn_above", "fail_above")

PASS, WARN, FAIL = "PASS", "WARN", "FAIL"


class ThresholdsError(ValueError):
    """thresholds.yml does not match the suites (missing/unknown check, bad bound)."""


@dataclass(frozen=True)
class Bounds:
    warn_below: float | None = None
    fail_below: float | None = None
    warn_above: float | None = None
    fail_above: float | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def strictest_min(self) -> float | None:
        vals = [v for v in (self.warn_below, self.fail_below) if v is not None]
        return max(vals) if vals else None

    def strictest_max(self) -> float | None:
        vals = [v for v in (self.warn_above, self.fail_above) if v is not None]
        return min(vals) if vals else None

    def status(self, observed: float | None) -> str:
        """PASS / WARN / FAIL for an observed value (None = nothing to judge = PASS)."""
        if observed is None:
            return PASS
        if (self.fail_below is not None and observed < self.fail_below) or (
                self.fail_above is not None and observed > self.fail_above):
            return FAIL
        if (self.warn_below is not None and observed < self.warn_below) or (
                self.warn_above is not None and observed > self.warn_above):
            return WARN
        return PASS

    def crossed(self, observed: float | None) -> str:
        """The bound that decided ``status(observed)``, e.g. 'fail_below 0.99'."""
        st = self.status(observed)
        if st == PASS:
            return self.describe()
        prefix = "fail" if st == FAIL else "warn"
        for key in (f"{prefix}_below", f"{prefix}_above"):
            v = getattr(self, key)
            if v is not None and ((key.endswith("below") and observed < v)
                                  or (key.endswith("above") and observed > v)):
                return f"{key.replace('_', ' ')} {v:g}"
        return self.describe()

    def as_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in BOUND_KEYS if getattr(self, k) is not None}
        if self.params:
            d["params"] = dict(self.params)
        return d

    def describe(self) -> str:
        parts = [f"{k.replace('_', ' ')} {getattr(self, k):g}" for k in BOUND_KEYS
                 if getattr(self, k) is not None]
        return ", ".join(parts) or "no bound"


def resolve_path(path: str | os.PathLike | None = None) -> Path:
    if path:
        return Path(path)
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else DEFAULT_PATH


def load(path: str | os.PathLike | None = None) -> dict[str, dict[str, Bounds]]:
    """All tables' bounds: ``{table: {check_id: Bounds}}``."""
    p = resolve_path(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ThresholdsError(f"thresholds file not found: {p}") from None
    if not isinstance(raw, dict):
        raise ThresholdsError(f"{p}: expected a mapping of table -> checks")
    out: dict[str, dict[str, Bounds]] = {}
    for table, checks in raw.items():
        if not isinstance(checks, dict):
            raise ThresholdsError(f"{p}: {table}: expected a mapping of check id -> bounds")
        out[table] = {}
        for check_id, spec in checks.items():
            spec = dict(spec or {})
            params = spec.pop("params", None) or {}
            unknown = set(spec) - set(BOUND_KEYS)
            if unknown:
                raise ThresholdsError(
                    f"{p}: {table}.{check_id}: unknown key(s) {sorted(unknown)}; "
                    f"allowed: {list(BOUND_KEYS)} and params")
            vals = {}
            for k, v in spec.items():
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    raise ThresholdsError(f"{p}: {table}.{check_id}.{k}: not a number: {v!r}")
                vals[k] = float(v)
            if not vals:
                raise ThresholdsError(f"{p}: {table}.{check_id}: no warn_*/fail_* bound")
            out[table][check_id] = Bounds(**vals, params=params)
    return out


def for_table(table: str, check_ids: list[str],
              path: str | os.PathLike | None = None,
              rules: dict[str, str | None] | None = None) -> dict[str, Bounds]:
    """Bounds of one table, checked against the suite's check ids (both directions).

    ``rules`` maps a check id to its rule: a check the table does not list takes the
    bounds of ``defaults.<rule>``.
    """
    p = resolve_path(path)
    allb = load(p)
    defaults = allb.get(DEFAULTS, {})
    rules = rules or {}
    if table not in allb and not all(rules.get(c) in defaults for c in check_ids):
        raise ThresholdsError(f"{p}: no thresholds for table {table!r}")
    got = dict(allb.get(table, {}))
    unknown = [c for c in got if c not in check_ids]
    for c in check_ids:
        if c not in got and rules.get(c) in defaults:
            got[c] = defaults[rules[c]]
    missing = [c for c in check_ids if c not in got]
    if missing or unknown:
        raise ThresholdsError(
            f"{p}: {table}: thresholds do not match the suite: missing {missing}, unknown {unknown}")
    return got
