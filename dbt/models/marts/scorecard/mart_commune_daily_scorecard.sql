{{ config(contract={'enforced': true}) }}

{#- The commune daily scorecard: the three sources side by side per current commune per day
    — crime reports received, cases prosecuted and cleared, camera violations, residence
    registrations, registered population — and rates per 10,000 registered residents. -#}
with

reports as (

    select commune_code, received_date as day, count(*) as n
    from {{ ref('fct_crime_reports') }} group by commune_code, received_date

),

prosecuted as (

    select commune_code, prosecuted_date as day, count(*) as n
    from {{ ref('fct_crime_reports') }} where prosecuted_date is not null group by commune_code, prosecuted_date

),

cleared as (

    select commune_code, cleared_date as day, count(*) as n
    from {{ ref('fct_crime_reports') }} where cleared_date is not null group by commune_code, cleared_date

),

violations as (

    -- from the daily mart, not the fact: a year of violations is read as a few rows a day
    select commune_code, event_date as day, sum(violations) as n
    from {{ ref('mart_violations_commune_daily') }} group by commune_code, event_date

),

residence as (

    select * from {{ ref('mart_residence_commune_daily') }}

),

days as (

    select date_add(first_day, i) as day
    from (
        select min(day) as first_day, max(day) as last_day
        from (
            select day from reports union all select day from violations union all select day from residence
        ) as all_days
    ) as bounds
    lateral view explode(sequence(0, datediff(last_day, first_day))) as i

),

grid as (

    select days.day, communes.commune_code, communes.commune_name
    from days cross join {{ ref('dim_commune') }} as communes

),

final as (

    select
        grid.day,
        grid.commune_code,
        grid.commune_name,
        cast(coalesce(reports.n, 0) as bigint)                       as reports_received,
        cast(coalesce(prosecuted.n, 0) as bigint)                    as cases_prosecuted,
        cast(coalesce(cleared.n, 0) as bigint)                       as cases_cleared,
        cast(coalesce(violations.n, 0) as bigint)                    as camera_violations,
        cast(residence.registrations_permanent + residence.registrations_temporary as bigint)
                                                                     as registrations,
        residence.population                                         as population,
        cast(case when residence.population > 0
             then round(coalesce(reports.n, 0) * 10000.0 / residence.population, 3) end as double)
                                                                     as reports_per_10k,
        cast(case when residence.population > 0
             then round(coalesce(violations.n, 0) * 10000.0 / residence.population, 3) end as double)
                                                                     as violations_per_10k
    from grid
    left join reports on grid.commune_code = reports.commune_code and grid.day = reports.day
    left join prosecuted on grid.commune_code = prosecuted.commune_code and grid.day = prosecuted.day
    left join cleared on grid.commune_code = cleared.commune_code and grid.day = cleared.day
    left join violations on grid.commune_code = violations.commune_code and grid.day = violations.day
    left join residence on grid.commune_code = residence.commune_code and grid.day = residence.day

)

select * from final
