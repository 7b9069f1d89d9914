{{ config(contract={'enforced': true}) }}

with

communes as (

    select * from {{ ref('stg_reference__communes') }}

),

units as (

    select * from {{ ref('stg_reference__police_units') }}
    where unit_level = 'COMMUNE'

),

legacy as (

    select
        commune_code,
        count(*) as legacy_units
    from {{ ref('stg_reference__commune_crosswalk') }}
    group by commune_code

),

final as (

    select
        communes.commune_code,
        communes.commune_name,
        communes.commune_type,
        communes.lat,
        communes.lon,
        communes.area_km2,
        units.unit_code                            as police_unit_code,
        units.unit_name                            as police_unit_name,
        cast(coalesce(legacy.legacy_units, 0) as int) as legacy_units
    from communes
    left join units
        on communes.commune_code = units.admin_code
    left join legacy
        on communes.commune_code = legacy.commune_code

)

select * from final
