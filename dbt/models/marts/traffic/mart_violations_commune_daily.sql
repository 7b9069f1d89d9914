{#- Camera violations per commune, day and violation type: the table the "Vi phạm giao thông
    qua camera" dashboard reads.
    Incremental: recomputes every day from the earliest event day of the violations processed
    since the last build (minus lookback_hours) — a date literal, so only those partitions of
    fct_camera_violations are read — and merges those days in. -#}
{%- set since = first_touched_date(ref('fct_camera_violations'), 'event_date', 'processed_at',
                                   'last_processed_at') %}
{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['event_date', 'commune_code', 'violation_code'],
        on_schema_change='append_new_columns',
    )
}}

with

violations as (

    select * from {{ ref('fct_camera_violations') }}
    where event_date >= date'{{ since }}'

),

final as (

    select
        event_date,
        commune_code,
        commune_name,
        violation_code,
        count(*) as violations,
        max(processed_at) as last_processed_at

    from violations
    group by event_date, commune_code, commune_name, violation_code

)

select * from final
