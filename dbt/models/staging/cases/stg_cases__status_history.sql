with

source as (

    select * from {{ source('cases', 'case_status_history') }}

),

renamed as (

    select
        record_id,
        status,
        status_at,
        to_date(status_at) as status_date,
        record_version,
        commune_code,
        article,
        processed_at

    from source

)

select * from renamed
