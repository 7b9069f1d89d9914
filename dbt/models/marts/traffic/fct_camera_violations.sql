{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key='event_id',
        partition_by=['event_date'],
    )
}}

with

events as (

    select * from {{ ref('stg_camera__events') }}
    where is_violation
    {% if is_incremental() %}
      -- late rows land in silver with a new processed_at, whatever their event_date
      and processed_at >= (
          select coalesce(max(processed_at), timestamp'1900-01-01') - interval {{ var('lookback_days') }} days
          from {{ this }}
      )
    {% endif %}

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
