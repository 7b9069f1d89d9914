-- The mart must add up to the fact table, day by day: no violation lost or doubled.
with mart as (
    select event_date, sum(violations) as n from {{ ref('mart_violations_commune_daily') }} group by event_date
),
fct as (
    select event_date, count(*) as n from {{ ref('fct_camera_violations') }} group by event_date
)
select coalesce(mart.event_date, fct.event_date) as event_date, mart.n as mart_n, fct.n as fct_n
from mart full outer join fct on mart.event_date = fct.event_date
where mart.n is null or fct.n is null or mart.n <> fct.n
