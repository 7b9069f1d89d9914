with

source as (

    select * from {{ source('registry', 'dossiers') }}

),

renamed as (

    select
        dossier_id,
        service_code,
        channel,
        commune_code,
        status,
        submitted_at,
        to_date(submitted_at) as submitted_date,
        completed_at,
        to_date(completed_at) as completed_date,
        processing_hours,
        processed_at

    from source

)

select * from renamed
