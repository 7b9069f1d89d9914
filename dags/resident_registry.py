"""Resident registry (cư trú): landing → bronze → silver (Spark), PII pseudonymised; an Airflow DAG."""
from __future__ import annotations

from antt.airflow_support import SILVER_RESIDENT_REGISTRY, csv_source_dag

DOC = """
### Resident registry (resident_registry)
Loads the national residence database's nightly extracts
(`registry/residents`, `registry/residence`, `registry/dossiers`, each `dt=YYYY-MM-DD/*.csv`,
plus the one-off start snapshot `registry/snapshot/dt=…/`):

1. `load_reference` — admin units and crosswalk (as in case_records; unchanged = no write)
2. `landing_to_bronze` — every CSV record as landed → `bronze.registry_*` (the only layer
   holding names and national IDs)
3. `bronze_to_silver` — validated; **PII pseudonymised**: `person_key` = HMAC-SHA256 of the
   national ID with `ANTT_PII_HMAC_KEY`, names dropped, birth date → birth year;
   `silver.residents` (newest version per person), `silver.residence_events`,
   `silver.residence_history` (SCD2 periods, rebuilt for the persons a batch touched),
   `silver.dossiers` (newest version per dossier, processing hours); legacy unit codes
   (before 1 July 2025) conformed to current communes; rejects → `quarantine.registry`.
   One reconciliation line per feed.

Updates the `silver.resident_registry` Asset, which triggers **gold_marts**.

**Which days:** conf `{"landing_date": "2025-07-01"}` or a range with `landing_date_to`.
A scheduled run (00:00 Asia/Ho_Chi_Minh) loads the day that just ended. Re-running is safe.
"""

csv_source_dag(
    dag_id="resident_registry",
    doc=DOC,
    tags=["registry", "bronze", "silver", "pii"],
    asset=SILVER_RESIDENT_REGISTRY,
    bronze="spark_jobs.registry.jobs:load_bronze",
    silver="spark_jobs.registry.jobs:load_silver",
    bronze_tables=["bronze.registry_residents", "bronze.registry_residence_events", "bronze.registry_dossiers"],
    silver_tables=["silver.residents", "silver.residence_events", "silver.residence_history",
                   "silver.dossiers", "quarantine.registry"],
)
