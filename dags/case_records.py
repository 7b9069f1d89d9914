"""Case records (crime reports and cases): landing → bronze → silver (Spark), an Airflow DAG."""
from __future__ import annotations

from antt.airflow_support import SILVER_CASE_RECORDS, csv_source_dag

DOC = """
### Case records (case_records)
Loads the case management system's daily CDC extracts
(`cases/records/dt=YYYY-MM-DD/case_records_YYYYMMDD.csv`: crime reports — tin báo, tố giác,
kiến nghị khởi tố — and the cases opened from them) through the medallion layers:

1. `load_reference` — admin units from the PyPI reference packages: current 126 communes,
   legacy 526 with their 30 districts, the legacy → current crosswalk, police units
   → `silver.ref_*` (rewritten only when the content changed)
2. `landing_to_bronze` — every CSV record, raw, with file and record number
   → `bronze.case_records` (files already loaded are skipped; insert-only MERGE)
3. `bronze_to_silver` — typed and validated; legacy unit codes (records received before
   1 July 2025) conformed to the current communes; every version kept in
   `silver.case_record_versions`, the newest per record MERGEd into `silver.case_records`
   (an older version arriving late never rolls a record back), status transitions in
   `silver.case_status_history`; rejects → `quarantine.case_records` with a reason code.
   The log prints `bronze = versions + duplicates removed + quarantined`.

Updates the `silver.case_records` Asset, which triggers **gold_marts**.

**Which days:** conf `{"landing_date": "2025-07-01"}` loads one day;
`{"landing_date": "2024-10-01", "landing_date_to": "2025-11-30"}` loads a range in one run
(backfill). A scheduled run (00:00 Asia/Ho_Chi_Minh) loads the day that just ended.
Re-running is safe.
"""

csv_source_dag(
    dag_id="case_records",
    doc=DOC,
    tags=["cases", "bronze", "silver"],
    asset=SILVER_CASE_RECORDS,
    bronze="spark_jobs.cases.bronze:run",
    silver="spark_jobs.cases.silver:run",
    bronze_tables=["bronze.case_records"],
    silver_tables=["silver.case_record_versions", "silver.case_records", "silver.case_status_history",
                   "quarantine.case_records"],
)
