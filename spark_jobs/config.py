"""Settings read from the environment (see infra/env.sh and .env.example).

No path, host or table name is hard-coded in a job: they all come from here.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

LOCAL_TZ = "Asia/Ho_Chi_Minh"


def _root() -> Path:
    return Path(os.environ.get("ANTT_ROOT", Path(__file__).resolve().parents[1]))


def _path(var: str, default: Path) -> Path:
    value = os.environ.get(var)
    return Path(value) if value else default


@dataclass(frozen=True)
class Settings:
    root: Path
    var_dir: Path
    landing_dir: Path
    warehouse_dir: str          # a path, or an object-store URI (s3a://bucket/warehouse) on a cluster
    jars_dir: Path
    spark_remote: str | None
    spark_master: str

    @property
    def camera_events_landing(self) -> Path:
        return self.landing_dir / "camera" / "events"

    @property
    def camera_registry_landing(self) -> Path:
        return self.landing_dir / "camera" / "registry"

    @property
    def case_records_landing(self) -> Path:
        return self.landing_dir / "cases" / "records"

    @property
    def seeds_dir(self) -> Path:
        """Reference data kept in the repo as dbt seeds (also read by silver validation)."""
        return self.root / "dbt" / "seeds"


def settings() -> Settings:
    root = _root()
    var_dir = _path("ANTT_VAR_DIR", root / "var")
    return Settings(
        root=root,
        var_dir=var_dir,
        landing_dir=_path("ANTT_LANDING_DIR", var_dir / "landing"),
        warehouse_dir=os.environ.get("ANTT_WAREHOUSE_DIR") or str(var_dir / "lakehouse" / "warehouse"),
        jars_dir=_path("ANTT_JARS_DIR", root / ".jars"),
        spark_remote=os.environ.get("ANTT_SPARK_REMOTE") or None,
        spark_master=os.environ.get("SPARK_MASTER", "local[2]"),
    )


# Table names (schema.table) in the one shared catalog.
BRONZE_CAMERA_EVENTS = "bronze.camera_events"
SILVER_CAMERA_EVENTS = "silver.camera_events"
SILVER_CAMERAS = "silver.cameras"
QUARANTINE_CAMERA_EVENTS = "quarantine.camera_events"

# Case management system (crime reports and cases)
BRONZE_CASE_RECORDS = "bronze.case_records"
SILVER_CASE_RECORD_VERSIONS = "silver.case_record_versions"
SILVER_CASE_RECORDS = "silver.case_records"
SILVER_CASE_STATUS_HISTORY = "silver.case_status_history"
QUARANTINE_CASE_RECORDS = "quarantine.case_records"

# Reference data (from the PyPI reference packages)
SILVER_REF_COMMUNES = "silver.ref_communes"
SILVER_REF_LEGACY_COMMUNES = "silver.ref_legacy_communes"
SILVER_REF_COMMUNE_CROSSWALK = "silver.ref_commune_crosswalk"
SILVER_REF_POLICE_UNITS = "silver.ref_police_units"

# Resident registry (cư trú)
BRONZE_REGISTRY_RESIDENTS = "bronze.registry_residents"
BRONZE_REGISTRY_RESIDENCE = "bronze.registry_residence_events"
BRONZE_REGISTRY_DOSSIERS = "bronze.registry_dossiers"
SILVER_RESIDENTS = "silver.residents"
SILVER_RESIDENCE_EVENTS = "silver.residence_events"
SILVER_RESIDENCE_HISTORY = "silver.residence_history"
SILVER_DOSSIERS = "silver.dossiers"
QUARANTINE_REGISTRY = "quarantine.registry"
