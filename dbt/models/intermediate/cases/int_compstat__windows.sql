{#- The CompStat comparison windows of each week (all bounds inclusive):
    week-to-date and 28 days up to period_end (the Sunday, or the as-of date in the running
    week) against the same days 364 days earlier (52 weeks: same weekdays); year-to-date
    against the same calendar dates a year earlier. -#}
with

weeks as (

    select * from {{ ref('int_compstat__weeks') }}

),

periods as (

    select
        week_start,
        date_add(week_start, 6)                          as week_end,
        least(date_add(week_start, 6), as_of_date)       as period_end
    from weeks

),

final as (

    select
        week_start,
        week_end,
        period_end,
        date_sub(period_end, 27)                         as d28_start,
        trunc(period_end, 'YEAR')                        as ytd_start,
        date_sub(week_start, 364)                        as wtd_prev_start,
        date_sub(period_end, 364)                        as wtd_prev_end,
        date_sub(period_end, 27 + 364)                   as d28_prev_start,
        add_months(trunc(period_end, 'YEAR'), -12)       as ytd_prev_start,
        add_months(period_end, -12)                      as ytd_prev_end
    from periods

)

select * from final
