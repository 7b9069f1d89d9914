with

source as (

    select * from {{ source('reference', 'ref_commune_crosswalk') }}

),

renamed as (

    select
        legacy_code,
        commune_code,
        is_default,
        n_targets,
        n_targets > 1 as is_split,
        target_lat,
        target_lon

    from source

)

select * from renamed
