{#- Incremental: re-reads the silver partitions from the earliest event day of the reads
    processed since the last build (minus lookback_hours) — a date literal, so Spark prunes
    silver's partitions — and overwrites those event_date partitions of this table (dynamic
    partition overwrite: no MERGE, the other days are not read). -#}
{%- set since = first_touched_date(ref('stg_camera__events'), 'event_date', 'processed_at',
                                   'processed_at') %}
{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by=['event_date'],
    )
}}

with

events as (

    select * from {{ ref('stg_camera__events') }}
    where is_violation
      and event_date >= date'{{ since }}'

),

cameras as (

    select * from {{ ref('stg_camera__cameras') }}

),

final as (

    select
        events.event_id,
        events.event_time,
        events.event_date,
        events.event_hour,
        events.camera_id,
        coalesce(events.commune_code, cameras.commune_code) as commune_code,
        cameras.commune_name,
        cameras.road_name,
        events.violation_code,
        events.vehicle_type,
        events.plate,
        events.speed_kmh,
        cameras.speed_limit_kmh,
        events.ocr_confidence,
        events.processed_at

    from events
    left join cameras
        on events.camera_id = cameras.camera_id

)

select * from final
