-- One row per (event_date, commune_code, violation_code).
select event_date, commune_code, violation_code, count(*) as n
from {{ ref('mart_violations_commune_daily') }}
group by event_date, commune_code, violation_code
having count(*) > 1
