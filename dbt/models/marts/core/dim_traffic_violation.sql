{{ config(contract={'enforced': true}) }}

{#- One row per violation code and vehicle class (and speed band for SPEEDING): the fine
    range under Decree 168/2024/NĐ-CP in force today. -#}
select
    violation_code,
    vehicle_class,
    speed_excess_min_kmh,
    speed_excess_max_kmh,
    fine_min_vnd,
    fine_max_vnd,
    licence_points_deducted,
    name_vi,
    name_en,
    legal_basis,
    valid_from,
    valid_to
from {{ ref('ref_traffic_violations') }}
