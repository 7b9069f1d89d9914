"""antt/superset_access.py: the access plan generated from the unit dimension (no Superset)."""
from pathlib import Path

import pytest

from antt.superset_access import (ROLE_ANALYST, ROLE_LEADERSHIP, ROLE_TRACE, AccessError,
                                  DatasetSpec, commune_role, load_dataset_specs, plan_access,
                                  rls_name, schema_of_perm)

COMMUNES = {"00004": "Phường Ba Đình", "00008": "Phường Ngọc Hà", "10030": "Xã Sóc Sơn"}
MART = DatasetSpec("u-mart", "gold", "mart_x", ("event_date", "commune_code", "n"))
TRACE = DatasetSpec("u-trace", "restricted", "mart_trace", ("plate", "commune_code"))
AUDIT = DatasetSpec("u-audit", "audit", "trace_lookups", ("username", "vehicle_plate"))


def test_one_role_and_one_rls_rule_per_commune():
    plan = plan_access(COMMUNES, [MART, TRACE])
    assert set(plan.rls) == {rls_name(c) for c in COMMUNES}
    rule = plan.rls[rls_name("10030")]
    assert rule.role == commune_role("10030")
    assert rule.clause == "commune_code = '10030'"
    assert rule.datasets == ("u-mart",)
    assert "Xã Sóc Sơn" in rule.description
    assert plan.roles[commune_role("00004")].datasets == ("u-mart",)


def test_restricted_datasets_only_for_the_trace_role():
    plan = plan_access(COMMUNES, [MART, TRACE])
    holders = {name for name, role in plan.roles.items() if "u-trace" in role.datasets}
    assert holders == {ROLE_TRACE}
    assert plan.roles[ROLE_ANALYST].schemas == ("gold",)
    assert plan.roles[ROLE_LEADERSHIP].schemas == ()
    assert plan.roles[ROLE_LEADERSHIP].datasets == ("u-mart",)


def test_only_analysts_may_save_datasets():
    plan = plan_access(COMMUNES, [MART, TRACE, AUDIT])
    savers = {name for name, role in plan.roles.items() if ("can_write", "Dataset") in role.permissions}
    assert savers == {ROLE_ANALYST}


def test_the_trace_audit_only_for_city_leadership():
    plan = plan_access(COMMUNES, [MART, TRACE, AUDIT])
    holders = {name for name, role in plan.roles.items() if "u-audit" in role.datasets}
    assert holders == {ROLE_LEADERSHIP}
    assert all("u-audit" not in r.datasets for r in plan.rls.values())


def test_a_commune_leaving_the_dimension_leaves_the_plan():
    before = plan_access(COMMUNES, [MART])
    after = plan_access({k: v for k, v in COMMUNES.items() if k != "00008"}, [MART])
    assert set(before.roles) - set(after.roles) == {commune_role("00008")}
    assert set(before.rls) - set(after.rls) == {rls_name("00008")}


def test_a_dataset_without_commune_code_is_refused_by_file():
    city = DatasetSpec("u-city", "gold", "mart_city", ("day", "n"), path="dashboards/assets/datasets/x/mart_city.yaml")
    with pytest.raises(AccessError, match="mart_city.yaml"):
        plan_access(COMMUNES, [MART, city])


@pytest.mark.parametrize("bad", ["0004", "00004' OR '1'='1", "ABCDE"])
def test_commune_codes_are_checked_before_they_enter_a_clause(bad):
    with pytest.raises(AccessError, match="5 digits"):
        plan_access({bad: "x"}, [MART])


def test_every_shipped_dataset_is_under_row_level_security():
    specs = load_dataset_specs()
    assert specs, "dashboards/assets/datasets is empty"
    plan = plan_access(COMMUNES, specs)
    open_sets = {s.uuid for s in specs if not (s.restricted or s.leadership_only)}
    assert {s.schema for s in specs} >= {"gold", "restricted", "audit"}
    for code in COMMUNES:
        assert set(plan.rls[rls_name(code)].datasets) == open_sets


@pytest.mark.parametrize("view, schema", [
    ("[ANTT gold (Spark)].[gold]", "gold"),
    ("[ANTT gold (Spark)].[gold].[bronze]", "bronze"),
    ("[ANTT gold (Spark)].[mart_x](id:3)", None),
])
def test_schema_of_permission_names(view, schema):
    assert schema_of_perm(view) == schema


def test_dashboards_by_the_schemas_they_read():
    from antt.superset_access import load_dashboard_specs

    by_slug = {d.slug: d for d in load_dashboard_specs()}
    assert by_slug["truy-vet-phuong-tien"].schemas == {"restricted"}
    assert by_slug["nhat-ky-truy-vet"].schemas == {"audit"}
    gold = {s for s, d in by_slug.items() if d.schemas == {"gold"}}
    assert gold == {"tong-quan-antt", "vi-pham-giao-thong", "tin-bao-vu-an", "cu-tru", "suc-khoe-camera"}
