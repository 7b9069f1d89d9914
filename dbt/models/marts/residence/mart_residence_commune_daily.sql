{{ config(contract={'enforced': true}) }}

{#- Residence per current commune per day, from the first landing day of the registry on:
    new registrations and de-registrations by type, and registrations in force at the end of
    the day (from the SCD2 history). population = permanent + temporary registrations in
    force (a person registered permanently in one commune and temporarily in another counts
    in both: that is the population each commune police serves). -#}
with

history as (

    select * from {{ ref('stg_registry__residence_history') }}

),

events as (

    select * from {{ ref('stg_registry__residence_events') }}

),

bounds as (

    select min(landing_date) as first_day, max(greatest(landing_date, registered_date)) as last_day
    from events

),

days as (

    -- an integer sequence: a date sequence over aggregated bounds hits a Spark cast bug
    -- (LocalDate vs java.sql.Date) through the Thrift server
    select date_add(first_day, i) as day
    from bounds
    lateral view explode(sequence(0, datediff(last_day, first_day))) as i

),

types as (

    select explode(array('THUONG_TRU', 'TAM_TRU', 'LUU_TRU')) as residence_type

),

grid as (

    select days.day, communes.commune_code, communes.commune_name, types.residence_type
    from days
    cross join {{ ref('dim_commune') }} as communes
    cross join types

),

-- registrations in force at the end of the first day
base as (

    select history.commune_code, history.residence_type, count(*) as n
    from history
    cross join bounds
    where history.valid_from <= bounds.first_day
      and (history.valid_to is null or history.valid_to >= bounds.first_day)
    group by history.commune_code, history.residence_type

),

-- +1 on the first day in force, -1 the day after the last
deltas as (

    select commune_code, residence_type, valid_from as day, 1 as d from history
    union all
    select commune_code, residence_type, date_add(valid_to, 1) as day, -1 as d
    from history where valid_to is not null

),

daily_delta as (

    select deltas.commune_code, deltas.residence_type, deltas.day, sum(deltas.d) as d
    from deltas
    cross join bounds
    where deltas.day > bounds.first_day and deltas.day <= bounds.last_day
    group by deltas.commune_code, deltas.residence_type, deltas.day

),

flows as (

    select
        commune_code, residence_type, registered_date as day,
        count_if(action = 'REGISTER')   as registrations,
        count_if(action = 'DEREGISTER') as deregistrations
    from events
    group by commune_code, residence_type, registered_date

),

in_force as (

    select
        grid.day, grid.commune_code, grid.commune_name, grid.residence_type,
        coalesce(base.n, 0) + sum(coalesce(daily_delta.d, 0)) over (
            partition by grid.commune_code, grid.residence_type order by grid.day
            rows between unbounded preceding and current row)            as active,
        coalesce(flows.registrations, 0)                                  as registrations,
        coalesce(flows.deregistrations, 0)                                as deregistrations
    from grid
    left join base
        on grid.commune_code = base.commune_code and grid.residence_type = base.residence_type
    left join daily_delta
        on grid.commune_code = daily_delta.commune_code and grid.residence_type = daily_delta.residence_type
        and grid.day = daily_delta.day
    left join flows
        on grid.commune_code = flows.commune_code and grid.residence_type = flows.residence_type
        and grid.day = flows.day

),

final as (

    select
        day,
        commune_code,
        max(commune_name)                                                          as commune_name,
        cast(sum(case when residence_type = 'THUONG_TRU' then registrations end) as bigint) as registrations_permanent,
        cast(sum(case when residence_type = 'TAM_TRU' then registrations end) as bigint)    as registrations_temporary,
        cast(sum(case when residence_type = 'LUU_TRU' then registrations end) as bigint)    as short_stay_notices,
        cast(sum(deregistrations) as bigint)                                       as deregistrations,
        cast(sum(case when residence_type = 'THUONG_TRU' then active end) as bigint) as active_permanent,
        cast(sum(case when residence_type = 'TAM_TRU' then active end) as bigint)    as active_temporary,
        cast(sum(case when residence_type = 'LUU_TRU' then active end) as bigint)    as active_short_stay,
        cast(sum(case when residence_type in ('THUONG_TRU', 'TAM_TRU') then active end) as bigint) as population
    from in_force
    group by day, commune_code

)

select * from final
