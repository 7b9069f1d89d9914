with

source as (

    select * from {{ source('camera', 'camera_events') }}

),

renamed as (

    select
        event_id,
        camera_id,
        commune_code,
        event_time,
        event_date,
        event_hour,
        plate,
        vehicle_type,
        lane,
        speed_kmh,
        confidence       as ocr_confidence,
        violation_code,
        violation_code is not null as is_violation,
        landing_date,
        processed_at

    from source

)

select * from renamed
