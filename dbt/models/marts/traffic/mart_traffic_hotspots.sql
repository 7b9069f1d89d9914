{{ config(contract={'enforced': true}) }}

{#- Traffic hotspots: camera violations per camera × hour of the week (Monday 1 … Sunday 7,
    hour 0–23, local time) over the last var('hotspot_weeks') weeks (default 12) up to the
    newest violation day, with the number of weeks observed, the weekly average and the
    rank of the slot among all cameras and slots (1 = hottest). The window is a date
    literal, so only those partitions of fct_camera_violations are read. -#}
{%- set since = latest_date_minus(ref('fct_camera_violations'), 'event_date',
                                  7 * var('hotspot_weeks', 12) - 1) %}
with

violations as (

    select * from {{ ref('fct_camera_violations') }}
    where event_date >= date'{{ since }}'

),

span as (

    select greatest(1, ceil((datediff(max(event_date), min(event_date)) + 1) / 7.0)) as weeks_observed
    from violations

),

per_slot as (

    select
        camera_id,
        max(commune_code)                         as commune_code,
        max(commune_name)                         as commune_name,
        max(road_name)                            as road_name,
        -- Spark dayofweek: 1 = Sunday … 7 = Saturday → ISO 1 = Monday … 7 = Sunday
        (dayofweek(event_date) + 5) % 7 + 1       as iso_weekday,
        event_hour,
        count(*)                                  as violations
    from violations
    group by camera_id, (dayofweek(event_date) + 5) % 7 + 1, event_hour

),

final as (

    select
        per_slot.camera_id,
        per_slot.commune_code,
        per_slot.commune_name,
        per_slot.road_name,
        cast(per_slot.iso_weekday as int)                                             as iso_weekday,
        cast(per_slot.event_hour as int)                                              as hour_of_day,
        cast(per_slot.violations as bigint)                                           as violations,
        cast(span.weeks_observed as int)                                              as weeks_observed,
        cast(round(per_slot.violations / span.weeks_observed, 3) as double)           as violations_per_week,
        cast(dense_rank() over (order by per_slot.violations desc) as int)            as hotspot_rank
    from per_slot
    cross join span

)

select * from final
