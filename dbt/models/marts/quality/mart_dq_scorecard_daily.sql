{{ config(contract={'enforced': true}) }}

{#- Data-quality scorecard per reporting unit: one row per day × current commune × source, so
    a commune whose data is thin or late shows as itself — nothing is averaged over communes.

      camera_events     records = camera-hours with at least one valid read; expected = the
                        commune's registered cameras × 24; fields = vehicle type, lane, speed
                        present; delay = event time → end of the landing hour of its file.
      case_records      records = crime reports received that day (by receipt date);
      residence_events  records = residence registrations that day (by registration date);
                        both judged on the 7 days up to the day against 7 × the commune's
                        daily mean of the 28 days before them; delay = receipt/registration →
                        end of the landing day of the record's first extract.

    A commune with reads but no camera registered now is shown too (expected 0: judged only
    on lateness).
    status: NO_DATA (nothing where something was expected), THIN (completeness below
    var('dq_min_completeness')), LATE (more than var('dq_max_late_share') of the records
    later than the source's limit), OK. Cases and registry are judged only where at least
    var('dq_min_expected_records') records were expected in the 7 days. -#}
with

communes as (

    select commune_code, commune_name from {{ ref('dim_commune') }}

),

-- camera -----------------------------------------------------------------------------

cameras as (

    select commune_code, count(*) as n_cameras
    from {{ ref('stg_camera__cameras') }}
    group by commune_code

),

-- per day and commune of the reads (incremental: a year of plate reads is not re-read daily)
reads as (

    select * from {{ ref('int_camera__commune_day_reads') }}

),

camera_days as (

    select distinct day from reads

),

-- every commune with registered cameras on every camera day, and any commune with reads
camera_units as (

    select d.day, c.commune_code from camera_days as d cross join cameras as c
    union
    select day, commune_code from reads

),

camera_scores as (

    select
        u.day,
        u.commune_code,
        'camera_events' as source,
        coalesce(r.camera_hours, cast(0 as bigint)) as records,
        coalesce(r.reads, cast(0 as bigint)) as rows_received,
        cast(coalesce(c.n_cameras, 0) * 24 as double) as expected_records,
        r.field_completeness,
        r.delay_p95_hours,
        r.late_share,
        cast({{ var('dq_max_delay_hours_camera') }} as double) as max_delay_hours,
        cast(coalesce(c.n_cameras, 0) * 24 as double) as judged_expected
    from camera_units as u
    left join cameras as c on c.commune_code = u.commune_code
    left join reads as r on r.day = u.day and r.commune_code = u.commune_code

),

-- cases and registry ----------------------------------------------------------------

first_landing as (

    select record_id, min(landing_date) as first_landing_date
    from {{ source('cases', 'case_record_versions') }}
    group by record_id

),

case_rows as (

    select
        r.commune_code,
        r.received_date as day,
        (case when r.lat is not null then 1 else 0 end
         + case when r.incident_at is not null then 1 else 0 end
         + case when r.receiving_unit_code is not null then 1 else 0 end) / 3 as fields_present,
        greatest(cast(0 as double), (unix_timestamp(cast(date_add(f.first_landing_date, 1) as timestamp))
                       - unix_timestamp(r.received_at)) / 3600.0) as delay_hours
    from {{ ref('stg_cases__records') }} as r
    left join first_landing as f on f.record_id = r.record_id

),

registry_rows as (

    select
        commune_code,
        registered_date as day,
        (case when household_id is not null then 1 else 0 end
         + case when expires_on is not null or residence_type = 'THUONG_TRU' then 1 else 0 end) / 2
            as fields_present,
        greatest(cast(0 as double), (unix_timestamp(cast(date_add(landing_date, 1) as timestamp))
                       - unix_timestamp(registered_at)) / 3600.0) as delay_hours
    from {{ ref('stg_registry__residence_events') }}
    where action = 'REGISTER'

),

{% for name, rel, max_delay in [('case_records', 'case_rows', 'dq_max_delay_hours_cases'),
                                 ('residence_events', 'registry_rows', 'dq_max_delay_hours_registry')] %}
{{ name }}_days as (

    select explode(sequence(min(day), max(day))) as day from {{ rel }}

),

{{ name }}_daily as (

    select
        d.day,
        c.commune_code,
        cast(count(r.day) as bigint) as n,
        sum(r.fields_present) as fields_sum,
        percentile_approx(r.delay_hours, 0.95) as delay_p95_hours,
        sum(case when r.delay_hours > {{ var(max_delay) }} then 1 else 0 end) as n_late
    from {{ name }}_days as d
    cross join communes as c
    left join {{ rel }} as r on r.day = d.day and r.commune_code = c.commune_code
    group by d.day, c.commune_code

),

{{ name }}_scores as (

    select
        day,
        commune_code,
        '{{ name }}' as source,
        n as records,
        n as rows_received,
        delay_p95_hours,
        sum(n) over w_week as n_week,
        sum(fields_sum) over w_week as fields_week,
        sum(n_late) over w_week as late_week,
        avg(n) over w_before * 7 as expected_week
    from {{ name }}_daily
    window
        w_week as (partition by commune_code order by day rows between 6 preceding and current row),
        w_before as (partition by commune_code order by day rows between 34 preceding and 7 preceding)

),

{% endfor %}

sparse_scores as (

    {% for name, max_delay in [('case_records', 'dq_max_delay_hours_cases'),
                               ('residence_events', 'dq_max_delay_hours_registry')] %}
    select
        day,
        commune_code,
        source,
        n_week as records,
        rows_received,
        expected_week as expected_records,
        fields_week / nullif(n_week, 0) as field_completeness,
        delay_p95_hours,
        late_week / nullif(n_week, 0) as late_share,
        cast({{ var(max_delay) }} as double) as max_delay_hours,
        expected_week as judged_expected
    from {{ name }}_scores
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

scores as (

    select * from camera_scores
    union all
    select * from sparse_scores

),

final as (

    select
        s.day,
        s.commune_code,
        c.commune_name,
        s.source,
        s.records,
        s.rows_received,
        cast(s.expected_records as double) as expected_records,
        cast(case when s.expected_records > 0 then least(1.0, s.records / s.expected_records) end as double)
            as record_completeness,
        cast(s.field_completeness as double) as field_completeness,
        cast(s.delay_p95_hours as double) as delay_p95_hours,
        cast(s.late_share as double) as late_share,
        s.max_delay_hours,
        case
            when coalesce(s.judged_expected, 0) < {{ var('dq_min_expected_records') }}
                then case when s.late_share > {{ var('dq_max_late_share') }} then 'LATE' else 'OK' end
            when s.records = 0 then 'NO_DATA'
            when s.records / nullif(s.judged_expected, 0) < {{ var('dq_min_completeness') }} then 'THIN'
            when s.late_share > {{ var('dq_max_late_share') }} then 'LATE'
            else 'OK'
        end as status
    from scores as s
    left join communes as c on c.commune_code = s.commune_code

)

select
    *,
    case status
        when 'NO_DATA' then 'Không có dữ liệu'
        when 'THIN' then 'Thiếu dữ liệu'
        when 'LATE' then 'Chậm'
        else 'Đạt'
    end as status_vi
from final
