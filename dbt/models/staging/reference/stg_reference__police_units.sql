with

source as (

    select * from {{ source('reference', 'ref_police_units') }}

),

renamed as (

    select
        unit_code,
        unit_name,
        unit_level,
        admin_code,
        valid_from,
        valid_to

    from source

)

select * from renamed
