with

source as (

    select * from {{ source('reference', 'ref_communes') }}

),

renamed as (

    select
        commune_code,
        commune_name,
        commune_type,
        cast(lat as double)      as lat,
        cast(lon as double)      as lon,
        cast(area_km2 as double) as area_km2

    from source

)

select * from renamed
