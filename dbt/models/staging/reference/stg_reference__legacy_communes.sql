with

source as (

    select * from {{ source('reference', 'ref_legacy_communes') }}

),

renamed as (

    select
        legacy_code,
        legacy_name,
        legacy_type,
        district_code,
        district_name,
        district_type,
        lat,
        lon

    from source

)

select * from renamed
