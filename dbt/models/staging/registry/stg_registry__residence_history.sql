with

source as (

    select * from {{ source('registry', 'residence_history') }}

),

renamed as (

    select
        registration_id,
        person_key,
        household_id,
        residence_type,
        commune_code,
        valid_from,
        valid_to,
        end_reason,
        deregistration_id,
        registered_at

    from source

)

select * from renamed
