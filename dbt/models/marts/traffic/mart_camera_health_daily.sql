{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['day', 'camera_id'],
        on_schema_change='fail',
        contract={'enforced': true},
    )
}}

{#- Camera health per camera per day, in the manner of traffic-sensor diagnostics:
      NO_DATA            no valid read all day;
      INSUFFICIENT_DATA  fewer reads than var('camera_health_min_share') (default 0.5) of the
                         camera's expected reads (its mean over the previous 7 days with data);
      STUCK              constant readings: one plate makes over half of ≥ 20 reads, or the
                         speed never changes over ≥ 20 reads;
      OK                 otherwise.
    Also: reads per active hour, the longest silent gap (hours without a read, from 00:00 to
    24:00 local) and the mean OCR confidence. Every registered camera has a row every day
    from the first to the last day with camera data.
    Incremental: recomputes every day from the earliest day of the reads processed since the
    last build (macros/incremental_window.sql) on — late and backfilled reads are merged in,
    and the expected volume of the days after them follows. Only those days of reads are
    read: the expected volume of the first of them comes from the 7 days before, which this
    table already holds (their reads did not change — no read processed since is of them),
    not from reading those days of plate reads again (at Hanoi scale 7 × 20 M rows a day). -#}
{#- bits of the plate hash voted on (see majority_hash): enough that few other reads share
    the majority plate's hash, few enough to cost little beside the day's other figures -#}
{%- set plate_hash_bits = 16 %}
{%- set since = first_touched_date(ref('stg_camera__events'), 'event_date', 'processed_at',
                                   'last_processed_at') %}
with

events as (

    select camera_id, event_date, event_time, plate, speed_kmh, ocr_confidence, processed_at
    from {{ ref('stg_camera__events') }}
    where event_date >= date'{{ since }}'

),

cameras as (

    select * from {{ ref('stg_camera__cameras') }}

),

bounds as (

    select min(event_date) as first_day, max(event_date) as last_day from events

),

days as (

    select date_add(first_day, i) as day
    from bounds
    lateral view explode(sequence(0, datediff(last_day, first_day))) as i

),

grid as (

    select days.day, cameras.camera_id, cameras.commune_code, cameras.commune_name, cameras.road_name
    from days cross join cameras

),

daily as (

    select
        camera_id, event_date,
        count(*)                                    as reads,
        -- no distinct aggregate (Spark would expand every read once per distinct column):
        -- the hours with a read as bits of a 24-bit mask, a constant speed as min = max
        bit_count(bit_or(shiftleft(cast(1 as bigint), hour(event_time)))) as active_hours,
        min(speed_kmh) = max(speed_kmh)             as constant_speed,
        avg(ocr_confidence)                         as mean_confidence,
        max(processed_at)                           as last_processed_at,
        -- the second of the day of every read, in order: the silent gaps are the steps
        -- between them (sorting each camera-day's reads in this aggregate costs far less
        -- than a lag window over every read, which shuffles and sorts all of them again)
        array_sort(collect_list(cast(
            unix_timestamp(event_time) - unix_timestamp(to_timestamp(event_date)) as int))) as read_seconds,
        -- how many reads have each bit of the plate hash set (see majority_hash below)
        {%- for b in range(plate_hash_bits) %}
        count_if(shiftright(hash(plate), {{ b }}) & 1 = 1) as plate_bit_{{ b }}{{ ',' if not loop.last }}
        {%- endfor %}
    from events
    group by camera_id, event_date

),

-- "one plate makes over half of the reads", found without counting every plate of every
-- camera-day (that grouping shuffles every read: it was the slowest part of this model).
-- A plate in more than half of the reads has, in each bit of its hash, the value most
-- reads have: the per-bit majority of the reads' hashes is the only hash it can have. The
-- reads with that hash are then counted per plate, exactly: majority_plate_reads is the
-- majority plate's reads when there is one, and at most half of the reads otherwise.
majority_hash as (

    select
        camera_id, event_date,
        {% for b in range(plate_hash_bits) -%}
        case when 2 * plate_bit_{{ b }} > reads then {{ 2 ** b }} else 0 end{{ ' |' if not loop.last }}
        {% endfor -%}
        as plate_hash
    from daily

),

plates as (

    select camera_id, event_date, max(n) as majority_plate_reads
    from (
        select events.camera_id, events.event_date, events.plate, count(*) as n
        from events
        join majority_hash
            on events.camera_id = majority_hash.camera_id
            and events.event_date = majority_hash.event_date
            and hash(events.plate) & {{ 2 ** plate_hash_bits - 1 }} = majority_hash.plate_hash
        group by events.camera_id, events.event_date, events.plate
    )
    group by camera_id, event_date

),

-- each camera's reads per day (NULL: no data): the grid's days, and (incremental) the 7
-- days before them as this table holds them
volumes as (

    select grid.camera_id, grid.day, daily.reads
    from grid
    left join daily on grid.camera_id = daily.camera_id and grid.day = daily.event_date
    {%- if is_incremental() %}
    union all
    select camera_id, day, nullif(reads, 0) as reads
    from {{ this }}
    where day >= date_sub(date'{{ since }}', 7) and day < date'{{ since }}'
    {%- endif %}

),

expected as (

    select
        camera_id, day,
        -- the mean of the 7 calendar days before (days without data do not count)
        avg(reads) over (
            partition by camera_id order by datediff(day, date'1970-01-01')
            range between 7 preceding and 1 preceding) as expected_reads
    from volumes

),

with_expected as (

    select
        grid.*,
        coalesce(daily.reads, 0) as reads,
        daily.active_hours, daily.constant_speed, daily.mean_confidence, daily.last_processed_at,
        coalesce(plates.majority_plate_reads, 0) as majority_plate_reads,
        -- the longest silent gap: from 00:00 to the first read, between two reads, or from
        -- the last read to 24:00 (NULL without reads)
        greatest(
            greatest(daily.read_seconds[0], 0),
            array_max(zip_with(slice(daily.read_seconds, 2, size(daily.read_seconds)), daily.read_seconds,
                               (next_s, s) -> next_s - s)),
            unix_timestamp(to_timestamp(date_add(grid.day, 1))) - unix_timestamp(to_timestamp(grid.day))
                - element_at(daily.read_seconds, -1)
        ) / 3600.0 as longest_gap_hours,
        expected.expected_reads
    from grid
    left join daily on grid.camera_id = daily.camera_id and grid.day = daily.event_date
    left join plates on grid.camera_id = plates.camera_id and grid.day = plates.event_date
    left join expected on grid.camera_id = expected.camera_id and grid.day = expected.day

),

final as (

    select
        day,
        camera_id,
        commune_code,
        commune_name,
        road_name,
        cast(reads as bigint)                                                    as reads,
        cast(round(expected_reads, 1) as double)                                 as expected_reads,
        cast(case when reads > 0 then round(reads / active_hours, 2) end as double) as reads_per_active_hour,
        cast(coalesce(active_hours, 0) as int)                                   as active_hours,
        cast(case when reads > 0 then round(longest_gap_hours, 2) else 24.0 end as double) as longest_gap_hours,
        cast(round(mean_confidence, 4) as double)                                as mean_ocr_confidence,
        case
            when reads = 0 then 'NO_DATA'
            when reads >= 20 and (majority_plate_reads > reads / 2 or constant_speed) then 'STUCK'
            when expected_reads is not null
                 and reads < {{ var('camera_health_min_share', 0.5) }} * expected_reads then 'INSUFFICIENT_DATA'
            else 'OK'
        end                                                                      as health_status,
        last_processed_at
    from with_expected
    where day >= date'{{ since }}'

)

select * from final
