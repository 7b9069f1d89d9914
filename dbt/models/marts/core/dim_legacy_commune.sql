{{ config(contract={'enforced': true}) }}

{#- Each legacy (before 1 July 2025) unit with its default current commune. A split unit's
    rows are routed per record by coordinates (silver); this dimension gives the default. -#}
with

legacy as (

    select * from {{ ref('stg_reference__legacy_communes') }}

),

crosswalk as (

    select * from {{ ref('stg_reference__commune_crosswalk') }}
    where is_default

),

communes as (

    select * from {{ ref('stg_reference__communes') }}

),

final as (

    select
        legacy.legacy_code,
        legacy.legacy_name,
        legacy.legacy_type,
        legacy.district_code,
        legacy.district_name,
        crosswalk.commune_code  as default_commune_code,
        communes.commune_name   as default_commune_name,
        crosswalk.n_targets     as n_current_communes,
        crosswalk.is_split
    from legacy
    inner join crosswalk
        on legacy.legacy_code = crosswalk.legacy_code
    inner join communes
        on crosswalk.commune_code = communes.commune_code

)

select * from final
