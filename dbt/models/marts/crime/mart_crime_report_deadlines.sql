{{ config(contract={'enforced': true}) }}

{#- Crime-report settlement deadlines (BLTTHS Art. 147) per commune, as of the data date:
    open reports by age band, overdue ones, due soon, and late decisions in the last 30 days. -#}
with

reports as (

    select * from {{ ref('fct_crime_reports') }}

),

communes as (

    select * from {{ ref('dim_commune') }}

),

as_of as (

    select * from {{ ref('int_cases__as_of') }}

),

per_commune as (

    select
        commune_code,
        count_if(not is_decided)                                              as open_reports,
        count_if(not is_decided and days_open <= 10)                          as open_0_10_days,
        count_if(not is_decided and days_open between 11 and 20)              as open_11_20_days,
        count_if(not is_decided and days_open between 21 and 60)              as open_21_60_days,
        count_if(not is_decided and days_open between 61 and 120)             as open_61_120_days,
        count_if(not is_decided and days_open > 120)                          as open_over_120_days,
        count_if(is_overdue)                                                  as overdue_reports,
        count_if(not is_decided and not is_overdue
                 and datediff(settlement_deadline, as_of_date) <= 5)          as due_within_5_days,
        count_if(is_decided and decided_date > date_sub(as_of_date, 30))      as decided_last_30_days,
        count_if(is_decided and settled_late
                 and decided_date > date_sub(as_of_date, 30))                 as decided_late_last_30_days
    from reports
    group by commune_code

),

final as (

    select
        as_of.as_of_date,
        communes.commune_code,
        communes.commune_name,
        communes.police_unit_name,
        cast(coalesce(open_reports, 0) as bigint)              as open_reports,
        cast(coalesce(open_0_10_days, 0) as bigint)            as open_0_10_days,
        cast(coalesce(open_11_20_days, 0) as bigint)           as open_11_20_days,
        cast(coalesce(open_21_60_days, 0) as bigint)           as open_21_60_days,
        cast(coalesce(open_61_120_days, 0) as bigint)          as open_61_120_days,
        cast(coalesce(open_over_120_days, 0) as bigint)        as open_over_120_days,
        cast(coalesce(overdue_reports, 0) as bigint)           as overdue_reports,
        cast(coalesce(due_within_5_days, 0) as bigint)         as due_within_5_days,
        cast(coalesce(decided_last_30_days, 0) as bigint)      as decided_last_30_days,
        cast(coalesce(decided_late_last_30_days, 0) as bigint) as decided_late_last_30_days,
        cast(case when decided_last_30_days > 0
             then round(decided_late_last_30_days / decided_last_30_days, 4) end as double)
                                                                as late_share_last_30_days
    from communes
    cross join as_of
    left join per_commune
        on communes.commune_code = per_commune.commune_code

)

select * from final
