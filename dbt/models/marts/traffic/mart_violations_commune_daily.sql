-- Camera violations per commune, day and violation type: the table the
-- "Vi phạm giao thông qua camera" dashboard reads.
with

violations as (

    select * from {{ ref('fct_camera_violations') }}

),

final as (

    select
        event_date,
        commune_code,
        commune_name,
        violation_code,
        count(*) as violations

    from violations
    group by event_date, commune_code, commune_name, violation_code

)

select * from final
