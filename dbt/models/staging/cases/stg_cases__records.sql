with

source as (

    select * from {{ source('cases', 'case_records') }}

),

renamed as (

    select
        record_id,
        record_version,
        record_kind,
        article,
        received_at,
        received_date,
        incident_at,
        receiving_unit_code,
        location_code,
        location_code_scheme,
        commune_code,
        lat,
        lon,
        status,
        status_at,
        is_complex,
        deadline_extended,
        case_no,
        prosecuted_at,
        cleared_at,
        suspended_at,
        vehicle_plate,
        changed_at,
        processed_at

    from source

)

select * from renamed
