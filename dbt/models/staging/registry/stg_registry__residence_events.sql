with

source as (

    select * from {{ source('registry', 'residence_events') }}

),

renamed as (

    select
        event_id,
        person_key,
        household_id,
        residence_type,
        action,
        location_code,
        location_code_scheme,
        commune_code,
        effective_date,
        expires_on,
        registered_at,
        to_date(registered_at) as registered_date,
        landing_date,
        processed_at

    from source

)

select * from renamed
