{{ config(contract={'enforced': true}) }}

{#- Cases (vụ án) per commune per month: opened (prosecuted), cleared and suspended in the
    month, clearance rate (cleared ÷ opened in the month, may exceed 1 when older cases are
    cleared), and the backlog of open cases at month end by age since prosecution. -#}
with

cases as (

    select * from {{ ref('fct_crime_reports') }}
    where prosecuted_date is not null

),

communes as (

    select commune_code, commune_name from {{ ref('dim_commune') }}

),

as_of as (

    select * from {{ ref('int_cases__as_of') }}

),

months as (

    select explode(sequence(
        trunc(min(cases.prosecuted_date), 'MM'),
        trunc(max(as_of.as_of_date), 'MM'),
        interval 1 month)) as month_start
    from cases
    cross join as_of

),

grid as (

    select
        months.month_start,
        least(last_day(months.month_start), as_of.as_of_date) as month_end,
        communes.commune_code,
        communes.commune_name
    from months
    cross join communes
    cross join as_of

),

flows as (

    select
        grid.month_start,
        grid.commune_code,
        count_if(trunc(cases.prosecuted_date, 'MM') = grid.month_start) as cases_opened,
        count_if(trunc(cases.cleared_date, 'MM') = grid.month_start)    as cases_cleared,
        count_if(trunc(cases.suspended_date, 'MM') = grid.month_start)  as cases_suspended,
        -- backlog: opened by month end, neither cleared nor suspended by then
        count_if(cases.prosecuted_date <= grid.month_end
                 and coalesce(cases.cleared_date, cases.suspended_date, date'9999-12-31') > grid.month_end)
                                                                         as backlog_open,
        count_if(cases.prosecuted_date <= grid.month_end
                 and coalesce(cases.cleared_date, cases.suspended_date, date'9999-12-31') > grid.month_end
                 and datediff(grid.month_end, cases.prosecuted_date) <= 90) as backlog_0_90_days,
        count_if(cases.prosecuted_date <= grid.month_end
                 and coalesce(cases.cleared_date, cases.suspended_date, date'9999-12-31') > grid.month_end
                 and datediff(grid.month_end, cases.prosecuted_date) between 91 and 180) as backlog_91_180_days,
        count_if(cases.prosecuted_date <= grid.month_end
                 and coalesce(cases.cleared_date, cases.suspended_date, date'9999-12-31') > grid.month_end
                 and datediff(grid.month_end, cases.prosecuted_date) > 180) as backlog_over_180_days
    from grid
    left join cases
        on grid.commune_code = cases.commune_code
        and cases.prosecuted_date <= grid.month_end
    group by grid.month_start, grid.commune_code

),

final as (

    select
        grid.month_start,
        grid.month_end,
        grid.commune_code,
        grid.commune_name,
        cast(flows.cases_opened as bigint)          as cases_opened,
        cast(flows.cases_cleared as bigint)         as cases_cleared,
        cast(flows.cases_suspended as bigint)       as cases_suspended,
        cast(case when flows.cases_opened > 0
             then round(flows.cases_cleared / flows.cases_opened, 4) end as double) as clearance_rate,
        cast(flows.backlog_open as bigint)          as backlog_open,
        cast(flows.backlog_0_90_days as bigint)     as backlog_0_90_days,
        cast(flows.backlog_91_180_days as bigint)   as backlog_91_180_days,
        cast(flows.backlog_over_180_days as bigint) as backlog_over_180_days
    from grid
    inner join flows
        on grid.month_start = flows.month_start
        and grid.commune_code = flows.commune_code

)

select * from final
