{{ config(contract={'enforced': true}) }}

{#- Public-service residence dossiers per current commune, month of submission, service and
    channel (online / offline): submitted, completed, rejected, still open, and processing
    time of the finished ones (median and 90th percentile hours). -#}
with

dossiers as (

    select * from {{ ref('stg_registry__dossiers') }}

),

final as (

    select
        trunc(dossiers.submitted_date, 'MM')                                     as month_start,
        dossiers.commune_code,
        communes.commune_name,
        dossiers.service_code,
        dossiers.channel,
        cast(count(*) as bigint)                                                 as dossiers_submitted,
        cast(count_if(dossiers.status = 'COMPLETED') as bigint)                  as dossiers_completed,
        cast(count_if(dossiers.status = 'REJECTED') as bigint)                   as dossiers_rejected,
        cast(count_if(dossiers.status in ('SUBMITTED', 'PROCESSING')) as bigint) as dossiers_open,
        cast(percentile_approx(case when dossiers.status = 'COMPLETED' then dossiers.processing_hours end, 0.5, 10000) as double)
                                                                                 as median_processing_hours,
        cast(percentile_approx(case when dossiers.status = 'COMPLETED' then dossiers.processing_hours end, 0.9, 10000) as double)
                                                                                 as p90_processing_hours,
        cast(round(avg(case when dossiers.status = 'COMPLETED' then dossiers.processing_hours end), 2) as double)
                                                                                 as mean_processing_hours
    from dossiers
    inner join {{ ref('dim_commune') }} as communes
        on dossiers.commune_code = communes.commune_code
    group by trunc(dossiers.submitted_date, 'MM'), dossiers.commune_code, communes.commune_name,
             dossiers.service_code, dossiers.channel

)

select * from final
