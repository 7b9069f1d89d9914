{{ config(contract={'enforced': true}) }}

{#- The camera registry as a dimension: one row per camera, its current commune (name from
    dim_commune, the reference), road, position, speed limit and vendor. -#}
select
    cameras.camera_id,
    cameras.commune_code,
    communes.commune_name,
    cameras.road_name,
    cameras.latitude,
    cameras.longitude,
    cameras.speed_limit_kmh,
    cameras.vendor,
    cameras.installed_date,
    cameras.snapshot_date
from {{ ref('stg_camera__cameras') }} as cameras
left join {{ ref('dim_commune') }} as communes
    on cameras.commune_code = communes.commune_code
