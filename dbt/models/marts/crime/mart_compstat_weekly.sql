{{ config(contract={'enforced': true}) }}

{#- CompStat: crime reports received per commune and crime category (and ALL categories),
    per week (Monday–Sunday). For each week: week-to-date, 28 days and year-to-date up to
    the week's last day (or the as-of date in the running week), each against the same
    period a year earlier — 364 days earlier for the week and the 28 days (same weekdays),
    the same calendar dates for year-to-date. % change, and the Poisson z-score
    2·(√current − √previous): |z| > 3 is flagged as significant, so small counts do not
    cry wolf. -#}
with

reports as (

    select commune_code, category_code, received_date from {{ ref('fct_crime_reports') }}
    union all
    select commune_code, 'ALL' as category_code, received_date from {{ ref('fct_crime_reports') }}

),

daily as (

    select commune_code, category_code, received_date, count(*) as reports
    from reports
    group by commune_code, category_code, received_date

),

categories as (

    select distinct category_code, category_name_vi from {{ ref('dim_crime_category') }}
    union all
    select 'ALL' as category_code, 'Tất cả' as category_name_vi

),

windows as (

    select
        w.*,
        communes.commune_code,
        communes.commune_name,
        categories.category_code,
        categories.category_name_vi
    from {{ ref('int_compstat__windows') }} as w
    cross join {{ ref('dim_commune') }} as communes
    cross join categories

),

counted as (

    select
        w.week_start, w.week_end, w.period_end, w.commune_code, w.commune_name,
        w.category_code, w.category_name_vi,
        coalesce(sum(case when d.received_date between w.week_start and w.period_end then d.reports end), 0)          as wtd_current,
        coalesce(sum(case when d.received_date between w.wtd_prev_start and w.wtd_prev_end then d.reports end), 0)    as wtd_previous,
        coalesce(sum(case when d.received_date between w.d28_start and w.period_end then d.reports end), 0)           as d28_current,
        coalesce(sum(case when d.received_date between w.d28_prev_start and w.wtd_prev_end then d.reports end), 0)    as d28_previous,
        coalesce(sum(case when d.received_date between w.ytd_start and w.period_end then d.reports end), 0)           as ytd_current,
        coalesce(sum(case when d.received_date between w.ytd_prev_start and w.ytd_prev_end then d.reports end), 0)    as ytd_previous
    from windows as w
    left join daily as d
        on w.commune_code = d.commune_code
        and w.category_code = d.category_code
        and d.received_date between least(w.ytd_prev_start, w.d28_prev_start, w.wtd_prev_start) and w.period_end
    group by w.week_start, w.week_end, w.period_end, w.commune_code, w.commune_name,
             w.category_code, w.category_name_vi

),

final as (

    select
        week_start,
        week_end,
        period_end,
        commune_code,
        commune_name,
        category_code,
        category_name_vi,
        {% for p in ['wtd', 'd28', 'ytd'] %}
        cast({{ p }}_current as bigint)  as {{ p }}_current,
        cast({{ p }}_previous as bigint) as {{ p }}_previous,
        cast(case when {{ p }}_previous > 0
             then round(({{ p }}_current - {{ p }}_previous) * 100.0 / {{ p }}_previous, 1) end as double)
                                          as {{ p }}_pct_change,
        cast(round(2 * (sqrt({{ p }}_current) - sqrt({{ p }}_previous)), 3) as double) as {{ p }}_z,
        abs(2 * (sqrt({{ p }}_current) - sqrt({{ p }}_previous))) > 3     as {{ p }}_significant{{ ',' if not loop.last }}
        {% endfor %}
    from counted

)

select * from final
