"""Great Expectations data-quality gates (GX 1.x) for the lakehouse tables.

* ``suites.py``      — the checks per table, as GX expectations
* ``thresholds.yml`` — warn / fail bounds per table and check (configuration, not code)
* ``gate.py``        — ``run_gate(spark, table, where_landing_date)`` for the DAGs
* ``docs.py``        — ``python -m expectations.docs``: rebuild and locate the Data Docs
"""
import os as _os

# No network here and no reason to send usage events from a police data lake.
_os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
