{{ config(contract={'enforced': true}) }}

{#- RESTRICTED (vehicle tracing, purpose-bound). Camera sightings of the plates of open
    vehicle-theft reports (status not CLEARED and not NOT_PROSECUTED) from the report's
    receipt on, ordered into a trace per report: sequence number, camera, place, and time and
    distance from the previous sighting.
    Reads only the silver partitions from the day before the oldest open report's receipt on
    (a date literal: Spark prunes the other days), not the whole history of plate reads. -#}
{%- set open_theft = "is_vehicle_theft and status not in ('CLEARED', 'NOT_PROSECUTED')" %}
{%- set since = earliest_date(ref('fct_crime_reports'), 'received_date', open_theft) %}
with

reports as (

    select record_id, case_no, vehicle_plate, commune_code, received_at
    from {{ ref('fct_crime_reports') }}
    where {{ open_theft }}

),

reads as (

    -- a semi-join on the (small) set of watched plates: Spark broadcasts it
    select event_id, event_time, camera_id, plate
    from {{ ref('stg_camera__events') }}
    where plate in (select vehicle_plate from reports)
      -- local event date vs the receipt's date: a day earlier covers any time-zone offset
      and event_date >= date_sub(date'{{ since }}', 1)

),

cameras as (

    select * from {{ ref('stg_camera__cameras') }}

),

sightings as (

    select
        reports.record_id, reports.case_no, reports.vehicle_plate,
        reports.commune_code as report_commune_code, reports.received_at,
        reads.event_id, reads.event_time, reads.camera_id,
        cameras.commune_code, cameras.road_name, cameras.latitude, cameras.longitude
    from reports
    inner join reads
        on reads.plate = reports.vehicle_plate
        and reads.event_time >= reports.received_at
    left join cameras
        on reads.camera_id = cameras.camera_id

),

ordered as (

    select
        sightings.*,
        row_number() over (partition by record_id order by event_time, event_id)             as sighting_seq,
        lag(event_time) over (partition by record_id order by event_time, event_id)          as prev_time,
        lag(latitude) over (partition by record_id order by event_time, event_id)            as prev_lat,
        lag(longitude) over (partition by record_id order by event_time, event_id)           as prev_lon
    from sightings

),

final as (

    select
        record_id,
        case_no,
        vehicle_plate,
        report_commune_code,
        received_at,
        cast(sighting_seq as int)                                   as sighting_seq,
        event_id,
        event_time,
        camera_id,
        commune_code,
        road_name,
        latitude,
        longitude,
        cast(round((unix_timestamp(event_time) - unix_timestamp(prev_time)) / 60.0, 1) as double)
                                                                    as minutes_since_previous,
        cast(round(2 * 6371.0088 * asin(sqrt(
            pow(sin(radians(latitude - prev_lat) / 2), 2)
            + cos(radians(prev_lat)) * cos(radians(latitude)) * pow(sin(radians(longitude - prev_lon) / 2), 2))), 3)
            as double)                                              as km_from_previous
    from ordered

)

select * from final
