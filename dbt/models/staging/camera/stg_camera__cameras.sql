with

source as (

    select * from {{ source('camera', 'cameras') }}

),

renamed as (

    select
        camera_id,
        commune_code,
        commune_name,
        lat              as latitude,
        lon              as longitude,
        road_name,
        speed_limit_kmh,
        vendor,
        installed_date,
        snapshot_date

    from source

)

select * from renamed
