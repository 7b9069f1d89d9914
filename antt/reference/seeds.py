"""Reference data kept in the repo as dbt seeds (``dbt/seeds/*.csv``).

dbt loads them into the gold schema for the marts; the silver jobs read the same files to
validate incoming records, so there is one list, not two.
"""
from __future__ import annotations

import csv
import os
from functools import lru_cache
from pathlib import Path

ROOT = Path(os.environ.get("ANTT_ROOT", Path(__file__).resolve().parents[2]))
SEEDS = ROOT / "dbt" / "seeds"


def read_seed(name: str) -> list[dict[str, str]]:
    path = SEEDS / f"{name}.csv"
    if not path.exists():
        raise FileNotFoundError(f"reference seed {path} is missing")
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@lru_cache(maxsize=1)
def penal_code_articles() -> frozenset[int]:
    """Penal Code articles the case system may use (dbt/seeds/ref_penal_code_articles.csv)."""
    return frozenset(int(r["article"]) for r in read_seed("ref_penal_code_articles"))
