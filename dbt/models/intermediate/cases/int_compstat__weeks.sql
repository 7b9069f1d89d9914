{#- The CompStat weeks (Monday–Sunday) from the first crime report to the as-of date. -#}
with

bounds as (

    select
        date_trunc('week', min(reports.received_date))::date as first_week,
        date_trunc('week', max(as_of.as_of_date))::date       as last_week,
        max(as_of.as_of_date)                                 as as_of_date
    from {{ ref('stg_cases__records') }} as reports
    cross join {{ ref('int_cases__as_of') }} as as_of

)

select date_add(first_week, 7 * i) as week_start, as_of_date
from bounds
lateral view explode(sequence(0, cast(datediff(last_week, first_week) / 7 as int))) as i
