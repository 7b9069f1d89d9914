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
        -- the end of the landing hour of the file the read came in (camera/events/dt=D/hh=HH/):
        -- the latest moment it can have arrived — for timeliness (event → landing). Bronze
        -- works it out once per file (spark_jobs/camera/bronze.py: landed_by); reads landed
        -- before it did take it from their path — the two digits after 'hh=' by position (a
        -- coalesce reads the path only where landed_by is NULL: string functions over every
        -- read's path cost ~17 s of a 47 s build of int_camera__commune_day_reads, measured)
        coalesce(
            landed_by,
            cast(landing_date as timestamp)
                + make_interval(0, 0, 0, 0,
                                case when instr(source_file, 'hh=') > 0
                                     then try_cast(substr(source_file, instr(source_file, 'hh=') + 3, 2) as int) end + 1,
                                0, 0)
        ) as landed_by,
        processed_at

    from source

)

select * from renamed
